"""``tfexam grade MODEL --exam E --question Q``: grade one model file once, outside any session."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from rich.markup import escape

from simulator.cli.common import grading_options, grading_settings, log_to
from simulator.cli.group import CliError, cli, console
from simulator.exam.catalog import find_exam
from simulator.exam.format import Exam, Question
from simulator.exam.metrics import score_label
from simulator.grading.sync import grade_file
from simulator.paths import data_paths
from simulator.scratch import ended_like_ctrl_c, scratch_folder
from simulator.storage.home import home_writable

#: The kind of the scratch folder that holds the log where the home is read-only
#: (``tfexam-grade-<pid>-<random>``; ``simulator.scratch``).
SCRATCH_KIND = "grade"


@cli.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--exam", "exam_name", required=True, help="Exam id (see 'tfexam exams').")
@click.option(
    "--question", "question_key", required=True, help="Question id, folder or category number."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@grading_options
def grade(
    model: Path,
    exam_name: str,
    question_key: str,
    as_json: bool,
    grading_timeout: float | None,
    memory_limit: int | None,
    max_model_mb: int | None,
) -> int:
    """Grade one model file once, outside any session."""
    # The grading worker and any scratch folder go on the way out of a SIGTERM too.
    with ended_like_ctrl_c("tfexam grade"):
        paths = data_paths()
        exam = find_exam(exam_name, paths)
        question = exam.question(question_key)
        if not os.path.lexists(model):
            raise CliError(f"no model at {model}")
        options = (as_json, grading_timeout, memory_limit, max_model_mb)
        if home_writable(paths.root):
            return _grade(model, exam, question, paths.scratch_logs, *options)
        # Grading records nothing: a read-only home will do, with the log in a temporary folder.
        click.echo(
            f"tfexam: TFEXAM_HOME {paths.root} is not writable: grading without keeping its log",
            err=True,
        )
        with scratch_folder(SCRATCH_KIND) as scratch:
            return _grade(model, exam, question, scratch, *options)


def _grade(
    model: Path,
    exam: Exam,
    question: Question,
    logs: Path,
    as_json: bool,
    grading_timeout: float | None,
    memory_limit: int | None,
    max_model_mb: int | None,
) -> int:
    log_to(logs / "grade.log")
    settings = grading_settings(
        workers=1, timeout_s=grading_timeout, memory_limit_mb=memory_limit,
        max_model_mb=max_model_mb,
    )  # fmt: skip
    result = grade_file(model, exam.root, question.id, exam.seed, settings, logs)
    if as_json:
        click.echo(json.dumps({
            "model": str(model), "exam": exam.id, "question": question.id, "state": result.state,
            "score": result.score, "metric": {"name": result.metric_name, "value": result.metric_value},
            "message": result.message, "timings": result.timings,
            "views": None if result.views is None else result.views.to_dict(),
            "checks": [c.to_dict() for c in result.checks or ()],
        }, indent=2))  # fmt: skip
    elif result.state == "graded":
        console.print(
            f"{escape(question.title)}: [bold green]{score_label(result.score)}[/] ({escape(result.message or '')})"
        )
    else:
        console.print(
            f"{escape(question.title)}: [bold yellow]not gradable[/]: {escape(result.message or '')}"
        )
    return 0 if result.state == "graded" else 1
