"""``tfexam prepare EXAM [--from DIR]``: download (or import) an exam's datasets once.

Every file is verified (size and sha256, or the official size and its content where no sha256 was
ever published) before it enters the cache; a bad or partial copy is removed, and an interrupted
download resumes where it stopped. Offline, it says so in one line.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from simulator.datasets import (
    Dataset,
    DatasetError,
    PrepareReport,
    RemoteFile,
    cache_root,
    exam_datasets,
    prepare,
)
from simulator.datasets.prepare import download_size, megabytes
from simulator.exam.catalog import find_exam
from simulator.paths import data_paths

console = Console(highlight=False, soft_wrap=True)


class _ProgressReporter:
    """One rich progress bar per file, starting at the bytes already there (a resume)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.remote: RemoteFile | None = None

    def start(self, remote: RemoteFile, total: int | None, done: int) -> None:
        if self.task is not None and self.remote == remote:
            self.progress.update(self.task, visible=False)  # the same file again: a retry
        self.remote = remote
        label = remote.name + (" (resumed)" if done else "")
        self.task = self.progress.add_task(label, total=total, completed=done)

    def advance(self, count: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=count)


def _summary(report: PrepareReport, datasets: list[Dataset]) -> Table:
    table = Table("dataset", "file", "size", "state", "verified by", title="Datasets")
    for outcome in report.files:
        how = outcome.verified.how if outcome.verified else ""
        if outcome.verified and outcome.verified.note:
            how += " (a listed copy)"
        exact = "" if outcome.remote.exact else " [dim](no official sha256)[/]"
        table.add_row(
            outcome.dataset.name,
            outcome.remote.name,
            megabytes(outcome.remote.expected_bytes),
            outcome.action,
            escape(how) + exact,
        )
    return table


def _files(count: int) -> str:
    return "1 file" if count == 1 else f"{count} files"


@click.command(name="prepare")
@click.argument("exam_name", metavar="EXAM")
@click.option(
    "--from",
    "source_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Import files already downloaded into DIR instead of downloading them.",
)
def prepare_command(exam_name: str, source_dir: Path | None) -> None:
    """Download an exam's public datasets once, verify them and keep them in the cache."""
    exam = find_exam(exam_name, data_paths())
    datasets = exam_datasets(exam)
    if not datasets:
        console.print(f"The {escape(exam.id)} exam needs no datasets: it works offline.")
        return
    needed = download_size(datasets)
    where = f"from {source_dir}" if source_dir else f"{megabytes(needed)} to download"
    if needed:
        console.print(
            f"Preparing {len(datasets)} datasets for {escape(exam.id)} ({escape(where)}) "
            f"in {escape(str(cache_root()))}"
        )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        try:
            report = prepare(datasets, source_dir=source_dir, reporter=_ProgressReporter(progress))
        except DatasetError as error:
            raise click.ClickException(str(error)) from None
    console.print(_summary(report, datasets))
    for outcome in report.failed:
        console.print(f"[red]failed:[/] {escape(outcome.error or '')}")
    problems = []
    if report.failed:
        names = ", ".join(f.remote.name for f in report.failed)
        problems.append(
            f"{_files(len(report.failed))} could not be prepared ({names}; see above): run "
            f"`tfexam prepare {exam.id}` again to retry just those"
        )
    if report.not_found:
        names = ", ".join(f.remote.name for f in report.not_found)
        problems.append(
            f"{_files(len(report.not_found))} not in {source_dir} ({names}): put them there, "
            f"or run `tfexam prepare {exam.id}` on a machine with a network"
        )
    if problems:
        raise click.ClickException("; ".join(problems))
    console.print(f"The {escape(exam.id)} exam is ready: tfexam start {escape(exam.id)}")
