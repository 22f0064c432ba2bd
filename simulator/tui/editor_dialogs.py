"""The editor's questions: keep or throw away changes, a file changed on disk, changes left by a
crash, recent files, go to line. Each answers with a value (``dismiss``), never acts itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Integer
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option


@dataclass(frozen=True)
class Choice:
    """A button of a :class:`ChoiceDialog`: what it answers, its label, its look."""

    answer: str
    label: str
    variant: str = "default"


class ChoiceDialog(ModalScreen[str]):
    """A question with a few answers; the first choice is focused, Escape answers ``escape``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "escape", "Cancel")]

    def __init__(self, title: str, message: str, choices: Sequence[Choice], escape: str) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.message = message
        self.choices = list(choices)
        self.escape_answer = escape

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield Static(self.message, classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                for choice in self.choices:
                    yield Button(choice.label, id=f"choice-{choice.answer}",
                                 variant=choice.variant)  # type: ignore[arg-type]  # fmt: skip

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.is_current:  # keys typed ahead can press twice before the dialog is gone
            self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_escape(self) -> None:
        if self.is_current:
            self.dismiss(self.escape_answer)


def save_changes_dialog(label: str) -> ChoiceDialog:
    """Closing a tab with unsaved changes (answers ``save``, ``discard`` or ``cancel``)."""
    return ChoiceDialog(
        f"Save changes to {label}?",
        "The tab has changes that are not in the file yet.",
        [
            Choice("save", "Save", "primary"),
            Choice("discard", "Don't save", "error"),
            Choice("cancel", "Cancel"),
        ],
        escape="cancel",
    )


def conflict_dialog(label: str) -> ChoiceDialog:
    """PyCharm's File Cache Conflict: the file changed on disk while the tab has its own edits
    (answers ``disk`` or ``mine``)."""
    return ChoiceDialog(
        f"{label} changed on disk",
        "Another program changed the file while this tab has changes of its own. Load the "
        "file from disk (your changes here are lost), or keep your changes (the next save "
        "replaces the file on disk)?",
        [Choice("mine", "Keep my changes", "primary"), Choice("disk", "Load from disk", "error")],
        escape="mine",
    )


def restore_dialog(labels: Sequence[str]) -> ChoiceDialog:
    """Unsaved editor changes kept from before a crash (answers ``restore`` or ``discard``)."""
    names = ", ".join(labels)
    return ChoiceDialog(
        "Restore unsaved changes?",
        f"tfexam closed while these tabs had changes that were not saved: {names}. Restore "
        "them (they open in tabs, unsaved), or throw them away?",
        [Choice("restore", "Restore", "primary"), Choice("discard", "Throw away", "error")],
        escape="restore",
    )


class RecentFilesDialog(ModalScreen[str | None]):
    """PyCharm's Recent Files (Ctrl+E): the files opened in this session, newest first."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, labels: Sequence[str]) -> None:
        super().__init__(classes="dialog")
        self.labels = list(labels)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box recent-box"):
            yield Static(Text("Recent files", style="bold"), classes="dialog-title")
            yield OptionList(*(Option(label, id=label) for label in self.labels), id="recent")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.is_current:
            self.dismiss(event.option.id)


class GoToLineDialog(ModalScreen[int | None]):
    """PyCharm's Go to Line (Ctrl+G)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, lines: int) -> None:
        super().__init__(classes="dialog")
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box goto-box"):
            yield Static(Text(f"Go to line (1-{self.lines})", style="bold"),
                         classes="dialog-title")  # fmt: skip
            yield Input(placeholder="line", id="line",
                        validators=[Integer(minimum=1, maximum=self.lines)])  # fmt: skip

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.is_current:  # a second Enter typed ahead, before the dialog was gone
            return
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.app.bell()
            return
        self.dismiss(int(event.value))
