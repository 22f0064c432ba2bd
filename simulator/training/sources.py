"""Where a saved model came from: a tfexam run, the candidate's own process, or elsewhere.

The report separates models trained locally from those downloaded from Colab or copied from
another machine (``external``). A tfexam run of the question that was alive when the file was
saved is certain, and so is one that ended moments before the watcher heard of the save, as long
as the file did not change after the run ended (a copy made after a run is not that run's).
Otherwise, a Python process whose working folder is the question's folder at that moment (a
script started in the candidate's own terminal) makes it ``local``; that is a heuristic, and a
file that arrives with no such process is ``external``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psutil

from simulator.storage.store import Store

SourceKind = Literal["run", "local", "external"]


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    run_id: int | None = None


def find_source(
    store: Store, session_id: str, question_id: str, path: Path, saved_at: float, grace_s: float
) -> Source:
    run = store.run_writing_at(session_id, question_id, saved_at, grace_s)
    if run is not None and (run.ended_at is None or _changed_by(path, run.ended_at)):
        return Source("run", run.id)
    if python_working_in(path.parent):
        return Source("local")
    return Source("external")


#: File times lag the clock by a tick of the kernel's coarse clock; this covers it.
_FILE_TIME_SLACK_S = 0.05


def _changed_by(path: Path, moment: float) -> bool:
    """Whether ``path`` last changed no later than ``moment``.

    A run that ended can only have written the file before it ended; the grace after its end is
    for events that arrive late, not for a copy made afterwards. The change time (ctime) is used
    because a copy that keeps the source's mtime (``cp -p``) still sets it to the moment of the copy.
    """
    try:
        members = [path, *path.rglob("*")] if path.is_dir() else [path]
        changed = max(member.stat().st_ctime for member in members)
    except OSError:
        return False
    return changed <= moment + _FILE_TIME_SLACK_S


def python_working_in(folder: Path) -> bool:
    """Whether a Python process (not this one) has ``folder`` as its working directory."""
    target = os.path.realpath(folder)
    me = os.getpid()
    for proc in psutil.process_iter(["pid", "name", "cwd"]):
        info = proc.info
        if info["pid"] == me or not info.get("cwd"):
            continue
        if "python" not in (info.get("name") or "").lower():
            continue
        if os.path.realpath(info["cwd"]) == target:
            return True
    return False
