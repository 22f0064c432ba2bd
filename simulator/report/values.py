"""How every format writes a metric value, a time since the start ("—" when there is none) and
how a training run ended."""

from __future__ import annotations

from simulator.exam.durations import format_duration
from simulator.exam.metrics import format_metric
from simulator.report.model import QuestionEntry, RunEntry
from simulator.training.runs import exit_label


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


def run_ended(run: RunEntry) -> str:
    """``finished``, or ``failed (exit 1)`` / ``killed (SIGKILL)`` where the exit was not 0."""
    if run.exit_code in (None, 0):
        return run.state
    return f"{run.state} ({exit_label(run.exit_code)})"
