"""The headless face of the engine: one line per event, as text or as JSON lines.

Text lines are for people watching a terminal; ``--json`` gives one object per line
(``{"event": ..., "at": ISO-8601, ...}``) for scripts and for the tests that drive the CLI.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape

from simulator.durations import format_duration
from simulator.engine import EngineEvent


class EventPrinter:
    """Prints engine events; safe to call from the engine's thread."""

    def __init__(self, json_lines: bool, stream: TextIO | None = None) -> None:
        self.json_lines = json_lines
        self.stream = stream or sys.stdout
        self.console = Console(file=self.stream, highlight=False, soft_wrap=True)

    def __call__(self, event: EngineEvent) -> None:
        if self.json_lines:
            self.stream.write(json.dumps(event.to_json()) + "\n")
            self.stream.flush()
            return
        line = describe(event)
        if line is not None:
            clock = event.to_json()["at"][11:19]
            self.console.print(f"[dim]{clock}[/]  {line}")


def describe(event: EngineEvent) -> str | None:
    """A one-line, human description of an event (rich markup), or None for internal ones."""
    data: dict[str, Any] = event.data
    question = escape(str(data.get("question", "")))
    kind = event.kind
    if kind == "session-opened":
        verb = "resumed" if data.get("resumed") else "started"
        return (
            f"[bold]Session {event.session_id} {verb}[/]: {escape(str(data.get('exam_title')))}, "
            f"{format_duration(float(data.get('remaining_s', 0)))} left, workspace {escape(str(data.get('workspace')))}"
        )
    if kind == "worker-ready":
        return f"[dim]grader ready (pid {data['pid']}, warmed up in {data['warm_s']:.1f}s)[/]"
    if kind == "worker-exited":
        return f"[dim]grader {data['pid']} stopped: {escape(str(data['reason']))}[/]"
    if kind == "model-detected":
        return f"{question}: new model saved, attempt #{data['attempt']} queued"
    if kind == "attempt-requeued":
        why = f": {escape(str(data['reason']))}" if "reason" in data else " after a restart"
        return f"{question}: attempt #{data['attempt']} queued again{why}"
    if kind == "grading-started":
        return f"{question}: grading attempt #{data['attempt']}..."
    if kind == "attempt-graded":
        metric = data.get("metric") or {}
        value = metric.get("value")
        shown = f"{metric.get('name')} {value:.4g}" if isinstance(value, float) else "no metric"
        return (
            f"{question}: [bold green]{data['score']}/5[/] ({shown}); "
            f"question score {data['question_score']}/5"
        )
    if kind == "attempt-not-gradable":
        return f"{question}: [bold yellow]not gradable[/]: {escape(str(data.get('reason')))}"
    if kind == "attempt-superseded":
        return f"[dim]{question}: attempt #{data['attempt']} skipped, a newer save replaced it[/]"
    if kind == "attempt-rejected":
        return f"{question}: [red]saved after the exam ended[/]: recorded, not graded"
    if kind == "model-unchanged":
        return f"[dim]{question}: same content as attempt #{data['attempt']} ({data['state']}), not graded again[/]"
    if kind == "submit-and-test-failed":
        return f"{question}: {escape(str(data['reason']))}"
    if kind == "time-warning":
        return f"[bold yellow]time warning: {format_duration(float(data['remaining_s']))} left[/]"
    if kind == "deadline-reached":
        return f"[bold red]Time is up[/]: auto-submitting ({data['pending']} attempt(s) still being graded)"
    if kind == "submit-requested":
        return f"[bold]Submitting the exam[/] ({data['pending']} attempt(s) still being graded)"
    if kind == "session-submitted":
        total = data["total"]
        verdict = "[bold green]PASS[/]" if total["passed"] else "[bold red]FAIL[/]"
        how = (
            "auto-submitted at the deadline" if data["reason"] == "auto-submitted" else "submitted"
        )
        return f"[bold]Exam {how}[/]: {total['points']:g}/{total['max_points']:g} points ({total['percent']}%) {verdict}"
    if kind == "solutions-revealed":
        return f"Reference solutions are now in the workspace ({len(data['files'])} x reference_solution.py)"
    if kind == "engine-detached":
        return (
            f"Detached: the clock keeps running ({format_duration(float(data['remaining_s']))} left). "
            "Run 'tfexam resume' to come back."
        )
    if kind == "run-started":
        return f"{question}: training run #{data['run']} started (log: {escape(str(data['log']))})"
    if kind == "run-ended":
        code = data.get("exit_code")
        how = {
            "finished": "[green]finished[/]",
            "failed": "[red]failed[/]",
            "stopped": "stopped",
        }.get(str(data["state"]), str(data["state"]))
        exit_text = f", exit code {code}" if code is not None else ""
        return f"{question}: training run #{data['run']} {how}{exit_text}"
    if kind == "engine-error":
        return f"[bold red]{escape(str(data['message']))}[/]"
    return None
