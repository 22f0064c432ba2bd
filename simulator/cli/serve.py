"""``tfexam serve [EXAM] [--session S] [--port P] [--host H]``: the exam screen in a browser tab.

The session is created (as ``tfexam start`` would) or chosen once, here; each browser connection
then runs the exam screen resuming that session (:mod:`simulator.cli.serve_tab`), so a reload, a
closed tab or a dropped connection ends only the view. Safe by default, as Jupyter is: only this
machine can connect (127.0.0.1) unless ``--host`` says otherwise, and every request needs the
token of the printed URL (:mod:`simulator.serve.access`).
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click
from rich.console import Console
from rich.markup import escape

from simulator.cli.common import duration_option
from simulator.exam.catalog import DEFAULT_EXAM, find_exam
from simulator.exam.durations import (
    format_duration,
    format_short,
    local_clock,
)
from simulator.exam.format import Policy
from simulator.grading.settings import GradingSettings
from simulator.paths import data_paths
from simulator.session.sessions import NewSession, SeedNotAllowedError, create_session, session_seed
from simulator.storage.liveness import engine_is_live
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store

if TYPE_CHECKING:
    from simulator.serve import ExamServer

console = Console(highlight=False, soft_wrap=True)

DEFAULT_PORT = 8000
LOOPBACK = "127.0.0.1"
#: The exam screen of one tab (started by the server for each connection).
TAB_MODULE = "simulator.cli.serve_tab"


@click.command("serve")
@click.argument("exam_name", metavar="[EXAM]", required=False)
@click.option("--session", "session_key", help="Serve this session (default: start a new one).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (0: any free one).",
)
@click.option(
    "--host",
    help="Address to listen on (default 127.0.0.1: this machine only). Anyone who can reach "
    "it and has the URL can take the exam as you and run code here as you.",
)
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to create for the exam project (a new session).",
)
@click.option(
    "--duration", "duration_s", callback=duration_option, help="Exam length, e.g. 5h, 90m."
)
@click.option("--policy", type=click.Choice(["best", "last"]), help="Which attempt counts.")
@click.option("--seed", type=click.IntRange(0), help="Data seed (as 'tfexam start --seed').")
@click.option("--workers", type=click.IntRange(1, 8), help="Grading processes (default 1).")
@click.option("--python", "python", help="Python for training runs (default: tfexam's).")
def serve(
    exam_name: str | None,
    session_key: str | None,
    port: int,
    host: str | None,
    workspace: Path | None,
    duration_s: int | None,
    policy: str | None,
    seed: int | None,
    workers: int | None,
    python: str | None,
) -> None:
    """Serve the exam screen to a browser tab (a new session, or --session S).

    Open the printed URL in a browser on this machine; from another one, tunnel the port
    (ssh -L 8000:127.0.0.1:8000 HOST) and open the same URL there. Ctrl+C stops serving;
    the clock and any runs keep going.
    """
    new_options = {
        "--workspace": workspace,
        "--duration": duration_s,
        "--policy": policy,
        "--seed": seed,
        "--workers": workers,
        "--python": python,
    }
    if session_key is not None:
        given = [name for name, value in new_options.items() if value is not None]
        if exam_name is not None or given:
            raise click.UsageError(
                f"--session serves an existing session: {exam_name or given[0]} is for a new one"
            )
    # aiohttp and textual-serve are loaded only by this command.
    from simulator.serve import ExamServer, ServedExam, bind, serve_until_stopped

    address = host or LOOPBACK
    try:  # before a session is made: a busy port must not cost one
        listening = bind(address, port)
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on {address}:{port} "
            f"({os.strerror(error.errno) if error.errno else error}): "
            "another program uses it? Pick another port with --port"
        ) from None
    paths = data_paths()
    store = Store(paths.database)
    if session_key is not None:
        session = store.find_session(session_key)
    else:
        exam = find_exam(exam_name or DEFAULT_EXAM, paths)
        try:
            chosen_seed = session_seed(exam, seed)
        except SeedNotAllowedError as error:
            raise click.BadParameter(str(error), param_hint="'--seed'") from None
        grading = None
        if workers is not None:
            grading = GradingSettings.from_dict(
                {**GradingSettings.defaults().to_dict(), "workers": workers}
            )
        request = NewSession(
            exam=exam,
            workspace=workspace,
            duration_s=duration_s,
            policy=cast("Policy | None", policy),
            grading=grading,
            python=python,
            seed=chosen_seed,
        )
        session = create_session(store, request, background=True)
        console.print(
            f"Created workspace [bold]{escape(str(session.workspace))}[/] for {escape(exam.title)}: "
            f"{format_short(session.deadline - session.started_at)}, ends at "
            f"{local_clock(session.deadline)}."
        )
    if engine_is_live(session):
        raise click.ClickException(
            f"session {session.id} is already open in another tfexam (pid {session.engine_pid}): "
            "leave it there first (q)"
        )
    served = ServedExam(
        store=store,
        session_id=session.id,
        command=[sys.executable, "-m", TAB_MODULE, session.id],
        title=f"tfexam · {session.exam_id} · session {session.id}",
        log_hint=paths.logs_dir(session.id) / "serve-tab.log",
    )
    server = ExamServer(served, host=address, listening=listening)
    _log_refusals()

    def announce() -> None:
        _announce(server, session, exposed=host is not None)

    serve_until_stopped(server, announce)
    _goodbye(store, session.id)


def _log_refusals() -> None:
    """Refused requests (a wrong token, another site's socket) are said on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("tfexam serve: %(message)s"))
    logger = logging.getLogger("simulator.serve")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.WARNING)
    logger.propagate = False


def _announce(server: ExamServer, session: SessionRecord, *, exposed: bool) -> None:
    left = format_duration(max(0.0, session.remaining()))
    what = "results" if session.state == "submitted" else f"{left} left"
    console.print(f"Serving the exam screen of session [bold]{session.id}[/] ({what}). Open:")
    console.print(f"    {server.url()}", markup=False)
    if exposed:
        console.print(
            f"[bold yellow]Warning:[/] listening on {escape(server.host)}: anyone who can reach "
            "this port and has the URL can take the exam as you and run code on this machine "
            "as you (the exam screen runs training scripts)."
        )
    else:
        console.print(
            f"From another machine: ssh -L {server.port}:127.0.0.1:{server.port} "
            f"{escape(socket.gethostname())}, then open the same URL there."
        )
    console.print("Ctrl+C stops serving (the clock and any runs keep going).")


def _goodbye(store: Store, session_id: str) -> None:
    session = store.get_session(session_id)
    if session.state == "submitted":
        console.print(f"Stopped serving. The exam is over: tfexam report {session.id}")
        return
    running = sum(1 for run in store.runs(session.id) if run.state == "running")
    runs = (
        f"; {running} training run{'s' if running != 1 else ''} "
        f"{'keeps' if running == 1 else 'keep'} going"
        if running
        else ""
    )
    console.print(
        f"Stopped serving. The clock keeps running ({format_duration(max(0.0, session.remaining()))} "
        f"left, ends at {local_clock(session.deadline, seconds=False)}){runs}."
    )
    console.print(
        f"Come back with: tfexam serve --session {session.id} "
        f"(or in a terminal: tfexam resume {session.id})"
    )
