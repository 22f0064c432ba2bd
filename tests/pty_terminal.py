"""A real pseudo-terminal for running ``tfexam`` as a user would, reading what it draws."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path

import pyte

ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78DEHM]"
)


class Terminal:
    """``python -m simulator ARGS`` on a pty of a fixed size; ``screen`` is everything it wrote."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        env: dict[str, str],
        cwd: Path,
        size: tuple[int, int] = (120, 40),
    ) -> None:
        self.master, slave = os.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "simulator", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={
                **os.environ,
                "TERM": "xterm-256color",
                "COLUMNS": str(columns),
                "LINES": str(rows),
                **env,
            },
            cwd=cwd,
            start_new_session=True,
        )
        os.close(slave)
        self.raw = b""
        self._screen = pyte.Screen(columns, rows)
        self._stream = pyte.ByteStream(self._screen)

    @property
    def text(self) -> str:
        """What was written, without escape sequences (styled runs are contiguous text)."""
        return ANSI.sub(b"", self.raw).decode("utf-8", "replace")

    @property
    def screen(self) -> list[str]:
        """The lines the terminal shows now, as a user reads them (a VT emulator's display)."""
        return list(self._screen.display)

    def read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the child closed the terminal
                time.sleep(timeout)
                return
            self.raw += chunk
            self._stream.feed(chunk)

    def watch_screen(self, seconds: float) -> list[list[str]]:
        """Keep reading for ``seconds``; every screen seen meanwhile (one per read that drew)."""
        seen: list[list[str]] = []
        give_up = time.monotonic() + seconds
        while time.monotonic() < give_up:
            before = len(self.raw)
            self.read(0.05)
            if len(self.raw) != before:
                seen.append(self.screen)
        return seen

    def wait_for_screen(self, needle: str, timeout: float = 60.0) -> list[str]:
        """Read until ``needle`` is on the screen now (not merely written once); the screen."""
        give_up = time.monotonic() + timeout
        while not any(needle in line for line in self.screen):
            if time.monotonic() > give_up or self.process.poll() is not None:
                shown = "\n".join(self.screen)
                raise AssertionError(f"{needle!r} is not on the screen; it shows:\n{shown}")
            self.read(0.05)
        return self.screen

    def wait_until_gone(self, needle: str, timeout: float = 60.0) -> list[str]:
        """Read until ``needle`` is no longer on the screen (a dialog closed); the screen."""
        give_up = time.monotonic() + timeout
        while any(needle in line for line in self.screen):
            if time.monotonic() > give_up or self.process.poll() is not None:
                shown = "\n".join(self.screen)
                raise AssertionError(f"{needle!r} is still on the screen:\n{shown}")
            self.read(0.05)
        return self.screen

    def wait_for(self, needle: str, timeout: float = 60.0) -> float:
        """Read until ``needle`` appears in what was written since the last call; returns seconds."""
        start = time.monotonic()
        mark = len(self.text)
        while needle not in self.text[mark:]:
            if time.monotonic() - start > timeout:
                raise AssertionError(
                    f"{needle!r} never appeared; the terminal shows:\n{self.text[-3000:]}"
                )
            if self.process.poll() is not None:
                self.read(0.05)
                if needle in self.text[mark:]:
                    break
                raise AssertionError(
                    f"tfexam exited ({self.process.returncode}) before {needle!r}:\n{self.text[-3000:]}"
                )
            self.read(0.05)
        return time.monotonic() - start

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait_exit(self, timeout: float = 60.0) -> int:
        give_up = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < give_up:
            self.read(0.05)
        self.read(0.05)
        assert self.process.returncode is not None, f"tfexam did not exit:\n{self.text[-3000:]}"
        return self.process.returncode

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        os.close(self.master)
