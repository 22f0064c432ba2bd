"""The Exam tool window: every question's state and score, and the selected question's attempts.

Like the exam plugin's panel, plus what the real exam never showed: each attempt with its time,
score, metric value or the one-line reason it could not be graded.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from simulator.tui.messages import QuestionChosen
from simulator.tui.status_bar import set_text
from simulator.tui.view_model import AttemptRow, ExamView, QuestionRow

QUESTION_TITLE_WIDTH = 18


def cursor_row_key(table: DataTable[Text | str]) -> str | None:
    """The key of the row under a table's cursor (None for an empty table)."""
    if not 0 <= table.cursor_row < table.row_count:
        return None
    return table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value


def question_status_text(row: QuestionRow) -> Text:
    style = {
        "graded": "bold green"
        if row.score >= 4
        else "bold yellow"
        if row.score >= 2
        else "bold red",
        "pending": "cyan",
        "not-gradable": "yellow",
        "not-attempted": "dim",
    }.get(row.state, "")
    return Text(row.status, style=style)


def attempt_state_style(row: AttemptRow) -> str:
    return {
        "graded": "green",
        "not-gradable": "yellow",
        "queued": "cyan",
        "grading": "cyan",
        "rejected-after-deadline": "red",
        "superseded": "dim",
    }.get(row.state, "")


class QuestionsTable(DataTable[Text | str]):
    """One row per question; moving the cursor shows that question everywhere."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = False
        self.add_column("#", key="number", width=1)
        self.add_column("Question", key="title", width=QUESTION_TITLE_WIDTH)
        self.add_column("Score", key="score", width=12)
        self.add_column("Tries", key="tries", width=5)

    def show(self, view: ExamView) -> None:
        for row in view.questions:
            cells: list[Text | str] = [
                str(row.number),
                row.title,
                question_status_text(row),
                Text(str(row.attempts), justify="right"),
            ]
            if row.question_id in self.rows:
                for key, value in zip(("number", "title", "score", "tries"), cells, strict=True):
                    self.update_cell(row.question_id, key, value)
            else:
                self.add_row(*cells, key=row.question_id)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        question_id = event.row_key.value
        if question_id is not None and self.has_focus:  # moved by the user, not kept in step
            self.post_message(
                QuestionChosen(question_id, lambda: self.highlighted_question() == question_id)
            )

    def highlighted_question(self) -> str | None:
        return cursor_row_key(self)

    def select_question(self, question_id: str) -> None:
        if question_id in self.rows:
            index = self.get_row_index(question_id)
            if self.cursor_row != index:
                self.move_cursor(row=index)


class AttemptsTable(DataTable[Text | str]):
    """The selected question's attempts, newest first; the counted one is marked."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_column("#", key="id", width=3)
        self.add_column("Time", key="time", width=7)
        self.add_column("Score", key="score", width=5)
        self.add_column("Result", key="result")

    def show(self, rows: tuple[AttemptRow, ...]) -> None:
        keys = [str(r.attempt_id) for r in rows]
        if keys != [k.value for k in self.rows]:
            self.clear()
            for row in rows:
                self.add_row(*self._cells(row), key=str(row.attempt_id))
            return
        for row in rows:
            for key, value in zip(("id", "time", "score", "result"), self._cells(row), strict=True):
                self.update_cell(str(row.attempt_id), key, value)

    @staticmethod
    def _cells(row: AttemptRow) -> list[Text | str]:
        marker = "★" if row.counted else " "
        score = Text(row.score, style="bold" if row.counted else "")
        result = Text(row.result, style=attempt_state_style(row))
        return [Text(f"{marker}{row.attempt_id}", justify="right"), row.elapsed, score, result]


class ExamToolWindow(Vertical):
    """Questions on the left, the selected question's attempts on the right, the chosen attempt below."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="exam-panes"):
            yield QuestionsTable(id="questions")
            yield AttemptsTable(id="attempts")
        # Full width: a not-gradable reason is a sentence, and it must be readable at 80x24.
        yield Static("", id="attempt-detail")

    def show(self, view: ExamView, question_id: str) -> None:
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
            set_text(
                detail,
                Text("No attempts yet: save the model in the question's folder.", style="dim"),
            )
            return
        row = rows[min(max(index, 0), len(rows) - 1)]
        counted = ", counts" if row.counted else ""
        set_text(
            detail,
            Text.assemble(
                (f"#{row.attempt_id} ", "bold"),
                (f"{row.state_label}{counted}", attempt_state_style(row)),
                f" ({row.when}): ",
                row.result,
            ),
        )
