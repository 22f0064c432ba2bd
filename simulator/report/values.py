"""The words and values every format writes alike: a metric value, a time since the start ("—"
when there is none), how a training run and the session ended, where a model came from, a
grading check in one line."""

from __future__ import annotations

from simulator.exam.durations import format_duration
from simulator.exam.metrics import MAX_SCORE, format_metric
from simulator.grading.checks import Check
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


#: Each grading check's name in words (``Check.name``).
CHECK_LABEL = {
    "file": "model file",
    "no-lambda": "no Lambda layer",
    "loads": "loads",
    "interface": "input and output shapes",
    "predicts": "predicts",
    "output-kind": "output kind",
    "metric": "score lines",
    "real-exam-rule": "real exam's rule",
    "baselines": "trivial baselines",
}
#: How a score line is compared, as a symbol (``ScoreLine.compare``).
_COMPARE = {"at-most": "≤", "at-least": "≥", "below": "<", "above": ">"}


def check_mark(check: Check) -> str:
    return "✓" if check.passed else "✗"


def check_text(check: Check) -> str:
    """One check in one line: its sentence, then the figures the sentence leaves out.

    "input and output shapes: wrong input shape: ... (found input (2,) -> output (1,))";
    a metric check ends with every line of its scale and the margin to it:
    "lines 1/5 ≤ 10 ✓ +9.998, ..., 5/5 ≤ 0.001 ✗ -0.0015".
    """
    text = f"{CHECK_LABEL.get(check.name, check.name)}: {check.detail}"
    if check.found and check.found not in check.detail:
        text += f" (found {check.found})"
    if check.lines:
        text += "; lines " + ", ".join(
            f"{line.score}/{MAX_SCORE} {_COMPARE.get(line.compare, line.compare)} "
            f"{line.needed:.4g} {'✓' if line.reached else '✗'}"
            + ("" if line.margin is None else f" {line.margin:+.3g}")
            for line in check.lines
        )
    return text
