"""The Exam tool window: every question's state and score, and the selected question's attempts.

Like the exam plugin's panel, plus what the real exam never showed: each attempt with its time,
score, metric value or the one-line reason it could not be graded.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from simulator.tui.checks_view import checks_text
from simulator.tui.fitted_table import Cell, ColumnSpec, FittedTable
from simulator.tui.messages import QuestionChosen
from simulator.tui.status_bar import set_text
from simulator.tui.view_model import AttemptRow, ExamView, QuestionRow


def question_status_text(row: QuestionRow) -> Text:
    return Text(row.status, style=row.status_style)


def attempt_state_style(row: AttemptRow) -> str:
    return {
        "graded": "green",
        "not-gradable": "yellow",
        "queued": "cyan",
        "grading": "cyan",
        "rejected-after-deadline": "red",
        "superseded": "dim",
    }.get(row.state, "")


class QuestionsTable(FittedTable):
    """One row per question; moving the cursor shows that question everywhere."""

    COLUMN_SPECS = (
        ColumnSpec("number", "#"),
        ColumnSpec("title", "Question", flexible=True, minimum=8),
        ColumnSpec("score", "Score"),
        ColumnSpec("tries", "Tries", justify="right"),
    )

    def show(self, view: ExamView) -> None:
        rows: list[tuple[str, list[Cell]]] = [
            (
                row.question_id,
                [str(row.number), row.title, question_status_text(row), str(row.attempts)],
            )
            for row in view.questions
        ]
        self.fill(rows)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        question_id = event.row_key.value
        if question_id is not None and self.has_focus:  # moved by the user, not kept in step
            self.post_message(
                QuestionChosen(question_id, lambda: self.highlighted_question() == question_id)
            )

    def highlighted_question(self) -> str | None:
        return self.cursor_key()

    def select_question(self, question_id: str) -> None:
        if question_id in self.rows:
            index = self.get_row_index(question_id)
            if self.cursor_row != index:
                self.move_cursor(row=index)


class AttemptsTable(FittedTable):
    """The selected question's attempts, newest first; the counted one is marked."""

    COLUMN_SPECS = (
        ColumnSpec("id", "#", justify="right"),
        ColumnSpec("time", "Time"),
        ColumnSpec("score", "Score"),
        ColumnSpec("result", "Result", flexible=True, minimum=10),
    )

    def show(self, rows: tuple[AttemptRow, ...]) -> None:
        self.fill([(str(row.attempt_id), self._cells(row)) for row in rows])

    @staticmethod
    def _cells(row: AttemptRow) -> list[Cell]:
        marker = "★" if row.counted else " "
        score = Text(row.score, style="bold" if row.counted else "")
        result = Text(row.result, style=attempt_state_style(row))
        return [f"{marker}{row.number}", row.elapsed, score, result]


class ExamToolWindow(Vertical):
    """Questions on the left, the selected question's attempts on the right, the chosen attempt below.

    A question without attempts (every question when the exam starts) shows, below "No attempts
    yet", this machine's training estimate (``tfexam estimate``) when one was made: the plan
    belongs on the first screen, before the first training is started."""

    #: The estimate's one line (:meth:`SessionFacade.plan_line`), or None when there is none.
    plan: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="exam-panes"):
            yield QuestionsTable(id="questions")
            yield AttemptsTable(id="attempts")
        # Full width: a not-gradable reason is a sentence, and it must be readable at 80x24.
        yield Static("", id="attempt-detail")

    #: The view the Questions table shows: a question switch shows the same one again.
    _view: ExamView | None = None

    def show(self, view: ExamView, question_id: str) -> None:
        if view is not self._view:
            self._view = view
            self.query_one(QuestionsTable).show(view)
        attempts = view.attempts.get(question_id, ())
        table = self.query_one(AttemptsTable)
        table.show(attempts)
        self._show_detail(attempts, table.cursor_row)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(event.data_table, AttemptsTable):
            event.stop()
            self.refresh_detail()

    def refresh_detail(self) -> None:
        table = self.query_one(AttemptsTable)
        rows = getattr(self, "_rows", ())
        self._show_detail(rows, table.cursor_row)

    def _show_detail(self, rows: tuple[AttemptRow, ...], index: int) -> None:
        self._rows = rows
        detail = self.query_one("#attempt-detail", Static)
        if not rows:
            empty = Text("No attempts yet: save the model in the question's folder.", style="dim")
            if self.plan:
                # One line each: a narrow window cuts the plan with "…" rather than wrapping it
                # out of the two rows.
                empty = Text.assemble(empty, "\n", (self.plan, "italic"))
                empty.no_wrap, empty.overflow = True, "ellipsis"
            set_text(detail, empty)
            return
        row = rows[min(max(index, 0), len(rows) - 1)]
        counted = ", counts" if row.counted else ""
        set_text(
            detail,
            Text.assemble(
                (f"#{row.number} ", "bold"),
                (f"{row.state_label}{counted}", attempt_state_style(row)),
                f" ({row.when}): ",
                checks_text(row.checks) if row.checks else row.result,
            ),
        )
