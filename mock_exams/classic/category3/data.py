"""Training data for the classic Category 3: the real horses-or-humans pictures.

The real starter downloaded ``horse-or-human.zip`` (1,027 pictures, 300x300, in ``horses/`` and
``humans/``) and ``validation-horse-or-human.zip`` (256 pictures) and extracted them into
``tmp/horse-or-human/`` and ``tmp/testdata/``. The workspace gets the same folders from the
dataset cache, except that ``HIDDEN_PER_CLASS`` validation pictures of each class, drawn at random
with the exam seed, are kept back as the hidden test of ``grader.py``: ``tmp/testdata/`` holds the
other 32 of each class for the candidate to validate with.

NumPy and the standard library only: this runs in the exam engine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.authoring import (
    PICTURE_EXTRACT,
    Exam,
    Picture,
    dataset_file,
    extract_pictures,
    pictures,
    require_prepared,
    split_by_class,
)

DATASET = "horses-or-humans"
DATASETS = (DATASET,)
TRAIN_ZIP = "horse-or-human.zip"
VALIDATION_ZIP = "validation-horse-or-human.zip"
TRAIN_DIR = "tmp/horse-or-human"
VALIDATION_DIR = "tmp/testdata"
HIDDEN_PER_CLASS = 96
STREAM = 3  # the question's own random stream under the exam seed


def check_data(exam: Exam) -> None:
    require_prepared(exam)


def validation_split(archive: Path, seed: int) -> tuple[list[Picture], list[Picture]]:
    """(the candidate's validation pictures, the hidden test pictures)."""
    rng = np.random.default_rng([seed, STREAM])
    return split_by_class(pictures(archive), HIDDEN_PER_CLASS, rng)


def write_folders(folder: Path, train_zip: Path, validation_zip: Path, seed: int) -> None:
    extract_pictures(train_zip, pictures(train_zip), folder / TRAIN_DIR)
    visible, _ = validation_split(validation_zip, seed)
    extract_pictures(validation_zip, visible, folder / VALIDATION_DIR)


def write_data(folder: Path, seed: int) -> None:
    write_folders(
        folder, dataset_file(DATASET, TRAIN_ZIP), dataset_file(DATASET, VALIDATION_ZIP), seed
    )


def notebook_recipe(seed: int) -> str:
    """Colab code that extracts both zips as the workspace has them, less the validation
    pictures tfexam keeps back as its hidden test."""
    _, hidden = validation_split(dataset_file(DATASET, VALIDATION_ZIP), seed)
    names = sorted(p.member for p in hidden)
    return f"""{PICTURE_EXTRACT}
HIDDEN = set({names!r})  # tfexam's hidden test
extract(fetch({TRAIN_ZIP!r}), {TRAIN_DIR!r})
extract(fetch({VALIDATION_ZIP!r}), {VALIDATION_DIR!r}, leave_out=HIDDEN)
"""
