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
from dataclasses import replace
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np

from simulator.exam.code import load_question_module
from simulator.exam.format import Exam, Question, load_exam
from simulator.exam.metrics import score_label
from simulator.grading.evaluation import (
    NotGradableError,
    check_interface,
    check_output_kind,
    compute_metric,
    last_step,
    trivial_baselines,
)
from simulator.grading.hints import Mismatch, find_hint, near_chance
from simulator.grading.model_loading import load_candidate
from simulator.grading.protocol import GradingJob, GradingResult
from simulator.grading.reasons import evaluation_error_reason
from simulator.grading.views import GradeViews, RealExamView, verdict_message

log = logging.getLogger("tfexam.grading")
HiddenData = tuple[np.ndarray, np.ndarray]


@cache
def _exam(exam_root: str) -> Exam:
    return load_exam(Path(exam_root))


@cache
def _grader_module(exam_root: str, question_id: str) -> ModuleType:
    question = _exam(exam_root).question(question_id)
    return load_question_module(question, question.grader, "grader")


@cache
def hidden_test_data(exam_root: str, question_id: str, seed: int) -> HiddenData:
    """The question's hidden test split, produced by its grader module (cached per worker)."""
    test_data: Callable[[int], HiddenData] = _grader_module(exam_root, question_id).test_data
    x, y = test_data(seed)
    return np.asarray(x), np.asarray(y)


@cache
def real_exam_data(exam_root: str, question_id: str, seed: int) -> HiddenData:
    """The data the real exam's tester scored (``real_exam_data`` in the grader module)."""
    module = _grader_module(exam_root, question_id)
    x, y = module.real_exam_data(seed)
    return np.asarray(x), np.asarray(y)


def known_mismatches(exam_root: str, question_id: str, seed: int) -> tuple[Mismatch, ...]:
    """The preprocessing mismatches the question's grader knows about (none if it lists none).

    Not cached: they are needed only for a near-chance model, and an image question's copy of
    its hidden pictures is large.
    """
    module = _grader_module(exam_root, question_id)
    listed: Callable[[int], list[Mismatch]] | None = getattr(module, "mismatches", None)
    return tuple(listed(seed)) if listed is not None else ()


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
    form = check_interface(question.interface, model.input_shapes, model.output_shapes)
    timings["check_s"] = time.perf_counter() - mark

    mark = time.perf_counter()
    x, y = hidden_test_data(job.exam_root, job.question_id, job.seed)
    timings["data_s"] = time.perf_counter() - mark

    mark = time.perf_counter()

    def predict(inputs: np.ndarray) -> np.ndarray:
        try:
            predictions = last_step(model.predict(inputs), form)
        except Exception as error:
            log.exception("job %s failed while predicting", job.job_id)
            raise NotGradableError(evaluation_error_reason(error)) from error
        check_output_kind(question.interface, predictions)
        return predictions

    def metric(inputs: np.ndarray, targets: np.ndarray) -> float:
        return compute_metric(question.scoring, question.interface, predict(inputs), targets)

    scoring = question.scoring
    value = metric(x, y)
    baselines = trivial_baselines(scoring, question.interface, x, y)
    calibrated = scoring.score(value)
    views = GradeViews(scale="calibrated", calibrated_score=calibrated, baselines=baselines)
    score = calibrated
    if scoring.real_exam is not None:
        rx, ry = real_exam_data(job.exam_root, job.question_id, job.seed)
        real_value = metric(rx, ry)
        real = RealExamView(
            rule=scoring.real_exam.describe(scoring.metric),
            data=scoring.real_exam.data,
            metric_value=real_value if np.isfinite(real_value) else None,
            score=scoring.real_exam.score(real_value),
            baselines=trivial_baselines(scoring, question.interface, rx, ry),
        )
        score = real.score
        views = replace(
            views, scale="real-exam", real_exam=real, held_out=scoring.real_exam.held_out
        )
    if question.interface.output != "regression" and baselines:
        chance = max(b.value for b in baselines)
        if near_chance(value, chance):
            mismatches = known_mismatches(job.exam_root, job.question_id, job.seed)
            views = replace(views, hint=find_hint(value, mismatches, x, y, metric))
    timings["evaluate_s"] = time.perf_counter() - mark

    shown = value if np.isfinite(value) else None
    message = verdict_message(scoring.metric, shown, score, views)
    if not np.isfinite(value):
        message = f"the model predicts NaN or infinity (did training diverge?) -> {score_label(0)}"
    if model.notes:
        message += " (older Keras file: " + "; ".join(model.notes) + ")"
    return GradingResult(
        job.job_id,
        "graded",
        score=score,
        metric_name=scoring.metric,
        metric_value=shown,
        message=message,
        timings=timings,
        views=views,
    )
