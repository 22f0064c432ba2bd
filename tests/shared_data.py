"""Data made once per test run, also when pytest-xdist runs the tests in several processes.

A module- or session-scoped fixture runs once in *each* xdist worker: a practice workspace that
takes a minute on a busy 2-core machine would be written twice, once per core. ``shared_folder``
makes it once for the whole run: the first process to ask makes it under a file lock, the others
wait for the lock and find it made. Tests copy what they change (the folder is shared).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: each process makes its own copy
    fcntl = None  # type: ignore[assignment]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def shared_folder(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]
) -> Path:
    """The folder ``name``, made by ``make(folder)`` once for this test run (every xdist worker
    gets the same one). A ``make`` that fails is tried again by the next process that asks."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER") and fcntl is not None:
        root = root.parent  # the run's folder, above each worker's own
    folder = root / f"shared-{name}"
    done = root / f"shared-{name}.done"
    with _locked(root / f"shared-{name}.lock"):
        if not done.exists():
            if folder.exists():
                shutil.rmtree(folder)  # left half-made by a process that failed
            make(folder)
            done.touch()
    return folder


def _link_or_copy(source: str, target: str) -> object:
    """A hard link to ``source`` (no bytes copied), or a copy where links are refused."""
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed there
        return shutil.copy2(source, target)
    return target


def copy_workspace(template: Path, target: Path) -> Path:
    """A session's own copy of a workspace made once per run (``practice_template``).

    About 150 engine and TUI tests each take a copy; the practice workspace is 1,500 files, most
    of them the image question's pictures, which a session only reads. Those are hard-linked
    (a copy of 1,500 files took about a second on a quiet machine, several on a loaded one);
    every other file (starters, prompts, the other questions' data) is copied, so a test may
    write over any of them without touching the template."""

    def copy(source: str, destination: str) -> object:
        pictures = "images" in Path(source).relative_to(template).parts
        return (_link_or_copy if pictures else shutil.copy2)(source, destination)

    shutil.copytree(template, target, copy_function=copy)
    return target


#: Written, in a process of its own, every offline exam's workspace for the exam's own seed, and
#: loaded every classic exam's data modules (their data needs the real datasets); writes which
#: TensorFlow modules each question's data module brought in to ``brought.json`` (checked by
#: tests/test_shipped_exams.py: data code runs in the exam screen's process).
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
(root / "brought.json").write_text(json.dumps(brought), encoding="utf-8")
"""


def _write_offline_workspaces(root: Path) -> None:
    from simulator.exam.catalog import list_exams
    from tests.conftest import REPO

    root.mkdir()
    exams = [str(entry.exam.root) for entry in list_exams(None) if entry.exam is not None]
    done = subprocess.run(
        [sys.executable, "-c", WRITE_DATA, str(root), *exams],
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]


def offline_workspaces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with every offline exam's workspace for its exam's seed (``<root>/<exam id>``)
    and ``brought.json``, written once per test run for tests/test_shipped_exams.py. (The engine
    and TUI tests' ``practice_template`` is written on its own: this folder takes twice as long,
    and the first test to ask pays for it inside its timeout.)"""
    return shared_folder(tmp_path_factory, "offline-workspaces", _write_offline_workspaces)
