"""The class view in the terminal (rich): one row per question, then who needs help where."""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from simulator.exam.durations import format_duration
from simulator.report.cohort import NEEDS_HELP_AT_MOST, Cohort, QuestionView


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else format_duration(seconds)


def score_spread(question: QuestionView) -> str:
    """``0:1 1:0 2:3 3:5 4:8 5:13``: learners per score."""
    return " ".join(f"{score}:{count}" for score, count in enumerate(question.scores))


def top_reason(question: QuestionView) -> str:
    if not question.not_gradable:
        return "—"
    first = question.not_gradable[0]
    return f"{first.code} ({first.attempts} attempts, {first.learners} learners)"


def render_cohort_text(cohort: Cohort, width: int = 100, color: bool = True) -> str:
    console = Console(width=width, record=True, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, file=io.StringIO())  # fmt: skip
    console.print(cohort_renderable(cohort))
    return console.export_text(styles=color)


def cohort_renderable(cohort: Cohort) -> RenderableType:
    head = Text.assemble(
        (f"{cohort.exam_title} ({cohort.exam})", "bold"),
        f": {len(cohort.learners)} learners, {cohort.pass_rate:.0%} passed, "
        f"median {cohort.median_percent:.1f}%",
    )
    table = Table(
        "Q", "question", "learners per score 0-5", "median", "5/5", "to first score",
        "to best", "most frequent not-gradable reason", box=None, header_style="bold",
    )  # fmt: skip
    for q in cohort.questions:
        table.add_row(
            str(q.number), escape(q.title), score_spread(q), f"{q.median_score:g}",
            f"{q.full_marks_rate:.0%}", _minutes(q.median_first_score_s),
            _minutes(q.median_best_s), escape(top_reason(q)),
        )  # fmt: skip
    help_lines = Text(f"Needs help (score {NEEDS_HELP_AT_MOST} or less):\n", "bold")
    for q in cohort.questions:
        names = ", ".join(q.needs_help) or "nobody"
        help_lines.append(f"  Q{q.number} {q.title}: {names}\n")
    parts: list[RenderableType] = [head, table, help_lines]
    if cohort.left_out:
        left = Text("Left out:\n", "bold")
        for item in cohort.left_out:
            left.append(f"  {item.path}: {item.reason}\n")
        parts.append(left)
    return Group(*parts)
