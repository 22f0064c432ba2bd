"""A classic question's notebook downloads its data from the original public URLs, and what it
writes in Colab is exactly the workspace's data: the real files less tfexam's hidden test.

The recipes run here for real: on the staged copies of the real datasets (placed where the
notebook's download cell keeps its downloads, so nothing is downloaded), and on small generated
files of the formats that cannot be had here.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from simulator.colab.data import (
    accepted_copies,
    download_code,
    download_urls,
    has_recipe,
    recipe_code,
)
from simulator.colab.notebook import question_notebook
from simulator.datasets import REGISTRY, DatasetNotPreparedError
from simulator.datasets.prepare import question_datasets
from simulator.exam.format import Question
from simulator.exam.workspace import create_workspace
from tests.conftest import run_cli
from tests.test_classic_exams import CLASSIC, CLASSIC2, STAGED, module, only, prepared
from tests.test_datasets import needs_shared

__all__ = ["prepared"]  # the staged datasets' fixture, shared with test_classic_exams

CLASSIC_DATA = [
    pytest.param(exam, question, id=f"{exam.id}-{question.id}")
    for exam in (CLASSIC, CLASSIC2)
    for question in exam.questions
    if question.data is not None
]


def fetched(code: str) -> list[str]:
    return re.findall(r"fetch\('([^']+)'\)", code)


@pytest.mark.parametrize(("exam", "question"), CLASSIC_DATA)
def test_each_classic_question_downloads_from_the_registrys_original_urls(
    exam: object, question: Question, prepared: Path
) -> None:
    assert has_recipe(question)
    urls = download_urls(question)
    registry = {f.name: f for d in question_datasets(question) for f in d.files}
    assert urls == {name: remote.urls[0] for name, remote in registry.items()}
    try:
        code = download_code(question, seed=7)
    except DatasetNotPreparedError:
        pytest.skip(f"{question.id}: its hidden split is drawn from data not prepared here")
    names = fetched(code)
    assert names and set(names) <= set(registry), names
    for name in names:  # each download is checked against the registry's size and sha256
        remote = registry[name]
        assert f"{name!r}: {(remote.urls[0], accepted_copies(remote))!r}" in code
    notebook = question_notebook(
        exam, question, "print('starter')\n", "# prompt", [], download=code
    )
    nbformat.validate(notebook)
    sources = "\n".join(cell.source for cell in notebook.cells)
    assert "files.upload" not in sources and code in sources


@needs_shared
@pytest.mark.parametrize(
    ("exam", "question_id"),
    [(CLASSIC, "sunspots"), (CLASSIC, "sarcasm"), (CLASSIC2, "bbc-news"),
     (CLASSIC2, "daily-temperatures")],
)  # fmt: skip
def test_the_download_cell_writes_the_workspaces_data_byte_for_byte(
    exam: object, question_id: str, prepared: Path, tmp_path: Path
) -> None:
    question = exam.question(question_id)  # type: ignore[attr-defined]
    assert {d.name for d in question_datasets(question)} <= set(STAGED)
    seed = 424242
    workspace = create_workspace(only(exam, question_id), tmp_path / "ws", seed=seed)  # type: ignore[arg-type]
    colab = tmp_path / "content"  # as Colab's working folder, the real files already downloaded
    (colab / ".tfexam-downloads").mkdir(parents=True)
    for dataset in question_datasets(question):
        for remote in dataset.files:
            shutil.copyfile(prepared / "datasets" / dataset.name / remote.name,
                            colab / ".tfexam-downloads" / remote.name)  # fmt: skip
    ran = subprocess.run(
        [sys.executable, "-c", download_code(question, seed)], cwd=colab, capture_output=True,
        text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "downloading" not in ran.stdout, "the checked copies are not downloaded again"
    folder = workspace / question.workspace_folder
    data = [p for p in folder.iterdir() if p.name not in ("prompt.md", question.starter)]
    assert data
    for path in data:
        made = colab / path.name
        assert (
            hashlib.sha256(made.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()
        ), path.name


def run_recipe(question: Question, seed: int, files: dict[str, Path], cwd: Path) -> None:
    """The recipe alone, its ``fetch`` handing out local files (the generated stand-ins)."""
    code = recipe_code(question, seed)
    prelude = f"import os\nFILES = {dict((k, str(v)) for k, v in files.items())!r}\n"
    prelude += "def fetch(name):\n    return FILES[name]\n"
    ran = subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=cwd, capture_output=True, text=True,
        timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr


def idx_gz(path: Path, array: np.ndarray, magic: int) -> Path:
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))
    return path


def test_fashion_mnist_in_colab_is_the_workspaces_npz_from_the_training_files(
    tmp_path: Path,
) -> None:
    data = module(CLASSIC, "fashion-mnist", "data.py")
    rng = np.random.default_rng(0)
    images = idx_gz(tmp_path / "images.gz", rng.integers(0, 256, (60_010, 28, 28)), 2051)
    labels = idx_gz(tmp_path / "labels.gz", np.arange(60_010) % 10, 2049)
    colab = tmp_path / "content"
    colab.mkdir()
    question = CLASSIC.question("fashion-mnist")
    run_recipe(question, 1, dict(zip(data.TRAIN_FILES, (images, labels), strict=True)), colab)
    code = recipe_code(question, 1)
    assert not any(name in code for name in data.TEST_FILES), "the hidden test is not fetched"
    x, y = data.read_pair(images, labels)
    data.write_npz(tmp_path / "workspace.npz", x, y)
    with np.load(colab / data.NPZ_NAME) as made, np.load(tmp_path / "workspace.npz") as expected:
        assert sorted(made.files) == sorted(expected.files)
        for key in expected.files:
            assert np.array_equal(made[key], expected[key]), key


def test_rock_paper_scissors_in_colab_is_the_workspaces_folders(tmp_path: Path) -> None:
    data = module(CLASSIC2, "rock-paper-scissors", "data.py")
    archive = tmp_path / "rps.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for label in ("paper", "rock", "scissors"):
            for index in range(3):
                zipped.writestr(f"rps/{label}/{label}{index:02d}-x.png", f"{label}{index}".encode())
        zipped.writestr("__MACOSX/rps/._paper00.png", b"resource fork")
        zipped.writestr("rps/notes.txt", b"not a picture")
    colab = tmp_path / "content"
    colab.mkdir()
    question = CLASSIC2.question("rock-paper-scissors")
    run_recipe(question, 1, {data.TRAIN_ZIP: archive}, colab)
    assert data.TEST_ZIP not in recipe_code(question, 1), "the hidden test is not fetched"
    expected = tmp_path / "ws"
    expected.mkdir()
    data.write_folders(expected, archive)

    def tree(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    assert tree(colab) == tree(expected) and len(tree(expected)) == 9


def test_the_registry_names_every_file_a_recipe_fetches() -> None:
    """A recipe's names are the registry's (a typo would fail in Colab, not here)."""
    for exam in (CLASSIC, CLASSIC2):
        for question in exam.questions:
            if question.data is None or question.id in ("horses-or-humans", "sarcasm", "bbc-news"):
                continue  # those three draw their hidden split from the prepared data
            names = {f.name for d in question_datasets(question) for f in d.files}
            assert set(fetched(recipe_code(question, 1))) <= names, question.id


@needs_shared
def test_tfexam_notebook_of_a_classic_question_downloads_instead_of_uploading(
    prepared: Path, tmp_path: Path
) -> None:
    target = tmp_path / "sunspots.ipynb"
    done = run_cli("notebook", "sunspots", "--exam", "classic", "-o", str(target))
    assert done.returncode == 0, done.stderr
    notebook = nbformat.read(str(target), as_version=4)
    nbformat.validate(notebook)
    sources = "\n".join(cell.source for cell in notebook.cells)
    assert "fetch('Sunspots.csv')" in sources and "files.upload" not in sources
    assert REGISTRY["sunspots"].file("Sunspots.csv").urls[0] in sources
