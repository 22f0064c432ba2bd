"""The ``tfexam`` command: the contract that the TUI, the report and outside scripts rely on.

Exit codes: 0 ok, 2 usage error, 1 anything else, always with a one-line message (the traceback
only with ``--debug``). No command imports TensorFlow: grading happens in worker processes.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, cast

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Column, Table

from simulator import __version__
from simulator.cli.headless import EventPrinter
from simulator.exam.catalog import DEFAULT_EXAM, UnknownExamError, find_exam, list_exams
from simulator.exam.durations import (
    DurationError,
    format_duration,
    format_short,
    local_clock,
    parse_duration,
)
from simulator.exam.format import Exam, ExamFormatError, Policy, Question, format_shape
from simulator.exam.metrics import format_metric, score_label
from simulator.exam.workspace import WorkspaceError
from simulator.grading.checks import refused
from simulator.grading.filecheck import refusal_reason
from simulator.grading.protocol import GradingResult
from simulator.grading.settings import GRADING_SLACK_S, GradingSettings
from simulator.grading.sync import GradingError, SyncGrader
from simulator.paths import DataPaths, data_paths
from simulator.session.engine import Engine, EngineBusyError
from simulator.session.facade import SessionFacade
from simulator.session.sessions import (
    FEEDBACK_CHOICES,
    Feedback,
    NewSession,
    SeedNotAllowedError,
    create_session,
    exam_of,
    feedback_of,
    finalize_if_due,
    seed_of,
    session_seed,
    set_feedback,
)
from simulator.session.status import session_status
from simulator.storage.liveness import engine_is_live
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store, StoreError

if TYPE_CHECKING:
    from simulator.report.records import Report

#: Errors that mean "the user asked for something that cannot be done": one line, exit 1.
EXPECTED_ERRORS = (
    ExamFormatError,
    UnknownExamError,
    StoreError,
    WorkspaceError,
    DurationError,
    EngineBusyError,
    GradingError,
    KeyError,
    FileNotFoundError,
)


def _console_width() -> int | None:
    """Tables in a pipe are not cut to 80 columns: a script reads whole rows. COLUMNS still rules."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return None
    return PIPE_WIDTH


#: The width tables may take when standard output is not a terminal (and COLUMNS is not set).
PIPE_WIDTH = 1000
console = Console(highlight=False, soft_wrap=True, width=_console_width())


class CliError(click.ClickException):
    """A failure to report in one line with exit code 1."""


def _duration_option(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """Parse ``--duration`` while click parses, so a bad value is a usage error (exit 2)."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except DurationError as error:
        raise click.BadParameter(str(error)) from None


def _open_store(*, write: bool = True) -> tuple[DataPaths, Store]:
    """The store; commands that only read (``write=False``) also work on a home they cannot write
    to, and say so on stderr; the others refuse it in one line."""
    paths = data_paths()
    if _writable(paths.root):
        return paths, Store(paths.database)
    if write:
        raise CliError(
            f"TFEXAM_HOME {paths.root} is not writable: this command must record to it "
            "(set TFEXAM_HOME to a folder you can write to)"
        )
    click.echo(
        f"tfexam: TFEXAM_HOME {paths.root} is not writable: showing what is stored, changing nothing",
        err=True,
    )
    return paths, Store(paths.database, read_only=True)


def _writable(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (tried, since root ignores permissions but not
    a read-only file system)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _log_to(path: Path) -> None:
    """Engine and pool logs go to a file; the terminal only ever shows events."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tfexam")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def cli(debug: bool) -> None:
    """A mock-exam simulator for the TensorFlow Developer Certificate.

    Start a timed mock exam with 'tfexam start', save models into the workspace, and watch them
    being graded. Data lives in $TFEXAM_HOME (else the platform's user data folder).
    """


# Exams ------------------------------------------------------------------------------------------


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def exams(ctx: click.Context, as_json: bool) -> None:
    """List the mock exams (and 'exams show EXAM' for one exam's questions)."""
    if ctx.invoked_subcommand is not None:
        return
    paths = data_paths()
    entries = list_exams(paths)
    if as_json:
        click.echo(json.dumps([
            {"id": e.exam_id, "path": str(e.path), "valid": e.exam is not None,
             "title": e.exam.title if e.exam else None,
             "questions": len(e.exam.questions) if e.exam else None,
             "duration_s": e.exam.duration_s if e.exam else None,
             "error": str(e.error) if e.error else None}
            for e in entries
        ], indent=2))  # fmt: skip
        return
    table = Table("exam", "title", "questions", "duration", box=None, header_style="bold")
    for entry in entries:
        if entry.exam is None:
            table.add_row(entry.exam_id, f"[red]invalid: {escape(str(entry.error))}[/]", "", "")
        else:
            exam = entry.exam
            table.add_row(
                exam.id, escape(exam.title), str(len(exam.questions)), format_short(exam.duration_s)
            )
    console.print(table)


