"""The checks that made an attempt's score, each with pass/fail and the figures it was decided on.

A grading job runs a fixed sequence (file, no Lambda layer, loading, interface, prediction, output
kind, the metric against every score line, the trivial baselines) and stops at the first check
that makes the model not gradable. :class:`CheckLog` records each as it runs, so a graded attempt
carries all of them and a not-gradable one the checks up to the one that failed, with its reason.

Every figure here is computed from the model and the question (never estimated): the score lines
are the question's own thresholds or its real-exam rule solved for the metric, the margins are the
metric's distance to them in its own unit. The records are plain frozen data (no TensorFlow) and
travel as JSON: in :class:`simulator.grading.protocol.GradingResult`, in the ``attempts.checks``
column, in the report and in ``tfexam grade --json`` (``to_dict``/``from_dict`` are that form).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from simulator.exam.format import ModelInterface, RealExamRule, Scoring, format_shape
from simulator.exam.metrics import MAX_SCORE, score_label
from simulator.grading.reasons import Reason, ReasonCode
from simulator.grading.views import Baseline

if TYPE_CHECKING:
    # NumPy (through the evaluation module) only where a grading job computes figures: the
    # records are also read by every tfexam command and the exam screen, which need neither,
    # and importing NumPy is a tenth of a second of CPU before the exam screen's first frame.
    import numpy as np

    from simulator.grading.evaluation import Shape

#: The checks, in the order a grading job runs them.
CheckName = Literal[
    "file",  # a complete model file that holds a model (not weights only)
    "no-lambda",  # the exam's rule "don't use lambda layers" (read from the config)
    "loads",  # Keras (or TensorFlow, for a SavedModel) loads it safely
    "interface",  # one input and one output of the question's shapes
    "predicts",  # the model runs on the hidden test data
    "output-kind",  # softmax rows, sigmoid probabilities, or finite numbers
    "metric",  # the metric on the hidden test against the calibrated score lines
    "real-exam-rule",  # the real exam's rule on its tester's data, against its score lines
    "baselines",  # the metric against doing nothing clever on the same data
]
CHECK_NAMES: tuple[str, ...] = get_args(CheckName)
#: How a metric value must compare with a score line's value to reach it.
Comparison = Literal["at-most", "at-least", "below", "above"]
_COMPARISON_WORDS: dict[str, str] = {
    "at-most": "at most",
    "at-least": "at least",
    "below": "below",
    "above": "above",
}


@dataclass(frozen=True)
class ScoreLine:
    """One line of the question's scale: the metric value needed for ``score``.

    ``margin`` is in the metric's unit: positive is how far beyond the line the model is,
    negative how far short of it (None where the metric is NaN or infinite).
    """

    score: int
    needed: float
    compare: Comparison
    reached: bool
    margin: float | None

    def requirement(self, metric: str) -> str:
        """ "mse at most 0.001"."""
        return f"{metric} {_COMPARISON_WORDS[self.compare]} {_num(self.needed)}"


@dataclass(frozen=True)
class BaselineGap:
    """A trivial prediction's metric, and how much better than it the model is (its unit;
    negative: worse; None where the model's metric is NaN)."""

    name: str
    value: float
    margin: float | None


