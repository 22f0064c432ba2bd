"""Scratch folders that are not left behind, and the signals that end a command like Ctrl+C.

A command that works in a temporary folder (``tfexam calibrate``, ``tfexam grade``, a grading
worker's job) removes it on the way out, also when it is stopped by SIGTERM or SIGHUP
(:func:`ended_like_ctrl_c`). ``kill -9`` leaves it, as no signal can be caught; so each folder is
named with the pid of the process that owns it, ``tfexam-<kind>-<pid>-<label>-<random>``, and the
next :func:`scratch_folder` of that kind removes the folders of pids that are no longer running.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import psutil

#: The signals that end a command the way Ctrl+C does (cleaning up on the way out).
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def scratch_prefix(kind: str) -> str:
    """The start of the names of ``kind``'s scratch folders: ``tfexam-<kind>-``."""
    return f"tfexam-{kind}-"


def remove_stale_scratch(kind: str, parent: Path | None = None) -> list[Path]:
    """Remove ``kind``'s scratch folders whose owner is no longer running; return what was
    removed. A name without a pid followed by ``-`` is not one of these folders and is kept."""
    removed = []
    prefix = scratch_prefix(kind)
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{prefix}*"):
        owner, dash, _rest = folder.name.removeprefix(prefix).partition("-")
        if not (dash and owner.isdigit()) or int(owner) == os.getpid():
            continue
        if not psutil.pid_exists(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextlib.contextmanager
def scratch_folder(kind: str, label: str = "") -> Iterator[Path]:
    """A fresh temporary folder of ``kind`` owned by this process, removed when the block ends;
    the stale folders of ``kind`` (their owners were killed) are removed first."""
    remove_stale_scratch(kind)
    prefix = f"{scratch_prefix(kind)}{os.getpid()}-" + (f"{label}-" if label else "")
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield Path(folder)


class EndedBySignal(SystemExit):
    """The command was asked to stop (SIGTERM, SIGHUP); exits with 128 + the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signal_name = signal.Signals(signum).name


@contextlib.contextmanager
def ended_like_ctrl_c(command: str) -> Iterator[None]:
    """SIGTERM and SIGHUP end the block as Ctrl+C does, with an exception, so that its scratch
    folder, grading workers and training in progress are cleaned up on the way out (the default
    action would end the process at once and leave them); once they are, ``command`` says so in
    one line on stderr. A second signal during the clean-up is ignored, so that it finishes.
    Only the main thread can set signal handlers."""

    def stop(signum: int, frame: FrameType | None) -> None:
        for ending in ENDING_SIGNALS:
            signal.signal(ending, signal.SIG_IGN)
        raise EndedBySignal(signum)

    previous = {ending: signal.signal(ending, stop) for ending in ENDING_SIGNALS}
    try:
        yield
    except EndedBySignal as ended:  # the block's own clean-up has run by now
        print(f"{command}: stopped by {ended.signal_name}; nothing is left behind", file=sys.stderr)
        raise
    finally:
        for ending, handler in previous.items():
            signal.signal(ending, handler)
