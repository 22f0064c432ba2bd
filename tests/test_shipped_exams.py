"""Every shipped exam's files run as a candidate would run them, and grade as documented."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.datasets import exam_datasets
from simulator.exam.catalog import list_exams
from simulator.exam.format import Exam, Question
from simulator.grading.settings import GradingSettings
from simulator.grading.sync import SyncGrader
from tests.grading_helpers import warm_grader
from tests.shared_data import copy_workspace, offline_workspaces

#: Every shipped exam; the classic ones need their datasets prepared (tests/test_classic_exams.py).
ALL_EXAMS: list[Exam] = [entry.exam for entry in list_exams(None) if entry.exam is not None]
#: The offline exams: their data is generated, so a workspace can be made anywhere.
EXAMS: list[Exam] = [exam for exam in ALL_EXAMS if not exam_datasets(exam)]
QUESTIONS = [(exam, question) for exam in EXAMS for question in exam.questions]
DATA_QUESTIONS = [(exam, q) for exam in ALL_EXAMS for q in exam.questions if q.data is not None]


@dataclass(frozen=True)
class StarterFacts:
    """What a question's untrained starter shows beyond "runs and saves a gradable model"."""

    max_score: int = 1  # untrained: gradable, but no marks (at most one by luck)
    prints: str | None = None  # a line it prints (the loader found the data where it looks)


STARTER_FACTS: dict[tuple[str, str], StarterFacts] = {
    ("practice", "image-classification"): StarterFacts(
        prints="Found 1200 images belonging to 3 classes"
    ),
    ("practice-2", "binary-images"): StarterFacts(
        max_score=0, prints="Found 800 images belonging to 2 classes"
    ),
}


