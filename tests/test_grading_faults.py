"""A grading worker that dies, not by the model's doing, costs the candidate nothing: in a real
session with real workers, its job goes to a fresh worker; only a second death is the model's."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.grading.pool import GradingPool
from simulator.grading.settings import GradingSettings
from simulator.session import events
from tests.engine_helpers import EngineHarness
from tests.models import slow_model


@pytest.fixture
def harness(tfexam_home: Path, tmp_path: Path, practice_template: Path) -> Iterator[EngineHarness]:
    # Its own pool: these tests kill its workers. A generous timeout, so a busy machine's slow
    # grading is never what ends a job here.
    settings = GradingSettings(workers=1, timeout_s=90, memory_limit_mb=2000)
    pool = GradingPool(settings, tmp_path / "pool-logs", lambda _event: None)
    pool.start()
    assert pool.wait_ready(120)
    made = EngineHarness(pool, tmp_path / "ws", template=practice_template).start()
    yield made
    made.close()
    pool.close()


def _worker_pid(h: EngineHarness) -> int:
    [pid] = [w.pid for w in h.engine.pool.status() if w.pid is not None]
    return pid


def test_a_worker_killed_while_idle_is_replaced_before_the_next_save(
    harness: EngineHarness, models: dict[str, Path]
) -> None:
    os.kill(_worker_pid(harness), signal.SIGKILL)  # as the OOM killer would, between two saves
    harness.wait_for_count(events.WorkerExited, 1)
    shutil.copyfile(models["good.h5"], harness.question_folder() / "mymodel.h5")
    outcomes = (events.AttemptGraded, events.AttemptNotGradable)
    seen = harness.wait_for(lambda seen: any(isinstance(e, outcomes) for e in seen), 120)
    outcome = next(e for e in seen if isinstance(e, outcomes))
    assert isinstance(outcome, events.AttemptGraded), outcome
    assert outcome.attempt.score == 5


def test_a_worker_killed_from_outside_while_grading_is_graded_again_once(
    harness: EngineHarness, tmp_path: Path
) -> None:
    slow = slow_model(tmp_path / "slow.h5", steps=3000)  # a few seconds to grade
    shutil.copyfile(slow, harness.question_folder() / "mymodel.h5")
    harness.wait_for_count(events.GradingStarted, 1, timeout=60)
    os.kill(_worker_pid(harness), signal.SIGKILL)
    [requeued] = harness.wait_for_count(events.AttemptRequeued, 1, timeout=60)
    assert requeued.reason is not None and requeued.reason.code == "worker-crashed"
    assert requeued.reason.text == (
        "the grading process was killed from outside tfexam (SIGKILL) while grading this model; "
        "grading it again in a fresh process"
    )
    harness.wait_for_count(events.AttemptGraded, 1, timeout=180)
    [attempt] = harness.attempts()
    assert attempt.state == "graded" and attempt.score is not None


def test_a_model_whose_worker_dies_twice_is_not_gradable_with_the_true_reason(
    harness: EngineHarness, tmp_path: Path
) -> None:
    slow = slow_model(tmp_path / "slow.h5", steps=3000)
    shutil.copyfile(slow, harness.question_folder() / "mymodel.h5")
    for time_ in (1, 2):
        harness.wait_for_count(events.GradingStarted, time_, timeout=120)
        os.kill(_worker_pid(harness), signal.SIGKILL)
    harness.wait_for_count(events.AttemptNotGradable, 1, timeout=60)
    [attempt] = harness.attempts()
    assert attempt.state == "not-gradable"
    assert attempt.message == (
        "the grading process was killed from outside tfexam (SIGKILL) while grading this model, "
        "twice (the second time in a fresh one)"
    )
    assert harness.kinds().count(events.AttemptRequeued) == 1
