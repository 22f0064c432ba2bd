"""``tfexam notebook``: a Colab-ready notebook that validates, holds the starter and runs."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from simulator.colab.notebook import (
    NOTEBOOK_EXPORTED,
    GraderVersions,
    data_items,
    question_notebook,
)
from simulator.exam.catalog import find_exam
from simulator.exam.format import load_exam
from simulator.exam.workspace import create_workspace
from simulator.paths import data_paths
from simulator.report.build import build_report
from simulator.session.sessions import NewSession, record_session
from simulator.storage.store import Store
from tests.conftest import PRACTICE_EXAM, run_cli


def code_cells(notebook: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def test_the_notebook_validates_and_holds_the_starter_and_the_data_upload(
    tfexam_home: Path, tmp_path: Path
) -> None:
    target = tmp_path / "q2.ipynb"
    result = run_cli("notebook", "2", "--exam", "practice", "-o", str(target),
                     env={"TFEXAM_HOME": str(tfexam_home)})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "fashion_items.npz" in result.stdout and "category2/" in result.stdout
    notebook = nbformat.read(str(target), as_version=4)
    nbformat.validate(notebook)  # raises on anything the notebook schema refuses
    starter = (PRACTICE_EXAM / "category2" / "starter.py").read_text(encoding="utf-8")
    cells = code_cells(notebook)
    assert starter.rstrip("\n") in cells
    assert "NEEDED = ['fashion_items.npz']" in cells[1]
    assert "files.download('mymodel.h5')" in cells[-1]
    assert notebook.metadata["tfexam"] == {
        "exam": "practice", "question": "learning-dataset", "folder": "category2",
    }  # fmt: skip
    prompt = (PRACTICE_EXAM / "category2" / "prompt.md").read_text(encoding="utf-8")
    assert any(cell.source == prompt for cell in notebook.cells if cell.cell_type == "markdown")
    for source in cells:
        compile(source, "<cell>", "exec")


def test_image_folders_are_uploaded_as_zips(practice_template: Path) -> None:
    exam = load_exam(PRACTICE_EXAM)
    question = exam.question("3")
    data = data_items(question, practice_template / "category3")
    assert [(d.name, d.is_folder) for d in data] == [("images", True)]
    notebook = question_notebook(exam, question, "print('starter')", "prompt", data)
    upload = code_cells(notebook)[1]
    assert "FOLDERS = ['images']" in upload and "zipfile" in upload
    assert any("zip -qr images.zip images" in c.source for c in notebook.cells)


def test_the_notebook_runs_outside_colab_and_leaves_the_model_file(
    tfexam_home: Path, tmp_path: Path
) -> None:
    """Its cells, run in order like 'Run all', train with the starter and save mymodel.h5."""
    target = tmp_path / "q1.ipynb"
    assert run_cli("notebook", "basic-model", "--exam", "practice", "-o", str(target),
                   env={"TFEXAM_HOME": str(tfexam_home)}).returncode == 0  # fmt: skip
    notebook = nbformat.read(str(target), as_version=4)
    script = tmp_path / "run" / "cells.py"
    script.parent.mkdir()
    script.write_text("\n\n".join(code_cells(notebook)), encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, str(script)],
        cwd=script.parent,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert (script.parent / "mymodel.h5").stat().st_size > 0
    assert "Saved" in ran.stdout


def test_the_notebook_exports_the_saved_starter_and_only_the_question_data(
    tfexam_home: Path, tmp_path: Path
) -> None:
    """The candidate's edited starter goes to Colab, the data files go up, stray files do not;
    the export is recorded for the report's parallelism."""
    store = Store(data_paths().database)
    exam = find_exam("practice", data_paths())
    only_q2 = dataclasses.replace(exam, questions=(exam.question("2"),))
    workspace = create_workspace(only_q2, tmp_path / "ws", seed=31337)
    session = record_session(store, NewSession(exam, seed=31337), workspace, time.time())
    folder = workspace / "category2"
    edited = "# my own model\nprint('edited by the candidate')\n"
    (folder / "starter.py").write_text(edited, encoding="utf-8")
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    (folder / "checkpoints").mkdir()
    (folder / "checkpoints" / "epoch1.weights.h5").write_bytes(b"x")
    (folder / "experiment.py").write_text("pass\n", encoding="utf-8")
    target = tmp_path / "q2.ipynb"
    done = run_cli("notebook", "2", "--session", session.id, "-o", str(target))
    assert done.returncode == 0, done.stderr
    notebook = nbformat.read(str(target), as_version=4)
    nbformat.validate(notebook)
    cells = code_cells(notebook)
    assert edited.rstrip("\n") in cells
    original = (PRACTICE_EXAM / "category2" / "starter.py").read_text(encoding="utf-8")
    assert original.rstrip("\n") not in cells
    upload = next(c for c in cells if "NEEDED = " in c)
    assert "NEEDED = ['fashion_items.npz']" in upload and "FOLDERS = []" in upload
    for stray in ("notes.txt", "checkpoints", "experiment.py", "epoch1"):
        assert all(stray not in c for c in cells), stray
    # The first code cell compares Colab's versions with the grader's.
    grader = GraderVersions.installed()
    assert grader.keras is not None
    assert "tf.__version__" in cells[0]
    assert f"GRADER_TF, GRADER_KERAS = {grader.tensorflow!r}, {grader.keras!r}" in cells[0]
    assert "may not load in the" in cells[0] and "mymodel.h5" in cells[0]
    exported = store.events(session.id, NOTEBOOK_EXPORTED)
    assert [e.payload["question"] for e in exported] == ["learning-dataset"]
    assert json.dumps(exported[0].payload["starter"]).endswith('category2/starter.py"')


