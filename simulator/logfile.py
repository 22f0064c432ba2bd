"""Where a process's log lines go: one file, the log of the session it serves.

The engine, its grading pool and the exam app log through the root logger of their process; the
terminal only ever shows events. A session's file is ``DataPaths.engine_log``; an exam app that
starts a drill from its review moves the log to the drill's file, as ``tfexam drill`` would.
"""

from __future__ import annotations

import logging
from pathlib import Path


def log_to(path: Path) -> None:
    """Send this process's log lines (INFO and up) to ``path`` from now on, and nowhere else."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
