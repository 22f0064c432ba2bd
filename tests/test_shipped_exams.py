"""Every shipped exam's files run as a candidate would run them, and grade as documented."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.datasets import exam_datasets
from simulator.exam.catalog import list_exams
from simulator.exam.format import Exam, Question, load_exam
from simulator.exam.workspace import create_workspace
from simulator.grading.settings import GradingSettings
from simulator.grading.sync import SyncGrader
from tests.conftest import PRACTICE_EXAM
from tests.grading_helpers import warm_grader

# The offline exams; the classic ones need their datasets prepared (tests/test_classic_exams.py).
EXAMS: list[Exam] = [
    entry.exam
    for entry in list_exams(None)
    if entry.exam is not None and not exam_datasets(entry.exam)
]
QUESTIONS = [(exam, question) for exam in EXAMS for question in exam.questions]


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncGrader]:
    instance = warm_grader(GradingSettings(workers=1), tmp_path_factory.mktemp("logs"))
    yield instance
    instance.close()


def run_script(script: Path) -> Path:
    """Run a starter or solution file in its folder, as `python starter.py` would."""
    done = subprocess.run(
        [sys.executable, script.name],
        cwd=script.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Total params" in done.stdout  # the starter prints model.summary(), as the rules ask
    return script.parent / "mymodel.h5"


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each offline exam's workspace, written once for this module (the images take seconds)."""
    root = tmp_path_factory.mktemp("workspaces")
    return {exam.id: create_workspace(exam, root / exam.id, seed=exam.seed) for exam in EXAMS}


@pytest.mark.parametrize("exam", EXAMS, ids=lambda e: e.id)
def test_workspace_holds_prompts_and_starters_but_no_grader_or_solution(
    exam: Exam, workspaces: dict[str, Path]
) -> None:
    workspace = workspaces[exam.id]
    for question in exam.questions:
        names = sorted(p.name for p in (workspace / question.workspace_folder).iterdir())
        assert "prompt.md" in names and question.starter in names
        assert question.grader not in names and question.solution not in names
        assert "reference_solution.py" not in names
    assert "| category1/ | 1 | Basic model | mymodel.h5 |" in (workspace / "README.md").read_text()


@pytest.mark.parametrize(("exam", "question"), QUESTIONS, ids=lambda v: v.id)
def test_each_starter_skeleton_runs_and_saves_a_gradable_model(
    exam: Exam, question: Question, grader: SyncGrader, workspaces: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / question.workspace_folder  # a private copy of the question's folder
    shutil.copytree(workspaces[exam.id] / question.workspace_folder, folder)
    model = run_script(folder / question.starter)
    result = grader.grade(model, exam.root, question.id, seed=exam.seed)
    assert result.state == "graded", result.message
    assert result.score is not None and result.score <= 1  # untrained: gradable, but no marks


def test_category1_reference_solution_scores_five(grader: SyncGrader, tmp_path: Path) -> None:
    exam = load_exam(PRACTICE_EXAM)
    question = exam.question("1")
    folder = tmp_path / "solution"
    folder.mkdir()
    shutil.copyfile(question.folder / question.solution, folder / "solution.py")
    model = run_script(folder / "solution.py")
    result = grader.grade(model, PRACTICE_EXAM, question.id, seed=exam.seed)
    assert (result.state, result.score) == ("graded", 5), result.message