@dataclass(frozen=True)
class Check:
    """One check of a grading job. ``detail`` is the sentence for people; the other fields are
    its figures (unset where the check has none of that kind)."""

    name: CheckName
    passed: bool
    detail: str
    #: A failed check that stopped grading: what a program may act on.
    reason_code: ReasonCode | None = None
    expected: str | None = None
    found: str | None = None
    #: Metric checks: the metric, its value (None: NaN), the data it was measured on, and
    #: whether this scale is the one that gave the attempt its score.
    metric: str | None = None
    value: float | None = None
    data: str | None = None
    counts: bool | None = None
    lines: tuple[ScoreLine, ...] = ()
    baselines: tuple[BaselineGap, ...] = ()

    @property
    def score(self) -> int | None:
        """A metric check's score on its scale: the highest line reached."""
        if not self.lines:
            return None
        return max((line.score for line in self.lines if line.reached), default=0)

    @property
    def next_line(self) -> ScoreLine | None:
        """The lowest score line not reached (None: all reached, or not a metric check)."""
        return next((line for line in self.lines if not line.reached), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "detail": self.detail,
            "reason_code": self.reason_code,
            "expected": self.expected,
            "found": self.found,
            "metric": self.metric,
            "value": self.value,
            "data": self.data,
            "counts": self.counts,
            "lines": [
                {
                    "score": line.score,
                    "needed": line.needed,
                    "compare": line.compare,
                    "reached": line.reached,
                    "margin": line.margin,
                }
                for line in self.lines
            ],
            "baselines": [
                {"name": b.name, "value": b.value, "margin": b.margin} for b in self.baselines
            ],
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Check:
        return cls(
            name=cast("CheckName", str(raw["name"])),
            passed=bool(raw["passed"]),
            detail=str(raw.get("detail") or ""),
            reason_code=cast("ReasonCode | None", raw.get("reason_code")),
            expected=raw.get("expected"),
            found=raw.get("found"),
            metric=raw.get("metric"),
            value=_float_or_none(raw.get("value")),
            data=raw.get("data"),
            counts=raw.get("counts"),
            lines=tuple(
                ScoreLine(
                    score=int(line["score"]),
                    needed=float(line["needed"]),
                    compare=cast("Comparison", line["compare"]),
                    reached=bool(line["reached"]),
                    margin=_float_or_none(line.get("margin")),
                )
                for line in raw.get("lines") or ()
            ),
            baselines=tuple(
                BaselineGap(str(b["name"]), float(b["value"]), _float_or_none(b.get("margin")))
                for b in raw.get("baselines") or ()
            ),
        )


def checks_to_json(checks: Sequence[Check]) -> str:
    """The stored form (``attempts.checks``): a JSON list of :meth:`Check.to_dict`."""
    return json.dumps([check.to_dict() for check in checks])


def checks_from_json(text: str | None) -> tuple[Check, ...] | None:
    """The stored form read back; None for attempts recorded without checks."""
    if not text:
        return None
    return checks_from_list(json.loads(text))


def checks_from_list(raw: Any) -> tuple[Check, ...] | None:
    if raw is None:
        return None
    return tuple(Check.from_dict(item) for item in raw)


class CheckLog:
    """The checks of one grading job, in the order they ran (the job appends to it)."""

    def __init__(self) -> None:
        self._checks: list[Check] = []

    @property
    def checks(self) -> tuple[Check, ...]:
        return tuple(self._checks)

    def add(self, check: Check) -> None:
        self._checks.append(check)

    def passed(self, name: CheckName, detail: str, **figures: Any) -> None:
        self.add(Check(name, True, detail, **figures))

    @contextmanager
    def failing(self, name: CheckName, **figures: Any) -> Iterator[None]:
        """Run one check's code: a :class:`NotGradableError` it raises is recorded as this
        check, failed with the reason (and ``figures``), and raised on."""
        from simulator.grading.evaluation import NotGradableError  # a grading job's: NumPy

        try:
            yield
        except NotGradableError as error:
            self.add(Check(name, False, error.reason.text, error.reason.code, **figures))
            raise


def refused(reason: Reason) -> tuple[Check, ...]:
    """The checks of a save refused before any grader opened it (a FIFO, a file too large, a
    copy that failed or was broken): its file check, failed with the reason."""
    return (Check("file", False, reason.text, reason.code),)


# Figures ----------------------------------------------------------------------------------------


def interface_text(inputs: Sequence[Shape], outputs: Sequence[Shape]) -> str:
    """ "input (28, 28) -> output (10,)" for a model (each shape without the batch axis)."""
    ins = ", ".join(format_shape(s) for s in inputs) or "none"
    outs = ", ".join(format_shape(s) for s in outputs) or "none"
    return f"input {ins} -> output {outs}"


def expected_interface(interface: ModelInterface) -> str:
    text = (
        f"input {format_shape(interface.input_shape)} -> output "
        f"{format_shape(tuple(interface.output_shape))}"
    )
    if interface.sequence_output:
        text += f" (or a sequence {format_shape((None, *interface.output_shape))})"
    return text


#: What each output kind must be, in words.
EXPECTED_OUTPUT = {
    "softmax": "softmax: each row probabilities that sum to 1",
    "sigmoid": "sigmoid: probabilities in [0, 1]",
    "regression": "regression: finite numbers",
}


def output_values(predictions: np.ndarray) -> tuple[str, bool]:
    """What the predictions are, in computed figures, and whether they are all finite.

    "3,000 rows, values 2.1e-05 to 0.998, row sums within 3e-07 of 1".
    """
    import numpy as np  # a grading job's only (see the imports above)

    values = np.asarray(predictions, dtype="float64")
    finite = np.isfinite(values)
    rows = len(values)
    if not finite.all():
        bad = int((~finite.reshape(rows, -1)).any(axis=-1).sum()) if rows else 0
        return f"{bad:,} of {rows:,} predictions are NaN or infinite", False
    if values.size == 0:
        return "no predictions", True
    text = (
        f"{rows:,} predictions, values {_num(float(values.min()))} to {_num(float(values.max()))}"
    )
    if values.ndim >= 2 and values.shape[-1] > 1:
        deviation = float(np.abs(values.sum(axis=-1) - 1.0).max())
        text += f", row sums within {deviation:.1g} of 1"
    return text, True


def calibrated_lines(scoring: Scoring, value: float | None) -> tuple[ScoreLine, ...]:
    """The question's thresholds as score lines for ``value`` (None: NaN, nothing reached)."""
    lower = scoring.lower_is_better
    lines = []
    for points, needed in enumerate(scoring.thresholds, start=1):
        margin = None if value is None else (needed - value if lower else value - needed)
        reached = value is not None and scoring.score(value) >= points
        lines.append(ScoreLine(points, needed, "at-most" if lower else "at-least", reached, margin))
    return tuple(lines)


def real_exam_lines(rule: RealExamRule, value: float | None) -> tuple[ScoreLine, ...]:
    """The real exam's rule ``ceil(intercept + slope * metric)`` solved for each score 1..5.

    Score ``k`` needs ``intercept + slope * metric > k - 1``, so the line lies at
    ``(k - 1 - intercept) / slope``, strictly; ``reached`` is the rule's own verdict.
    """
    if rule.slope == 0:
        return ()
    lower = rule.slope < 0
    lines = []
    for points in range(1, MAX_SCORE + 1):
        needed = (points - 1 - rule.intercept) / rule.slope
        margin = None if value is None else (needed - value if lower else value - needed)
        reached = value is not None and rule.score(value) >= points
        lines.append(ScoreLine(points, needed, "below" if lower else "above", reached, margin))
    return tuple(lines)


def metric_check(
    name: Literal["metric", "real-exam-rule"],
    metric: str,
    value: float | None,
    lines: tuple[ScoreLine, ...],
    *,
    data: str,
    counts: bool,
) -> Check:
    """A metric against every line of its scale; passed when the top line is reached."""
    score = max((line.score for line in lines if line.reached), default=0)
    shown = "NaN" if value is None else _num(value)
    detail = f"{metric} {shown} on {data} -> {score_label(score)}"
    if value is None:
        detail += " (the model predicts NaN or infinity)"
    following = next((line for line in lines if not line.reached), None)
    if following is not None and following.margin is not None:
        detail += (
            f"; {_num(abs(following.margin))} short of the {score_label(following.score)} line "
            f"({following.requirement(metric)})"
        )
    elif following is None and lines and lines[-1].margin is not None:
        top = lines[-1]
        detail += f"; {_num(top.margin or 0.0)} beyond the top line ({top.requirement(metric)})"
    return Check(
        name,
        following is None and bool(lines),
        detail,
        metric=metric,
        value=value,
        data=data,
        counts=counts,
        lines=lines,
    )


def baselines_check(
    metric: str, lower: bool, value: float | None, baselines: Sequence[Baseline]
) -> Check:
    """The model against each trivial baseline (``lower``: lower is better); passed when it is
    strictly better than every one."""
    gaps = tuple(
        BaselineGap(
            b.name,
            b.value,
            None if value is None else (b.value - value if lower else value - b.value),
        )
        for b in baselines
    )
    parts = []
    for gap in gaps:
        if gap.margin is None:
            parts.append(f"{gap.name} {_num(gap.value)}")
        elif gap.margin > 0:
            parts.append(f"better than {gap.name} {_num(gap.value)} by {_num(gap.margin)}")
        elif gap.margin < 0:
            parts.append(f"worse than {gap.name} {_num(gap.value)} by {_num(-gap.margin)}")
        else:
            parts.append(f"as good as {gap.name} {_num(gap.value)}")
    passed = bool(gaps) and all(g.margin is not None and g.margin > 0 for g in gaps)
    return Check("baselines", passed, "; ".join(parts), metric=metric, value=value, baselines=gaps)


def _num(value: float) -> str:
    return f"{value:.4g}"


def _float_or_none(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None
