"""Content-addressed copies of every model file the engine sees.

The file in the workspace keeps changing while the candidate trains; grading works on a private
copy, and the copy stays in the session folder so that every attempt can be regraded, reviewed or
recovered after a crash. Copy first, then hash the copy: the hash always describes what is graded.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from simulator.grading.filecheck import content_hash, content_size

MB = 1024 * 1024


@dataclass(frozen=True)
class Snapshot:
    """A stored copy: its name inside the blob folder, its SHA-256 and its size in bytes."""

    name: str
    sha256: str
    size: int
    path: Path


#: A copy must leave this much free on the disk, so that the store and the logs can still be
#: written once it is there.
FREE_SPACE_RESERVE_MB = 100
#: Copies under way are written under this prefix, then renamed to their hash.
INCOMING_PREFIX = ".incoming-"


class SnapshotError(OSError):
    """The copy could not be made (no room, unreadable source): a reason to record, one line."""


def take_snapshot(source: Path, blobs_dir: Path) -> Snapshot:
    """Copy ``source`` (a file or SavedModel folder) into ``blobs_dir`` under its content hash.

    Raises :class:`SnapshotError` with a one-line reason when the copy cannot be made, checking
    free space first so a copy never fills the disk; FileNotFoundError when the source is gone.
    Nothing partial is left behind.
    """
    blobs_dir.mkdir(parents=True, exist_ok=True)
    needed = content_size(source)
    free = shutil.disk_usage(blobs_dir).free
    if free - needed < FREE_SPACE_RESERVE_MB * MB:
        raise SnapshotError(
            f"the disk holding the session's copies ({blobs_dir}) is full: {free / MB:,.0f} MB "
            f"free, the copy needs {needed / MB:,.0f} MB and {FREE_SPACE_RESERVE_MB} MB must stay "
            "free; free some space and save again"
        )
    temporary = blobs_dir / f"{INCOMING_PREFIX}{uuid.uuid4().hex}{source.suffix}"
    try:
        try:
            if source.is_dir():
                shutil.copytree(source, temporary)
            else:
                shutil.copyfile(source, temporary)
        except FileNotFoundError:
            raise
        except OSError as error:
            raise SnapshotError(
                f"the file could not be copied for grading: {error.strerror or error}"
            ) from error
        sha256 = content_hash(temporary)
        size = content_size(temporary)
        suffix = ".savedmodel" if source.is_dir() else source.suffix
        name = f"{sha256}{suffix}"
        final = blobs_dir / name
        if final.exists():
            _remove(temporary)
        else:
            temporary.replace(final)
    except BaseException:
        _remove(temporary)
        raise
    return Snapshot(name=name, sha256=sha256, size=size, path=final)


def remove_incoming(blobs_dir: Path) -> list[Path]:
    """Remove copies left half-made by a process that was killed mid-copy; returns them.

    Only the engine that owns the session calls this, before it copies anything itself.
    """
    if not blobs_dir.is_dir():
        return []
    stale = sorted(blobs_dir.glob(f"{INCOMING_PREFIX}*"))
    for path in stale:
        _remove(path)
    return stale


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
