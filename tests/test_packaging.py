"""The declared requirements are ones pip can satisfy: lower bounds that the other packages
accept, and the Python versions TensorFlow has wheels for."""

from __future__ import annotations

import sys
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
