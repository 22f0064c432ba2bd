"""Exam code depends on tfexam only through ``simulator.authoring``, the authors' stable API.

So tfexam's internal modules can move without breaking an exam: the shipped exams (and the test
fixtures' exams, which stand for a user's own) import nothing else of tfexam, and every name the
API offers is documented in docs/authoring.md.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import simulator.authoring
from tests.conftest import REPO

EXAM_ROOTS = (REPO / "mock_exams", REPO / "tests" / "fixtures" / "exams")
STABLE = "simulator.authoring"


def tfexam_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every import of a ``simulator`` module in ``path``, wherever written."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] == "simulator"]
    return found


def test_exam_code_imports_tfexam_only_through_the_authoring_api() -> None:
    files = [path for root in EXAM_ROOTS for path in sorted(root.rglob("*.py"))]
    users = [path for path in files if tfexam_imports(path)]
    assert len(users) >= 20, "the shipped graders and data modules were not found"
    wrong = [
        f"{path.relative_to(REPO)}:{line}: imports {name}"
        for path in files
        for line, name in tfexam_imports(path)
        if name != STABLE
    ]
    assert not wrong, f"exam code must import tfexam only as {STABLE}:\n" + "\n".join(wrong)


def test_the_check_sees_every_form_of_import(tmp_path: Path) -> None:
    source = tmp_path / "grader.py"
    source.write_text(
        "import simulator.exam.code\n"
        "from simulator.authoring import sibling_module\n"
        "def test_data(seed):\n"
        "    from simulator.datasets import dataset_file\n"
        "from . import data\n"
    )
    assert tfexam_imports(source) == [
        (1, "simulator.exam.code"),
        (2, "simulator.authoring"),
        (4, "simulator.datasets"),
    ]


def test_every_name_of_the_api_exists_and_is_documented() -> None:
    guide = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = guide.split("## The authoring API", 1)[1].split("\n## ", 1)[0]
    for name in simulator.authoring.__all__:
        assert hasattr(simulator.authoring, name), name
        assert re.search(rf"`{re.escape(name)}\b", section), f"{name} is not in docs/authoring.md"
        assert name in (simulator.authoring.__doc__ or ""), f"{name} is not in the docstring"
