"""``tfexam new`` writes an exam that ``tfexam check`` passes; ``check`` finds every planted
mistake at once, each with its file and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from simulator.grading.exam_check import suggest_thresholds
from tests.conftest import run_cli


def _line(path: Path, text: str) -> int:
    """The number of the first line of ``path`` that contains ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The module's own TFEXAM_HOME for ``tfexam new`` and ``check``: its check cache holds
    what the first check found about each grader's hidden data."""
    return {"TFEXAM_HOME": str(tmp_path_factory.mktemp("home"))}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, home: dict[str, str]) -> Path:
    exam = tmp_path_factory.mktemp("authoring") / "our-exam"
    made = run_cli("new", str(exam), env=home, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "5 questions copied from practice, id our-exam" in made.stdout
    return exam


def test_a_new_exam_is_complete_and_passes_the_check(written: Path, home: dict[str, str]) -> None:
    toml = (written / "exam.toml").read_text(encoding="utf-8")
    assert toml.startswith("# Written by `tfexam new` from the practice exam")
    assert 'id = "our-exam"' in toml
    for number in range(1, 6):
        folder = written / f"category{number}"
        for name in ("prompt.md", "starter.py", "grader.py", "solution.py"):
            assert (folder / name).is_file(), folder / name
    checked = run_cli("check", str(written), env=home, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == f"{written}: no problems"
    again = run_cli("new", str(written))
    assert again.returncode == 1
    assert "already exists and is not empty" in again.stderr


def test_every_planted_mistake_is_found_at_once_with_its_file_and_line(
    written: Path, tmp_path: Path, home: dict[str, str]
) -> None:
    exam = tmp_path / "planted"
    shutil.copytree(written, exam)  # what `tfexam new` wrote (checked above), copied
    toml = exam / "exam.toml"
    # 1. exam.toml: a pass mark that is no percentage.
    _replace(toml, "pass_mark = 90", "pass_mark = 150")
    # 2. exam.toml: the first question's thresholds in the wrong order.
    _replace(
        toml,
        "thresholds = [10.0, 1.0, 0.1, 0.01, 0.001]",
        "thresholds = [0.001, 0.01, 0.1, 1.0, 10.0]",
    )
    # 3. exam.toml: a key the format does not know.
    _replace(toml, "fresh_data = true", 'fresh_data = true\ncolour = "blue"')
    # 4. a prompt file that is missing.
    (exam / "category4" / "prompt.md").unlink()
    # 5. a starter without its DO NOT CHANGE values.
    starter3 = exam / "category3" / "starter.py"
    starter3.write_text(starter3.read_text().replace("DO NOT CHANGE", "fixed"), encoding="utf-8")
    # 6. a starter that saves the wrong file.
    starter4 = exam / "category4" / "starter.py"
    _replace(starter4, 'model.save("mymodel.h5")', 'model.save("model.h5")')
    # 7. data code that imports TensorFlow.
    data5 = exam / "category5" / "data.py"
    _replace(data5, "import numpy as np", "import numpy as np\nimport tensorflow as tf")
    # 8. a reference solution that is not valid Python.
    solution3 = exam / "category3" / "solution.py"
    _replace(solution3, "def solution_model(", "def solution_model(:\n    pass\n\n\ndef unused(")
    # 9. a grader whose hidden inputs do not fit the interface (flattened pictures).
    grader2 = exam / "category2" / "grader.py"
    _replace(
        grader2,
        "return (images / 255.0).astype(np.float32)",
        "return (images / 255.0).reshape(len(images), -1).astype(np.float32)",
    )

    checked = run_cli("check", str(exam), env=home, timeout=300)
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    expected = [
        f"exam.toml:{_line(toml, 'pass_mark = 150')}: exam.pass_mark:",
        f"exam.toml:{_line(toml, 'thresholds = [0.001')}: question 'basic-model'.scoring.thresholds: must strictly decrease",
        f"exam.toml:{_line(toml, 'colour = ')}: exam: unknown key",
        "exam.toml:",  # the missing prompt: on the line of the question's table
        "category3/starter.py:1: no value is marked DO NOT CHANGE",
        f"category4/starter.py:{_line(starter4, 'model.save(')}: saves 'model.h5', not the question's model file",
        f"category5/data.py:{_line(data5, 'import tensorflow')}: imports tensorflow",
        f"category3/solution.py:{_line(solution3, 'def solution_model(:')}: not valid Python",
        f"category2/grader.py:{_line(grader2, 'def test_data(')}: the hidden inputs have shape (784,)",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert any("category4/prompt.md does not exist" in line for line in lines), lines
    missing_prompt = next(line for line in lines if "prompt.md does not exist" in line)
    assert re.match(r"exam\.toml:\d+: ", missing_prompt), missing_prompt
    assert f"{len(lines)} problem(s)" in checked.stderr


def test_a_check_again_runs_only_the_graders_that_a_change_could_affect(
    written: Path, tmp_path: Path, home: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tfexam new`` checked every grader's hidden data and kept the verdicts: checking again
    runs no grader, a changed starter none either (the hidden data cannot depend on it), a
    changed grader its own, and a grader with a finding runs each time until it is fixed."""
    from simulator.grading import exam_check
    from simulator.paths import DataPaths

    cache = DataPaths(Path(home["TFEXAM_HOME"])).check_cache
    exam = tmp_path / "our-exam"  # the folder name is the exam id
    shutil.copytree(written, exam)
    ran: list[str] = []
    real = exam_check._hidden_data_problems

    def counted(question, file, seed):  # type: ignore[no-untyped-def]
        ran.append(question.folder.name)
        return real(question, file, seed)

    monkeypatch.setattr(exam_check, "_hidden_data_problems", counted)

    def check() -> list[str]:
        ran.clear()
        return [str(p) for p in exam_check.check_exam(exam, cache=cache)]

    assert check() == [] and ran == []
    starter4 = exam / "category4" / "starter.py"
    _replace(starter4, 'model.save("mymodel.h5")', 'model.save("model.h5")')
    [saves_wrong] = check()
    assert saves_wrong.startswith("category4/starter.py:") and ran == []
    grader2 = exam / "category2" / "grader.py"
    _replace(grader2, "def test_data(", "# a comment changes the file\ndef test_data(")
    assert len(check()) == 1 and ran == ["category2"]
    _replace(
        grader2,
        "return (images / 255.0).astype(np.float32)",
        "return (images / 255.0).reshape(len(images), -1).astype(np.float32)",
    )
    for _ in range(2):  # a finding is not kept: found again, by running the grader again
        problems = check()
        assert any("the hidden inputs have shape (784,)" in p for p in problems), problems
        assert ran == ["category2"]
    _replace(
        grader2,
        "return (images / 255.0).reshape(len(images), -1).astype(np.float32)",
        "return (images / 255.0).astype(np.float32)",
    )
    [still_wrong] = check()  # the grader as it was checked clean before: not run again
    assert still_wrong == saves_wrong and ran == []


def test_a_suggested_scale_separates_the_reference_from_the_starter() -> None:
    lines = suggest_thresholds(True, references=[0.05, 0.06], baselines=[0.30, 0.28])
    assert lines is not None and list(lines) == sorted(lines, reverse=True)
    assert lines[4] > 0.06 and lines[1] < 0.28  # 5/5 for every reference, <= 1/5 for the starter
    higher = suggest_thresholds(False, references=[0.90, 0.88], baselines=[0.10, 0.12])
    assert higher is not None and list(higher) == sorted(higher)
    assert higher[4] < 0.88 and higher[1] > 0.12
    assert suggest_thresholds(True, references=[0.3], baselines=[0.2]) is None
