"""Dialogs and full screens: confirmations, help, errors, the workspace path, the results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Static

from simulator.exam.metrics import score_label
from simulator.tui.fitted_table import ColumnSpec, FittedTable
from simulator.tui.view_model import ExamView, metric_text


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; the safe answer is focused, Escape always means no."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "answer(False)", "Cancel")]

    def __init__(self, title: str, message: str, confirm: str, cancel: str = "Cancel") -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.message = message
        self.confirm_label = confirm
        self.cancel_label = cancel

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Static(self.message, classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.cancel_label, id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ErrorDialog(ModalScreen[None]):
    """Something went wrong outside the candidate's control: what, and where the details are."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, title: str, message: str, log_hint: str | None) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.message = message
        self.log_hint = log_hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box error-box"):
            yield Static(Text(self.title_text, style="bold red"), classes="dialog-title")
            yield Static(self.message, classes="dialog-message")
            if self.log_hint:
                yield Static(Text(self.log_hint, style="dim"), classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)


class WorkspaceDialog(ModalScreen[None]):
    """The workspace folder's path, selectable, with a copy-to-clipboard button."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("c", "copy", "Copy"),
    ]

    def __init__(self, path: str) -> None:
        super().__init__(classes="dialog")
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text("Workspace folder", style="bold"), classes="dialog-title")
            yield Static(
                "Open this folder in PyCharm (or any IDE) as the exam project; models saved in "
                "a question's folder are graded at once.",
                classes="dialog-message",
            )
            yield Input(self.path, id="workspace-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="close")
                yield Button("Copy path (c)", id="copy", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#copy", Button).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.value != self.path:  # selectable, not editable
            event.input.value = self.path

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "copy":
            self.action_copy()
        else:
            self.dismiss(None)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.path)
        self.app.notify(f"Copied {self.path}", title="Workspace path")
        self.dismiss(None)


@dataclass(frozen=True)
class KeyHelp:
    keys: str
    action: str


#: The help's key list: at most this many rows, fewer on a short terminal (then it scrolls).
HELP_MAX_ROWS = 16
#: Rows of the help box around its list: borders, title, the two-line mouse hint at 80
#: columns, the button and the gaps between them.
HELP_CHROME_ROWS = 16
HELP_MIN_ROWS = 4


class HelpKeysTable(FittedTable):
    """The help's keys: an action too long for a narrow terminal ends in "…", never cut."""

    COLUMN_SPECS = (ColumnSpec("keys", "Key"), ColumnSpec("action", "Action", flexible=True))


class HelpScreen(ModalScreen[None]):
    """Every key of the exam screen, built from the bindings so it is never out of date."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1,q", "dismiss", "Close")
    ]

    def __init__(self, keys: Iterable[KeyHelp]) -> None:
        super().__init__(classes="dialog")
        self.keys = list(keys)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help-box"):
            yield Static(Text("Keys", style="bold"), classes="dialog-title")
            table = HelpKeysTable(id="help-keys")
            table.show_cursor = False
            yield table
            yield Static(
                Text(
                    "Mouse: click a question, a file or a button. Every action is also in the "
                    "command palette (ctrl+p).",
                    style="dim",
                ),
                classes="dialog-message",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        table = self.query_one("#help-keys", HelpKeysTable)
        table.fill([(str(index), (item.keys, item.action)) for index, item in enumerate(self.keys)])
        table.focus()  # arrows and page keys scroll the list where the terminal is short
        self._fit_keys()

    def on_resize(self) -> None:
        self._fit_keys()

    def _fit_keys(self) -> None:
        """The list gets the rows the screen leaves beside the box's title, text and buttons."""
        table = self.query_one("#help-keys", HelpKeysTable)
        table.styles.max_height = max(
            HELP_MIN_ROWS, min(HELP_MAX_ROWS, self.size.height - HELP_CHROME_ROWS)
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)


class ResultsScreen(Screen[None]):
    """The end of the exam: each question's counted score, the total and pass or fail."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit_after_end", "Quit"),
        Binding("v", "app.view_report", "Report"),
        Binding("h", "app.export_report", "Export HTML"),
        Binding("escape", "back", "Back to the exam"),
    ]

    def __init__(self, view: ExamView, how: str, session_id: str, policy: str, note: str) -> None:
        super().__init__()
        self.view = view
        self.how = how
        self.session_id = session_id
        self.policy = policy
        self.note = note

    def compose(self) -> ComposeResult:
        result = self.view.result
        verdict = (
            Text(" PASS ", style="bold white on green")
            if result.passed
            else Text(" FAIL ", style="bold white on red")
        )
        with VerticalScroll(id="results"):
            yield Static(Text(self.how, style="bold"), id="results-title")
            yield Static(
                Text.assemble(
                    verdict,
                    (
                        f"  {result.points:g} of {result.max_points:g} points ({result.percent:.1f}%)",
                        "bold",
                    ),
                    f"; the pass mark is {result.pass_mark:g}%. The {self.policy} attempt of each question counts.",
                ),
                id="results-total",
            )
            table: DataTable[Text | str] = DataTable(id="results-table", show_cursor=False)
            yield table
            yield Static(self.note, id="results-note")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#results-table", DataTable)
        table.add_column("#", width=1)
        table.add_column("Question", width=30)
        table.add_column("Weight", width=6)
        table.add_column("Score", width=5)
        table.add_column("Points", width=6)
        table.add_column("Counted attempt", width=24)
        for number, item in enumerate(self.view.result.questions, start=1):
            counted = item.counted
            shown = (
                metric_text(
                    counted.metric_name or item.question.scoring.metric, counted.metric_value
                )
                if counted
                else ("not gradable" if item.state == "not-gradable" else "no model")
            )
            table.add_row(
                str(number),
                item.question.title,
                Text(f"{item.question.weight:g}", justify="right"),
                Text(score_label(item.score), style="bold", justify="right"),
                Text(f"{item.points:g}", justify="right"),
                shown,
            )

    def action_back(self) -> None:
        self.app.pop_screen()
