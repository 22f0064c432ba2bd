"""``tfexam cohort``: the class view of many learners' JSON reports (the work is
:mod:`simulator.report.cohort`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from simulator.cli.group import cli, console
from simulator.report.cohort import build_cohort, report_files
from simulator.report.cohort_html import render_cohort_html
from simulator.report.cohort_text import cohort_renderable, render_cohort_text


@cli.command()
@click.argument(
    "sources",
    metavar="FILES_OR_FOLDERS...",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path),
)
@click.option("--exam", "exam_name", help="Count this exam's reports (default: the most common).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "html", "json")),
    default="text",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of the terminal ('-' for standard output).",
)
def cohort(sources: tuple[Path, ...], exam_name: str | None, fmt: str, output: Path | None) -> None:
    """A class view: many learners' 'tfexam report --format json' files of one exam, per question."""
    built = build_cohort(report_files(sources), exam_name)
    for item in built.left_out:
        click.echo(f"tfexam: left out {item.path}: {item.reason}", err=True)
    to_terminal = output is None or str(output) == "-"
    if fmt == "text" and to_terminal:
        console.print(cohort_renderable(built))
        return
    if fmt == "json":
        text = json.dumps(built.to_dict(), indent=2) + "\n"
    elif fmt == "html":
        text = render_cohort_html(built)
    else:
        text = render_cohort_text(built, color=False)
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote the class view of {len(built.learners)} learners to {output}")
