"""Exams from every place a course team can put them: ``$TFEXAM_HOME/exams``,
``TFEXAM_EXAMS_PATH`` and installed exam packs (entry points in the group ``tfexam.exams``).

The pack is built as a real wheel by the build backend and installed by pip, as a learner would
``pip install our-course-exams``; a headless session of its exam is taken to a score.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.exam.catalog import ENTRY_POINT_GROUP, EXAMS_PATH_ENV
from tests.cli_helpers import HeadlessRun
from tests.conftest import FIXTURES, run_cli
from tests.waiting import wait_until

PACK_PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "our-course-exams"
version = "1.0"

[project.entry-points."tfexam.exams"]
our-course = "our_course_exams"

[tool.hatch.build.targets.wheel]
packages = ["our_course_exams"]
"""


def _exam(parent: Path, exam_id: str) -> Path:
    """The seeded test exam (one question, generated data) under ``exam_id``."""
    exam = parent / exam_id
    shutil.copytree(FIXTURES / "exams" / "seeded", exam)
    toml = exam / "exam.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('id = "seeded"', f'id = "{exam_id}"'),
        encoding="utf-8",
    )
    return exam


@pytest.fixture(scope="module")
def installed_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pack wheel built from source and installed into its own folder; that folder."""
    from hatchling.builders.wheel import WheelBuilder

    root = tmp_path_factory.mktemp("pack")
    source = root / "source"
    package = source / "our_course_exams"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Our course\'s mock exams."""\n', encoding="utf-8")
    _exam(package, "course-a")
    (source / "pyproject.toml").write_text(PACK_PYPROJECT, encoding="utf-8")
    [wheel] = WheelBuilder(str(source)).build(directory=str(root / "dist"), versions=["standard"])
    target = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--target", str(target), wheel],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return target


def _with_path(folder: Path) -> dict[str, str]:
    current = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": os.pathsep.join(p for p in (str(folder), current) if p)}


def _listed(env: dict[str, str]) -> dict[str, dict[str, object]]:
    listed = run_cli("exams", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    return {entry["id"]: entry for entry in json.loads(listed.stdout)}


def test_an_installed_pack_is_listed_with_its_origin_and_a_session_of_it_scores(
    installed_pack: Path, tfexam_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _with_path(installed_pack)
    listed = _listed(env)
    pack = listed["course-a"]
    assert pack["valid"] and pack["origin"] == "pack"
    assert pack["origin_label"] == (
        f"package our-course-exams 1.0 (entry point {ENTRY_POINT_GROUP}: our-course)"
    )
    assert listed["practice"]["origin"] == "shipped"
    table = run_cli("exams", env={**env, "COLUMNS": "200"})
    assert "package our-course-exams 1.0" in table.stdout

    from tests.models import constant_model

    monkeypatch.setenv("PYTHONPATH", env["PYTHONPATH"])
    workspace = tmp_path / "ws"
    run = HeadlessRun("start", "course-a", "--workspace", str(workspace))
    try:
        target = workspace / "constant" / "target.txt"
        wait_until(target.is_file, timeout=60, message=f"the pack's data wrote {target}")
        value = float(target.read_text(encoding="utf-8"))
        constant_model(value).save(workspace / "constant" / "mymodel.h5")
        [graded] = run.wait_for("attempt-graded", timeout=120)
        assert graded["score"] == 5
    finally:
        run.kill()


def test_two_exams_with_one_id_are_refused_naming_both_places(tfexam_home: Path) -> None:
    _exam(tfexam_home / "exams", "practice")
    listed = _listed({})
    clash = listed["practice"]
    assert not clash["valid"]
    assert "two exams are called 'practice'" in str(clash["error"])
    assert str(tfexam_home / "exams" / "practice") in str(clash["error"])
    assert "shipped with tfexam" in str(clash["error"])

    refused = run_cli("start", "practice", "--headless")
    assert refused.returncode == 1
    assert "two exams are called 'practice'" in refused.stderr
    assert "rename or remove one of them" in refused.stderr


def test_folders_on_the_exams_path_are_listed_and_a_broken_pack_hides_no_exam(
    tfexam_home: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "course-share"
    _exam(shared, "course-b")
    broken = tmp_path / "broken-site"
    info = broken / "broken_exams-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken-exams\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nbroken = broken_exams_missing\n", encoding="utf-8"
    )
    listed = _listed({EXAMS_PATH_ENV: str(shared), **_with_path(broken)})
    assert listed["course-b"]["valid"] and listed["course-b"]["origin"] == "path"
    assert str(shared) in str(listed["course-b"]["origin_label"])
    assert listed["practice"]["valid"]
    assert not listed["broken"]["valid"]
    assert "could not be loaded: ModuleNotFoundError" in str(listed["broken"]["error"])
