"""Calibrate a mock exam: train each reference solution and grade it next to a naive baseline.

    python -m simulator.grading.calibrate practice [--question ID] [--write docs/calibration.md]
        [--curves]

For every question it creates a fresh workspace (the data a candidate gets), runs the untrained
starter skeleton as the naive baseline, runs the reference solution as a candidate would
(``python solution.py`` in the question folder, timed), and grades both with the real grader.
The table says whether the exam meets its promises: each reference scores 5 (4 for image
questions), trains in under 5 minutes, and each baseline scores at most 1. ``--write`` puts the
table into the exam's section of the calibration document, which ``tests/test_calibration.py``
(marked slow) compares with a fresh run. The reference runs with the run hook that records a
candidate's runs, so its loss and metric per epoch are recorded too; ``--curves`` writes them to
each question's ``reference_curves.json``, which the review draws beside the candidate's curves.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from simulator.datasets.prepare import question_ready
from simulator.exam.catalog import find_exam
from simulator.exam.format import Exam, Question
from simulator.exam.hidden_files import copy_hidden
from simulator.exam.metrics import MAX_SCORE, score_label
from simulator.exam.reference import (
    ReferenceCurves,
    epochs_from_hook_lines,
    write_reference_curves,
)
from simulator.exam.workspace import create_workspace
from simulator.grading.protocol import GradingResult
from simulator.grading.settings import GradingSettings
from simulator.grading.sync import SyncGrader
from simulator.grading.views import GradeViews
from simulator.paths import data_paths, run_hook_env
from simulator.scratch import ended_like_ctrl_c, scratch_folder

#: The issue's promises: a reference scores 5 (image questions at least 4) within 5 minutes of
#: training on 2 CPU cores, and a naive baseline scores at most 1.
REFERENCE_MIN_SCORE = {3: 4}
TRAINING_LIMIT_S = 300.0
BASELINE_MAX_SCORE = 1
#: The seeds of the multi-seed check (``--seeds N`` takes the first N): the exam's own seed first,
#: then fixed numbers drawn once as a session would (1-999,999), so a rerun checks the same data.
SESSION_SEEDS = (314159, 271828, 161803, 141421, 577215, 662607, 299792)


#: The scratch folders' kind: ``tfexam-calibrate-<pid>-<exam>-<random>`` in the temporary folder
#: (``simulator.scratch``: one left by a killed calibration is removed by the next).
SCRATCH_KIND = "calibrate"


@dataclass(frozen=True)
class Outcome:
    """A graded model: its hidden-test metric and calibrated score, or why it was not gradable.

    ``score`` is the calibrated (strict) score, the scale the promises are about; where the
    question's score that counts is the real exam's rule, ``views`` holds that too.
    """

    score: int | None
    value: float | None
    message: str
    views: GradeViews | None = None

    @classmethod
    def of(cls, result: GradingResult) -> Outcome:
        calibrated = result.views.calibrated_score if result.views else result.score
        return cls(calibrated, result.metric_value, result.message or "", result.views)

    def shown(self) -> str:
        if self.score is None:
            return f"not gradable: {self.message}"
        value = f"{self.value:.4g}" if self.value is not None else "n/a"
        text = f"{value} -> {score_label(self.score)}"
        real = self.views.real_exam if self.views else None
        if real is not None:
            shown = f"{real.metric_value:.4g}" if real.metric_value is not None else "n/a"
            text += f"; real rule {shown} -> {score_label(real.score)}"
        return text


def baselines_shown(question: Question, outcome: Outcome) -> str:
    """The trivial baselines on the hidden test with their calibrated scores, and by the real
    rule where it counts: "repeat the last value 0.034 -> 5/5 (real rule 0.07 -> 5/5)"."""
    if outcome.views is None or not outcome.views.baselines:
        return "-"
    real = outcome.views.real_exam
    rule = question.scoring.real_exam
    by_name = {b.name: b.value for b in real.baselines} if real else {}
    parts = []
    for baseline in outcome.views.baselines:
        part = f"{baseline.name} {baseline.value:.4g} -> {score_label(question.scoring.score(baseline.value))}"
        if rule is not None and baseline.name in by_name:
            value = by_name[baseline.name]
            part += f" (real rule {value:.4g} -> {score_label(rule.score(value))})"
        parts.append(part)
    return "; ".join(parts)


@dataclass(frozen=True)
class QuestionCalibration:
    question: Question
    reference: Outcome
    training_s: float
    baseline: Outcome
    #: The reference training's figures per epoch, as the run hook recorded them; None for a
    #: solution that trained no Keras model with ``fit`` (nothing was recorded).
    curves: ReferenceCurves | None = None

    @property
    def problems(self) -> list[str]:
        found = []
        needed = REFERENCE_MIN_SCORE.get(self.question.category, MAX_SCORE)
        if (self.reference.score or 0) < needed:
            found.append(
                f"{self.question.id}: reference scores {self.reference.score}, needs {needed}"
            )
        if self.training_s > TRAINING_LIMIT_S:
            found.append(
                f"{self.question.id}: reference trains {self.training_s:.0f} s > {TRAINING_LIMIT_S:.0f} s"
            )
        if self.baseline.score is None or self.baseline.score > BASELINE_MAX_SCORE:
            found.append(
                f"{self.question.id}: baseline scores {self.baseline.score}, at most {BASELINE_MAX_SCORE} allowed"
            )
        return found


def run_script(script: Path, log: Path, env: dict[str, str] | None = None) -> float:
    """Run a question's script in its folder as a candidate would; returns the wall time.
    ``env``: its environment (default this process's)."""
    started = time.perf_counter()
    with log.open("w") as output:
        done = subprocess.run(
            [sys.executable, script.name],
            cwd=script.parent,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**(os.environ if env is None else env), "TF_CPP_MIN_LOG_LEVEL": "2"},
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"{script.name} failed (exit {done.returncode}); see {log}")
    return time.perf_counter() - started


