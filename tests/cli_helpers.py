"""Running ``tfexam`` headless in a subprocess and reading its JSON events as they come."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import REPO
from tests.waiting import wait_until


class HeadlessRun:
    """``tfexam start/resume --headless --json`` in a subprocess, its events collected as they come."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "simulator", *args, "--headless", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=REPO,
        )
        self.events: list[dict[str, Any]] = []
        self.other_lines: list[str] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._cond:
                try:
                    self.events.append(json.loads(line))
                except json.JSONDecodeError:
                    self.other_lines.append(line)
                self._cond.notify_all()

    def wait_for(self, kind: str, count: int = 1, timeout: float = 60.0) -> list[dict[str, Any]]:
        with self._cond:
            ok = self._cond.wait_for(
                lambda: sum(e["event"] == kind for e in self.events) >= count, timeout
            )
            assert ok, (
                f"no {kind!r} event; got {[e['event'] for e in self.events]}; stderr: {self._stderr()}"
            )
            return [e for e in self.events if e["event"] == kind]

    def _stderr(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return "(still running)"
        return self.process.stderr.read()

    def finish(self, timeout: float = 60.0) -> int:
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def signalled_command(
    args: list[str],
    ending: signal.Signals,
    temporary: Path,
    ready: Callable[[], object],
    message: str,
) -> tuple[int, str]:
    """Run ``python -m simulator ARGS`` with ``TMPDIR=temporary``; once ``ready()`` is true, send
    it ``ending``; its exit code and its last line on stderr. A shell's Ctrl+C reaches a
    foreground command: a test worker may have been started with SIGINT ignored, which its
    children would inherit, so the child gets SIGINT's default back."""
    running = subprocess.Popen(
        [sys.executable, "-m", "simulator", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO,
        env={**os.environ, "TMPDIR": str(temporary)}, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        wait_until(ready, timeout=120, message=message)
        running.send_signal(ending)
        running.wait(timeout=60)
    finally:
        if running.poll() is None:
            running.kill()
            running.wait()
    assert running.stderr is not None
    lines = running.stderr.read().strip().splitlines()
    return running.returncode, lines[-1] if lines else ""
