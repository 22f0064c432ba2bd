"""The exam session's commands: ``start``, ``resume``, ``status``, ``submit`` and ``sessions``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Column, Table

from simulator.cli.common import (
    duration_option,
    grading_options,
    grading_settings,
    log_to,
    opened_store,
    session_as_it_stands,
)
from simulator.cli.foreground import run_headless, run_tui, use_tui
from simulator.cli.group import cli, console
from simulator.cli.status_text import print_status, show_status
from simulator.exam.catalog import DEFAULT_EXAM, UnknownExamError, find_exam
from simulator.exam.durations import format_duration, format_short, local_clock
from simulator.exam.format import Exam, ExamFormatError, Policy, Question
from simulator.paths import DataPaths
from simulator.session.sessions import (
    FEEDBACK_CHOICES,
    NewSession,
    SeedNotAllowedError,
    create_session,
    drawn_exam,
    exam_of,
    session_seed,
    set_feedback,
)
from simulator.session.status import session_status
from simulator.session.submission import submit_session
from simulator.storage.liveness import engine_is_live
from simulator.storage.records import Feedback, SessionRecord
from simulator.storage.store import Store

HEADLESS_OPTION = click.option(
    "--headless", is_flag=True, help="Run without the TUI: print one line per event."
)
JSON_EVENTS_OPTION = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object per event (implies --headless)."
)
#: ``--feedback`` of start and resume: what the exam screen shows of each grading (kept in the
#: session's settings; resume without it keeps the session's choice).
_FEEDBACK = click.option(
    "--feedback",
    type=click.Choice(FEEDBACK_CHOICES),
    default=None,
    help="What each grading shows: the score and its message, as the real exam did "
    "(score, the default), or every check that made it (checks).",
)


@cli.command()
@click.argument("exam_name", metavar="[EXAM]", required=False)
@click.option(
    "--mix",
    is_flag=True,
    help="An exam drawn from the bank: one offline question of each category from every "
    "installed exam, with fresh data ('--seed' repeats the draw).",
)
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to create for the exam project.",
)
@click.option(
    "--duration",
    "duration_s",
    callback=duration_option,
    help="Exam length, e.g. 5h, 90m, 1h30m, 45s (default: the exam's).",
)
@click.option(
    "--policy",
    type=click.Choice(["best", "last"]),
    help="Which attempt counts (default: the exam's).",
)
@click.option(
    "--seed",
    type=click.IntRange(0),
    help="Data seed: repeats a session's data exactly (default: fresh data every session of an "
    "exam that generates its data; 'tfexam status' shows a session's seed).",
)
@click.option("--workers", type=click.IntRange(1, 8), help="Grading processes (default 1).")
@click.option(
    "--python", "python", help="Python for training runs (default: the one running tfexam)."
)
@click.option(
    "--candidate",
    help="Your name, kept in the session and its report (for a course's 'tfexam cohort').",
)
@grading_options
@HEADLESS_OPTION
@JSON_EVENTS_OPTION
@_FEEDBACK
def start(
    exam_name: str | None,
    mix: bool,
    workspace: Path | None,
    duration_s: int | None,
    policy: str | None,
    seed: int | None,
    workers: int | None,
    python: str | None,
    candidate: str | None,
    grading_timeout: float | None,
    memory_limit: int | None,
    max_model_mb: int | None,
    headless: bool,
    as_json: bool,
    feedback: Feedback | None,
) -> int:
    """Start a timed mock exam (default: practice) and grade every saved model."""
    paths, store = opened_store()
    if mix:
        if exam_name is not None:
            raise click.BadParameter("--mix draws its own exam: leave EXAM out", param_hint="EXAM")
        exam, seed = drawn_exam(paths, seed)
    else:
        exam = find_exam(exam_name or DEFAULT_EXAM, paths)
    try:
        seed = session_seed(exam, seed)
    except SeedNotAllowedError as error:
        raise click.BadParameter(str(error), param_hint="'--seed'") from None
    grading = grading_settings(
        workers=workers,
        timeout_s=grading_timeout,
        memory_limit_mb=memory_limit,
        max_model_mb=max_model_mb,
    )
    request = NewSession(
        exam=exam,
        workspace=workspace,
        duration_s=duration_s,
        policy=cast("Policy | None", policy),  # click.Choice admits only the two policies
        grading=grading,
        python=python,
        seed=seed,
        candidate=candidate.strip() or None if candidate else None,
        feedback=feedback,
    )
    return create_and_open(paths, store, request, headless=headless, as_json=as_json)


def create_and_open(
    paths: DataPaths, store: Store, request: NewSession, *, headless: bool, as_json: bool
) -> int:
    """Create the session, say where its workspace is and when it ends, and open it (the exam
    screen, or headless): what ``tfexam start`` and ``tfexam drill`` do once they have a request."""
    session = create_with_progress(store, request, show=not as_json)
    if not as_json:
        console.print(
            f"Created workspace [bold]{escape(str(session.workspace))}[/] for "
            f"{escape(request.exam.title)}: {format_short(session.deadline - session.started_at)}, "
            f"ends at {local_clock(session.deadline)}{seed_note(request.exam, request.seed)}."
        )
    if use_tui(headless, as_json):
        return run_tui(paths, store, session)
    return run_headless(paths, store, session, as_json)


def seed_note(exam: Exam, seed: int | None) -> str:
    """How to get this session's data again, for an exam that draws new data per session."""
    if not exam.fresh_data or seed is None:
        return ""
    return f"; data seed {seed} (--seed {seed} repeats it)"


