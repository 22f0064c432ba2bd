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

from simulator.filecheck import content_hash, content_size


@dataclass(frozen=True)
class Snapshot:
    """A stored copy: its name inside the blob folder, its SHA-256 and its size in bytes."""

    name: str
    sha256: str
    size: int
    path: Path


def take_snapshot(source: Path, blobs_dir: Path) -> Snapshot:
    """Copy ``source`` (a file or SavedModel folder) into ``blobs_dir`` under its content hash."""
    blobs_dir.mkdir(parents=True, exist_ok=True)
    temporary = blobs_dir / f".incoming-{uuid.uuid4().hex}{source.suffix}"
    try:
        if source.is_dir():
            shutil.copytree(source, temporary)
        else:
            shutil.copyfile(source, temporary)
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


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
