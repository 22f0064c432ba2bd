"""Running a session's engine in this terminal: under the exam screen (TUI) or headless, printing
one line (or one JSON object) per event, until the session ends or the user detaches."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

import click

from simulator.cli.common import log_to
from simulator.cli.group import CliError, console
from simulator.cli.headless import EventPrinter
from simulator.cli.status_text import print_status
from simulator.exam.durations import format_duration
from simulator.paths import DataPaths
from simulator.session.engine import Engine, EngineBusyError
from simulator.session.facade import SessionFacade
from simulator.session.sessions import engine_of, exam_of, feedback_of
from simulator.session.status import session_status
from simulator.storage.liveness import engine_is_live
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store


def use_tui(headless: bool, as_json: bool) -> bool:
    """The TUI needs a terminal on both ends; without one, run headless and say so."""
    if headless or as_json:
        return False
    if sys.stdin.isatty() and sys.stdout.isatty():
        return True
    click.echo(
        "tfexam: no terminal here, running headless (pass --headless to silence this)", err=True
    )
    return False


def run_tui(paths: DataPaths, store: Store, session: SessionRecord) -> int:
    """Open the exam screen over the engine; print where things stand once it closes."""
    from simulator.tui.app import ExamApp  # Textual is loaded only when the TUI is used

    current = store.get_session(session.id)
    if engine_is_live(current):
        raise EngineBusyError(
            f"session {current.id} is already open in another tfexam (pid {current.engine_pid})"
        )
    log_path = paths.engine_log(session.id)
    log_to(log_path)
    engine = engine_of(store, paths, current)
    app = ExamApp(SessionFacade(engine), log_path=log_path)
    try:
        outcome = app.run()
    finally:
        engine.close()
        for drill in app.drills:  # started from the report's drill key
            drill.close()
    # The session on show at the end: a drill started from the report, else this one.
    after = store.get_session(app.facade.session_id)
    if after.state == "submitted":
        print_status(session_status(store, after, exam_of(after, paths)))
    elif outcome == "detached" or outcome is None:
        console.print(
            f"Left the exam: the clock keeps running ({format_duration(after.remaining())} left). "
            f"Come back with: tfexam resume {after.id}"
        )
    if engine.failed:
        raise CliError(engine_failure(engine, log_path))
    return 0


def run_headless(paths: DataPaths, store: Store, session: SessionRecord, as_json: bool) -> int:
    """Run the engine in the foreground, printing its events, until the session ends or the user
    detaches (Ctrl+C or SIGTERM)."""
    log_path = paths.engine_log(session.id)
    log_to(log_path)
    engine = engine_of(store, paths, session)
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
        raise CliError(engine_failure(engine, log_path))
    return 0


def engine_failure(engine: Engine, log_path: Path) -> str:
    """The engine's own one line on why it stopped, else where to read about it."""
    said = engine.failure or ""
    if said and "internal error" not in said:
        return f"the engine stopped: {said}"
    return f"the engine stopped on an internal error; see {log_path}"
