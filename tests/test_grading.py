"""Real grading in real worker processes: scores, reasons, formats, limits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from simulator.grading.pool import WorkerExited, WorkerReady
from simulator.grading.settings import GradingSettings
from simulator.grading.sync import SyncGrader
from tests.conftest import FIXTURES, FORMATS_EXAM, PRACTICE_EXAM
from tests.grading_helpers import warm_grader
from tests.models import slow_model

KERAS2 = FIXTURES / "keras2"


#: The grading limit of this module's grader: far above what any model here needs (tens of ms on
#: a quiet machine), so that only a hang or a real regression reaches it, also on a loaded machine
#: where the idle-class worker waits for the CPU. How fast grading is: benchmarks/engine_bench.py.
GENEROUS_LIMIT_S = 120.0
#: The limit of the timeout test's own grader: short, and still far above what a good model needs.
SHORT_LIMIT_S = 3.0


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncGrader]:
    settings = GradingSettings(
        workers=1, timeout_s=GENEROUS_LIMIT_S, memory_limit_mb=1500, max_jobs_per_worker=50
    )
    instance = warm_grader(settings, tmp_path_factory.mktemp("logs"))
    yield instance
    instance.close()


def grade_practice(grader: SyncGrader, model: Path) -> tuple[str, int | None, str]:
    result = grader.grade(model, PRACTICE_EXAM, "basic-model", seed=1)
    return result.state, result.score, result.message or ""


def test_a_good_model_scores_five_and_a_poor_one_zero(
    grader: SyncGrader, models: dict[str, Path]
) -> None:
    assert grade_practice(grader, models["good.h5"])[:2] == ("graded", 5)
    assert grade_practice(grader, models["close.h5"])[:2] == ("graded", 4)
    state, score, message = grade_practice(grader, models["poor.h5"])
    assert (state, score) == ("graded", 0)
    assert message.startswith("mse ")


def test_keras_and_savedmodel_formats_are_graded(
    grader: SyncGrader, models: dict[str, Path]
) -> None:
    assert grade_practice(grader, models["good.keras"])[:2] == ("graded", 5)
    assert grade_practice(grader, models["savedmodel"])[:2] == ("graded", 5)


def test_wrong_shapes_say_what_was_expected_and_found(
    grader: SyncGrader, models: dict[str, Path]
) -> None:
    state, score, message = grade_practice(grader, models["wrong_input.h5"])
    assert (state, score) == ("not-gradable", None)
    assert (
        message
        == "wrong input shape: the question expects (1,) but the model takes (2,) (batch axis not counted)"
    )
    state, _, message = grade_practice(grader, models["wrong_output.h5"])
    assert state == "not-gradable"
    assert "wrong output shape: the question expects (1,) but the model returns (3,)" in message


def test_lambda_layers_are_refused_with_the_exam_rule(
    grader: SyncGrader, models: dict[str, Path]
) -> None:
    for model in (models["lambda.keras"], KERAS2 / "lambda_layer.h5"):
        state, _, message = grade_practice(grader, model)
        assert state == "not-gradable"
        assert "Lambda layer" in message and "don't use lambda layers" in message


def test_keras2_era_files_load_and_grade(grader: SyncGrader) -> None:
    lstm = grader.grade(KERAS2 / "lstm_time_major.h5", FORMATS_EXAM, "series", seed=1)
    assert lstm.state == "graded", lstm.message
    assert lstm.metric_name == "mae" and lstm.metric_value is not None
    assert "older Keras file" in (lstm.message or "")
    text = grader.grade(KERAS2 / "embedding_input_length.h5", FORMATS_EXAM, "text", seed=1)
    assert text.state == "graded", text.message
    assert text.metric_name == "accuracy"
    basic = grader.grade(KERAS2 / "dense_basic.h5", PRACTICE_EXAM, "basic-model", seed=1)
    assert basic.state == "graded", basic.message


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty (0 bytes): save the model again"),
        (
            b"not a model at all",
            "not an HDF5 model file (signature missing): save it with model.save('mymodel.h5')",
        ),
    ],
)
def test_broken_files_are_not_gradable_with_a_clear_reason(
    grader: SyncGrader, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "mymodel.h5"
    path.write_bytes(content)
    assert grade_practice(grader, path) == ("not-gradable", None, reason)


def test_a_truncated_file_is_not_gradable(
    grader: SyncGrader, models: dict[str, Path], tmp_path: Path
) -> None:
    data = models["good.h5"].read_bytes()
    path = tmp_path / "mymodel.h5"
    path.write_bytes(data[: len(data) // 2])
    state, _, message = grade_practice(grader, path)
    assert state == "not-gradable"
    assert message.startswith("the file is truncated: HDF5 expects")
    truncated_keras = tmp_path / "mymodel.keras"
    keras_bytes = models["good.keras"].read_bytes()
    truncated_keras.write_bytes(keras_bytes[: len(keras_bytes) - 200])
    assert grade_practice(grader, truncated_keras)[2] == (
        "not a complete .keras file: the zip archive is truncated or damaged"
    )


def test_a_model_over_the_timeout_is_killed_and_reported(
    models: dict[str, Path], tmp_path: Path
) -> None:
    # About 30 s per forward pass: over the short limit on any machine, however fast.
    slow = slow_model(tmp_path / "slow.h5", steps=40_000)
    settings = GradingSettings(workers=1, timeout_s=SHORT_LIMIT_S, memory_limit_mb=1500)
    strict = warm_grader(settings, tmp_path)
    try:
        state, _, message = grade_practice(strict, slow)
        assert state == "not-gradable"
        assert message == (
            f"grading took longer than the {SHORT_LIMIT_S:g} s limit (the model is too slow or hangs)"
        )
        # The pool replaced the killed worker: the next model is graded normally.
        assert grade_practice(strict, models["good.h5"])[:2] == ("graded", 5)
    finally:
        strict.close()


def test_a_model_over_the_memory_limit_is_killed_and_reported(
    grader: SyncGrader, models: dict[str, Path]
) -> None:
    # The module's generous timeout: the memory cap is what stops the job, even on a busy machine.
    state, _, message = grade_practice(grader, models["memory_hog.h5"])
    assert state == "not-gradable"
    assert message == "grading needed more than the 1500 MB memory limit (the model is too large)"
    assert grade_practice(grader, models["good.h5"])[:2] == ("graded", 5)
    exits = [e for e in grader.events if isinstance(e, WorkerExited)]
    assert any(e.reason.code == "memory-limit" for e in exits)


def test_workers_are_recycled_after_their_job_quota(
    tmp_path: Path, models: dict[str, Path]
) -> None:
    settings = GradingSettings(workers=1, max_jobs_per_worker=2)
    grader = warm_grader(settings, tmp_path)
    try:
        pids = {
            grader.grade(models["good.h5"], PRACTICE_EXAM, "basic-model", seed=1).worker_pid
            for _ in range(3)
        }
    finally:
        grader.close()
    assert len(pids) == 2
    assert sum(isinstance(e, WorkerReady) for e in grader.events) >= 2
    log = (tmp_path / "grader-0.log").read_text()
    assert "ready after" in log  # worker output goes to its log file, never the terminal


def _worker_pid(grader: SyncGrader) -> int:
    pids = [slot.pid for slot in grader.pool.status() if slot.pid is not None]
    assert len(pids) == 1
    return pids[0]


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="the idle scheduling class is Linux's")
def test_workers_run_in_the_idle_class_with_gpus_hidden_and_few_threads(
    grader: SyncGrader,
) -> None:
    """The candidate's training keeps the machine: what a slow training run would otherwise show."""
    pid = _worker_pid(grader)
    assert os.sched_getscheduler(pid) == os.SCHED_IDLE
    assert psutil.Process(pid).environ()["CUDA_VISIBLE_DEVICES"] == ""
    log = (grader.log_dir / "grader-0.log").read_text()
    assert "(idle scheduling class; TensorFlow " in log
    assert "2 intra-op and 1 inter-op threads, 0 GPUs visible)" in log


def test_without_the_idle_class_workers_are_niced(tmp_path: Path) -> None:
    settings = GradingSettings(workers=1, idle_class=False, nice=10, intra_threads=1)
    niced = warm_grader(settings, tmp_path)
    try:
        pid = _worker_pid(niced)
        expected = min(19, psutil.Process().nice() + 10)
        assert psutil.Process(pid).nice() == expected
        if hasattr(os, "sched_getscheduler"):
            assert os.sched_getscheduler(pid) == os.SCHED_OTHER
    finally:
        niced.close()
    log = (tmp_path / "grader-0.log").read_text()
    assert f"(niceness {expected}; TensorFlow " in log
    assert "1 intra-op and 1 inter-op threads, 0 GPUs visible)" in log