def create_with_progress(store: Store, request: NewSession, show: bool) -> SessionRecord:
    """Create the session; show a progress bar while the questions' data is written.

    Only on a terminal: elsewhere a transient bar draws nothing but leaves an empty line.
    """
    if not show or not console.is_terminal:
        return create_session(store, request, background=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("Preparing the workspace", total=len(request.exam.questions))

        def step(question: Question) -> None:
            progress.update(task, description=f"Preparing {question.workspace_folder}/", advance=1)

        return create_session(store, request, on_question=step, background=True)


@cli.command()
@click.argument("session_key", metavar="[SESSION]", required=False)
@HEADLESS_OPTION
@JSON_EVENTS_OPTION
@_FEEDBACK
def resume(
    session_key: str | None, headless: bool, as_json: bool, feedback: Feedback | None
) -> int:
    """Reattach to a session (default: the newest); its clock never stopped."""
    paths, store = opened_store()
    session = store.find_session(session_key)
    if feedback is not None and session.state == "running":
        session = set_feedback(store, session, feedback)
    tui = use_tui(headless, as_json)
    if session.state == "submitted" and not tui:
        if as_json:  # every command that takes --json prints only JSON
            show_status(paths, store, session, as_json=True)
            return 0
        console.print(f"Session {session.id} was already submitted.")
        print_status(session_status(store, session, exam_of(session, paths)))
        return 0
    if tui:
        return run_tui(paths, store, session)
    return run_headless(paths, store, session, as_json)


@cli.command()
@click.argument("session_key", metavar="[SESSION]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(session_key: str | None, as_json: bool) -> None:
    """Show a session's clock, scores and attempts (default: the newest session)."""
    paths, store = opened_store(write=False)
    session = session_as_it_stands(paths, store, session_key)
    show_status(paths, store, session, as_json)


@cli.command()
@click.argument("session_key", metavar="[SESSION]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the final status as JSON.")
def submit(session_key: str | None, as_json: bool) -> int:
    """Submit and end the exam now (from any terminal): saved models are graded, then frozen."""
    paths, store = opened_store()
    session = store.find_session(session_key)
    if session.state == "running" and not engine_is_live(session):
        # This process finalizes it (grading what is pending): its log is the engine's.
        log_to(paths.engine_log(session.id))
    session = submit_session(store, paths, session)
    show_status(paths, store, session, as_json)
    return 0


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sessions(as_json: bool) -> None:
    """List every session, newest first."""
    paths, store = opened_store(write=False)
    rows = []
    for session in store.list_sessions():
        try:
            exam = exam_of(session, paths)
        except (ExamFormatError, UnknownExamError):
            continue
        rows.append(session_status(store, session, exam))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        console.print("No sessions yet: start one with 'tfexam start'.")
        return
    table = Table(
        Column("session", no_wrap=True, min_width=max(len(row["session"]) for row in rows)),
        "exam", "started", "state", "total", box=None, header_style="bold",
    )  # fmt: skip
    for row in rows:
        total = row["total"]
        if row["state"] == "running":
            # Not a verdict yet: a running session has neither passed nor failed.
            state = f"running, {format_duration(row['remaining_s'])} left"
            score = f"{total['percent']:.1f}% so far"
        else:
            state = row["end_reason"] or row["state"]
            score = f"{total['percent']:.1f}% {'pass' if total['passed'] else 'fail'}"
        exam_name = row["exam"]
        if row["kind"] == "drill":  # a session of one question (tfexam drill)
            exam_name = f"{exam_name} (drill {row['questions'][0]['id']})"
        table.add_row(row["session"], exam_name, row["started_at"][:16].replace("T", " "), state,
                      score)  # fmt: skip
    console.print(table)