@dataclass(frozen=True)
class Generated:
    workspaces: dict[str, Path]  # each offline exam's workspace, by exam id
    brought: dict[str, list[str]]  # TensorFlow modules each data module loaded, by "exam/question"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """Each offline exam's workspace, written once for the test run (tests.shared_data): tests
    copy what they change."""
    root = offline_workspaces(tmp_path_factory)
    brought = json.loads((root / "brought.json").read_text(encoding="utf-8"))
    assert brought.pop("(before any exam)") == [], "tfexam itself loaded TensorFlow"
    return Generated({exam.id: root / exam.id for exam in EXAMS}, brought)


@pytest.fixture(scope="module")
def workspaces(generated: Generated) -> dict[str, Path]:
    return generated.workspaces


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncGrader]:
    instance = warm_grader(GradingSettings(workers=1), tmp_path_factory.mktemp("logs"))
    yield instance
    instance.close()


def run_script(script: Path) -> tuple[Path, str]:
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
    return script.parent / "mymodel.h5", done.stdout


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
    copy_workspace(workspaces[exam.id] / question.workspace_folder, folder)
    facts = STARTER_FACTS.get((exam.id, question.id), StarterFacts())
    model, printed = run_script(folder / question.starter)
    if facts.prints is not None:
        assert facts.prints in printed
    result = grader.grade(model, exam.root, question.id, seed=exam.seed)
    assert result.state == "graded", result.message
    assert result.score is not None and result.score <= facts.max_score, result.message


@pytest.mark.parametrize(("exam", "question"), DATA_QUESTIONS, ids=lambda v: v.id)
def test_the_data_module_imports_no_tensorflow(
    exam: Exam, question: Question, generated: Generated
) -> None:
    """The data is written in the UI's process (tfexam start): TensorFlow would cost seconds and
    memory there. Offline exams write their data; classic ones load their module."""
    assert generated.brought[f"{exam.id}/{question.id}"] == []


@pytest.mark.parametrize(("exam", "question"), [(e, q) for e in ALL_EXAMS for q in e.questions],
                         ids=lambda v: v.id)  # fmt: skip
def test_the_prompt_states_how_it_is_scored(exam: Exam, question: Question) -> None:
    """A candidate reads the metric and what scores points before training (the scale itself
    is checked against the grader in tests/test_prompts.py)."""
    text = (question.folder / question.prompt).read_text(encoding="utf-8").lower()
    names = {"mse": ("mse", "mean squared error"), "mae": ("mae", "mean absolute error"),
             "accuracy": ("accuracy",)}[question.scoring.metric]  # fmt: skip
    assert any(name in text for name in names), f"{exam.id} {question.id}: no metric named"
    assert "score" in text, f"{exam.id} {question.id}: nothing on how it is scored"


@dataclass(frozen=True)
class ReferenceRun:
    """A short training of a question's reference solution, run in a copy of the question's
    workspace folder (the exam's seed), and the least score its model must reach. The full
    trainings, minutes each, are the per-question files' ``-m slow`` tests."""

    min_score: int
    #: What ``python -c`` runs beside solution.py; it saves mymodel.h5.
    code: str = "import solution; solution.solution_model().save('mymodel.h5')"
    #: ``(old, new)`` in solution.py, for a solution whose epochs are fixed in its code.
    edit: tuple[str, str] | None = None


def _epochs(count: int) -> str:
    return f"import solution; solution.solution_model(epochs={count}).save('mymodel.h5')"


#: One epoch on the first 8000 pictures (a fifteenth of the full training) already scores.
PART_OF_AN_EPOCH = """
import solution
full = solution.load_data
def part():
    (x, y), test = full()
    return (x[:8000], y[:8000]), test
solution.load_data = part
solution.solution_model(epochs=1).save('mymodel.h5')
"""

#: Each offline question's short reference training (its own settings) and what it must score.
REFERENCE_RUNS: dict[tuple[str, str], ReferenceRun] = {
    ("practice", "basic-model"): ReferenceRun(min_score=5),  # the whole training: seconds
    ("practice", "learning-dataset"): ReferenceRun(min_score=2, code=PART_OF_AN_EPOCH),
    # One epoch of 25 promises no marks, only a gradable model (at least 4 after the full run).
    ("practice", "image-classification"): ReferenceRun(min_score=0, code=_epochs(1)),
    ("practice", "text-classification"): ReferenceRun(
        min_score=2, edit=("epochs=30,", "epochs=1,")
    ),
    ("practice", "time-series"): ReferenceRun(min_score=2, code=_epochs(3)),
    ("practice-2", "news-topics"): ReferenceRun(min_score=2, edit=("epochs=30,", "epochs=4,")),
    ("practice-2", "multivariate-series"): ReferenceRun(min_score=2, code=_epochs(2)),
}
#: Offline questions without a short run here, and why.
NO_SHORT_RUN: dict[tuple[str, str], str] = {
    ("practice-2", "learning-dataset"): "practice's category2 folder, run above",
    # Only the whole training (500 epochs) shows its promise: a minute and more on a busy machine.
    ("practice-2", "basic-model"): "practice's category1 with another line, run above",
    ("practice-2", "binary-images"): "a few epochs learn nothing yet: the full run is -m slow",
}


def test_every_offline_question_has_a_short_reference_run_or_a_reason() -> None:
    keys = {(exam.id, question.id) for exam, question in QUESTIONS}
    assert set(REFERENCE_RUNS) | set(NO_SHORT_RUN) == keys
    assert not set(REFERENCE_RUNS) & set(NO_SHORT_RUN)


@pytest.mark.parametrize(
    ("exam", "question"),
    [(e, q) for e, q in QUESTIONS if (e.id, q.id) in REFERENCE_RUNS],
    ids=lambda v: v.id,
)
def test_a_short_reference_training_scores_what_its_question_promises(
    exam: Exam, question: Question, grader: SyncGrader, workspaces: dict[str, Path], tmp_path: Path
) -> None:
    """The reference solution learns from the question's data (and beats the untrained starter,
    where ``min_score`` is above the starter's ``max_score``): the data, the solution and the
    hidden grader fit together."""
    run = REFERENCE_RUNS[(exam.id, question.id)]
    folder = tmp_path / question.workspace_folder
    copy_workspace(workspaces[exam.id] / question.workspace_folder, folder)
    source = (question.folder / question.solution).read_text(encoding="utf-8")
    if run.edit is not None:
        assert run.edit[0] in source, f"{question.solution} no longer says {run.edit[0]!r}"
        source = source.replace(*run.edit)
    (folder / "solution.py").write_text(source, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", run.code], cwd=folder, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Total params" in done.stdout  # model.summary(), as the rules ask
    result = grader.grade(folder / "mymodel.h5", exam.root, question.id, seed=exam.seed)
    assert result.state == "graded", result.message
    assert result.score is not None and result.score >= run.min_score, result.message
