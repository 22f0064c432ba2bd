"""What the TUI shows, computed from the store as plain data: no Textual, easy to test.

:func:`build_exam_view` is the one place where a session snapshot becomes what the widgets show:
the question rows, the attempt lists, the total and the Project tree's labels and colours.
Widgets render these records; they never look at attempts or scores themselves. Each grading's
score is the engine's (the attempt's ``score``, in the store), and the question scores and the
total are the snapshot's own result (:mod:`simulator.session.scoring`, as ``tfexam status``
uses), taken as they are, never worked out again.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.exam.durations import format_duration
from simulator.exam.format import Exam, Question
from simulator.exam.metrics import score_label
from simulator.grading.checks import Check
from simulator.session.facade import SessionSnapshot
from simulator.session.scoring import ExamResult, QuestionResult
from simulator.session.sessions import feedback_of
from simulator.storage.records import AttemptRecord, SessionRecord
from simulator.tui.formatting import format_number

#: How each attempt state reads in the attempt list.
ATTEMPT_STATE_LABELS = {
    "queued": "queued",
    "grading": "grading",
    "graded": "graded",
    "not-gradable": "not gradable",
    "rejected-after-deadline": "too late",
    "superseded": "skipped",
}


#: How an attempt came to be, in the candidate's words ({} is the time since the start).
ORIGIN_PHRASES = {
    "watch": "saved at {}",
    "scan": "found when tfexam started (saved at {})",
    "submit": "Submit and Test at {}",
}


@dataclass(frozen=True)
class QuestionRow:
    """One line of the Exam tool window's question list."""

    question_id: str
    number: int
    title: str
    category: int
    weight: float
    folder: str
    state: str
    status: str
    #: The status's colour: by the score where graded.
    status_style: str
    score: int
    last_score: int | None
    best_score: int | None
    attempts: int
    pending: int


@dataclass(frozen=True)
class AttemptRow:
    """One attempt of a question: when, what it scored or why it could not be graded."""

    attempt_id: int
    #: 1, 2, ... within the session: what the candidate is shown (the id stays internal).
    number: int
    elapsed: str
    state: str
    state_label: str
    score: str
    result: str
    when: str
    counted: bool
    #: The checks that made the score, where the session shows them (``--feedback checks``).
    checks: tuple[Check, ...] | None = None


@dataclass(frozen=True)
class Label:
    """A short text and its colour (a Rich style), as the Project tree shows a model file."""

    text: str
    style: str


@dataclass(frozen=True)
class ExamView:
    """Everything the main screen shows about scores, from one read of the store."""

    questions: tuple[QuestionRow, ...]
    attempts: dict[str, tuple[AttemptRow, ...]]
    result: ExamResult
    #: Each model file's latest attempt (by the file's path in the workspace): its score, or
    #: how it stands.
    file_states: dict[str, Label]

    def row(self, question_id: str) -> QuestionRow:
        return next(r for r in self.questions if r.question_id == question_id)

    @property
    def total_label(self) -> str:
        r = self.result
        return f"{format_number(r.points)}/{format_number(r.max_points)} ({r.percent:.0f}%)"


def build_exam_view(exam: Exam, snapshot: SessionSnapshot) -> ExamView:
    """What every widget shows, from one snapshot (its result is taken as it is)."""
    result = snapshot.result
    rows = []
    per_question: dict[str, tuple[AttemptRow, ...]] = {}
    by_id: dict[int, AttemptRow] = {}
    for number, item in enumerate(result.questions, start=1):
        own = [a for a in snapshot.attempts if a.question_id == item.question.id]
        rows.append(_question_row(number, item, own))
        counted_id = item.counted.id if item.counted else None
        per_question[item.question.id] = tuple(
            attempt_row(a, snapshot.session, item.question, counted=a.id == counted_id)
            for a in sorted(own, key=lambda a: a.id, reverse=True)
        )
        by_id.update((row.attempt_id, row) for row in per_question[item.question.id])
    files = {  # the latest attempt of a file wins
        a.source_path: file_label(by_id[a.id])
        for a in sorted(snapshot.attempts, key=lambda a: a.id)
        if a.id in by_id
    }
    return ExamView(tuple(rows), per_question, result, files)


def file_label(row: AttemptRow) -> Label:
    """A model file's attempt in the Project tree: its score, or its state."""
    if row.state == "graded":
        return Label(row.score, "green")
    return Label(row.state_label, "yellow" if row.state == "not-gradable" else "cyan")


def _question_row(number: int, item: QuestionResult, own: list[AttemptRecord]) -> QuestionRow:
    graded = [a for a in own if a.state == "graded" and a.score is not None]
    last = max(graded, key=lambda a: (a.saved_at, a.id)).score if graded else None
    best = max(a.score or 0 for a in graded) if graded else None
    return QuestionRow(
        question_id=item.question.id,
        number=number,
        title=item.question.title,
        category=item.question.category,
        weight=item.question.weight,
        folder=item.question.workspace_folder,
        state=item.state,
        status=_question_status(item),
        status_style=_status_style(item),
        score=item.score,
        last_score=last,
        best_score=best,
        attempts=item.attempts,
        pending=item.pending,
    )


def _status_style(item: QuestionResult) -> str:
    if item.state == "graded":
        return "bold green" if item.score >= 4 else "bold yellow" if item.score >= 2 else "bold red"
    return {"pending": "cyan", "not-gradable": "yellow", "not-attempted": "dim"}.get(item.state, "")


def _question_status(item: QuestionResult) -> str:
    if item.state == "graded":
        return score_label(item.score) + (" grading…" if item.pending else "")
    if item.pending:
        return "grading…"
    if item.state == "not-gradable":
        return "not gradable"
    return "—"


def attempt_row(
    attempt: AttemptRecord, session: SessionRecord, question: Question, *, counted: bool
) -> AttemptRow:
    """An attempt as the list shows it; the time is counted from the session's start."""
    elapsed = format_duration(max(0.0, attempt.saved_at - session.started_at))
    if attempt.state == "graded" and attempt.score is not None:
        score = score_label(attempt.score)
        metric = attempt.metric_name or question.scoring.metric
        result = metric_text(metric, attempt.metric_value)
        if attempt.message and attempt.message.lower().startswith(f"{metric.lower()} "):
            result = attempt.message  # the grader's verdict already opens with the metric
        elif attempt.message:
            result = f"{result}; {attempt.message}"
    else:
        score = "—"
        result = attempt.message or ATTEMPT_STATE_LABELS.get(attempt.state, attempt.state)
    return AttemptRow(
        attempt_id=attempt.id,
        number=attempt.number,
        elapsed=elapsed,
        state=attempt.state,
        state_label=ATTEMPT_STATE_LABELS.get(attempt.state, attempt.state),
        score=score,
        result=result,
        when=ORIGIN_PHRASES.get(attempt.origin, attempt.origin + " at {}").format(elapsed),
        counted=counted,
        checks=attempt.checks if feedback_of(session) == "checks" else None,
    )


def metric_text(name: str, value: float | None) -> str:
    if value is None:
        return name
    return f"{name} {format_number(value)}"


def countdown_level(remaining_s: float) -> str:
    """The countdown's colour class: calm, then warning in the last 30 and danger in the last 10 min."""
    if remaining_s <= 10 * 60:
        return "danger"
    if remaining_s <= 30 * 60:
        return "warning"
    return "calm"
