"""Odd entries saved as the model file, in a real session with real workers: each one gets a
one-line reason that names the candidate's path, nothing blocks, nothing fills the disk."""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from pathlib import Path

from simulator.grading.pool import GradingPool
from simulator.session import events
from tests.conftest import run_cli
from tests.engine_helpers import EngineHarness

NOT_REGULAR = (
    "is a named pipe (FIFO), not a regular file: save the model with model.save() into the "
    "question's folder"
)


Outcome = events.AttemptGraded | events.AttemptNotGradable


def _outcome(h: EngineHarness, count: int = 1, timeout: float = 20.0) -> Outcome:
    """The newest attempt outcome (graded or not gradable) once ``count`` of them arrived."""
    kinds = (events.AttemptGraded, events.AttemptNotGradable)
    h.wait_for(lambda seen: sum(isinstance(e, kinds) for e in seen) >= count, timeout)
    return [e for e in h.events if isinstance(e, kinds)][-1]


def _refused(h: EngineHarness, count: int = 1, timeout: float = 20.0) -> events.AttemptNotGradable:
    outcome = _outcome(h, count, timeout)
    assert isinstance(outcome, events.AttemptNotGradable), outcome
    return outcome


def _graded(h: EngineHarness, count: int = 1, timeout: float = 20.0) -> events.AttemptGraded:
    outcome = _outcome(h, count, timeout)
    assert isinstance(outcome, events.AttemptGraded), outcome
    return outcome


def _blobs(h: EngineHarness) -> list[Path]:
    folder = h.paths.blobs_dir(h.session.id)
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_sparse_file_over_the_size_limit_is_refused_at_once_and_not_copied(  # type: ignore[no-untyped-def]
    harness_factory,
) -> None:
    h = harness_factory().start()
    target = h.question_folder() / "mymodel.h5"
    with target.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # `truncate -s 2G mymodel.h5`: 2 GB that take no disk
    started = time.monotonic()
    outcome = _refused(h)
    assert outcome.reason.code == "file-too-large"
    assert outcome.reason.text == (
        "the file category1/mymodel.h5 is 2,048 MB, over the 2,000 MB limit for a model: nothing "
        "was copied (is it the right file?)"
    )
    assert time.monotonic() - started < 10, "answered from its size, not after copying it"
    assert _blobs(h) == [], "nothing copied"
    assert h.attempts()[0].size == 2 * 1024**3


def test_a_copy_that_would_fill_the_disk_is_refused_with_the_free_space(  # type: ignore[no-untyped-def]
    harness_factory, pool: GradingPool
) -> None:
    roomy = dataclasses.replace(pool.settings, max_model_mb=10**9)  # the size limit out of the way
    h = harness_factory(grading=roomy).start()
    free = shutil.disk_usage(h.workspace).free  # the same disk as TFEXAM_HOME here
    target = h.question_folder() / "mymodel.h5"
    with target.open("wb") as handle:
        handle.truncate(free + 10 * 1024**3)
    outcome = _refused(h)
    assert outcome.reason.code == "copy-failed"
    assert outcome.reason.text.startswith("the disk holding the session's copies (")
    assert "MB free, the copy needs" in outcome.reason.text
    assert _blobs(h) == [], "no partial copy"


def test_a_copy_left_half_made_by_a_kill_is_removed_when_the_engine_starts(  # type: ignore[no-untyped-def]
    harness_factory,
) -> None:
    h = harness_factory()
    blobs = h.paths.blobs_dir(h.session.id)
    blobs.mkdir(parents=True)
    (blobs / ".incoming-0123abcd.h5").write_bytes(b"\x89HDF half a copy")
    h.start()
    assert _blobs(h) == []


def test_a_fifo_gets_an_answer_and_the_session_grades_on(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path]
) -> None:
    h = harness_factory().start()
    target = h.question_folder() / "mymodel.h5"
    os.mkfifo(target)
    outcome = _refused(h, timeout=10)  # never blocks on opening it
    assert outcome.reason.code == "not-a-regular-file"
    assert outcome.reason.text == f"category1/mymodel.h5 {NOT_REGULAR}"
    target.unlink()
    shutil.copyfile(models["good.h5"], target)
    assert _graded(h, count=2).attempt.score == 5


def test_links_are_followed_to_regular_files_wherever_they_point(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path], tmp_path: Path
) -> None:
    h = harness_factory().start()
    target = h.question_folder() / "mymodel.h5"
    outside = shutil.copyfile(models["good.h5"], tmp_path / "downloads-mymodel.h5")
    target.symlink_to(outside)
    assert _graded(h).attempt.score == 5
    target.unlink()
    target.symlink_to("/etc/passwd")
    refused = _refused(h, count=2)
    assert refused.reason.text.startswith("not an HDF5 model file")
    target.unlink()
    target.symlink_to(tmp_path / "gone.h5")
    dangling = _refused(h, count=3)
    assert dangling.reason.text == (
        f"category1/mymodel.h5 is a link to {tmp_path / 'gone.h5'}, which does not exist"
    )


def test_a_folder_named_like_the_model_file_is_named_as_the_candidate_named_it(  # type: ignore[no-untyped-def]
    harness_factory,
) -> None:
    h = harness_factory().start()
    folder = h.question_folder() / "mymodel.h5"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a model")
    outcome = _refused(h)
    assert outcome.reason.text == (
        "the folder category1/mymodel.h5/ has no saved_model.pb: not a (complete) SavedModel"
    )


def test_grade_applies_the_same_rule_without_starting_a_worker(
    tfexam_home: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "mymodel.h5"
    os.mkfifo(fifo)
    dangling = tmp_path / "link.h5"
    dangling.symlink_to(tmp_path / "nowhere.h5")
    for path, reason in (
        (fifo, f"{fifo} {NOT_REGULAR}"),
        (dangling, f"{dangling} is a link to {tmp_path / 'nowhere.h5'}, which does not exist"),
    ):
        started = time.monotonic()
        done = run_cli("grade", str(path), "--exam", "practice", "--question", "1", timeout=30)
        assert (done.returncode, done.stdout.strip()) == (1, f"Basic model: not gradable: {reason}")
        assert time.monotonic() - started < 10, "no grading worker needed for that"
