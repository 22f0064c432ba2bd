"""Advice derived from what happened, the things a coach would say after a mock exam.

Each rule looks at the report's figures and says one concrete thing, with the numbers that
triggered it; rules that do not apply stay silent. Ordered by how many points they are about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.durations import format_duration

if TYPE_CHECKING:
    from simulator.report.model import QuestionEntry, Report

#: A first submission after this share of the exam is late: a basic model should come early.
LATE_SHARE = 0.6
#: Idle share worth mentioning while some question was below 5/5.
IDLE_SHARE = 0.3


def advise(report: Report) -> list[str]:
    summary = report.summary
    advice: list[str] = []
    duration = summary.duration_s
    for q in sorted(report.questions, key=lambda q: -q.weight):
        name = f"Q{q.number} ({q.title})"
        if q.first_gradable_s is None:
            why = (
                f"its {q.not_gradable} file(s) could not be graded"
                if q.not_gradable
                else "nothing was submitted"
            )
            advice.append(
                f"{name} scored 0 because {why}: a basic model saved early earns points "
                f"({q.weight:g} x 5 were possible)."
            )
        elif q.first_gradable_s > LATE_SHARE * duration:
            advice.append(
                f"{name} was first graded at {format_duration(q.first_gradable_s)} of "
                f"{format_duration(duration)}: submit a basic model early, then improve it."
            )
        if q.not_gradable >= 2:
            reason = _common_reason(q)
            advice.append(
                f"{q.not_gradable} saves of {name} could not be graded"
                + (f" (e.g. {reason.split(':')[0]})" if reason else "")
                + f": {_remedy(reason)}"
            )
    parallel = report.parallelism
    below_five = [q for q in report.questions if q.score < 5]
    if below_five and parallel.idle_share >= IDLE_SHARE and summary.time_used_s > 600:
        advice.append(
            f"The machine was idle {parallel.idle_share:.0%} of the time (longest stretch "
            f"{format_duration(parallel.longest_idle_gap_s)}) while "
            f"{len(below_five)} question(s) were below 5/5: keep a training running while you read."
        )
    if parallel.oversubscribed_s >= 300 and parallel.cores:
        advice.append(
            f"More trainings than the {parallel.cores} cores ran for "
            f"{format_duration(parallel.oversubscribed_s)}: each ran slower; train one on Colab "
            "(tfexam notebook) instead."
        )
    if summary.crashes:
        advice.append(
            f"tfexam stopped without leaving {summary.crashes} time(s); nothing was lost, and "
            "the clock kept running as in the real exam."
        )
    if summary.passed and summary.ended_how == "submitted":
        spare = summary.duration_s - summary.time_used_s
        advice.append(f"Passed with {format_duration(spare)} to spare.")
    return advice


def _common_reason(question: QuestionEntry) -> str:
    """The most frequent reason; a tie goes to the one seen first (never to hash order, so the
    same session always gives the same report)."""
    reasons = [a.reason for a in question.attempts if a.state == "not-gradable" and a.reason]
    return max(dict.fromkeys(reasons), key=reasons.count) if reasons else ""


#: What to do about the most common reason, by words in it (first match wins).
REMEDIES = (
    (("shape",), "keep the starter's input and output shapes; check with model.summary() before saving."),
    (("lambda",), "use built-in layers: Lambda layers are not allowed."),
    (("softmax", "sigmoid", "probabilit"), "end with the activation the question names."),
    (("truncated", "empty", "not a keras", "not an hdf5", "zip"),
     "let model.save('mymodel.h5') finish, or copy the file again whole."),
    (("custom", "unknown layer"), "use built-in layers and losses only; the grader knows no custom objects."),
    (("longer than", "memory"), "the model is far too big or slow for the question: make it smaller."),
)  # fmt: skip


def _remedy(reason: str) -> str:
    lowered = reason.lower()
    for words, remedy in REMEDIES:
        if any(word in lowered for word in words):
            return remedy
    return "read the reason in the attempt list before saving again."
