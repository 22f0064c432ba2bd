"""Training data for classic-2's Category 3: the real rock-paper-scissors pictures.

The real starter downloaded ``rps.zip`` (2,520 pictures, 300x300, in ``rps/paper``, ``rps/rock``
and ``rps/scissors``) and extracted it into ``tmp/``. The workspace gets the same ``tmp/rps/``
folders from the dataset cache. The separate test set, ``rps-test-set.zip`` (372 pictures of other
hands), never enters the workspace: it is the hidden test of ``grader.py``.

NumPy and the standard library only: this runs in the exam engine.
"""

from __future__ import annotations

from pathlib import Path

from simulator.authoring import (
    PICTURE_EXTRACT,
    Exam,
    dataset_file,
    extract_pictures,
    pictures,
    require_prepared,
)

DATASET = "rock-paper-scissors"
DATASETS = (DATASET,)
TRAIN_ZIP = "rps.zip"
TEST_ZIP = "rps-test-set.zip"
EXTRACT_DIR = "tmp"  # the zip's own rps/ folder lands in tmp/rps/, as in the real starter


def check_data(exam: Exam) -> None:
    require_prepared(exam)


def write_folders(folder: Path, train_zip: Path) -> None:
    extract_pictures(train_zip, pictures(train_zip), folder / EXTRACT_DIR)


def write_data(folder: Path, seed: int) -> None:
    write_folders(folder, dataset_file(DATASET, TRAIN_ZIP))


def notebook_recipe(seed: int) -> str:
    """Colab code that extracts the training zip as the workspace has it (the test-set zip is
    tfexam's hidden test and is not downloaded)."""
    return f"""{PICTURE_EXTRACT}
extract(fetch({TRAIN_ZIP!r}), {EXTRACT_DIR!r})
"""
