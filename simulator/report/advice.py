"""Advice derived from what happened, the things a coach would say after a mock exam.

Each rule looks at the report's figures and says one concrete thing, with the numbers that
triggered it; rules that do not apply stay silent. Ordered by how many points they are about.
"""

from __future__ import annotations

from simulator.exam.drills import drill_command, drill_duration_s
from simulator.exam.durations import format_duration
from simulator.exam.metrics import MAX_SCORE, score_label
from simulator.report.mistakes import LATE_SHARE
from simulator.report.records import QuestionEntry, Report

#: Idle share worth mentioning while some question was below the maximum score.
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
                f"({q.weight:g} x {MAX_SCORE} were possible)."
            )
        elif q.first_gradable_s > LATE_SHARE * duration:
            advice.append(
                f"{name} was first graded at {format_duration(q.first_gradable_s)} of "
                f"{format_duration(duration)}: submit a basic model early, then improve it."
            )
        if q.not_gradable >= 2:
            code, example = _common_reason(q)
            advice.append(
                f"{q.not_gradable} saves of {name} could not be graded"
                + (f" (e.g. {example.split(':')[0]})" if example else "")
                + f": {_remedy(code)}"
            )
    weakest = _weakest_category(report)
    if weakest is not None:
        advice.append(weakest)
    parallel = report.parallelism
    below_five = [q for q in report.questions if q.score < MAX_SCORE]
    if below_five and parallel.idle_share >= IDLE_SHARE and summary.time_used_s > 600:
        advice.append(
            f"The machine was idle {parallel.idle_share:.0%} of the time (longest stretch "
            f"{format_duration(parallel.longest_idle_gap_s)}) while "
            f"{len(below_five)} question(s) were below {score_label(MAX_SCORE)}: keep a training "
            "running while you read."
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


def _weakest_category(report: Report) -> str | None:
    """The category to drill, with the exact command: the lowest score below the maximum (on a
    tie, the lowest category number, so the same session always gets the same advice), for the
    category's drill length; after a drill, the same drill again. Only once the session is over:
    while it runs, a low score may just not be there yet."""
    if report.summary.ended_how == "running":
        return None
    below = sorted((q for q in report.questions if q.score < MAX_SCORE), key=lambda q: q.category)
    if not below:
        return None
    weakest = min(below, key=lambda q: q.score)  # the first of the lowest
    if len(report.questions) == 1:  # a drill (or an exam of one question): the same again
        command = drill_command(report.summary.exam, weakest.id, round(report.summary.duration_s))
        return (
            f"Category {weakest.category} ({weakest.title}) scored {score_label(weakest.score)}: "
            f"practise it again with `{command}`."
        )
    command = drill_command(report.summary.exam, weakest.id, drill_duration_s(weakest.category))
    return (
        f"Your weakest category is {weakest.category} ({weakest.title}, "
        f"{score_label(weakest.score)}): practise it with `{command}`."
    )


def _common_reason(question: QuestionEntry) -> tuple[str, str]:
    """The most frequent not-gradable reason's code and its first sentence; ties go to the code
    seen first, so the same session always gets the same advice."""
    refused = [a for a in question.attempts if a.state == "not-gradable"]
    codes = [a.reason_code or "unknown" for a in refused]
    if not codes:
        return "", ""
    code = max(codes, key=lambda c: (codes.count(c), -codes.index(c)))
    return code, refused[codes.index(code)].reason or ""


#: What to do about the most common reason, by its code.
REMEDIES: dict[str, str] = {
    "wrong-shape": "keep the starter's input and output shapes; check with model.summary() before saving.",
    "lambda-layer": "use built-in layers: Lambda layers are not allowed.",
    "wrong-output": "end with the activation the question names.",
    "file-broken": "let model.save('mymodel.h5') finish, or copy the file again whole.",
    "unknown-layer": "use built-in layers and losses only; the grader knows no custom objects.",
    "timeout": "the model is far too big or slow for the question: make it smaller.",
    "memory-limit": "the model is far too big or slow for the question: make it smaller.",
}


def _remedy(code: str) -> str:
    return REMEDIES.get(code, "read the reason in the attempt list before saving again.")
