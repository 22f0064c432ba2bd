"""The words and values every format writes alike: a metric value, a time since the start ("—"
when there is none), how a training run and the session ended, where a model came from."""

from __future__ import annotations

from simulator.exam.durations import format_duration
from simulator.exam.metrics import format_metric
from simulator.report.records import QuestionEntry, RunEntry
from simulator.training.runs import exit_label

#: How the session ended (``Summary.ended_how``), in words.
HOW = {
    "submitted": "submitted",
    "auto-submitted": "auto-submitted at the deadline",
    "running": "still running",
}
#: Where an attempt's model came from (``AttemptEntry.source``), in words.
SOURCE = {"run": "tfexam run", "local": "local", "external": "external", None: ""}


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
