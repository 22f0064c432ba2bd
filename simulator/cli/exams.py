"""``tfexam exams`` and ``tfexam exams show EXAM``: the mock exams and their questions."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.table import Column, Table

from simulator.cli.group import cli, console
from simulator.exam.catalog import DuplicateExamError, find_exam, list_exams
from simulator.exam.durations import format_short
from simulator.exam.format import format_shape
from simulator.paths import data_paths


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
             "error": str(e.error) if e.error else None,
             "origin": e.origin.kind, "origin_label": e.origin.label}
            for e in entries
        ], indent=2))  # fmt: skip
        return
    table = Table("exam", "title", "questions", "duration", box=None, header_style="bold")
    # Where each exam comes from, once there is more than the shipped ones.
    others = any(entry.origin.kind != "shipped" for entry in entries)
    if others:
        table.add_column("from")
    for entry in entries:
        origin = [escape(entry.origin.label)] if others else []
        if entry.exam is None:
            problem = "refused" if isinstance(entry.error, DuplicateExamError) else "invalid"
            table.add_row(
                entry.exam_id, f"[red]{problem}: {escape(str(entry.error))}[/]", "", "", *origin
            )
        else:
            exam = entry.exam
            table.add_row(
                exam.id,
                escape(exam.title),
                str(len(exam.questions)),
                format_short(exam.duration_s),
                *origin,
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
