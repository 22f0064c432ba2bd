"""Grading one model file for one question: load, check the interface, predict, score.

Runs inside a grading worker (it imports TensorFlow through ``model_loading``). Every outcome is a
:class:`GradingResult`: a score, or "not gradable" with a one-line reason; the traceback of any
failure goes to the worker's log.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

from simulator.exam_code import load_question_module
from simulator.exam_format import Exam, Question, load_exam
from simulator.grading.evaluation import (
    NotGradableError,
    check_interface,
    check_output_kind,
    compute_metric,
)
from simulator.grading.model_loading import load_candidate
from simulator.grading.protocol import GradingJob, GradingResult
from simulator.grading.reasons import evaluation_error_reason
from simulator.metrics import format_metric, score_label

log = logging.getLogger("tfexam.grading")
HiddenData = tuple[np.ndarray, np.ndarray]


@cache
def _exam(exam_root: str) -> Exam:
    return load_exam(Path(exam_root))


@cache
def hidden_test_data(exam_root: str, question_id: str, seed: int) -> HiddenData:
    """The question's hidden test split, produced by its grader module (cached per worker)."""
    question = _exam(exam_root).question(question_id)
    module = load_question_module(question, question.grader, "grader")
    test_data: Callable[[int], HiddenData] = module.test_data
    x, y = test_data(seed)
    return np.asarray(x), np.asarray(y)


def grade(job: GradingJob) -> GradingResult:
    """Grade ``job``; never raises for a bad model (only for a broken exam definition)."""
    question = _exam(job.exam_root).question(job.question_id)
    timings: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="tfexam-grade-") as workdir:
            return _grade(job, question, Path(workdir), timings)
    except NotGradableError as reason:
        log.info(
            "job %s not gradable: %s", job.job_id, reason, exc_info=reason.__cause__ is not None
        )
        return GradingResult.not_gradable(job.job_id, reason.reason, timings)


def _grade(
    job: GradingJob, question: Question, workdir: Path, timings: dict[str, float]
) -> GradingResult:
    started = time.perf_counter()
    model = load_candidate(Path(job.model_path), workdir)
    timings["load_s"] = time.perf_counter() - started

    mark = time.perf_counter()
    check_interface(question.interface, model.input_shapes, model.output_shapes)
    timings["check_s"] = time.perf_counter() - mark

    mark = time.perf_counter()
    x, y = hidden_test_data(job.exam_root, job.question_id, job.seed)
    timings["data_s"] = time.perf_counter() - mark

    mark = time.perf_counter()
    try:
        predictions = model.predict(x)
    except Exception as error:
        log.exception("job %s failed while predicting", job.job_id)
        raise NotGradableError(evaluation_error_reason(error)) from error
    check_output_kind(question.interface, predictions)
    value = compute_metric(question.scoring, question.interface, predictions, y)
    timings["evaluate_s"] = time.perf_counter() - mark

    score = question.scoring.score(value)
    metric = question.scoring.metric
    message = f"{format_metric(metric, value)} -> {score_label(score)}"
    if not np.isfinite(value):
        message = f"the model predicts NaN or infinity (did training diverge?) -> {score_label(0)}"
    if model.notes:
        message += " (older Keras file: " + "; ".join(model.notes) + ")"
    return GradingResult(
        job.job_id,
        "graded",
        score=score,
        metric_name=metric,
        metric_value=value if np.isfinite(value) else None,
        message=message,
        timings=timings,
    )
