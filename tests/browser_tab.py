"""``tfexam serve`` as a user runs it, and a real headless Chromium tab on its URL.

The page draws the terminal on a canvas (xterm.js), so there is no screen text in the DOM; what a
user sees is read from the websocket's binary frames (the app's raw terminal output) fed into a VT
emulator (pyte), one screen per connection (a reload is a new connection). Debian's chromium is
driven by Playwright (its own browser download is not needed).
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyte

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI may run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
URL = re.compile(r"(http://\S+\?token=\S+)")

try:
    import playwright.sync_api  # noqa: F401

    PLAYWRIGHT = True
except ImportError:
    PLAYWRIGHT = False

MISSING = (
    "playwright is not installed (pip install -e '.[dev]')"
    if not PLAYWRIGHT
    else "chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)"
    if CHROMIUM is None
    else None
)


class Served:
    """``python -m simulator serve ARGS`` in its own process group; its printed URL."""

    def __init__(self, args: Sequence[str], *, home: Path, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "simulator", "serve", "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "TFEXAM_HOME": str(home), "COLUMNS": "200", **(env or {})},
            cwd=REPO,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_for_line(URL, timeout=120).group(1)
        self.origin = self.url.split("/?", 1)[0]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self._new.put(line)
        self._new.put(None)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
        give_up = time.monotonic() + timeout
        seen = 0
        while True:
            for line in self.lines[seen:]:
                if found := pattern.search(line):
                    return found
            seen = len(self.lines)
            left = give_up - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{pattern.pattern!r} never printed:\n{self.output}")
            try:
                if self._new.get(timeout=left) is None:
                    raise AssertionError(f"tfexam serve ended:\n{self.output}")
            except queue.Empty:
                pass

    def stop(self, timeout: float = 60) -> int:
        """Ctrl+C, as in its terminal; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
            raise AssertionError(f"tfexam serve did not stop on Ctrl+C:\n{self.output}") from None


class BrowserTab:
    """A Chromium page on the served URL, and the terminal screen it shows."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.screens: list[pyte.Screen] = []
        self.sockets: list[Any] = []
        self.page.on("websocket", self._on_socket)

    def _on_socket(self, socket: Any) -> None:
        size = re.search(r"width=(\d+)&height=(\d+)", socket.url)
        columns, rows = (int(size.group(1)), int(size.group(2))) if size else (80, 24)
        screen = pyte.Screen(columns, rows)
        stream = pyte.ByteStream(screen)

        def received(payload: bytes | str) -> None:
            if isinstance(payload, bytes | bytearray):
                stream.feed(bytes(payload))

        socket.on("framereceived", received)
        self.sockets.append(socket)
        self.screens.append(screen)

    @property
    def lines(self) -> list[str]:
        return list(self.screens[-1].display) if self.screens else []

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines)

    def open(self, url: str, timeout: float = 60) -> float:
        """Go to ``url``; seconds until the first output of the app drew in the page."""
        start = time.monotonic()
        self.page.goto(url)
        self.page.wait_for_selector("body.-first-byte", state="attached", timeout=timeout * 1000)
        return time.monotonic() - start

    def wait_for(self, needle: str, timeout: float = 60) -> float:
        """Until ``needle`` is on the screen now; seconds waited."""
        start = time.monotonic()
        while needle not in self.text:
            if time.monotonic() - start > timeout:
                raise AssertionError(f"{needle!r} is not on the screen; it shows:\n{self.text}")
            self.page.wait_for_timeout(20)  # lets Playwright deliver the socket's frames
        return time.monotonic() - start

    def wait_until_gone(self, needle: str, timeout: float = 30) -> None:
        start = time.monotonic()
        while needle in self.text:
            if time.monotonic() - start > timeout:
                raise AssertionError(f"{needle!r} is still on the screen:\n{self.text}")
            self.page.wait_for_timeout(20)

    def focus(self) -> None:
        """Click the terminal once so that keys go to it."""
        self.page.click("#terminal")

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


def launch(playwright: Any) -> Any:
    assert CHROMIUM is not None
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
