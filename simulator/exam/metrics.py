"""The metrics a question can be scored on, and how metrics and scores are written.

One registry says, for each metric: its name in exam files and JSON, its label for people, how a
value is written, whether lower is better, and which output kinds it fits. The exam format
validates against it, the scorer reads its direction, and every view writes values and scores
through :func:`format_metric` and :func:`score_label`, so ``mae 0.0489`` and ``4/5`` look the same
in the TUI, the CLI and the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: The kind of output a question's fixed interface demands.
OutputKind = Literal["regression", "sigmoid", "softmax"]
MetricName = Literal["mse", "mae", "accuracy"]

#: Each question is scored 0 to this, as in the real exam.
MAX_SCORE = 5


@dataclass(frozen=True)
class Metric:
    """One metric: how it is named, written and compared."""

    name: MetricName
    label: str
    lower_is_better: bool
    #: The output kinds it fits: accuracy needs classes, errors need numbers.
    outputs: tuple[OutputKind, ...]
    #: Significant digits a value is written with.
    digits: int = 4

    def format(self, value: float) -> str:
        """The value alone, e.g. ``0.0489``."""
        return f"{value:.{self.digits}g}"

    def better(self, value: float, than: float) -> bool:
        """Whether ``value`` is strictly better than ``than`` in this metric's direction."""
        return value < than if self.lower_is_better else value > than


METRICS: dict[MetricName, Metric] = {
    "mse": Metric("mse", "mean squared error", True, ("regression",)),
    "mae": Metric("mae", "mean absolute error", True, ("regression",)),
    "accuracy": Metric("accuracy", "accuracy", False, ("sigmoid", "softmax")),
}


def metrics_for(output: OutputKind) -> tuple[MetricName, ...]:
    """The metrics a question with this output kind may be scored on."""
    return tuple(m.name for m in METRICS.values() if output in m.outputs)


def format_metric(name: str, value: float) -> str:
    """``mae 0.0489``; a metric the registry does not know is written the same way."""
    metric = METRICS.get(name)  # type: ignore[call-overload]
    shown = metric.format(value) if metric is not None else f"{value:.4g}"
    return f"{name} {shown}"


def score_label(score: int | None) -> str:
    """``4/5``, or ``—`` for no score."""
    return "—" if score is None else f"{score}/{MAX_SCORE}"