def test_the_version_cell_warns_when_colab_keras_is_newer(tmp_path: Path) -> None:
    exam = load_exam(PRACTICE_EXAM)
    question = exam.question("1")
    notebook = question_notebook(
        exam, question, "print('starter')", "prompt", [], GraderVersions("2.9.0", "2.9.0")
    )
    same = GraderVersions.installed()
    quiet = question_notebook(exam, question, "print('starter')", "prompt", [], same)
    older, current = tmp_path / "older.py", tmp_path / "current.py"
    older.write_text(code_cells(notebook)[0], encoding="utf-8")
    current.write_text(code_cells(quiet)[0], encoding="utf-8")
    # Both cells in one interpreter (one TensorFlow import, as in one Colab runtime), each with
    # fresh globals and its output after a marker line.
    runner = (
        "import sys\n"
        "for path in sys.argv[1:]:\n"
        "    print('=== ' + path, flush=True)\n"
        "    exec(compile(open(path).read(), path, 'exec'), {'__name__': '__main__'})\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", runner, str(older), str(current)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-1000:]
    _, warned, quiet_output = ran.stdout.split("=== ")
    assert warned.startswith(str(older)) and quiet_output.startswith(str(current))
    assert "tfexam's grader: TensorFlow 2.9.0 / Keras 2.9.0" in warned
    assert "WARNING: a model saved here with Keras 3." in warned
    assert "!pip install -q tensorflow==2.9.0 keras==2.9.0" in warned
    assert "WARNING" not in quiet_output, quiet_output


def test_a_colab_training_counts_as_parallel_work_until_its_model_arrives(
    tfexam_home: Path, tmp_path: Path
) -> None:
    store = Store(data_paths().database)
    exam = find_exam("practice", data_paths())
    t0 = time.time() - 2000
    session = record_session(store, NewSession(exam, duration_s=3600), tmp_path, t0)
    store.add_event(session.id, t0 + 100, NOTEBOOK_EXPORTED, {"question": "learning-dataset"})
    store.add_event(session.id, t0 + 300, NOTEBOOK_EXPORTED, {"question": "time-series"})
    store.add_attempt(
        session_id=session.id, question_id="learning-dataset", source_path="/w/m.h5", blob=None,
        sha256="ab" * 32, size=1, origin="watch", saved_at=t0 + 700, detected_at=t0 + 700,
        state="not-gradable", source="external",
    )  # fmt: skip
    report = build_report(store, store.get_session(session.id), exam, now=t0 + 1000)
    parallel = report.parallelism
    # 600 s of Colab training in a session of 1000 s so far; time-series never came back.
    assert parallel.remote_training_s == 600
    assert parallel.shares["1"] == 0.6 and parallel.shares["0"] == 0.4
    assert parallel.oversubscribed_s == 0
