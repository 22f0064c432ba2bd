"""The editor area: the selected question's prompt, rendered as Markdown, with its actions."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Markdown, Static

from simulator.exam_format import Question, format_shape


class PromptView(Vertical):
    """The question's header (title, interface), Submit and Test / Edit buttons, and the prompt."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="prompt-header"):
            yield Static("", id="question-title")
            yield Button("Submit and Test", id="submit-and-test", variant="primary", compact=True)
            yield Button("Edit", id="edit", compact=True)
        with VerticalScroll(id="prompt-scroll"):
            yield Markdown("", id="prompt-text")

    async def show(self, number: int, question: Question, prompt_file: Path) -> None:
        self.border_title = f"{question.workspace_folder}/prompt.md"
        self.query_one("#question-title", Static).update(
            Text.assemble(
                (f"Q{number} {question.title}", "bold"),
                (f"  {_interface(question)}", "dim"),
            )
        )
        try:
            text = prompt_file.read_text(encoding="utf-8")
        except OSError as error:
            text = f"*The prompt could not be read:* `{error}`"
        await self.query_one("#prompt-text", Markdown).update(text)
        self.query_one("#prompt-scroll", VerticalScroll).scroll_home(animate=False)


def _interface(question: Question) -> str:
    """``(28, 28) → (10,) softmax``: the shapes the grader insists on."""
    interface = question.interface
    return (
        f"{format_shape(interface.input_shape)} → {format_shape(interface.output_shape)} "
        f"{interface.output}"
    )
