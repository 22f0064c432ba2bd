"""The declared requirements are ones pip can satisfy: lower bounds that the other packages
accept, and the Python versions TensorFlow has wheels for."""

from __future__ import annotations

import dataclasses
import json
import sys
import zipfile
from importlib.metadata import requires
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from tests.conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _declared() -> dict[str, list[Requirement]]:
    project = tomllib.loads(Path(REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found: dict[str, list[Requirement]] = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        found.setdefault(requirement.name, []).append(requirement)
    return found


def _lower_bound(specifier: SpecifierSet) -> str:
    return next(s.version for s in specifier if s.operator == ">=")


def test_our_rich_lower_bound_is_one_that_textual_accepts() -> None:
    declared = _declared()
    ours = _lower_bound(declared["rich"][0].specifier)
    wanted = [
        Requirement(line)
        for line in requires("textual") or []
        if Requirement(line).name == "rich" and Requirement(line).marker is None
    ]
    assert wanted, "textual declares its rich requirement"
    assert wanted[0].specifier.contains(ours), (
        f"rich>={ours} allows a rich that textual {declared['textual'][0].specifier} refuses "
        f"({wanted[0]})"
    )


def test_python_3_13_is_allowed_with_a_tensorflow_that_has_wheels_for_it() -> None:
    project = tomllib.loads(Path(REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert SpecifierSet(project["requires-python"]).contains("3.13")
    environment = {"python_version": "3.13", "sys_platform": "linux", "platform_machine": "x86_64"}
    chosen = [
        r for r in _declared()["tensorflow-cpu"] if r.marker and r.marker.evaluate(environment)
    ]
    assert len(chosen) == 1
    # 2.20 is the first TensorFlow with cp313 wheels.
    assert not chosen[0].specifier.contains("2.19") and chosen[0].specifier.contains("2.20.0")


def test_the_wheel_seals_graders_and_solutions_and_an_installed_exam_grades_from_the_archive(
    tmp_path: Path, models: dict[str, Path], tfexam_home: Path
) -> None:
    """What pip installs has no grader.py, solution.py or explanation.md to read; grading, the
    reveal at the end and the review read them from the exam's sealed.zip."""
    from hatchling.builders.wheel import WheelBuilder

    from simulator.exam.catalog import find_exam
    from simulator.exam.reference import explanation_text
    from simulator.exam.workspace import REFERENCE_NAME, reveal_solutions
    from tests.conftest import run_cli

    [wheel] = WheelBuilder(str(REPO)).build(directory=str(tmp_path), versions=["standard"])
    with zipfile.ZipFile(wheel) as built:
        names = built.namelist()
        built.extractall(tmp_path / "site")
    hidden = ("/grader.py", "/solution.py", "/explanation.md")
    assert not [n for n in names if n.endswith(hidden)], "sealed"
    # The reference curves reveal nothing of the solution's code: they ship as plain files.
    assert "mock_exams/practice/category1/reference_curves.json" in names
    shipped = sorted(p.parent.name for p in (REPO / "mock_exams").glob("*/exam.toml"))
    assert sorted(n.split("/")[1] for n in names if n.endswith("/sealed.zip")) == shipped
    installed = tmp_path / "site" / "mock_exams" / "practice"
    with zipfile.ZipFile(installed / "sealed.zip") as sealed:
        assert "category1/grader.py" in sealed.namelist()
        assert "category1/solution.py" in sealed.namelist()
        assert "category1/explanation.md" in sealed.namelist()

    exam = find_exam(str(installed), None)  # loads: the sealed files count as present
    graded = run_cli(
        "grade", str(models["good.h5"]), "--exam", str(installed), "--question", "1", "--json",
        env={"TFEXAM_HOME": str(tfexam_home)},
    )  # fmt: skip
    assert graded.returncode == 0, graded.stderr
    assert json.loads(graded.stdout)["score"] == 5, "the sealed grader graded it"
    workspace = tmp_path / "ws"
    (workspace / "category1").mkdir(parents=True)
    [revealed] = reveal_solutions(
        dataclasses.replace(exam, questions=exam.questions[:1]), workspace
    )
    assert revealed.name == REFERENCE_NAME
    assert "def solution_model" in revealed.read_text(encoding="utf-8")
    assert "## Why it works" in explanation_text(exam.question("1")), "read from sealed.zip"