def calibrate_question(
    exam: Exam,
    question: Question,
    workspace: Path,
    grader: SyncGrader,
    logs: Path,
    seed: int | None = None,
) -> QuestionCalibration:
    """``seed``: the data seed of the workspace (default the exam's)."""
    seed = exam.seed if seed is None else seed
    folder = workspace / question.workspace_folder
    model = folder / question.model_files[0]
    run_script(folder / question.starter, logs / f"{question.id}-baseline.log")
    baseline = _graded(grader, model, exam, question, seed, question.starter)
    model.unlink(missing_ok=True)
    copy_hidden(question.folder, question.solution, folder / question.solution)
    epochs_file = logs / f"{question.id}-reference.epochs.jsonl"
    training_s = run_script(
        folder / question.solution,
        logs / f"{question.id}-reference.log",
        run_hook_env(epochs_file),
    )
    reference = _graded(grader, model, exam, question, seed, question.solution)
    return QuestionCalibration(
        question, reference, training_s, baseline, recorded_curves(question, seed, epochs_file)
    )


def _graded(
    grader: SyncGrader, model: Path, exam: Exam, question: Question, seed: int, script: str
) -> Outcome:
    """The model ``script`` saved, graded; a script that saved none (a starter may save
    nothing until it is completed) is "not gradable" saying so, not an error."""
    if not model.exists():
        return Outcome(None, None, f"{script} saved no {model.name}")
    return Outcome.of(grader.grade(model, exam.root, question.id, seed))


def machine() -> str:
    """The machine the curves were recorded on, in a few words (times per epoch depend on it)."""
    tensorflow = ""
    for distribution in ("tensorflow", "tensorflow-cpu"):
        try:
            tensorflow = f", TensorFlow {importlib.metadata.version(distribution)}"
            break
        except importlib.metadata.PackageNotFoundError:
            continue
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}{tensorflow}"
    )


def recorded_curves(question: Question, seed: int, epochs_file: Path) -> ReferenceCurves | None:
    """The reference's curves from the run hook's file; None if it recorded no epoch."""
    try:
        lines = epochs_file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    epochs = epochs_from_hook_lines(lines)
    if not epochs:
        return None
    return ReferenceCurves(question.id, seed, tuple(epochs), machine=machine())


def table_row(row: QuestionCalibration) -> str:
    q = row.question
    return (
        f"| {q.category} | {q.id} | {q.weight:g} | {q.scoring.metric} | {row.reference.shown()} | "
        f"{row.training_s:.0f} s | {row.baseline.shown()} | {baselines_shown(q, row.reference)} |"
    )


