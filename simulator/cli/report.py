"""``tfexam report``, ``review`` and ``history``: what a session (or every session) came to."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simulator.cli.common import opened_store, session_as_it_stands
from simulator.cli.foreground import run_tui
from simulator.cli.group import cli, console
from simulator.exam.catalog import UnknownExamError, list_exams
from simulator.exam.durations import format_short, local_clock
from simulator.exam.format import ExamFormatError
from simulator.exam.metrics import score_label
from simulator.session.drills import drill_of_session
from simulator.session.sessions import exam_of
from simulator.storage.records import SessionRecord

if TYPE_CHECKING:
    from simulator.report.records import Report

REPORT_FORMATS = ("text", "html", "md", "json")


def _build_report(session_key: str | None) -> tuple[Report, SessionRecord]:
    """The session's report, after finishing the session if its deadline passed unattended."""
    from simulator.report.build import build_report

    paths, store = opened_store(write=False)
    session = session_as_it_stands(paths, store, session_key)
    return build_report(store, session, exam_of(session, paths)), session


def _print_report(built: Report) -> None:
    from simulator.report.text import report_renderable

    wrapping = Console(highlight=False)  # the shared console does not wrap; a report must
    wrapping.print(report_renderable(built, wrapping.width))


@cli.command()
@click.argument("session_key", metavar="[SESSION]", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True,
    help="text for the terminal, html (one self-contained file), md to share, json for tools.",
)  # fmt: skip
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write to a file ('-': standard output).",
)
def report(session_key: str | None, fmt: str, output: Path | None) -> None:
    """The session report: scores, every attempt, a timeline, CPU and memory, advice."""
    from simulator.report.markdown import render_markdown
    from simulator.report.text import render_text

    built, _session = _build_report(session_key)
    if output is not None and str(output) == "-":
        output = None  # '-' is standard output, as for every Unix tool
    if fmt == "json":
        text = json.dumps(built.to_json(), indent=2) + "\n"
    elif fmt == "html":
        from simulator.report.html import render_html

        text = render_html(built)
    elif fmt == "md":
        text = render_markdown(built)
    elif output is None:
        _print_report(built)
        return
    else:
        text = render_text(built, color=False)
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    console.print(f"Wrote {escape(str(output))}")


@cli.command()
@click.argument("session_key", metavar="[SESSION]", required=False)
def review(session_key: str | None) -> int:
    """The session report in the TUI: summary, questions, what went wrong, your code beside the
    reference, timeline (h saves HTML, d drills the question on show)."""
    from simulator.report.build import build_report

    paths, store = opened_store(write=False)
    session = session_as_it_stands(paths, store, session_key)
    built = build_report(store, session, exam_of(session, paths))
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo("tfexam: no terminal here, printing the report instead", err=True)
        _print_report(built)
        return 0
    from simulator.tui.report_screen import ReviewApp

    def create_drill(question_id: str) -> SessionRecord:
        return drill_of_session(store, paths, session, question_id)

    folder = session.workspace if session.workspace.is_dir() else Path.cwd()
    drill = ReviewApp(built, folder, None if store.read_only else create_drill).run()
    if drill is None:
        return 0
    # The drill key ended the review with a new drill: run it as 'tfexam drill' runs one.
    console.print(
        f"Created workspace [bold]{escape(str(drill.workspace))}[/] for a drill: "
        f"{format_short(drill.deadline - drill.started_at)}, ends at {local_clock(drill.deadline)}."
    )
    return run_tui(paths, store, drill)


@cli.command()
@click.option("--exam", "exam_name", help="Only this exam's sessions (its exams and drills).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def history(exam_name: str | None, as_json: bool) -> None:
    """Your sessions over time, exams and drills: score per category, total and the trend."""
    from simulator.report.history import build_history, category_scores, history_json

    paths, store = opened_store(write=False)
    every = store.list_sessions()
    if exam_name is not None:
        known = sorted({e.exam_id for e in list_exams(paths)} | {s.exam_id for s in every})
        if exam_name not in known:
            raise click.BadParameter(
                f"no exam called {exam_name!r} (known exams: {', '.join(known)})",
                param_hint="'--exam'",
            )
    sessions = [s for s in every if exam_name in (None, s.exam_id)]
    exams = {}
    for session in sessions:
        try:
            exams[session.id] = exam_of(session, paths)
        except (ExamFormatError, UnknownExamError):
            continue
    entries = build_history(store, exams, sessions)
    if as_json:
        click.echo(json.dumps(history_json(entries), indent=2))
        return
    if not entries:
        console.print("No sessions yet: start one with 'tfexam start' (or 'tfexam drill').")
        return
    table = Table(title="Sessions over time", title_justify="left")
    for name in ("started", "session", "exam", "kind", "seed", "1", "2", "3", "4", "5", "total",
                 "trend"):  # fmt: skip
        table.add_column(name, justify="left" if name in ("session", "exam", "kind") else "right")
    for entry in entries:
        trend = "" if entry.trend is None else f"{entry.trend:+.0f}"
        verdict = "[green]pass[/]" if entry.passed else "[red]fail[/]"
        if entry.state == "running":
            verdict = "[dim]running[/]"
        kind = f"drill {escape(entry.question or '')}" if entry.kind == "drill" else "exam"
        table.add_row(
            entry.started_at[:16].replace("T", " "), entry.session, entry.exam, kind,
            str(entry.seed), *(str(entry.categories.get(str(c), "")) for c in range(1, 6)),
            f"{entry.percent:.0f}% {verdict}", trend,
        )  # fmt: skip
    console.print(table)
    by_category = Table(
        title="Each category over time (oldest first; d: a drill)", title_justify="left"
    )
    for name in ("category", "scores", "last", "best"):
        by_category.add_column(name, justify="left" if name == "scores" else "right")
    for category, scores in category_scores(entries).items():
        by_category.add_row(
            str(category),
            " ".join(f"{s.score}{'d' if s.kind == 'drill' else ''}" for s in scores),
            score_label(scores[-1].score),
            score_label(max(s.score for s in scores)),
        )
    console.print(by_category)
