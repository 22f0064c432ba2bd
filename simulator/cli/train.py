"""``tfexam train QUESTION``: a question's training script as a monitored run, with a progress
bar (the work is :func:`simulator.session.monitored.start_training`)."""

from __future__ import annotations

import signal

import click
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn

from simulator.cli.common import opened_store
from simulator.cli.group import cli, console
from simulator.session.monitored import start_training
from simulator.training.epochs import device_label
from simulator.training.runs import RunView, exit_text


@cli.command()
@click.argument("question_key", metavar="QUESTION")
@click.option("--session", "session_key", help="Session (default: the newest).")
@click.option("--script", help="Script in the question's folder (default: its starter file).")
@click.option(
    "--python", "python", help="Python to run it with (default: the session's, else this one)."
)
def train(
    question_key: str, session_key: str | None, script: str | None, python: str | None
) -> int:
    """Run a question's training script as a monitored run; Ctrl+C stops it (SIGINT, then kill)."""
    paths, store = opened_store()
    session = store.find_session(session_key)
    training = start_training(store, paths, session, question_key, script=script, python=python)
    run = training.run
    console.print(
        f"Run #{run.number}: {escape(' '.join(run.command))} in {escape(str(run.cwd))}\n"
        f"Output: {escape(str(run.log_path))}"
    )
    previous = signal.signal(signal.SIGINT, lambda signum, frame: training.stop())
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
            console=console, transient=True,
        ) as progress:  # fmt: skip
            folder = training.question.workspace_folder
            task = progress.add_task(f"#{run.number} {folder}", total=1.0, detail="")

            def show(view: RunView) -> None:
                progress.update(
                    task, completed=view.progress.fraction or 0.0,
                    detail=f"{view.progress.label() or 'starting…'}  CPU {view.cpu_percent:.0f}%  {view.rss_mb:.0f} MB",
                )  # fmt: skip

            training.follow(show)
    finally:
        signal.signal(signal.SIGINT, previous)
        training.close()
    final = training.final()
    for line in training.view().tail[-5:]:
        console.print(f"[dim]  {escape(line)}[/]")
    code = f", {exit_text(final.exit_code)}" if final.exit_code is not None else ""
    device = device_label(training.view().devices)
    console.print(
        f"Run #{final.number} {final.state}{code}: epoch {final.epoch or 0}/{final.epochs or '?'}, "
        f"{final.cpu_seconds:.0f} CPU s, peak {final.peak_rss_mb:.0f} MB"
        + (f", trained on {device}" if device else "")
    )
    return 0 if final.state == "finished" else 1