@exams.command("show")
@click.argument("exam_name", metavar="EXAM")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def exams_show(exam_name: str, as_json: bool) -> None:
    """Show an exam's questions and their fixed model interfaces."""
    exam = find_exam(exam_name, data_paths())
    if as_json:
        click.echo(json.dumps(exam.to_dict(), indent=2))
        return
    console.print(f"[bold]{escape(exam.title)}[/] ({exam.id}): {format_short(exam.duration_s)}, "
                  f"pass mark {exam.pass_mark:g}%, the {exam.policy} attempt counts")  # fmt: skip
    if exam.description:
        console.print(escape(exam.description))
    model_files = {" or ".join(q.model_files) for q in exam.questions}
    shared_files = model_files.pop() if len(model_files) == 1 else None
    if shared_files:
        console.print(f"Every question's model file: {shared_files}")
    # Ids are what other commands take: never cut them, whatever the width (80 in a pipe).
    table = Table(
        Column("cat"),
        Column("question (id)", min_width=max(len(q.id) for q in exam.questions)),
        Column("weight"),
        *([] if shared_files else [Column("model file")]),
        Column("input", no_wrap=True),
        Column("output"),
        Column("metric"),
        box=None,
        header_style="bold",
    )
    for q in exam.questions:
        table.add_row(
            str(q.category), f"{escape(q.title)}\n[dim]{q.id}[/]", f"{q.weight:g}",
            *([] if shared_files else [" or ".join(q.model_files)]),
            format_shape(q.interface.input_shape),
            f"{format_shape(q.interface.output_shape)} {q.interface.output}", q.scoring.metric,
        )  # fmt: skip
    console.print(table)


# Sessions ---------------------------------------------------------------------------------------


#: ``--feedback`` of start and resume: what the exam screen shows of each grading (kept in the
#: session's settings; resume without it keeps the session's choice).
FEEDBACK_OPTION = click.option(
    "--feedback",
    type=click.Choice(FEEDBACK_CHOICES),
    default=None,
    help="What each grading shows: the score and its message, as the real exam did "
    "(score, the default), or every check that made it (checks).",
)