def markdown(exam: Exam, rows: list[QuestionCalibration], earlier: str = "") -> str:
    """The exam's section of docs/calibration.md (between its markers).

    Rows of questions not calibrated this time are kept from ``earlier`` (the old section), so
    one question can be recalibrated on its own.
    """
    kept = _rows_by_question(earlier)
    kept.update({row.question.id: table_row(row) for row in rows})
    lines = [
        f"<!-- calibration:{exam.id} -->",
        f"### {exam.id}: {exam.title}",
        "",
        f"Last run {dt.date.today().isoformat()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}.",
        "",
        "| cat | question | weight | metric | reference | training | baseline (untrained starter) "
        "| trivial baselines (hidden test) |",
        "|---|---|---|---|---|---|---|---|",
        *(kept[q.id] for q in exam.questions if q.id in kept),
        f"<!-- /calibration:{exam.id} -->",
    ]
    return "\n".join(lines) + "\n"


def _section(text: str, exam_id: str) -> str:
    found = re.search(
        rf"<!-- calibration:{re.escape(exam_id)} -->(.*?)<!-- /calibration:{re.escape(exam_id)} -->",
        text,
        re.S,
    )
    return found.group(1) if found else ""


def _question_rows(section: str) -> Iterator[tuple[str, list[str]]]:
    """(line, cells) of each question's row in a section's table."""
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 7 and cells[0].isdigit():
            yield line.strip(), cells


def _rows_by_question(section: str) -> dict[str, str]:
    return {cells[1]: line for line, cells in _question_rows(section)}


def write_section(document: Path, exam: Exam, rows: list[QuestionCalibration]) -> None:
    """Replace (or append) the exam's section of the calibration document."""
    text = document.read_text(encoding="utf-8") if document.exists() else "# Calibration\n"
    section = markdown(exam, rows, _section(text, exam.id))
    pattern = re.compile(
        rf"<!-- calibration:{re.escape(exam.id)} -->.*?<!-- /calibration:{re.escape(exam.id)} -->\n",
        re.S,
    )
    text = (
        pattern.sub(lambda _m: section, text)
        if pattern.search(text)
        else text.rstrip("\n") + "\n\n" + section
    )
    document.write_text(text, encoding="utf-8")


def scores_in_section(text: str, exam_id: str) -> dict[str, tuple[int | None, int | None]]:
    """Read (reference score, baseline score) per question back from a calibration section."""
    return {
        cells[1]: (_score(cells[4]), _score(cells[6]))
        for _, cells in _question_rows(_section(text, exam_id))
    }


def reference_metrics_in_section(text: str, exam_id: str) -> dict[str, float]:
    """The metric each calibrated question's reference solution reached, as the section shows it
    (``0.9223 -> 5/5``): what the exam's ``reference`` keys repeat for the report."""
    return {
        cells[1]: float(cells[4].split(" -> ")[0])
        for _, cells in _question_rows(_section(text, exam_id))
        if _score(cells[4]) is not None
    }


def uncalibrated_in_section(text: str, exam_id: str) -> set[str]:
    """Questions whose row says "not calibrated" (data that could not be had): ids."""
    return {
        cells[1]
        for _, cells in _question_rows(_section(text, exam_id))
        if cells[4].startswith("not calibrated")
    }


def _score(cell: str) -> int | None:
    found = re.search(rf"-> (\d+)/{MAX_SCORE}", cell)
    return int(found.group(1)) if found else None


