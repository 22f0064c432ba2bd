"""The views a graded attempt carries besides its score (plain data, no TensorFlow).

A classic exam scores by the real exam's rule where the real starter states one, and by the
calibrated thresholds otherwise. Either way the candidate also sees the strict view: the metric on
the hidden test (the attempt's ``metric_value``), the calibrated score it earns, and what trivial
baselines reach on the same data ("repeat the last value", "always the most common class"), so
that a 5/5 by a lenient real rule is not mistaken for a model that beats doing nothing.

These records travel in :class:`simulator.grading.protocol.GradingResult` and are stored with the
attempt as one JSON object (``attempts.views``); ``to_dict``/``from_dict`` are that form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from simulator.exam.metrics import score_label

#: Which rule gave an attempt its score.
Scale = Literal["calibrated", "real-exam"]


@dataclass(frozen=True)
class Baseline:
    """A trivial prediction and its metric on the hidden test."""

    name: str
    value: float


@dataclass(frozen=True)
class RealExamView:
    """The real exam's rule applied to the data its tester used."""

    rule: str
    data: str
    metric_value: float | None
    score: int
    #: The trivial baselines on the rule's data, with the rule's scores for them.
    baselines: tuple[Baseline, ...] = ()


@dataclass(frozen=True)
class GradeViews:
    """Everything beside the counted score: which rule counts, the strict view, and hints."""

    scale: Scale
    #: The calibrated thresholds' score for the hidden-test metric (the counted score when
    #: ``scale`` is "calibrated").
    calibrated_score: int
    baselines: tuple[Baseline, ...] = ()
    real_exam: RealExamView | None = None
    #: What the hidden test is, for messages ("the 100 hidden months"); None: "the hidden test".
    held_out: str | None = None
    #: A preprocessing mismatch that makes this model clearly better, said in the message.
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "calibrated_score": self.calibrated_score,
            "baselines": [{"name": b.name, "value": b.value} for b in self.baselines],
            "real_exam": None
            if self.real_exam is None
            else {
                "rule": self.real_exam.rule,
                "data": self.real_exam.data,
                "metric_value": self.real_exam.metric_value,
                "score": self.real_exam.score,
                "baselines": [{"name": b.name, "value": b.value} for b in self.real_exam.baselines],
            },
            "held_out": self.held_out,
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> GradeViews:
        real = raw.get("real_exam")
        return cls(
            scale="real-exam" if raw.get("scale") == "real-exam" else "calibrated",
            calibrated_score=int(raw.get("calibrated_score") or 0),
            baselines=_baselines(raw.get("baselines")),
            real_exam=None
            if not real
            else RealExamView(
                rule=str(real["rule"]),
                data=str(real["data"]),
                metric_value=None
                if real.get("metric_value") is None
                else float(real["metric_value"]),
                score=int(real["score"]),
                baselines=_baselines(real.get("baselines")),
            ),
            held_out=raw.get("held_out"),
            hint=raw.get("hint"),
        )

    def strict_text(self, metric: str, value: float | None) -> str:
        """The strict view in words: "on the 100 hidden months MAE 0.078 -> 0/5 calibrated, ..."."""
        where = self.held_out or "the hidden test"
        shown = "NaN" if value is None else f"{value:.4g}"
        text = f"on {where} {metric} {shown} -> {score_label(self.calibrated_score)} calibrated"
        if self.baselines:
            text += "; " + baseline_text(metric, value, self.baselines)
        return text


def _baselines(raw: Any) -> tuple[Baseline, ...]:
    return tuple(Baseline(str(b["name"]), float(b["value"])) for b in raw or ())


def baseline_text(metric: str, value: float | None, baselines: tuple[Baseline, ...]) -> str:
    """ "worse than repeat the last value 0.034, better than window mean 0.076"."""
    lower = metric.lower() in ("mse", "mae")
    parts = []
    for baseline in baselines:
        shown = f"{baseline.name} {baseline.value:.4g}"
        if value is not None:
            gap = (baseline.value - value) if lower else (value - baseline.value)
            tie = abs(gap) <= 1e-9 * max(1.0, abs(baseline.value))
            word = "as good as" if tie else "better than" if gap > 0 else "worse than"
            shown = f"{word} {shown}"
        parts.append(shown)
    return ", ".join(parts)


def verdict_message(metric: str, value: float | None, score: int, views: GradeViews) -> str:
    """The attempt's message: the counted score by its rule, then the strict view.

    Calibrated: "mae 0.033 -> 5/5; better than repeat the last value 0.034, ...".
    Real-exam rule: "5/5 by the real exam's rule (min(5, ceil(17 - 100 * MAE)) on the real
    tester's 235 months: MAE 0.113); strict view: on the 100 hidden months MAE 0.078 -> 0/5
    calibrated; worse than repeat the last value 0.034, ...".
    """
    real = views.real_exam
    if real is None:
        shown = "NaN" if value is None else f"{value:.4g}"
        text = f"{metric} {shown} -> {score_label(score)}"
        if views.held_out:
            text = f"{text} on {views.held_out}"
        if views.baselines:
            text += "; " + baseline_text(metric, value, views.baselines)
    else:
        real_value = "NaN" if real.metric_value is None else f"{real.metric_value:.4g}"
        text = (
            f"{score_label(score)} by the real exam's rule ({real.rule} on {real.data}: "
            f"{metric.upper()} {real_value}); strict view: "
            + views.strict_text(metric.upper(), value)
        )
    if views.hint:
        text += f". {views.hint}"
    return text
