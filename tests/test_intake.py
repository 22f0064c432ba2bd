"""Taking a save in (simulator.session.intake): what the engine knows of a file before it decides.

No store and no engine here: taking in only copies, hashes, compares and checks, so what a save
becomes is decided in one place (the engine's ``_decide``, covered by test_engine.py).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from simulator.session.intake import Intake, SeenBefore, TakenIn, take_in
from simulator.storage.records import AttemptRecord


def _taken(
    path: Path, blobs: Path, previous: AttemptRecord | None = None, force: bool = False
) -> Intake:
    return take_in(
        "q1", path, "watch", 100.0, 101.0, shown=path.name, blobs_dir=blobs, max_model_mb=1,
        recorded=lambda sha256: previous if previous and previous.sha256 == sha256 else None,
        force=force,
    )  # fmt: skip


def _recorded(sha256: str, state: str) -> AttemptRecord:
    return AttemptRecord(
        id=1, session_id="s", question_id="q1", source_path="q1/mymodel.h5", blob=None,
        sha256=sha256, size=1, origin="watch", saved_at=1.0, detected_at=1.0,
        state=state,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_broken_file_is_copied_hashed_and_carries_the_file_checks_reason(tmp_path: Path) -> None:
    model = tmp_path / "mymodel.h5"
    model.write_bytes(b"not an HDF5 file at all")
    taken = _taken(model, tmp_path / "blobs")
    assert isinstance(taken, TakenIn)
    assert taken.copy is not None and taken.copy.path.read_bytes() == model.read_bytes()
    assert taken.sha256 == hashlib.sha256(model.read_bytes()).hexdigest()
    assert taken.blob == taken.copy.name
    assert taken.size == len(model.read_bytes())
    assert (taken.saved_at, taken.detected_at) == (100.0, 101.0)
    assert taken.problem is not None and taken.problem.code == "file-broken"


def test_a_file_over_the_size_limit_is_refused_without_a_copy(tmp_path: Path) -> None:
    model = tmp_path / "mymodel.h5"
    with model.open("wb") as out:
        out.truncate(2 * 1024 * 1024)  # over max_model_mb=1
    blobs = tmp_path / "blobs"
    first, again = _taken(model, blobs), _taken(model, blobs)
    assert isinstance(first, TakenIn) and isinstance(again, TakenIn)
    assert first.copy is None and first.blob is None and not blobs.exists()
    assert first.problem is not None and first.problem.code == "file-too-large"
    assert first.sha256 == again.sha256  # the untouched entry is the same "content"


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes are a POSIX thing")
def test_a_fifo_is_refused_from_its_metadata(tmp_path: Path) -> None:
    fifo = tmp_path / "mymodel.h5"
    os.mkfifo(fifo)
    taken = _taken(fifo, tmp_path / "blobs")
    assert isinstance(taken, TakenIn) and taken.copy is None
    assert taken.problem is not None and taken.problem.code == "not-a-regular-file"


def test_content_recorded_before_counts_again_only_when_forced_and_it_was_not_gradable(
    tmp_path: Path,
) -> None:
    model = tmp_path / "mymodel.h5"
    model.write_bytes(b"same bytes")
    sha = hashlib.sha256(b"same bytes").hexdigest()
    graded, refused = _recorded(sha, "graded"), _recorded(sha, "not-gradable")
    blobs = tmp_path / "blobs"
    assert _taken(model, blobs, graded) == SeenBefore(graded)
    assert _taken(model, blobs, graded, force=True) == SeenBefore(graded)
    assert _taken(model, blobs, refused) == SeenBefore(refused)
    assert isinstance(_taken(model, blobs, refused, force=True), TakenIn)
