"""How every format writes a metric value and a time since the start ("—" when there is none)."""

from __future__ import annotations

from simulator.durations import format_duration
from simulator.metrics import format_metric
from simulator.report.model import QuestionEntry


def metric_value(q: QuestionEntry, value: float | None) -> str:
    """``mae 0.0489`` in the question's metric, or "—"."""
    return "—" if value is None else format_metric(q.metric, value)


def elapsed(seconds: float | None) -> str:
    """``1:07:46`` since the session's start, or "—"."""
    return "—" if seconds is None else format_duration(seconds)


def counted_value(q: QuestionEntry) -> str:
    """The counted attempt's hidden-test metric, and which rule gave the score where it is the
    real exam's (the metric is then the strict view, not what the score comes from)."""
    shown = metric_value(q, q.best_value)
    if q.scale == "real-exam":
        shown += " held out; score by the real exam's rule"
    return shown