def _grading_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--grading-timeout",
            type=click.FloatRange(1, 3600),
            help="Seconds one grading job may take (default 120).",
        ),
        click.option(
            "--memory-limit",
            # A warm grading worker alone holds about 600 MB (TensorFlow).
            type=click.IntRange(1024),
            help="MB of memory one grading job may use (default 4096, or half the machine's "
            "memory if that is less; at least 1024).",
        ),
        click.option(
            "--max-model-size",
            "max_model_mb",
            type=click.IntRange(1),
            help="MB a model file may have; a larger one is not gradable (default 2000).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _grading_settings(**overrides: float | None) -> GradingSettings:
    """The default grading settings with the command line's overrides (None: not given)."""
    chosen = {key: value for key, value in overrides.items() if value is not None}
    return GradingSettings.from_dict({**GradingSettings.defaults().to_dict(), **chosen})


@cli.command()
@click.argument("exam_name", metavar="[EXAM]", default=DEFAULT_EXAM)
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to create for the exam project.",
)
@click.option(
    "--duration",
    "duration_s",
    callback=_duration_option,
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
@_grading_options
@click.option("--headless", is_flag=True, help="Run without the TUI: print one line per event.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object per event (implies --headless)."
)
@FEEDBACK_OPTION
def start(
    exam_name: str,
    workspace: Path | None,
    duration_s: int | None,
    policy: str | None,
    seed: int | None,
    workers: int | None,
    python: str | None,
    grading_timeout: float | None,
    memory_limit: int | None,
    max_model_mb: int | None,
    headless: bool,
    as_json: bool,
    feedback: Feedback | None,
) -> int:
    """Start a timed mock exam (default: practice) and grade every saved model."""
    paths, store = _open_store()
    exam = find_exam(exam_name, paths)
    try:
        seed = session_seed(exam, seed)
    except SeedNotAllowedError as error:
        raise click.BadParameter(str(error), param_hint="'--seed'") from None
    grading = _grading_settings(
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
        feedback=feedback,
    )
    session = _create_with_progress(store, request, show=not as_json)
    if not as_json:
        console.print(
            f"Created workspace [bold]{escape(str(session.workspace))}[/] for {escape(exam.title)}: "
            f"{format_short(session.deadline - session.started_at)}, ends at "
            f"{local_clock(session.deadline)}{_seed_note(exam, seed)}."
        )
    if _use_tui(headless, as_json):
        return _run_tui(paths, store, session)
    return _run_headless(paths, store, session, as_json)


def _seed_note(exam: Exam, seed: int) -> str:
    """How to get this session's data again, for an exam that draws new data per session."""
    return f"; data seed {seed} (--seed {seed} repeats it)" if exam.fresh_data else ""


def _use_tui(headless: bool, as_json: bool) -> bool:
    """The TUI needs a terminal on both ends; without one, run headless and say so."""
    if headless or as_json:
        return False
    if sys.stdin.isatty() and sys.stdout.isatty():
        return True
    click.echo(
        "tfexam: no terminal here, running headless (pass --headless to silence this)", err=True
    )
    return False


def _run_tui(paths: DataPaths, store: Store, session: SessionRecord) -> int:
    """Open the exam screen over the engine; print where things stand once it closes."""
    from simulator.tui.app import ExamApp  # Textual is loaded only when the TUI is used

    current = store.get_session(session.id)
    if engine_is_live(current):
        raise EngineBusyError(
            f"session {current.id} is already open in another tfexam (pid {current.engine_pid})"
        )
    log_path = paths.logs_dir(session.id) / "engine.log"
    _log_to(log_path)
    engine = Engine(store, paths, current, exam_of(current, paths))
    app = ExamApp(SessionFacade(engine), log_path=log_path)
    try:
        outcome = app.run()
    finally:
        engine.close()
    after = store.get_session(session.id)
    if after.state == "submitted":
        _print_status(session_status(store, after, exam_of(after, paths)))
    elif outcome == "detached" or outcome is None:
        console.print(
            f"Left the exam: the clock keeps running ({format_duration(after.remaining())} left). "
            f"Come back with: tfexam resume {after.id}"
        )
    if engine.failed:
        raise CliError(_engine_failure(engine, log_path))
    return 0


def _create_with_progress(store: Store, request: NewSession, show: bool) -> SessionRecord:
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
@click.option("--headless", is_flag=True, help="Run without the TUI: print one line per event.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object per event (implies --headless)."
)
@FEEDBACK_OPTION
def resume(
    session_key: str | None, headless: bool, as_json: bool, feedback: Feedback | None
) -> int:
    """Reattach to a session (default: the newest); its clock never stopped."""
    paths, store = _open_store()
    session = store.find_session(session_key)
    if feedback is not None and session.state == "running":
        session = set_feedback(store, session, feedback)
    tui = _use_tui(headless, as_json)
    if session.state == "submitted" and not tui:
        if as_json:  # every command that takes --json prints only JSON
            _show_status(paths, store, session, as_json=True)
            return 0
        console.print(f"Session {session.id} was already submitted.")
        _print_status(session_status(store, session, exam_of(session, paths)))
        return 0
    if tui:
        return _run_tui(paths, store, session)
    return _run_headless(paths, store, session, as_json)


def _run_headless(paths: DataPaths, store: Store, session: SessionRecord, as_json: bool) -> int:
    """Run the engine in the foreground, printing its events, until the session ends or the user
    detaches (Ctrl+C or SIGTERM)."""
    log_path = paths.logs_dir(session.id) / "engine.log"
    _log_to(log_path)
    engine = Engine(store, paths, session, exam_of(session, paths))
    engine.subscribe(EventPrinter(json_lines=as_json, checks=feedback_of(session) == "checks"))

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        engine.detach()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        engine.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if engine.failed:
        raise CliError(_engine_failure(engine, paths.logs_dir(session.id) / "engine.log"))
    return 0


def _engine_failure(engine: Engine, log_path: Path) -> str:
    """The engine's own one line on why it stopped, else where to read about it."""
    said = engine.failure or ""
    if said and "internal error" not in said:
        return f"the engine stopped: {said}"
    return f"the engine stopped on an internal error; see {log_path}"


@cli.command()
@click.argument("session_key", metavar="[SESSION]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(session_key: str | None, as_json: bool) -> None:
    """Show a session's clock, scores and attempts (default: the newest session)."""
    paths, store = _open_store(write=False)
    session = store.find_session(session_key)
    if not store.read_only:  # a read-only home is shown as it stands
        _log_to(paths.logs_dir(session.id) / "engine.log")
        session = finalize_if_due(store, paths, session)
    _show_status(paths, store, session, as_json)


def _show_status(paths: DataPaths, store: Store, session: SessionRecord, as_json: bool) -> None:
    report = session_status(store, session, exam_of(session, paths))
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print_status(report)


def _print_status(report: dict[str, Any]) -> None:
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


@cli.command()
@click.argument("session_key", metavar="[SESSION]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the final status as JSON.")
def submit(session_key: str | None, as_json: bool) -> int:
    """Submit and end the exam now (from any terminal): saved models are graded, then frozen."""
    paths, store = _open_store()
    session = store.find_session(session_key)
    if session.state == "running":
        if engine_is_live(session):
            store.request_submit(session.id, time.time())
            session = _wait_until_submitted(store, session)
        else:
            _log_to(paths.logs_dir(session.id) / "engine.log")
            session = finalize_if_due(store, paths, session, submit=True)
    _show_status(paths, store, session, as_json)
    return 0


def _wait_until_submitted(store: Store, session: SessionRecord) -> SessionRecord:
    grading = GradingSettings.from_dict(session.settings.get("grading", {}))
    # The engine closes by its grading limit; then it finalizes and writes the end.
    give_up = time.monotonic() + grading.grading_limit_s() + GRADING_SLACK_S
    while time.monotonic() < give_up:
        current = store.get_session(session.id)
        if current.state == "submitted":
            return current
        time.sleep(0.1)
    raise CliError(
        "the running tfexam did not finish the submission in time; try 'tfexam status' again"
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sessions(as_json: bool) -> None:
    """List every session, newest first."""
    paths, store = _open_store(write=False)
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
        table.add_row(row["session"], row["exam"], row["started_at"][:16].replace("T", " "), state,
                      score)  # fmt: skip
    console.print(table)


# One-off grading --------------------------------------------------------------------------------


@cli.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--exam", "exam_name", required=True, help="Exam id (see 'tfexam exams').")
@click.option(
    "--question", "question_key", required=True, help="Question id, folder or category number."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_grading_options
def grade(
    model: Path,
    exam_name: str,
    question_key: str,
    as_json: bool,
    grading_timeout: float | None,
    memory_limit: int | None,
    max_model_mb: int | None,
) -> int:
    """Grade one model file once, outside any session."""
    paths = data_paths()
    exam = find_exam(exam_name, paths)
    question = exam.question(question_key)
    if not os.path.lexists(model):
        raise CliError(f"no model at {model}")
    options = (as_json, grading_timeout, memory_limit, max_model_mb)
    if _writable(paths.root):
        return _grade(model, exam, question, paths.scratch_logs, *options)
    # Grading records nothing: a read-only home will do, with the log in a temporary folder.
    click.echo(
        f"tfexam: TFEXAM_HOME {paths.root} is not writable: grading without keeping its log",
        err=True,
    )
    with tempfile.TemporaryDirectory(prefix="tfexam-grade-") as scratch:
        return _grade(model, exam, question, Path(scratch), *options)


def _grade(
    model: Path,
    exam: Exam,
    question: Question,
    logs: Path,
    as_json: bool,
    grading_timeout: float | None,
    memory_limit: int | None,
    max_model_mb: int | None,
) -> int:
    _log_to(logs / "grade.log")
    settings = _grading_settings(
        workers=1, timeout_s=grading_timeout, memory_limit_mb=memory_limit,
        max_model_mb=max_model_mb,
    )  # fmt: skip
    # The same rule as in a session: odd entries and huge files are answered before any worker.
    refusal = refusal_reason(model, str(model), settings.max_model_mb)
    if refusal is not None:
        result = GradingResult.not_gradable(0, refusal, checks=refused(refusal))
    else:
        with SyncGrader(settings, logs) as grader:
            result = grader.grade(model.resolve(), exam.root, question.id, exam.seed)
    if as_json:
        click.echo(json.dumps({
            "model": str(model), "exam": exam.id, "question": question.id, "state": result.state,
            "score": result.score, "metric": {"name": result.metric_name, "value": result.metric_value},
            "message": result.message, "timings": result.timings,
            "views": None if result.views is None else result.views.to_dict(),
            "checks": [c.to_dict() for c in result.checks or ()],
        }, indent=2))  # fmt: skip
    elif result.state == "graded":
        console.print(
            f"{escape(question.title)}: [bold green]{score_label(result.score)}[/] ({escape(result.message or '')})"
        )
    else:
        console.print(
            f"{escape(question.title)}: [bold yellow]not gradable[/]: {escape(result.message or '')}"
        )
    return 0 if result.state == "graded" else 1


@cli.command()
@click.argument("question_key", metavar="QUESTION")
@click.option(
    "--exam", "exam_name", help="Exam id (default: the newest session's exam, else practice)."
)
@click.option(
    "--session",
    "session_key",
    help="Session whose workspace holds the data (default: the newest of the exam).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Notebook file to write.",
)
def notebook(
    question_key: str, exam_name: str | None, session_key: str | None, output: Path | None
) -> None:
    """Export a question as a Colab-ready notebook (prompt, data upload, your starter, download
    cell)."""
    import tempfile

    from simulator.colab.data import download_code, has_recipe
    from simulator.colab.notebook import (
        NOTEBOOK_EXPORTED,
        data_items,
        question_notebook,
        write_notebook,
    )
    from simulator.exam.workspace import write_question_data

    paths = data_paths()
    # Exporting only reads the store; on a home that cannot be written the export is not
    # recorded (the report then does not count the Colab training), and it is said so.
    recorded = _writable(paths.root)
    store: Store | None = Store(paths.database) if recorded else None
    if store is None and paths.database.exists():
        store = Store(paths.database, read_only=True)
    sessions_found = store.list_sessions() if store is not None else []
    if session_key is not None and store is None:
        raise CliError(f"no session {session_key!r}: no sessions yet")
    session = store.find_session(session_key) if session_key and store is not None else None
    if exam_name is None:
        exam_name = (
            session.exam_id
            if session
            else (sessions_found[0].exam_id if sessions_found else DEFAULT_EXAM)
        )
    exam = find_exam(exam_name, paths)
    question = exam.question(question_key)
    if session is None:
        session = next((s for s in sessions_found if s.exam_id == exam.id), None)
    folder = session.workspace / question.workspace_folder if session else None
    seed = seed_of(session, exam) if session else exam.seed
    with tempfile.TemporaryDirectory() as scratch:
        # What the question's data code writes, and nothing else of the folder (notes, models,
        # checkpoints): written once more in a scratch folder to learn the names.
        write_question_data(question, Path(scratch), seed)
        data = data_items(question, Path(scratch))
    # A classic question's data is downloaded in Colab from the original URLs, not uploaded.
    download = download_code(question, seed) if has_recipe(question) else None
    # The candidate's code as saved, not the original starter.
    saved = folder / question.starter if folder is not None else None
    source = saved if saved is not None and saved.is_file() else question.folder / question.starter
    document = question_notebook(
        exam,
        question,
        source.read_text(encoding="utf-8"),
        (question.folder / question.prompt).read_text(encoding="utf-8"),
        data,
        download=download,
    )
    target = output or Path.cwd() / f"{exam.id}-{question.workspace_folder}.ipynb"
    write_notebook(document, target)
    if session is not None and session.state == "running" and not recorded:
        click.echo(
            f"tfexam: TFEXAM_HOME {paths.root} is not writable: the export is not recorded, so "
            "the report will not count this Colab training",
            err=True,
        )
    elif session is not None and session.state == "running" and store is not None:
        # The report counts a Colab training as parallel work from now to the model's arrival.
        store.add_event(session.id, time.time(), NOTEBOOK_EXPORTED, {
            "question": question.id, "notebook": str(target.resolve()), "starter": str(source),
        })  # fmt: skip
    uploads = ", ".join(d.name + ("/ (as a zip)" if d.is_folder else "") for d in data) or "nothing"
    asks = (
        "it downloads the data from the original URLs"
        if download is not None
        else f"it asks for {escape(uploads)}"
    )
    console.print(
        f"Wrote [bold]{escape(str(target))}[/] with {escape(str(source))}: open it in Colab "
        f"(File → Upload notebook); {asks} and downloads "
        f"{question.model_files[0]} for {question.workspace_folder}/."
    )


@cli.command()
@click.argument("question_key", metavar="QUESTION")
@click.option("--session", "session_key", help="Session (default: the newest).")
@click.option("--script", help="Script in the question's folder (default: its starter file).")
@click.option(
    "--python", "python", help="Python to run it with (default: the session's, else this one)."
)
def train(
    question_key: str, session_key: str | None, script: str | None, python: str | None
) -> int:
    """Run a question's training script as a monitored run; Ctrl+C stops it (SIGINT, then kill)."""
    from simulator.session.dataprep import pending_questions
    from simulator.session.engine import not_ready_text
    from simulator.training.runs import RunManager, exit_text

    paths, store = _open_store()
    session = store.find_session(session_key)
    if session.state == "submitted":
        raise CliError(f"session {session.id} is over: nothing to train for")
    exam = exam_of(session, paths)
    question = exam.question(question_key)
    pending = tuple(pending_questions(store, session))
    if question.id in pending:
        raise CliError(not_ready_text(exam, pending, question.id))
    manager = RunManager(
        store, session.id, paths.logs_dir(session.id) / "runs",
        python=python or session.settings.get("python"),
    )  # fmt: skip
    folder = session.workspace / question.workspace_folder
    manager.start()
    run = manager.launch(question.id, folder, script or question.starter)
    console.print(
        f"Run #{run.number}: {escape(' '.join(run.command))} in {escape(str(folder))}\n"
        f"Output: {escape(str(run.log_path))}"
    )
    previous = signal.signal(signal.SIGINT, lambda signum, frame: manager.stop(run.id))
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
            console=console, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task(
                f"#{run.number} {question.workspace_folder}", total=1.0, detail=""
            )
            while True:
                view = next(v for v in manager.views() if v.record.id == run.id)
                fraction = view.progress.fraction
                progress.update(
                    task, completed=fraction or 0.0,
                    detail=f"{view.progress.label() or 'starting…'}  CPU {view.cpu_percent:.0f}%  {view.rss_mb:.0f} MB",
                )  # fmt: skip
                if view.record.state != "running":
                    break
                time.sleep(0.5)
    finally:
        signal.signal(signal.SIGINT, previous)
        manager.close()
    final = store.get_run(run.id)
    for line in next(v for v in manager.views() if v.record.id == run.id).tail[-5:]:
        console.print(f"[dim]  {escape(line)}[/]")
    code = f", {exit_text(final.exit_code)}" if final.exit_code is not None else ""
    console.print(
        f"Run #{final.number} {final.state}{code}: epoch {final.epoch or 0}/{final.epochs or '?'}, "
        f"{final.cpu_seconds:.0f} CPU s, peak {final.peak_rss_mb:.0f} MB"
    )
    return 0 if final.state == "finished" else 1


REPORT_FORMATS = ("text", "html", "md", "json")


def _build_report(session_key: str | None) -> tuple[Report, SessionRecord]:
    """The session's report, after finishing the session if its deadline passed unattended."""
    from simulator.report.build import build_report

    paths, store = _open_store(write=False)
    session = store.find_session(session_key)
    if not store.read_only:  # a read-only home is reported as it stands
        _log_to(paths.logs_dir(session.id) / "engine.log")
        session = finalize_if_due(store, paths, session)
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
def review(session_key: str | None) -> None:
    """The session report in the TUI: summary, questions and timeline tabs (h saves HTML)."""
    built, session = _build_report(session_key)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo("tfexam: no terminal here, printing the report instead", err=True)
        _print_report(built)
        return
    from simulator.tui.report_screen import ReviewApp

    ReviewApp(built, session.workspace if session.workspace.is_dir() else Path.cwd()).run()


@cli.command()
@click.option("--exam", "exam_name", help="Only this exam's sessions.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def history(exam_name: str | None, as_json: bool) -> None:
    """Your sessions over time: score per category, total and the trend."""
    from simulator.report.history import build_history, history_json

    paths, store = _open_store(write=False)
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
        console.print("No sessions yet: start one with 'tfexam start'.")
        return
    table = Table(title="Sessions over time", title_justify="left")
    for name in ("started", "session", "exam", "seed", "1", "2", "3", "4", "5", "total", "trend"):
        table.add_column(name, justify="right" if name not in ("session", "exam") else "left")
    for entry in entries:
        trend = "" if entry.trend is None else f"{entry.trend:+.0f}"
        verdict = "[green]pass[/]" if entry.passed else "[red]fail[/]"
        if entry.state == "running":
            verdict = "[dim]running[/]"
        table.add_row(
            entry.started_at[:16].replace("T", " "), entry.session, entry.exam, str(entry.seed),
            *(str(entry.categories.get(str(c), "")) for c in range(1, 6)),
            f"{entry.percent:.0f}% {verdict}", trend,
        )  # fmt: skip
    console.print(table)


@cli.command()
def doctor() -> int:
    """Check the session store; if it is damaged, keep a copy and rebuild what can be read."""
    from simulator.storage.doctor import check_store, repair_store

    paths = data_paths()
    if not paths.database.exists():
        console.print(f"No store at {escape(str(paths.database))} yet: nothing to check.")
        return 0
    if not _writable(paths.root):
        problems = check_store(paths.database)
        if problems == ["ok"]:
            console.print(
                f"The store {escape(str(paths.database))} is sound (integrity check: ok)."
            )
            return 0
        raise CliError(
            f"the store {paths.database} is damaged ({problems[0]}) and TFEXAM_HOME "
            f"{paths.root} is not writable: copy the folder somewhere writable and run "
            "'TFEXAM_HOME=COPY tfexam doctor' there"
        )
    done = repair_store(paths.database, paths.root / "sessions")
    if done.healthy:
        console.print(f"The store {escape(str(paths.database))} is sound (integrity check: ok).")
        return 0
    console.print(
        f"The store {escape(str(paths.database))} was damaged: {escape(done.problems[0])}"
        + (f" (and {len(done.problems) - 1} more problems)" if len(done.problems) > 1 else "")
    )
    console.print(f"Kept the damaged file as {escape(str(done.backup))}.")
    counts = ", ".join(f"{n} {table}" for table, n in done.recovered.items() if n)
    console.print(f"Rebuilt the store from what could be read: {counts or 'nothing'}.")
    if done.from_events:
        console.print(f"Put back {done.from_events} attempt(s) from the event log.")
    if done.unrecorded_copies:
        console.print(
            f"{len(done.unrecorded_copies)} attempt copies have no record left; grade one with "
            f"'tfexam grade FILE', e.g. {escape(str(done.unrecorded_copies[0]))}"
        )
    return 0


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def calibrate(arguments: tuple[str, ...]) -> int:
    """Train each reference solution and grade it next to a naive baseline (slow: minutes per
    question). EXAM [--question Q] [--seed N | --seeds N] [--write docs/calibration.md]."""
    from simulator.grading.calibrate import main as calibrate_main

    return calibrate_main(list(arguments), prog="tfexam calibrate")


from simulator.cli.prepare import prepare_command  # noqa: E402  (tfexam prepare)

cli.add_command(prepare_command)


# Entry point ------------------------------------------------------------------------------------


#: click >= 8.2 raises this (a UsageError whose message is the help page) for a bare command;
#: older versions print the help themselves.
_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


def main(argv: Sequence[str] | None = None) -> NoReturn:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        code = cli.main(args=args, prog_name="tfexam", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except _NO_ARGS_IS_HELP as help_page:  # plain `tfexam`: the help, as click shows it
        help_page.show()
        sys.exit(2)
    except click.UsageError as error:
        # One line, like every other error; the command's --help has the rest.
        command = error.ctx.command_path if error.ctx is not None else "tfexam"
        click.echo(
            f"tfexam: usage error: {error.format_message().rstrip('.')} (see '{command} --help')",
            err=True,
        )
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("tfexam: aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        click.echo(f"tfexam: error: {error.format_message()}", err=True)
        sys.exit(1)
    except EXPECTED_ERRORS as error:
        if debug:
            raise
        message = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
        click.echo(f"tfexam: error: {message}", err=True)
        sys.exit(1)
    except Exception as error:
        if debug:
            raise
        # "database disk image is malformed", "file is not a database": not a busy or full disk.
        if isinstance(error, sqlite3.DatabaseError) and not isinstance(
            error, sqlite3.OperationalError
        ):
            click.echo(
                f"tfexam: error: the session store {data_paths().database} is damaged ({error}): "
                "'tfexam doctor' checks it, keeps a copy and rebuilds what it can",
                err=True,
            )
            sys.exit(1)
        click.echo(
            f"tfexam: error: {type(error).__name__}: {error} (run with --debug for the traceback)",
            err=True,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
