"""The review's teaching tabs: what went wrong (each finding with its evidence) and, once the
session is over, each question's code beside the reference, the reference's explanation and both
loss curves.

Everything shown comes from the report's records (:class:`~simulator.report.records.Report`),
the same ones the terminal and HTML reports render, so the three never disagree. The curves are
drawn with the Run window's chart widget (:class:`~simulator.tui.run_chart.EpochChart`): the
candidate's run in the Run window's colours, the reference in the colours of a compared run.
"""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Markdown, Static, TabbedContent, TabPane

from simulator.report.curves_svg import figure_names
from simulator.report.records import QuestionEntry, Report
from simulator.training.epochs import wants_log_scale
from simulator.tui.run_chart import (
    OTHER_RUN,
    OTHER_RUN_VALIDATION,
    THIS_RUN,
    THIS_RUN_VALIDATION,
    Chart,
    ChartSeries,
    EpochChart,
    legend,
)

NO_FINDINGS = (
    "Nothing went wrong that the evidence shows: no finding in your scripts, training runs or "
    "saves."
)
NO_EXPLANATION = "No explanation shipped for this question."
#: The diff's colours: ANSI ones and no background of its own, so it reads on the theme's.
DIFF_THEME = "ansi_dark"

Curves = list[dict[str, float]]


def question_pane_id(q: QuestionEntry) -> str:
    """The id of a question's pane in the Your code tab (``code-q3``)."""
    return f"code-q{q.number}"


# What went wrong ---------------------------------------------------------------------------------


class Finding(Vertical):
    """A finding as the learner reads it: the sentence and its code, then each piece of evidence
    on its own line (a file and line with the code there, a run's epochs, attempts), indented
    also where it wraps."""

    def __init__(self, sentence: str, code: str, evidence: list[str]) -> None:
        super().__init__(classes="finding")
        self.sentence = sentence
        self.code = code
        self.evidence = evidence

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(self.sentence, (f" [{self.code}]", "dim")))
        for line in self.evidence:
            yield Static(Text(line), classes="evidence")


class MistakesView(VerticalScroll):
    """Every question's findings under its heading; one line where there is none."""

    def __init__(self, report: Report, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.report = report

    def compose(self) -> ComposeResult:
        found = [q for q in self.report.questions if q.mistakes]
        if not found:
            yield Static(NO_FINDINGS, classes="review-note")
            return
        yield Static(
            "Found in your own scripts, training runs and saves; each line says where.",
            classes="review-note",
        )
        for q in found:
            yield Static(Text(f"Q{q.number} {q.title}", "bold"), classes="review-heading")
            for m in q.mistakes:
                yield Finding(m.sentence, m.code, m.evidence)


# Your code -----------------------------------------------------------------------------------


def curve_charts(q: QuestionEntry) -> list[Chart]:
    """The loss (and the question's metric) of the candidate's run and of the reference, one chart
    per figure with both trainings in it; none where neither recorded its epochs."""
    mine: Curves | None = q.curves or None
    reference: Curves | None = q.reference_curves or None
    charts = []
    for name in figure_names(q.metric, mine, reference):
        series: list[ChartSeries] = []
        for side, label, colors in (
            (mine, f"run {q.curves_run}" if q.curves_run is not None else "yours", (THIS_RUN, THIS_RUN_VALIDATION)),
            (reference, "reference", (OTHER_RUN, OTHER_RUN_VALIDATION)),
        ):  # fmt: skip
            for key, (color, style) in zip((name, f"val_{name}"), colors, strict=True):
                points = [(int(e["epoch"]), e[key]) for e in side or [] if key in e]
                if points:
                    epochs = tuple(epoch for epoch, _ in points)
                    values = tuple(value for _, value in points)
                    series.append(ChartSeries(f"{label} {key}", epochs, values, color, style))
        every = [v for s in series for v in s.values]
        charts.append(Chart(name, tuple(series), name == "loss" and wants_log_scale(every)))
    return [c for c in charts if not c.empty]


def diff_note(q: QuestionEntry) -> str | None:
    """Why there is no diff to show (None: there is one)."""
    if q.script is None:
        return "No script of yours to compare: no run and no starter file in the workspace."
    if q.code_diff is None:
        return f"Your {q.script} or the reference solution could not be read."
    if not q.code_diff:
        return f"Your {q.script} is the reference solution, line for line."
    return None


def curves_note(q: QuestionEntry) -> str:
    """Which side of the curves is missing, in words ("" where both are there)."""
    notes = []
    if not q.curves:
        notes.append("No run of yours recorded its epochs.")
    if not q.reference_curves:
        notes.append("No reference curves ship with this question.")
    return " ".join(notes)


def two_line_legend(chart: Chart) -> Text:
    """The Run window's legend, one line per training (yours, then the reference's), so that
    half an 80-column terminal holds it whole."""
    lines = []
    for who in dict.fromkeys(s.label.rpartition(" ")[0] for s in chart.series):
        mine = Chart(chart.title, tuple(s for s in chart.series if s.label.startswith(f"{who} ")))
        lines.append(legend(mine))
    return Text("\n").join(lines)


class QuestionReview(VerticalScroll):
    """One question after the session: the diff to the reference, the explanation, the curves."""

    def __init__(self, question: QuestionEntry) -> None:
        super().__init__(classes="question-review")
        self.question = question

    def compose(self) -> ComposeResult:
        q = self.question
        yield Static(Text(f"Q{q.number} {q.title}", "bold"), classes="review-heading")
        yield Static(
            f"Your {q.script or 'code'} → the reference solution", classes="review-subheading"
        )
        note = diff_note(q)
        if note is not None:
            yield Static(note, classes="review-note")
        else:
            assert q.code_diff is not None
            diff = Syntax(
                q.code_diff.rstrip("\n"),
                "diff",
                theme=DIFF_THEME,
                word_wrap=True,
            )
            yield Static(diff, classes="code-diff")
        yield Static("Why the reference works", classes="review-subheading")
        if q.explanation:
            yield Markdown(q.explanation, classes="explanation")
        else:
            yield Static(NO_EXPLANATION, classes="review-note")
        yield Static("Your curves beside the reference's", classes="review-subheading")
        charts = curve_charts(q)
        missing = curves_note(q)
        if missing:
            yield Static(missing, classes="review-note")
        if charts:
            with Horizontal(classes="curve-row"):
                for chart in charts:
                    with Vertical(classes="curve-box"):
                        yield ReviewChart(chart)
                        yield Static(two_line_legend(chart), classes="review-legend")


class ReviewChart(EpochChart):
    """A chart of the review: drawn once, when it first has a size."""

    def __init__(self, chart: Chart) -> None:
        super().__init__(classes="review-chart")
        self.review_chart = chart

    def on_mount(self) -> None:
        who = " · ".join(
            dict.fromkeys(s.label.rpartition(" ")[0] for s in self.review_chart.series)
        )
        self.show(self.review_chart, title=f"{self.review_chart.title}: {who}")


class CodeReview(TabbedContent):
    """The Your code tab's question selector: one tab per question (``Q1``, ``Q2``, ...)."""


def compose_code_review(report: Report, *, id: str) -> ComposeResult:
    """The Your code tab's content: a :class:`CodeReview` with each question's pane (composed
    here, in the caller's compose: a TabbedContent builds its tabs from the panes given to it)."""
    with CodeReview(id=id):
        for q in report.questions:
            with TabPane(f"Q{q.number}", id=question_pane_id(q)):
                yield QuestionReview(q)
