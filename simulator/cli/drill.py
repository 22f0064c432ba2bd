"""``tfexam drill``: a timed session of one question, run like ``tfexam start`` runs an exam."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.cli.common import duration_option, opened_store
from simulator.cli.group import cli
from simulator.cli.session_commands import HEADLESS_OPTION, JSON_EVENTS_OPTION, create_and_open
from simulator.exam.drills import DRILL_DURATIONS_S
from simulator.exam.durations import format_short
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
    return create_and_open(paths, store, request, headless=headless, as_json=as_json)