def calibrate(
    exam: Exam,
    question_ids: list[str] | None = None,
    console: Console | None = None,
    seed: int | None = None,
) -> list[QuestionCalibration]:
    """``seed``: the data seed (default the exam's); a session of a fresh-data exam has its own."""
    console = console or Console()
    seed = exam.seed if seed is None else seed
    if question_ids:
        chosen = [exam.question(q) for q in question_ids]
    else:  # every question whose data can be had (a classic exam's datasets may be missing)
        chosen = [q for q in exam.questions if question_ready(q)]
        for question in exam.questions:
            if question not in chosen:
                console.print(
                    f"[yellow]{question.id}: skipped, its datasets are not prepared "
                    f"(tfexam prepare {exam.id})[/]"
                )
    rows: list[QuestionCalibration] = []
    if not chosen:
        return rows
    with scratch_folder(SCRATCH_KIND, exam.id) as root:
        workspace = create_workspace(
            dataclasses.replace(exam, questions=tuple(chosen)), root / "workspace", seed=seed
        )
        logs = root / "logs"
        logs.mkdir()
        with SyncGrader(GradingSettings.defaults(), logs) as grader:
            for question in chosen:
                console.print(f"[bold]{question.id}[/]: baseline, then reference training...")
                row = calibrate_question(exam, question, workspace, grader, logs, seed)
                console.print(
                    f"  reference {row.reference.shown()} in {row.training_s:.0f} s; baseline {row.baseline.shown()}"
                )
                rows.append(row)
    return rows


def seeds_for(exam: Exam, count: int) -> list[int]:
    """The exam's own seed, then the first ``count - 1`` of :data:`SESSION_SEEDS`."""
    if not 1 <= count <= len(SESSION_SEEDS) + 1:
        raise ValueError(f"--seeds takes 1 to {len(SESSION_SEEDS) + 1}")
    return [exam.seed, *SESSION_SEEDS[: count - 1]]


@dataclass(frozen=True)
class SeedsCalibration:
    """One question calibrated on several data seeds (fresh data per session)."""

    question: Question
    by_seed: dict[int, QuestionCalibration]

    @property
    def problems(self) -> list[str]:
        """The score promises on every seed (training time is the one-seed table's promise)."""
        return [
            f"{problem} (seed {seed})"
            for seed, row in self.by_seed.items()
            for problem in row.problems
            if "trains" not in problem
        ]

    def row(self) -> str:
        q = self.question
        references = "; ".join(
            f"{seed}: {row.reference.shown()}" for seed, row in self.by_seed.items()
        )
        baselines = " ".join(
            score_label(row.baseline.score) if row.baseline.score is not None else "n/g"
            for row in self.by_seed.values()
        )
        values = [r.reference.value for r in self.by_seed.values() if r.reference.value is not None]
        spread = f"{min(values):.4g} - {max(values):.4g}" if values else "-"
        return (
            f"| {q.category} | {q.id} | {q.scoring.metric} | {references} | {baselines} | "
            f"{spread} |"
        )


def calibrate_seeds(
    exam: Exam,
    seeds: list[int],
    question_ids: list[str] | None,
    console: Console,
    on_seed: Callable[[list[SeedsCalibration]], None] | None = None,
) -> list[SeedsCalibration]:
    """Calibrate the chosen questions once per seed (a workspace and data of its own each).

    ``on_seed`` gets the table so far after each seed: a run of 5 seeds takes an hour or more on
    2 cores, and what was measured is kept (written) even if the run is stopped later.
    """
    per_seed: dict[int, list[QuestionCalibration]] = {}
    for seed in seeds:
        per_seed[seed] = calibrate(exam, question_ids, console, seed)
        if on_seed is not None:
            on_seed(_by_question(per_seed))
    return _by_question(per_seed)


def _by_question(per_seed: dict[int, list[QuestionCalibration]]) -> list[SeedsCalibration]:
    questions = [row.question for row in next(iter(per_seed.values()), [])]
    return [
        SeedsCalibration(
            question,
            {
                seed: next(r for r in rows if r.question.id == question.id)
                for seed, rows in per_seed.items()
            },
        )
        for question in questions
    ]


def seeds_markdown(exam: Exam, rows: list[SeedsCalibration]) -> str:
    """The exam's multi-seed section of docs/calibration.md (between its own markers)."""
    seeds = list(rows[0].by_seed) if rows else []
    lines = [
        f"<!-- calibration-seeds:{exam.id} -->",
        f"#### {exam.id} on {len(seeds)} seeds",
        "",
        f"Last run {dt.date.today().isoformat()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; seeds "
        f"{', '.join(map(str, seeds))} (the first is the exam's own).",
        "",
        "| cat | question | metric | reference on each seed | baseline scores | reference metric "
        "range |",
        "|---|---|---|---|---|---|",
        *(row.row() for row in rows),
        f"<!-- /calibration-seeds:{exam.id} -->",
    ]
    return "\n".join(lines) + "\n"


