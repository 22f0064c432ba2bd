"""Taking a saved model file in: copy it, name its content, check it; nothing is decided here.

The engine hears of a save (from the watcher, its start-up scan or "Submit and Test") and asks
:func:`take_in` what the file is, before it decides what the file becomes. The answer is one of

- :class:`TakenIn`: content not recorded before, with the session's copy of it (the hash always
  describes what gets graded), its size, and why it cannot be graded if it cannot (the file
  check's verdict, or why nothing was copied: an odd entry, a huge file, no room for the copy);
- :class:`SeenBefore`: the content of an attempt already recorded, so nothing new;
- :class:`CaughtMidSave`: the copy caught the file while it was being rewritten (a burst of
  saves): the newer save will come;
- ``None``: the file went away or is being replaced; its next event brings it back.

Nothing here writes the store or announces anything, so taking in and deciding stay apart: the
engine's one ``_decide`` turns a :class:`TakenIn` into an attempt.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from simulator.grading.filecheck import check_model_file, content_size, refusal_reason
from simulator.grading.reasons import Reason
from simulator.storage.blobs import Snapshot, SnapshotError, take_snapshot
from simulator.storage.records import AttemptRecord

#: How the engine came to look at the file: a save it watched, its start-up scan of the
#: workspace, or the candidate's "Submit and Test".
Origin = Literal["watch", "scan", "submit"]


@dataclass(frozen=True)
class TakenIn:
    """A saved file taken in: what it is and where its copy lies, before anything is decided."""

    question_id: str
    #: The candidate's file (or SavedModel folder), as saved.
    path: Path
    origin: Origin
    saved_at: float
    detected_at: float
    #: The session's copy; ``None`` when nothing was copied (the file was refused from what the
    #: file system says about it, or the copy failed).
    copy: Snapshot | None
    #: SHA-256 of the copy; of the entry's metadata when nothing was copied (then the same
    #: untouched entry seen again is "unchanged", any change to it is new).
    sha256: str
    size: int
    #: Why it cannot be graded (the file check's verdict, or why nothing was copied); ``None``
    #: when it can.
    problem: Reason | None

    @property
    def blob(self) -> str | None:
        """The copy's name in the session's blob folder, as the store records it."""
        return None if self.copy is None else self.copy.name


@dataclass(frozen=True)
class SeenBefore:
    """The file's content is that of an attempt already recorded."""

    previous: AttemptRecord


@dataclass(frozen=True)
class CaughtMidSave:
    """The copy is incomplete and the file changed since: a newer save is under way."""


Intake = TakenIn | SeenBefore | CaughtMidSave | None


def take_in(
    question_id: str,
    path: Path,
    origin: Origin,
    saved_at: float,
    detected_at: float,
    *,
    shown: str,
    blobs_dir: Path,
    max_model_mb: int,
    recorded: Callable[[str], AttemptRecord | None],
    force: bool = False,
) -> Intake:
    """Take the file at ``path`` in: copy, hash, compare with what was recorded, check.

    ``shown`` is the path as the candidate knows it (for reasons); ``recorded(sha256)`` is the
    question's attempt that holds that content, if any. Content seen before counts again only
    when ``force`` asks (Submit and Test) and it was not gradable then (it may be now: the
    exam's code or data changed).
    """
    # Odd entries (a FIFO, a device, a link to nothing) and huge files are answered from their
    # metadata: nothing opens them and nothing is copied.
    refusal = refusal_reason(path, shown, max_model_mb)
    copy: Snapshot | None = None
    if refusal is None:
        try:
            # Copy first, then hash the copy: the hash always describes what gets graded.
            copy = take_snapshot(path, blobs_dir)
        except FileNotFoundError:
            return None
        except SnapshotError as error:
            refusal = Reason("copy-failed", str(error))
    sha256 = _metadata_digest(path) if copy is None else copy.sha256
    previous = recorded(sha256)
    if previous is not None and not (force and previous.state == "not-gradable"):
        return SeenBefore(previous)
    if copy is None:
        assert refusal is not None
        return TakenIn(
            question_id, path, origin, saved_at, detected_at, None, sha256, _apparent_size(path),
            refusal,
        )  # fmt: skip
    check = check_model_file(copy.path, shown)
    if not check.complete and _rewritten_since(path, copy.size):
        return CaughtMidSave()
    problem = None if check.complete else check.as_reason()
    return TakenIn(
        question_id, path, origin, saved_at, detected_at, copy, sha256, copy.size, problem
    )


def saved_time(path: Path) -> float:
    """When a file found on disk was last saved: the later of its mtime and its ctime.

    With no engine watching, this is all there is to tell a save before the deadline from one
    after it. ``touch -d`` or ``os.utime`` can set the mtime back, but not the ctime (the kernel
    sets it to now on every change, that one included), so a late save cannot pass as on time. A
    chmod or rename after the deadline also counts as a change then; that errs on the exam's side.
    """
    members = [path]
    if path.is_dir() and not path.is_symlink():
        members += list(path.rglob("*"))
    times = []
    for member in members:
        try:
            info = member.lstat()
        except OSError:
            continue
        times += [info.st_mtime, info.st_ctime]
        if member.is_symlink():
            with contextlib.suppress(OSError):  # the file it points to: its save counts too
                target = member.stat()
                times += [target.st_mtime, target.st_ctime]
    return max(times, default=0.0)


def _rewritten_since(path: Path, copied_size: int) -> bool:
    """Whether ``path`` changed after it was copied: another size, or complete where the copy is not."""
    try:
        if content_size(path) != copied_size:
            return True
    except OSError:
        return False
    return check_model_file(path).complete


def _metadata_digest(path: Path) -> str:
    """A SHA-256 of what the file system says about an entry (no content is read)."""
    try:
        info = path.lstat()
        target = path.stat() if path.is_symlink() else info
        described = (
            f"{info.st_mode}:{info.st_ino}:{info.st_ctime_ns}:{target.st_mode}:{target.st_ino}:"
            f"{target.st_size}:{target.st_mtime_ns}:{target.st_ctime_ns}"
        )
    except OSError as error:
        described = f"{path}:{error.strerror}"
    return hashlib.sha256(described.encode()).hexdigest()


def _apparent_size(path: Path) -> int:
    try:
        return content_size(path)
    except OSError:
        return 0
