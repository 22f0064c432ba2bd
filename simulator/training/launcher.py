"""The parent of every training script tfexam starts: it records how the script ended.

tfexam may be closed while a training goes on; without a parent that waits for it, nobody
would learn the script's exit code (only a parent can) or when it really ended. This launcher
starts the script as its child, waits, and writes one small JSON file as soon as the script
exits: ``{"exit_code": 3, "signal": null, "ended_at": 1795000000.12}`` (``signal`` is the number
of the signal that killed it, then ``exit_code`` is null). It then exits with the script's code
(128 + the signal's number for a killed one), as a shell would.

It is run by file path with the candidate's own Python, so it uses the standard library only and
imports nothing of tfexam. Ctrl+C (SIGINT) and SIGTERM sent to the run's process group reach the
script directly; the launcher only keeps waiting for it (a handler, not SIG_IGN: an ignored
signal would be ignored by the script too, after exec).

Usage: ``python launcher.py STATUS_FILE -- COMMAND...``
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any


def _keep_waiting(signum: int, frame: FrameType | None) -> None:
    """The script gets the same signal from its process group; the launcher waits for it."""


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write("usage: launcher.py STATUS_FILE -- COMMAND...\n")
        return 2
    status_path, command = Path(argv[0]), argv[2:]
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _keep_waiting)
    try:
        child = subprocess.Popen(command)
    except OSError as error:
        sys.stderr.write(f"could not start {command[0]}: {error}\n")
        _write(status_path, {"exit_code": 127, "signal": None, "ended_at": time.time()})
        return 127
    code = child.wait()  # a signal's handler runs and the wait goes on (PEP 475)
    ended_at = time.time()
    if code < 0:
        _write(status_path, {"exit_code": None, "signal": -code, "ended_at": ended_at})
        return 128 - code
    _write(status_path, {"exit_code": code, "signal": None, "ended_at": ended_at})
    return code


def _write(path: Path, status: dict[str, Any]) -> None:
    """Whole or not at all: a temporary file renamed over the final name."""
    partial = path.with_name(path.name + ".tmp")
    try:
        partial.write_text(json.dumps(status), encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        sys.stderr.write(f"tfexam could not record how the run ended: {error}\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