def write_seeds_section(document: Path, exam: Exam, rows: list[SeedsCalibration]) -> None:
    """Replace (or append) the exam's multi-seed section of the calibration document."""
    text = document.read_text(encoding="utf-8") if document.exists() else "# Calibration\n"
    section = seeds_markdown(exam, rows)
    marker = f"calibration-seeds:{re.escape(exam.id)}"
    pattern = re.compile(rf"<!-- {marker} -->.*?<!-- /{marker} -->\n", re.S)
    text = (
        pattern.sub(lambda _m: section, text)
        if pattern.search(text)
        else text.rstrip("\n") + "\n\n" + section
    )
    document.write_text(text, encoding="utf-8")


def _main_seeds(args: argparse.Namespace, exam: Exam, console: Console) -> int:
    def write(rows: list[SeedsCalibration]) -> None:
        if args.write:
            write_seeds_section(args.write, exam, rows)
            console.print(f"wrote {args.write} ({len(rows[0].by_seed) if rows else 0} seeds)")

    rows = calibrate_seeds(exam, seeds_for(exam, args.seeds), args.question, console, write)
    for row in rows:
        console.print(row.row())
    problems = [p for row in rows for p in row.problems]
    for problem in problems:
        console.print(f"[red]{problem}[/]")
    return 1 if problems else 0


def write_curves(rows: list[QuestionCalibration], console: Console) -> list[str]:
    """Write each calibrated reference's curves beside its solution; a problem per question
    whose reference recorded none."""
    problems = []
    for row in rows:
        if row.curves is None:
            problems.append(f"{row.question.id}: the reference recorded no epoch (no curves)")
            continue
        path = write_reference_curves(row.question, row.curves)
        console.print(f"wrote {path} ({len(row.curves.epochs)} epochs)")
    return problems


def main(argv: list[str] | None = None, prog: str = "python -m simulator.grading.calibrate") -> int:
    with ended_like_ctrl_c(prog):
        return _main(argv, prog)


def _main(argv: list[str] | None, prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("exam", help="the exam: its id (tfexam exams) or its folder")
    parser.add_argument("--question", action="append", help="only this question (repeatable)")
    parser.add_argument(
        "--write", type=Path, help="update this exam's section of a calibration document"
    )
    parser.add_argument("--seed", type=int, help="data seed (default: the exam's)")
    parser.add_argument(
        "--seeds",
        type=int,
        help="calibrate on this many seeds (the exam's, then fixed session seeds); with --write, "
        "writes the exam's multi-seed table",
    )
    parser.add_argument(
        "--curves",
        action="store_true",
        help="write each reference's loss and metric per epoch to reference_curves.json beside "
        "its solution.py (shipped with the exam, drawn in the review)",
    )
    args = parser.parse_args(argv)
    console = Console(highlight=False)
    exam = find_exam(args.exam, data_paths())
    if args.seed is not None and (args.write or args.seeds):
        parser.error("--seed is one seed: leave out --write and --seeds")
    if args.seeds is not None and args.curves:
        parser.error("--curves records one seed's training: leave out --seeds")
    if args.seeds is not None:
        if not 1 <= args.seeds <= len(SESSION_SEEDS) + 1:
            parser.error(f"--seeds takes 1 to {len(SESSION_SEEDS) + 1}")
        return _main_seeds(args, exam, console)
    rows = calibrate(exam, args.question, console, args.seed)
    table = Table(
        "cat", "question", "reference", "training", "baseline", title=f"{exam.id} calibration"
    )
    for row in rows:
        table.add_row(
            str(row.question.category),
            row.question.id,
            row.reference.shown(),
            f"{row.training_s:.0f} s",
            row.baseline.shown(),
        )
    console.print(table)
    problems = [p for row in rows for p in row.problems]
    weights = {q.category: q.weight for q in exam.questions}
    if 1 in weights and 5 in weights and not weights[5] >= 2 * weights[1]:
        problems.append("category 5 must weigh clearly more than category 1")
    if args.write:
        write_section(args.write, exam, rows)
        console.print(f"wrote {args.write}")
    if args.curves:
        problems += write_curves(rows, console)
    for problem in problems:
        console.print(f"[red]{problem}[/]")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
