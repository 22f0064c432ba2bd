"""``tfexam notebook QUESTION``: export a question as a Colab notebook (the work is
:func:`simulator.colab.export.export_notebook`; this prints what was written)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from simulator.cli.group import cli, console
from simulator.paths import data_paths


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
    from simulator.colab.export import export_notebook  # nbformat only for this command

    paths = data_paths()
    export = export_notebook(
        paths, question_key, exam_name=exam_name, session_key=session_key, output=output
    )
    if export.unrecorded:
        click.echo(
            f"tfexam: TFEXAM_HOME {paths.root} is not writable: the export is not recorded, so "
            "the report will not count this Colab training",
            err=True,
        )
    uploads = (
        ", ".join(d.name + ("/ (as a zip)" if d.is_folder else "") for d in export.data)
        or "nothing"
    )
    asks = (
        "it downloads the data from the original URLs"
        if export.downloads
        else f"it asks for {escape(uploads)}"
    )
    question = export.question
    console.print(
        f"Wrote [bold]{escape(str(export.target))}[/] with {escape(str(export.source))}: open it "
        f"in Colab (File → Upload notebook); {asks} and downloads "
        f"{question.model_files[0]} for {question.workspace_folder}/."
    )
