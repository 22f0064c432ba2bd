"""The status bar: the countdown (always visible), the total so far and the graders' state."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from simulator.exam.durations import format_duration
from simulator.grading.pool import WorkerStatus
from simulator.training.resources import Resources
from simulator.tui.view_model import countdown_level


def set_text(widget: Static, content: Text | str) -> None:
    """Update a fixed-size Static only when its text changed, without a layout pass.

    A layout of the whole screen costs tens of milliseconds; the status bar changes every second.
    """
    plain = content.plain if isinstance(content, Text) else content
    if getattr(widget, "_shown_text", None) == (plain, str(content)):
        return
    widget._shown_text = (plain, str(content))  # type: ignore[attr-defined]
    widget.update(content, layout=False)


class StatusBar(Horizontal):
    """One line at the bottom: ``⏱ 4:47:26 left │ 12/75 (16%) │ grader ready``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Kept at hand: the screen's tick updates them every second.
        self._countdown = Static("", id="countdown")
        self._total = Static("", id="total")
        self._graders = Static("", id="graders")
        self._runs = Static("", id="runs-status")
        self._editor = Static("", id="editor-status")
        self._level: str | None = None

    def compose(self) -> ComposeResult:
        yield self._countdown
        yield self._total
        yield self._graders
        yield self._runs
        yield self._editor

    def show_countdown(self, remaining_s: float, ended: str | None) -> None:
        countdown = self._countdown
        if ended is not None:
            set_text(countdown, Text(f"⏱ {ended}", style="bold"))
            level = "ended"
        else:
            set_text(
                countdown, Text(f"⏱ {format_duration(max(0.0, remaining_s))} left", style="bold")
            )
            level = countdown_level(remaining_s)
        if level != self._level:
            self._level = level
            for name in ("calm", "warning", "danger", "ended"):
                countdown.set_class(name == level, f"-{name}")

    def show_total(self, label: str) -> None:
        set_text(self._total, f"Score {label}")

    def show_runs(self, resources: Resources) -> None:
        """``2 runs`` in the status bar; a warning sign when cores or memory are short."""
        label = self._runs
        warnings = resources.warnings()
        if not resources.runs and not warnings:
            set_text(label, "")
            return
        text = Text(f"{resources.runs} run{'s' if resources.runs != 1 else ''}", style="cyan")
        if resources.runs > resources.cores:
            text.append(f" ⚠ {resources.runs} on {resources.cores} cores", style="bold yellow")
        elif warnings:
            text.append(" ⚠ memory", style="bold yellow")
        set_text(label, text)

    def show_editor(self, text: Text) -> None:
        """The editor's line: the file and the cursor's line:column, a save, a syntax error."""
        set_text(self._editor, text)

    def show_graders(self, workers: list[WorkerStatus], queued: int) -> None:
        set_text(self._graders, graders_text(workers, queued))


def graders_text(workers: list[WorkerStatus], queued: int) -> Text:
    """``grader ready``, ``grading 2 (1 queued)``, ``grader starting…`` or ``graders stopped``."""
    busy = sum(1 for w in workers if w.state == "busy")
    idle = sum(1 for w in workers if w.state == "idle")
    starting = sum(1 for w in workers if w.state == "starting")
    noun = "grader" if len(workers) == 1 else "graders"
    waiting = f" ({queued} queued)" if queued else ""
    if busy:
        return Text(f"grading {busy}/{len(workers)}{waiting}", style="cyan")
    if starting and not idle:
        return Text(f"{noun} starting…{waiting}", style="dim")
    if idle:
        return Text(f"{noun} ready{waiting}", style="green")
    return Text(f"{noun} stopped{waiting}", style="dim")
