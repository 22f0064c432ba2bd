"""``tfexam notebook``: a Colab-ready notebook that validates, holds the starter and runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

from simulator.exam_format import load_exam
from simulator.notebook import data_items, question_notebook
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
    assert "NEEDED = ['fashion_items.npz']" in cells[0]
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
    upload = code_cells(notebook)[0]
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
