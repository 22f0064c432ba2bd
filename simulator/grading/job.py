"""Grading one model file for one question: load, check the interface, predict, score.

Runs inside a grading worker (it imports TensorFlow through ``model_loading``). Every outcome is a
:class:`GradingResult`: a score, or "not gradable" with a one-line reason; the traceback of any
failure goes to the worker's log.
"""

from __future__ import annotations

import logging
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
from simulator.grading.checks import (
    EXPECTED_OUTPUT,
    Check,
    CheckLog,
    baselines_check,
    calibrated_lines,
    expected_interface,
    interface_text,
    metric_check,
    output_values,
    real_exam_lines,
)
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
from simulator.grading.protocol import JOB_SCRATCH_KIND, GradingJob, GradingResult
from simulator.grading.reasons import evaluation_error_reason
from simulator.grading.views import GradeViews, RealExamView, verdict_message
from simulator.scratch import scratch_folder

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
    trail = CheckLog()
    try:
        with scratch_folder(JOB_SCRATCH_KIND) as workdir:
            return _grade(job, question, workdir, timings, trail)
    except NotGradableError as reason:
        log.info(
            "job %s not gradable: %s", job.job_id, reason, exc_info=reason.__cause__ is not None
        )
        return GradingResult.not_gradable(job.job_id, reason.reason, timings, trail.checks)


def _grade(
    job: GradingJob, question: Question, workdir: Path, timings: dict[str, float], trail: CheckLog
) -> GradingResult:
    started = time.perf_counter()
    model = load_candidate(Path(job.model_path), workdir, trail)
    timings["load_s"] = time.perf_counter() - started

    mark = time.perf_counter()
    interface = question.interface
    shapes = {
        "expected": expected_interface(interface),
        "found": interface_text(model.input_shapes, model.output_shapes),
    }
    with trail.failing("interface", **shapes):
        form = check_interface(interface, model.input_shapes, model.output_shapes)
    trail.passed(
        "interface",
        "the model's input and output match the question"
        + (" (a sequence output, graded on its last step)" if form == "sequence" else ""),
        **shapes,
    )
    timings["check_s"] = time.perf_counter() - mark

    mark = time.perf_counter()
    x, y = hidden_test_data(job.exam_root, job.question_id, job.seed)
    timings["data_s"] = time.perf_counter() - mark

    mark = time.perf_counter()

    def predict(inputs: np.ndarray) -> np.ndarray:
        try:
            return last_step(model.predict(inputs), form)
        except Exception as error:
            log.exception("job %s failed while predicting", job.job_id)
            raise NotGradableError(evaluation_error_reason(error)) from error

    def checked(predictions: np.ndarray) -> np.ndarray:
        found, _ = output_values(predictions)
        with trail.failing("output-kind", expected=EXPECTED_OUTPUT[interface.output], found=found):
            check_output_kind(interface, predictions)
        return predictions

    def metric(inputs: np.ndarray, targets: np.ndarray) -> float:
        return compute_metric(question.scoring, interface, checked(predict(inputs)), targets)

    with trail.failing("predicts"):
        predictions = predict(x)
    trail.passed("predicts", f"it predicts all {len(x):,} hidden test examples")
    found, finite = output_values(predictions)
    expected_kind = EXPECTED_OUTPUT[interface.output]
    with trail.failing("output-kind", expected=expected_kind, found=found):
        check_output_kind(interface, predictions)
    trail.add(
        Check(
            "output-kind",
            finite,
            f"the output is {interface.output}" if finite else found,
            expected=expected_kind,
            found=found,
        )
    )

    scoring = question.scoring
    value = compute_metric(scoring, interface, predictions, y)
    baselines = trivial_baselines(scoring, interface, x, y)
    calibrated = scoring.score(value)
    views = GradeViews(scale="calibrated", calibrated_score=calibrated, baselines=baselines)
    score = calibrated
    shown = value if np.isfinite(value) else None
    where = scoring.real_exam.held_out if scoring.real_exam else "the hidden test"
    strict = metric_check(
        "metric",
        scoring.metric,
        shown,
        calibrated_lines(scoring, shown),
        data=where,
        counts=scoring.real_exam is None,
    )
    counted_checks = [strict]
    if scoring.real_exam is not None:
        rx, ry = real_exam_data(job.exam_root, job.question_id, job.seed)
        real_value = metric(rx, ry)
        real_shown = real_value if np.isfinite(real_value) else None
        real = RealExamView(
            rule=scoring.real_exam.describe(scoring.metric),
            data=scoring.real_exam.data,
            metric_value=real_shown,
            score=scoring.real_exam.score(real_value),
            baselines=trivial_baselines(scoring, interface, rx, ry),
        )
        score = real.score
        views = replace(
            views, scale="real-exam", real_exam=real, held_out=scoring.real_exam.held_out
        )
        counted_checks.insert(
            0,
            metric_check(
                "real-exam-rule",
                scoring.metric,
                real_shown,
                real_exam_lines(scoring.real_exam, real_shown),
                data=scoring.real_exam.data,
                counts=True,
            ),
        )
    for check in counted_checks:
        trail.add(check)
    if baselines:
        trail.add(baselines_check(scoring.metric, scoring.lower_is_better, shown, baselines))
    if interface.output != "regression" and baselines:
        chance = max(b.value for b in baselines)
        if near_chance(value, chance):
            mismatches = known_mismatches(job.exam_root, job.question_id, job.seed)
            views = replace(views, hint=find_hint(value, mismatches, x, y, metric))
    timings["evaluate_s"] = time.perf_counter() - mark

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
        checks=trail.checks,
    )
