"""A session's status as ``tfexam status`` prints it (and start, resume and submit at the end)."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from simulator.cli.group import console
from simulator.exam.durations import format_duration
from simulator.exam.metrics import format_metric, score_label
from simulator.paths import DataPaths
from simulator.session.sessions import exam_of
from simulator.session.status import session_status
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store


def show_status(paths: DataPaths, store: Store, session: SessionRecord, as_json: bool) -> None:
    """The session's status contract, as JSON or as text."""
    report = session_status(store, session, exam_of(session, paths))
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        print_status(report)


def print_status(report: dict[str, Any]) -> None:
    """The status contract (:func:`~simulator.session.status.session_status`) as text."""
    total = report["total"]
    if report["state"] == "running":
        clock = f"{format_duration(report['remaining_s'])} left"
    else:
        clock = (
            "auto-submitted at the deadline"
            if report["end_reason"] == "auto-submitted"
            else "submitted"
        )
    verdict = "[green]pass[/]" if total["passed"] else "[red]below the pass mark[/]"
    console.print(f"[bold]{report['session']}[/] {escape(report['exam_title'])}: {clock}")
    console.print(f"workspace {escape(report['workspace'])}, data seed {report['seed']}")
    if report["state"] == "running" and not report["engine_attached"]:
        console.print(
            "[yellow]no tfexam is watching this session:[/] the clock runs on; saves are graded "
            f"when you run 'tfexam resume {report['session']}'"
        )
    table = Table(
        "cat", "question", "state", "score", "metric", "attempts", box=None, header_style="bold"
    )
    for q in report["questions"]:
        value = q["metric"]["value"]
        metric = format_metric(q["metric"]["name"], value) if value is not None else ""
        table.add_row(
            str(q["category"]),
            escape(q["title"]),
            q["state"],
            score_label(q["score"]),
            metric,
            str(q["attempts"]),
        )
    console.print(table)
    console.print(
        f"total {total['points']:g}/{total['max_points']:g} points ({total['percent']:.1f}%), "
        f"pass mark {total['pass_mark']:g}%: {verdict}"
    )
