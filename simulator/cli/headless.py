"""The headless face of the engine: one line per event, as text or as JSON lines.

Text lines are for people watching a terminal; ``--json`` gives one object per line
(``{"event": ..., "at": ISO-8601, ...}``, :func:`simulator.session.events.event_json`) for scripts and
for the tests that drive the CLI.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from simulator.exam.durations import format_duration, iso_time
from simulator.exam.metrics import format_metric, score_label
from simulator.grading.checks import Check
from simulator.report.values import check_mark, check_text
from simulator.session import events
from simulator.training.runs import exit_text


class EventPrinter:
    """Prints engine events; safe to call from the engine's thread."""

    def __init__(
        self, json_lines: bool, stream: TextIO | None = None, *, checks: bool = False
    ) -> None:
        """``checks``: the session shows each grading's checks (``--feedback checks``)."""
        self.json_lines = json_lines
        self.stream = stream or sys.stdout
        self.console = Console(file=self.stream, highlight=False, soft_wrap=True)
        self.checks = checks

    def __call__(self, event: events.SessionEvent) -> None:
        shown = self._checks_of(event)
        if self.json_lines:
            data = events.event_json(event)
            if shown is not None:
                data["checks"] = [check.to_dict() for check in shown]
            self.stream.write(json.dumps(data) + "\n")
            self.stream.flush()
            return
        line = describe(event)
        if line is not None:
            clock = iso_time(event.at)[11:19]
            self.console.print(f"[dim]{clock}[/]  {line}")
            for check in shown or ():
                self.console.print(f"          {check_mark(check)} {escape(check_text(check))}")

    def _checks_of(self, event: events.SessionEvent) -> tuple[Check, ...] | None:
        """The checks an outcome event shows, where the session shows them."""
        if not self.checks or not isinstance(
            event, events.AttemptGraded | events.AttemptNotGradable
        ):
            return None
        return event.attempt.checks


def _left(remaining_s: float) -> str:
    """The time left as the event lines show it (to a tenth of a second)."""
    return format_duration(round(remaining_s, 1))


def describe(event: events.SessionEvent) -> str | None:
    """A one-line, human description of an event (rich markup), or None for internal ones."""
    question = escape(getattr(event, "question_id", ""))
    match event:
        case events.SessionOpened():
            verb = "resumed" if event.resumed else "started"
            return (
                f"[bold]Session {event.session_id} {verb}[/]: {escape(event.exam_title)}, "
                f"{_left(event.remaining_s)} left, "
                f"workspace {escape(str(event.workspace))}"
            )
        case events.WorkerReady():
            return f"[dim]grader ready (pid {event.pid}, warmed up in {round(event.warm_s, 2):.1f}s)[/]"
        case events.WorkerExited():
            return f"[dim]grader {event.pid} stopped: {escape(event.reason.text)}[/]"
        case events.ModelDetected():
            return f"{question}: new model saved, attempt #{event.attempt.number} queued"
        case events.AttemptRequeued():
            why = f": {escape(event.reason.text)}" if event.reason else " after a restart"
            return f"{question}: attempt #{event.attempt.number} queued again{why}"
        case events.GradingStarted():
            return f"{question}: grading attempt #{event.attempt.number}..."
        case events.AttemptGraded():
            attempt = event.attempt
            shown = (
                format_metric(attempt.metric_name, attempt.metric_value)
                if attempt.metric_name and attempt.metric_value is not None
                else "no metric"
            )
            return (
                f"{question}: [bold green]{score_label(attempt.score)}[/] ({shown}); "
                f"question score {score_label(event.question_score)}"
            )
        case events.AttemptNotGradable():
            return f"{question}: [bold yellow]not gradable[/]: {escape(event.reason.text)}"
        case events.AttemptSuperseded():
            return f"[dim]{question}: attempt #{event.attempt.number} skipped, a newer save replaced it[/]"
        case events.AttemptRejected():
            return f"{question}: [red]saved after the exam ended[/]: recorded, not graded"
        case events.ModelUnchanged():
            previous = event.previous
            return (
                f"[dim]{question}: same content as attempt #{previous.number} ({previous.state}), "
                "not graded again[/]"
            )
        case events.SubmitAndTestFailed():
            return f"{question}: {escape(event.reason.text)}"
        case events.TimeWarning():
            return f"[bold yellow]time warning: {_left(event.remaining_s)} left[/]"
        case events.DeadlineReached():
            return (
                "[bold red]Time is up[/]: auto-submitting "
                f"({event.pending} attempt(s) still being graded)"
            )
        case events.SubmitRequested():
            return f"[bold]Submitting the exam[/] ({event.pending} attempt(s) still being graded)"
        case events.SessionSubmitted():
            total = event.result
            verdict = "[bold green]PASS[/]" if total.passed else "[bold red]FAIL[/]"
            how = (
                "auto-submitted at the deadline"
                if event.reason == "auto-submitted"
                else "submitted"
            )
            return (
                f"[bold]Exam {how}[/]: {total.points:g}/{total.max_points:g} points "
                f"({round(total.percent, 1)}%) {verdict}"
            )
        case events.SolutionsRevealed():
            return (
                "Reference solutions are now in the workspace "
                f"({len(event.files)} x reference_solution.py)"
            )
        case events.EngineDetached():
            return (
                "Detached: the clock keeps running "
                f"({_left(event.remaining_s)} left). "
                "Run 'tfexam resume' to come back."
            )
        case events.RunStarted():
            return (
                f"{question}: training run #{event.run.number} started "
                f"(log: {escape(str(event.run.log_path))})"
            )
        case events.RunEnded():
            run = event.run
            how = {
                "finished": "[green]finished[/]",
                "failed": "[red]failed[/]",
                "stopped": "stopped",
            }.get(run.state, run.state)
            ending = f", {exit_text(run.exit_code)}" if run.exit_code is not None else ""
            return f"{question}: training run #{run.number} {how}{ending}"
        case events.EngineFailed():
            return f"[bold red]{escape(event.message)}[/]"
        case events.QuestionReady():
            return (
                f"{question}: data ready ({event.seconds:.1f} s; "
                f"{event.ready} of {event.total} questions ready)"
            )
        case events.QuestionDataFailed():
            return (
                f"[bold red]{question}: its data could not be written: {escape(event.message)}[/]"
            )
    return None
