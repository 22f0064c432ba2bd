"""The headless engine end to end: real files on disk, real grading workers, a real store."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from simulator.grading.pool import GradingPool
from simulator.session import events
from simulator.session.engine import _Saved
from simulator.session.scoring import exam_result
from simulator.session.sessions import finalize_if_due
from tests.engine_helpers import worker_held
from tests.waiting import wait_until


def test_good_then_poor_model_best_policy_keeps_the_best(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path]
) -> None:
    h = harness_factory(policy="best").start()
    target = h.question_folder() / "mymodel.h5"
    shutil.copyfile(models["good.h5"], target)
    h.wait_for_count(events.AttemptGraded, 1)
    shutil.copyfile(models["poor.h5"], target)
    graded = h.wait_for_count(events.AttemptGraded, 2)
    assert [g.attempt.score for g in graded] == [5, 0]
    assert graded[-1].question_score == 5
    assert h.engine.result().questions[0].score == 5
    assert [a.state for a in h.attempts()] == ["graded", "graded"]
    assert all((h.paths.blobs_dir(h.session.id) / (a.blob or "")).is_file() for a in h.attempts())


def test_last_policy_counts_the_last_graded_attempt_and_not_gradable_never_lowers(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path]
) -> None:
    h = harness_factory(policy="last").start()
    target = h.question_folder() / "mymodel.h5"
    shutil.copyfile(models["good.h5"], target)
    h.wait_for_count(events.AttemptGraded, 1)
    shutil.copyfile(models["close.h5"], target)
    h.wait_for_count(events.AttemptGraded, 2)
    target.write_bytes(b"")  # a broken save
    h.wait_for_count(events.AttemptNotGradable, 1)
    result = exam_result(h.exam, h.attempts(), "last")
    assert result.questions[0].score == 4  # the last graded attempt, not the broken one
    assert [a.state for a in h.attempts()] == ["graded", "graded", "not-gradable"]
    assert h.attempts()[-1].message == "the file is empty (0 bytes): save the model again"


def test_a_burst_of_ten_saves_is_graded_at_most_twice_and_ends_on_the_last(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path], tmp_path: Path
) -> None:
    h = harness_factory().start()
    target = h.question_folder() / "mymodel.h5"
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    for bias in range(10):  # ten real saves in place, like a training loop's checkpoints
        model.layers[0].set_weights(
            [np.array([[3.0]], "float32"), np.array([float(bias)], "float32")]
        )
        model.save(target)
        # The scenario, not a wait: saves 20 ms apart, as a training loop's checkpoints come.
        time.sleep(0.02)
    h.wait_idle()
    graded = [a for a in h.attempts() if a.state == "graded"]
    assert 1 <= len(graded) <= 2
    last_content = h.attempts()[-1]
    assert last_content.state == "graded"
    from simulator.grading.filecheck import content_hash

    assert last_content.sha256 == content_hash(target)
    broken = [(a.id, a.message) for a in h.attempts() if a.state == "not-gradable"]
    assert not broken, f"half-written files never fail: {broken}"


def test_in_place_rename_and_copy_in_saves_are_each_graded_once(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path], tmp_path: Path
) -> None:
    """The three ways a model reaches the folder, end to end: one attempt each, nothing else."""
    h = harness_factory().start()
    folder = h.question_folder()
    target = folder / "mymodel.h5"

    data = models["good.h5"].read_bytes()
    with target.open("wb") as handle:  # in place, in small chunks, as Keras/h5py write
        for start in range(0, len(data), 1024):
            handle.write(data[start : start + 1024])
            handle.flush()
            # The scenario, not a wait: a writer's small gaps between chunks, as Keras's.
            time.sleep(0.002)
    h.wait_for_count(events.AttemptGraded, 1)

    temporary = folder / ".mymodel.h5.crdownload"  # an editor's or browser's temp file, renamed
    shutil.copyfile(models["close.h5"], temporary)
    temporary.replace(target)
    h.wait_for_count(events.AttemptGraded, 2)

    colab = tmp_path / "Downloads" / "mymodel.h5"  # trained elsewhere, copied in
    colab.parent.mkdir()
    shutil.copyfile(models["poor.h5"], colab)
    shutil.copy2(colab, target)
    h.wait_for_count(events.AttemptGraded, 3)
    h.wait_idle()

    attempts = h.attempts()
    assert [(a.state, a.score) for a in attempts] == [("graded", 5), ("graded", 4), ("graded", 0)]
    from simulator.grading.filecheck import content_hash

    expected = [content_hash(models[name]) for name in ("good.h5", "close.h5", "poor.h5")]
    assert [a.sha256 for a in attempts] == expected
    assert events.ModelUnchanged not in h.kinds()


def test_truncated_then_complete_save(harness_factory, models: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    h = harness_factory().start()
    target = h.question_folder() / "mymodel.h5"
    data = models["good.h5"].read_bytes()
    target.write_bytes(data[: len(data) // 2])
    h.wait_for_count(events.AttemptNotGradable, 1)
    shutil.copyfile(models["good.h5"], target)
    h.wait_for_count(events.AttemptGraded, 1)
    refused = h.of(events.AttemptNotGradable)
    assert refused[0].reason.text.startswith("the file is truncated")
    assert refused[0].reason.code == "file-broken"
    assert [a.state for a in h.attempts()] == ["not-gradable", "graded"]
    assert h.engine.result().questions[0].score == 5


def test_a_file_half_written_when_the_engine_starts_is_not_a_failure(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path]
) -> None:
    h = harness_factory()
    data = models["good.h5"].read_bytes()
    with (h.question_folder() / "mymodel.h5").open("wb") as handle:
        handle.write(data[: len(data) // 2])
        handle.flush()
        h.start()  # the start-up scan finds a file that is still being written
        wait_until(
            lambda: h.engine.watcher.pending_count() == 1, message="the scan to find the half file"
        )
        handle.write(data[len(data) // 2 :])
    h.wait_for_count(events.AttemptGraded, 1)
    h.wait_idle()
    assert [a.state for a in h.attempts()] == ["graded"]


def test_same_content_is_not_graded_twice_but_submit_and_test_reports_it(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path]
) -> None:
    h = harness_factory().start()
    target = h.question_folder() / "mymodel.h5"
    shutil.copyfile(models["good.h5"], target)
    h.wait_for_count(events.AttemptGraded, 1)
    shutil.copyfile(models["good.h5"], target)  # saved again, same bytes
    h.engine.submit_and_test("basic-model")
    h.wait_for_count(events.ModelUnchanged, 2)
    assert len(h.attempts()) == 1


def test_submit_and_test_without_a_model_says_what_to_do(harness_factory) -> None:  # type: ignore[no-untyped-def]
    h = harness_factory().start()
    h.engine.submit_and_test("basic-model")
    h.wait_for_count(events.SubmitAndTestFailed, 1)
    failed = h.last(events.SubmitAndTestFailed)
    assert failed.reason.text == "no model to submit: save mymodel.h5 in category1/ first"
    assert (failed.reason.code, failed.question_id) == ("no-model-file", "basic-model")


def test_deadline_auto_submits_and_freezes_scores(harness_factory, models: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    h = harness_factory(duration_s=4).start()
    shutil.copyfile(models["good.h5"], h.question_folder() / "mymodel.h5")
    assert h.engine.wait(20)
    kinds = h.kinds()
    assert kinds.index(events.DeadlineReached) < kinds.index(events.SessionSubmitted)
    session = h.store.get_session(h.session.id)
    assert (session.state, session.end_reason) == ("submitted", "auto-submitted")
    revealed = sorted(p.name for p in h.workspace.rglob("reference_solution.py"))
    assert revealed == ["reference_solution.py"] * len(h.exam.questions)  # only after the end
    scores = {r.question.id: r.score for r in h.last(events.SessionSubmitted).result.questions}
    assert scores["basic-model"] == 5
    assert set(scores.values()) == {5, 0}  # unanswered questions score 0
    # After the end, a new save changes nothing: the watcher hands it over, nobody records it.
    shutil.copyfile(models["poor.h5"], h.question_folder() / "mymodel.h5")
    wait_until(
        lambda: (
            any(isinstance(m, _Saved) for m in list(h.engine._inbox.queue)) or len(h.attempts()) > 1
        ),
        message="the watcher to hand the late save to the finished engine",
    )
    assert len(h.attempts()) == 1


def test_at_the_deadline_grading_under_way_counts_and_a_later_save_is_recorded_not_counted(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path], pool: GradingPool
) -> None:
    h = harness_factory(duration_s=5).start()
    folder = h.question_folder()
    deadline = h.session.deadline
    shutil.copyfile(models["close.h5"], folder / "mymodel.h5")  # scores 4
    h.wait_for_count(events.GradingStarted, 1)
    with worker_held(pool):  # the grading is still under way when time is up
        h.wait_for_count(events.DeadlineReached, 1)
        shutil.copyfile(models["good.keras"], folder / "mymodel.keras")  # would score 5
        h.wait_for_count(events.AttemptRejected, 1)
    assert h.engine.wait(60)

    attempts = {a.source_path.rsplit("/", 1)[-1]: a for a in h.attempts()}
    in_flight = attempts["mymodel.h5"]
    assert in_flight.saved_at < deadline < (in_flight.finished_at or 0)
    assert (in_flight.state, in_flight.score) == ("graded", 4)
    late = attempts["mymodel.keras"]
    assert late.state == "rejected-after-deadline"
    assert late.message == "saved after the exam ended: recorded, not graded"
    assert (h.paths.blobs_dir(h.session.id) / (late.blob or "")).is_file()  # kept all the same
    submitted = h.last(events.SessionSubmitted)
    assert submitted.reason == "auto-submitted"
    assert h.store.get_session(h.session.id).ended_at == deadline
    assert submitted.result.questions[0].score == 4  # the late 5/5 model does not count


def test_time_warnings_fire_once_each(harness_factory) -> None:  # type: ignore[no-untyped-def]
    now = [0.0]
    h = harness_factory(duration_s=62, clock=lambda: now[0])
    now[0] = h.session.deadline - 61
    h.start()
    h.wait_ticks()
    assert h.of(events.TimeWarning) == [], "61 s left: not yet the 1-minute mark"
    now[0] = h.session.deadline - 59
    h.wait_for_count(events.TimeWarning, 1, timeout=10)
    h.wait_ticks()  # a second warning would come at a later tick
    warnings = [e.minutes_left for e in h.of(events.TimeWarning)]
    assert warnings == [1]  # 60, 30 and 10 minutes are longer than the session: never announced
    assert h.last(events.TimeWarning).remaining_s <= 60


def test_a_five_hour_session_warns_at_60_30_10_and_1_minutes_left(harness_factory) -> None:  # type: ignore[no-untyped-def]
    now = [0.0]
    h = harness_factory(duration_s=5 * 3600, clock=lambda: now[0])
    deadline = h.session.deadline
    now[0] = deadline - 61 * 60
    h.start()
    expected: list[int] = []
    for minutes in (60, 30, 10, 1):
        now[0] = deadline - minutes * 60 - 5  # five seconds before the mark: nothing yet
        h.wait_ticks()
        assert [e.minutes_left for e in h.of(events.TimeWarning)] == expected
        now[0] = deadline - minutes * 60 + 1  # crossed
        expected.append(minutes)
        h.wait_for_count(events.TimeWarning, len(expected), timeout=10)
    warnings = [(e.minutes_left, round(e.remaining_s, 1)) for e in h.of(events.TimeWarning)]
    assert warnings == [(60, 3599.0), (30, 1799.0), (10, 599.0), (1, 59.0)]


def test_submit_ends_the_session_after_grading_what_was_saved(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path]
) -> None:
    h = harness_factory().start()
    shutil.copyfile(models["close.h5"], h.question_folder() / "mymodel.h5")
    h.wait_for_count(events.ModelDetected, 1)
    h.engine.submit()
    assert h.engine.wait(20)
    session = h.store.get_session(h.session.id)
    assert (session.state, session.end_reason) == ("submitted", "submitted")
    assert h.engine.result().questions[0].score == 4


def test_an_expired_session_is_finalized_by_the_next_command(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path]
) -> None:
    h = harness_factory(duration_s=2)  # never started: no engine was running at the deadline
    folder = h.question_folder()
    shutil.copyfile(models["good.h5"], folder / "mymodel.h5")
    before = h.session.deadline - 1
    os.utime(folder / "mymodel.h5", (before, before))
    shutil.copyfile(models["good.keras"], folder / "mymodel.keras")  # saved after the deadline
    # Its files' change times are real and cannot be set back: the real deadline must pass.
    wait_until(lambda: time.time() > h.session.deadline, message="the session's deadline")
    after = h.session.deadline + 0.5
    os.utime(folder / "mymodel.keras", (after, after))
    session = finalize_if_due(h.store, h.paths, h.store.get_session(h.session.id))
    assert (session.state, session.end_reason) == ("submitted", "auto-submitted")
    assert session.ended_at == session.deadline  # it ended then, though frozen only now
    states = sorted((a.source_path.rsplit("/", 1)[-1], a.state) for a in h.attempts())
    assert states == [("mymodel.h5", "graded"), ("mymodel.keras", "rejected-after-deadline")]
    assert exam_result(h.exam, h.attempts()).questions[0].score == 5


def test_with_no_engine_a_late_save_with_its_mtime_set_back_is_still_late(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path]
) -> None:
    h = harness_factory(duration_s=2)  # never started: no engine was running at the deadline
    # The save's change time is real and cannot be set: it must come after the real deadline.
    wait_until(lambda: time.time() > h.session.deadline, message="the session's deadline")
    target = h.question_folder() / "mymodel.h5"
    shutil.copyfile(models["good.h5"], target)  # saved after the deadline...
    back = h.session.deadline - 60
    os.utime(target, (back, back))  # ...with its mtime set back a minute (`touch -d`)
    session = finalize_if_due(h.store, h.paths, h.store.get_session(h.session.id))
    assert session.state == "submitted"
    [attempt] = h.attempts()
    assert attempt.state == "rejected-after-deadline", "the ctime cannot be set back"
    assert attempt.saved_at > h.session.deadline
    assert exam_result(h.exam, h.attempts()).questions[0].score == 0
