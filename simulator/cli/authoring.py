"""``tfexam new`` and ``tfexam check``: writing an exam of your own (the work is
:mod:`simulator.exam.new_exam`, :mod:`simulator.grading.exam_check` and the calibration)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from simulator.cli.group import CliError, cli, console
from simulator.exam.catalog import DEFAULT_EXAM, find_exam
from simulator.exam.format import Exam, Question
from simulator.exam.new_exam import write_new_exam
from simulator.paths import data_paths


@cli.command("new")
@click.argument("target", metavar="PATH", type=click.Path(path_type=Path))
@click.option(
    "--from",
    "source",
    default=DEFAULT_EXAM,
    show_default=True,
    help="The exam to copy (see 'tfexam exams').",
)
def new_exam(target: Path, source: str) -> int:
    """Write a complete, valid exam to start writing your own from (a copy of an exam)."""
    from simulator.grading.exam_check import check_exam

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    exam = write_new_exam(target, find_exam(source, data_paths()))
    problems = check_exam(target, cache=data_paths().check_cache)
    console.print(
        f"Wrote [bold]{escape(str(target))}[/]: {len(exam.questions)} questions copied from "
        f"{escape(source)}, id {escape(exam.id)}. Change them (the comments in exam.toml say "
        f"what), then 'tfexam check {escape(str(target))}' and 'tfexam start {escape(str(target))}'."
    )
    for problem in problems:
        console.print(f"[red]{escape(str(problem))}[/]")
    return 1 if problems else 0


@cli.command("check")
@click.argument("exam_path", metavar="PATH", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--calibrate",
    "calibrate_too",
    is_flag=True,
    help="Also train the reference and the untrained starter and check the score scale.",
)
@click.option(
    "--seeds",
    type=click.IntRange(1, 8),
    default=1,
    show_default=True,
    help="Data seeds to calibrate on (--calibrate).",
)
@click.option(
    "--question",
    "question_keys",
    multiple=True,
    help="Calibrate only this question (id, folder or category; repeat for more).",
)
def check(exam_path: Path, calibrate_too: bool, seeds: int, question_keys: tuple[str, ...]) -> int:
    """List every problem of an exam at once, each with its file and line (exit 1 if any)."""
    from simulator.grading.exam_check import check_exam

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if not (exam_path / "exam.toml").is_file():
        raise CliError(f"{exam_path} has no exam.toml: not an exam folder")
    found = check_exam(exam_path, cache=data_paths().check_cache)
    problems = [str(problem) for problem in found]
    for line in problems:
        click.echo(line)
    if calibrate_too and not problems:
        exam = find_exam(str(exam_path), None)
        chosen = [exam.question(key) for key in question_keys] or list(exam.questions)
        problems += _check_scale(exam, chosen, seeds)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {exam_path}", err=True)
        return 1
    click.echo(f"{exam_path}: no problems" + (" (the scale holds)" if calibrate_too else ""))
    return 0


def _check_scale(exam: Exam, questions: list[Question], seeds: int) -> list[str]:
    """Train the reference and the untrained starter of each question on each seed, with a
    progress bar; the scale's problems, each with the thresholds it should have."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from simulator.datasets.prepare import question_ready
    from simulator.grading.calibrate import calibrate as calibrate_exam
    from simulator.grading.calibrate import seeds_for
    from simulator.grading.exam_check import scale_check

    chosen = [q for q in questions if question_ready(q)]
    quiet = Console(file=io.StringIO())
    rows: dict[str, list[object]] = {q.id: [] for q in chosen}
    seed_list = seeds_for(exam, seeds)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=Console(stderr=True),
    ) as progress:  # fmt: skip
        task = progress.add_task("calibrating", total=len(chosen) * len(seed_list))
        for seed in seed_list:
            for question in chosen:
                progress.update(task, description=f"{question.id}, seed {seed}")
                rows[question.id] += calibrate_exam(exam, [question.id], quiet, seed)
                progress.advance(task)
    problems = []
    for question in chosen:
        checked = scale_check(question, rows[question.id])
        for problem in checked.problems:
            problems.append(f"exam.toml: {problem}")
            click.echo(f"exam.toml: {problem}")
        if checked.problems:
            advice = (
                f"thresholds = {list(checked.suggested)}"
                if checked.suggested
                else "no scale fits: the reference is not better than the starter on every seed"
            )
            click.echo(f"  {question.id}: {advice}")
    return problems
