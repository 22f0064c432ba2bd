"""The editor area: the selected question's prompt, rendered as Markdown, with its actions.

Rendering a prompt's Markdown costs about a tenth of a second of CPU, so each prompt is rendered
once, in its own scrolled pane, and switching questions only brings another pane into sight
(keeping where the candidate had scrolled to). The first question's prompt is part of the first
frame; the others are rendered one by one in the background shortly after start (or at once when
their question is chosen before that).

Every question's pane is there from the first frame, one under the other in a stack as tall as
the prompt area, and stays laid out; a switch scrolls the stack to the question's pane. Showing
and hiding panes instead (``display``, as a ``ContentSwitcher`` does) makes Textual lay the whole
screen out again and send every widget of the shown prompt Show and Resize events on each switch,
about a third of its CPU (issue 27, docs/benchmarks.md). Where the pane on show lies depends on
the stack's height, so the stack keeps itself scrolled to it at every arrangement (the first
one, a resize, a tool window shown or hidden): no frame can show another question's prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.layout import DockArrangeResult
from textual.widget import Widget
from textual.widgets import Button, Markdown, Static

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
        #: Each question's pane, from the start (empty until its prompt is rendered).
        self._panes = {
            q.id: PromptPane(id=pane_id(q), classes="prompt-pane") for q in self.questions
        }
        #: Each rendered prompt, once made.
        self._texts: dict[str, Markdown] = {}
        self._stack = PromptStack(self._panes[first.id], id="prompts")

    def compose(self) -> ComposeResult:
        with Horizontal(id="prompt-header"):
            yield self._title_widget
            yield Button("Submit and Test", id="submit-and-test", variant="primary", compact=True)
            yield Button("Edit", id="edit", compact=True)
        with self._stack:
            for question in self.questions:
                pane = self._panes[question.id]
                if question is self.current:
                    with pane:
                        yield self._text(question)
                else:
                    yield pane

    def on_mount(self) -> None:
        self.set_timer(PREPARE_AFTER_S, self._prepare_next)

    def show(self, question: Question) -> None:
        """Show ``question``'s prompt: at once if it was prepared, else once rendered (its pane,
        empty until then, is on show at once)."""
        if question is self.current:
            return
        self.current = question
        set_text(self._title_widget, self._title(question))
        if question.id not in self._texts:
            self._panes[question.id].mount(self._text(question))
        self._stack.bring(self._panes[question.id])

    def focus_prompt(self) -> None:
        """Focus the prompt on show (it scrolls with the keys)."""
        self._panes[self.current.id].focus()

    @property
    def prepared(self) -> bool:
        """Whether every question's prompt is rendered (the background work is over)."""
        return all(q.id in self._texts for q in self.questions)

    def prompt_source(self, question: Question) -> str:
        return self._texts[question.id].source

    def _prepare_next(self) -> None:
        for question in self.questions:
            if question.id not in self._texts:
                self._panes[question.id].mount(self._text(question))
                self.set_timer(PREPARE_EVERY_S, self._prepare_next)
                return

    def _text(self, question: Question) -> Markdown:
        prompt_file = self.workspace / question.workspace_folder / "prompt.md"
        try:
            text = prompt_file.read_text(encoding="utf-8")
        except OSError as error:
            text = f"*The prompt could not be read:* `{error}`"
        markdown = self._texts[question.id] = Markdown(text, classes="prompt-text")
        return markdown

    def _title(self, question: Question) -> Text:
        number = self.questions.index(question) + 1
        return Text.assemble(
            (f"Q{number} {question.title}", "bold"), (f"  {_interface(question)}", "dim")
        )


class PromptPane(VerticalScroll):
    """One question's prompt, scrolled with the keys when focused. Only the pane on show may
    take focus: Tab must never land in a prompt out of sight."""

    def __init__(self, *, id: str, classes: str) -> None:
        super().__init__(id=id, classes=classes)
        self.in_sight = False

    def allow_focus(self) -> bool:
        return self.in_sight and super().allow_focus()

    def allow_focus_children(self) -> bool:
        return self.in_sight and super().allow_focus_children()


class PromptStack(Container):
    """The prompt panes one under the other, each as tall as the stack, with one in sight.

    Its overflow is hidden (``Container``), so neither the keys nor the mouse wheel at a pane's
    end scroll it; :meth:`bring` does. Where a pane lies depends on the stack's height, which
    changes with the terminal and the tool window, and a pane's place is only known once it is
    arranged; so each arrangement (:meth:`arrange`, which Textual's compositor calls just before
    it places the panes with the stack's scroll offset) sets the offset to the front pane's top.
    """

    def __init__(self, front: PromptPane, *, id: str) -> None:
        super().__init__(id=id)
        self._front = front
        front.in_sight = True
        #: Each pane's top in the last arrangement.
        self._tops: dict[Widget, int] = {}

    def bring(self, pane: PromptPane) -> None:
        """Bring ``pane`` into sight; the focus goes with it if the pane on show had it."""
        before, self._front = self._front, pane
        before.in_sight, pane.in_sight = False, True
        if before.has_focus:
            pane.focus()
        top = self._tops.get(pane)
        if top is not None:  # else the first arrangement brings it
            self.scroll_to(y=top, animate=False, immediate=True, force=True)

    def arrange(self, size: Size, optimal: bool = False) -> DockArrangeResult:
        arrangement = super().arrange(size, optimal)
        self._tops = {p.widget: p.region.y for p in arrangement.placements}
        top = self._tops.get(self._front)
        if top is not None and top != self.scroll_y:
            # Without the watchers: this is the layout itself (the panes are placed next).
            self.set_reactive(Widget.scroll_y, float(top))
            self.set_reactive(Widget.scroll_target_y, float(top))
        return arrangement


def _interface(question: Question) -> str:
    """``(28, 28) → (10,) softmax``: the shapes the grader insists on."""
    interface = question.interface
    return (
        f"{format_shape(interface.input_shape)} → {format_shape(interface.output_shape)} "
        f"{interface.output}"
    )
