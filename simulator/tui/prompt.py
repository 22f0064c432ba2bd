"""The editor area: the selected question's prompt, rendered as Markdown, with its actions.

Rendering a prompt's Markdown costs about a tenth of a second of CPU, so each prompt is rendered
once, in its own scrolled pane, and switching questions only shows another pane (keeping where
the candidate had scrolled to). The first question's prompt is part of the first frame; the
others are prepared one by one in the background shortly after start.

A pane added to a ``ContentSwitcher`` after it was mounted stays visible unless it is hidden
first (only the children present at mount are hidden by the switcher), so every late pane is
mounted hidden and only ``current`` decides what shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, ContentSwitcher, Markdown, Static

from simulator.exam.format import Question, format_shape
from simulator.tui.status_bar import set_text

#: After the first frame, wait this long, then prepare one more prompt every PREPARE_EVERY_S.
PREPARE_AFTER_S = 1.5
PREPARE_EVERY_S = 0.4


def pane_id(question: Question) -> str:
    return f"prompt-{question.id}"


class PromptView(Vertical):
    """The question's header (title, interface), Submit and Test / Edit buttons, and the prompt."""

    def __init__(
        self,
        workspace: Path,
        questions: Sequence[Question],
        first: Question,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.workspace = workspace
        self.questions = list(questions)
        self.current = first
        # Kept at hand: a question switch must not search the DOM (every prompt's widgets).
        self._title_widget = Static(self._title(first), id="question-title")
        self._switcher = ContentSwitcher(initial=pane_id(first), id="prompts")
        #: Each question's pane, once made (mounted hidden until it is current).
        self._panes: dict[str, VerticalScroll] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="prompt-header"):
            yield self._title_widget
            yield Button("Submit and Test", id="submit-and-test", variant="primary", compact=True)
            yield Button("Edit", id="edit", compact=True)
        with self._switcher:
            yield self._pane(self.current)

    def on_mount(self) -> None:
        self.border_title = f"{self.current.workspace_folder}/prompt.md"
        self.set_timer(PREPARE_AFTER_S, self._prepare_next)

    def show(self, question: Question) -> None:
        """Show ``question``'s prompt: at once if it was prepared, else after rendering it."""
        if question is self.current and question.id in self._panes:
            return
        self.current = question
        self.border_title = f"{question.workspace_folder}/prompt.md"
        set_text(self._title_widget, self._title(question))
        if question.id not in self._panes:
            self._mount_hidden(question)
        self._switcher.current = pane_id(question)

    def focus_prompt(self) -> None:
        """Focus the prompt on show (it scrolls with the keys)."""
        self._panes[self.current.id].focus()

    @property
    def prepared(self) -> bool:
        """Whether every question's prompt has its pane (the background work is over)."""
        return all(q.id in self._panes for q in self.questions)

    def prompt_source(self, question: Question) -> str:
        return self._panes[question.id].query_one(Markdown).source

    def _prepare_next(self) -> None:
        for question in self.questions:
            if question.id not in self._panes:
                self._mount_hidden(question)
                self.set_timer(PREPARE_EVERY_S, self._prepare_next)
                return

    def _mount_hidden(self, question: Question) -> None:
        pane = self._pane(question)
        pane.display = False  # the switcher shows it when it becomes current, never before
        self._switcher.mount(pane)

    def _pane(self, question: Question) -> VerticalScroll:
        prompt_file = self.workspace / question.workspace_folder / "prompt.md"
        try:
            text = prompt_file.read_text(encoding="utf-8")
        except OSError as error:
            text = f"*The prompt could not be read:* `{error}`"
        pane = VerticalScroll(
            Markdown(text, classes="prompt-text"), id=pane_id(question), classes="prompt-pane"
        )
        self._panes[question.id] = pane
        return pane

    def _title(self, question: Question) -> Text:
        number = self.questions.index(question) + 1
        return Text.assemble(
            (f"Q{number} {question.title}", "bold"), (f"  {_interface(question)}", "dim")
        )


def _interface(question: Question) -> str:
    """``(28, 28) → (10,) softmax``: the shapes the grader insists on."""
    interface = question.interface
    return (
        f"{format_shape(interface.input_shape)} → {format_shape(interface.output_shape)} "
        f"{interface.output}"
    )
