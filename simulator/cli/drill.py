"""``tfexam drill``: a timed session of one question, run like ``tfexam start`` runs an exam."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from simulator.cli.common import duration_option, opened_store
from simulator.cli.foreground import run_headless, run_tui, use_tui
from simulator.cli.group import cli, console
from simulator.cli.session_commands import (
    HEADLESS_OPTION,
    JSON_EVENTS_OPTION,
    create_with_progress,
    seed_note,
)
from simulator.exam.drills import DRILL_DURATIONS_S
from simulator.exam.durations import format_short, local_clock
from simulator.session.drills import NewDrill, drill_request, find_drill_exam
from simulator.session.sessions import SeedNotAllowedError, session_seed

_DEFAULTS = ", ".join(
    f"{format_short(seconds)} for category {category}"
    for category, seconds in DRILL_DURATIONS_S.items()
)


@cli.command()
@click.argument("exam_name", metavar="EXAM")
@click.argument("question_key", metavar="QUESTION")
@click.option(
    "--duration",
    "duration_s",
    callback=duration_option,
    help=f"Drill length, e.g. 1h, 45m, 1h30m (default: {_DEFAULTS}).",
)
@click.option(
    "--seed",
    type=click.IntRange(0),
    help="Data seed: repeats a session's data exactly (default: fresh data every drill of an "
    "exam that generates its data).",
)
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to create for the drill (default: ./tfexam-<exam>-<question>-<date>).",
)
@HEADLESS_OPTION
@JSON_EVENTS_OPTION
def drill(
    exam_name: str,
    question_key: str,
    duration_s: int | None,
    seed: int | None,
    workspace: Path | None,
    headless: bool,
    as_json: bool,
) -> int:
    """Drill one question of an exam (QUESTION: its id, folder or category number): a timed
    session of that question alone, with fresh data, the exam's grading and auto-submit."""
    paths, store = opened_store()
    exam = find_drill_exam(exam_name, paths, store)
    try:
        seed = session_seed(exam, seed)
    except SeedNotAllowedError as error:
        raise click.BadParameter(str(error), param_hint="'--seed'") from None
    request = drill_request(
        NewDrill(exam, question_key, workspace=workspace, duration_s=duration_s, seed=seed)
    )
    session = create_with_progress(store, request, show=not as_json)
    if not as_json:
        console.print(
            f"Created workspace [bold]{escape(str(session.workspace))}[/] for "
            f"{escape(request.exam.title)}: {format_short(session.deadline - session.started_at)}, "
            f"ends at {local_clock(session.deadline)}{seed_note(exam, seed)}."
        )
    if use_tui(headless, as_json):
        return run_tui(paths, store, session)
    return run_headless(paths, store, session, as_json)
