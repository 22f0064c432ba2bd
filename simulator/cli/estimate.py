"""``tfexam estimate [EXAM]``: how long each reference training would take on this machine, from
a short measured slice of each (the work is :mod:`simulator.training.estimate`)."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from simulator.cli.group import cli, console
from simulator.exam.catalog import find_exam
from simulator.exam.format import Question
from simulator.paths import data_paths
from simulator.scratch import ended_like_ctrl_c
from simulator.training.estimate import (
    SLICE_S,
    TOGETHER,
    Estimate,
    QuestionEstimate,
    advice,
    estimate_exam,
    minutes,
)


@cli.command()
@click.argument("exam_name", metavar="EXAM", default="practice")
@click.option(
    "--slice", "slice_s", type=click.FloatRange(0.5, 60.0), default=SLICE_S, show_default=True,
    help="Seconds of measured training batches per question.",
)  # fmt: skip
@click.option("--python", "python", help="Python to train with (default: this one).")
def estimate(exam_name: str, slice_s: float, python: str | None) -> int:
    """Project each reference training's time here (alone and 2-3 at once), before the clock."""
    # The slice's training and the scratch workspace go on the way out of a SIGTERM too.
    with ended_like_ctrl_c("tfexam estimate"):
        return _estimate(exam_name, slice_s, python)


def _estimate(exam_name: str, slice_s: float, python: str | None) -> int:
    paths = data_paths()
    exam = find_exam(exam_name, paths)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("preparing the workspace", total=len(exam.questions))

        def show(index: int, question: Question, result: QuestionEstimate | None) -> None:
            if result is None:
                progress.update(task, description=f"measuring {question.id}")
            else:
                progress.update(task, completed=index + 1)

        result = estimate_exam(exam, paths, slice_s=slice_s, python=python, on_progress=show)
    console.print(_table(result))
    console.print(f"Advice: {escape(advice(result))}.")
    console.print(
        f"[dim]Measured in {result.wall_s:.0f} s on {escape(result.machine.cpu)} "
        f"({result.machine.cores} cores); kept for the exam's first screen.[/]"
    )
    return 0


def _length(q: QuestionEstimate) -> str:
    """``30 x 250``, or ``6 of 30 x 250`` where the reference's early stopping ends it sooner."""
    if 0 < q.epochs_projected < q.epochs:
        return f"{q.epochs_projected} of {q.epochs} x {q.steps}"
    return f"{q.epochs} x {q.steps}"


def _table(result: Estimate) -> Table:
    table = Table(title=f"Reference trainings of {result.exam_id} on this machine (projected)")
    table.add_column("cat", justify="right")
    table.add_column("question")
    table.add_column("alone", justify="right")
    for k in TOGETHER:
        table.add_column(f"{k} at once", justify="right")
    table.add_column("epochs x steps", justify="right")
    table.add_column("where")
    for q in result.questions:
        if q.problem is not None:
            table.add_row(str(q.category), q.question_id, "-", *["-" for _ in TOGETHER], "-",
                          escape(q.problem))  # fmt: skip
            continue
        table.add_row(
            str(q.category), q.question_id, minutes(q.alone_s),
            *[minutes(q.together_s[k]) for k in TOGETHER], _length(q),
            "Colab" if q.colab else "here",
        )  # fmt: skip
    return table
