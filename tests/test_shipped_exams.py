"""Every shipped exam's files run as a candidate would run them, and grade as documented."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.datasets import exam_datasets
from simulator.exam.catalog import list_exams
from simulator.exam.format import Exam, Question, load_exam
from simulator.grading.settings import GradingSettings
from simulator.grading.sync import SyncGrader
from tests.conftest import PRACTICE_EXAM, REPO
from tests.grading_helpers import warm_grader

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

#: Written, in a process of its own, every offline exam's workspace (the one data generation
#: this module's tests share) and loaded every classic exam's data modules (their data needs the
#: real datasets); prints which TensorFlow modules each question's data module brought in.
WRITE_DATA = """
import json, sys
from pathlib import Path
from simulator.datasets import exam_datasets
from simulator.exam.code import load_question_module
from simulator.exam.format import load_exam
from simulator.exam.workspace import create_workspace

root, exams = Path(sys.argv[1]), sys.argv[2:]
def heavy():
    return {m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras")}
brought = {"(before any exam)": sorted(heavy())}
for folder in exams:
    exam = load_exam(Path(folder))
    if exam_datasets(exam):
        for question in exam.questions:
            if question.data:
                before = heavy()
                load_question_module(question, question.data, "data")
                brought[exam.id + "/" + question.id] = sorted(heavy() - before)
        continue
    state = {"question": None, "before": set()}
    def note(question=None):
        if state["question"] is not None and state["question"].data:
            brought[exam.id + "/" + state["question"].id] = sorted(heavy() - state["before"])
        state["question"], state["before"] = question, heavy()
    create_workspace(exam, root / exam.id, seed=exam.seed, on_question=note)
    note()
print(json.dumps(brought))
"""


@dataclass(frozen=True)
class Generated:
    workspaces: dict[str, Path]  # each offline exam's workspace, by exam id
    brought: dict[str, list[str]]  # TensorFlow modules each data module loaded, by "exam/question"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """Each offline exam's workspace, written once for this module (the images take seconds)."""
    root = tmp_path_factory.mktemp("workspaces")
    done = subprocess.run(
        [sys.executable, "-c", WRITE_DATA, str(root), *(str(e.root) for e in ALL_EXAMS)],
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    brought = json.loads(done.stdout.strip().splitlines()[-1])
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
    shutil.copytree(workspaces[exam.id] / question.workspace_folder, folder)
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


def test_category1_reference_solution_scores_five(grader: SyncGrader, tmp_path: Path) -> None:
    exam = load_exam(PRACTICE_EXAM)
    question = exam.question("1")
    folder = tmp_path / "solution"
    folder.mkdir()
    shutil.copyfile(question.folder / question.solution, folder / "solution.py")
    model, _ = run_script(folder / "solution.py")
    result = grader.grade(model, PRACTICE_EXAM, question.id, seed=exam.seed)
    assert (result.state, result.score) == ("graded", 5), result.message
