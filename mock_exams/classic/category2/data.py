"""Training data for the classic Category 2: the real Fashion-MNIST training images.

The real starter called ``tf.keras.datasets.fashion_mnist.load_data()``, which downloads the four
gzipped IDX files of the Fashion-MNIST release. Here they come from the dataset cache. The
workspace's ``fashion_mnist.npz`` holds the official 60,000 training images split in two: the
first 50,000 as ``x_train``/``y_train`` and the last 10,000 as the candidate's own ``x_test``/
``y_test``. The official 10,000 test images (``t10k-*``) never enter the workspace: they are the
hidden test of ``grader.py``.

NumPy and the standard library only: this runs in the exam engine.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from simulator.authoring import Exam, dataset_file, require_prepared

DATASET = "fashion-mnist"
DATASETS = (DATASET,)
NPZ_NAME = "fashion_mnist.npz"
TRAIN_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
WORKSPACE_TRAIN = 50_000  # the rest of the official training set is the candidate's x_test
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049


def check_data(exam: Exam) -> None:
    require_prepared(exam)


def read_labels(path: Path) -> np.ndarray:
    """An IDX1 label file, as ``tf.keras.datasets.fashion_mnist`` reads it (uint8)."""
    with gzip.open(path, "rb") as stream:
        raw = stream.read()
    if int.from_bytes(raw[0:4], "big") != LABEL_MAGIC:
        raise ValueError(f"{path.name}: not an IDX label file")
    return np.frombuffer(raw, np.uint8, offset=8)


def read_images(path: Path) -> np.ndarray:
    """An IDX3 image file as uint8 (n, 28, 28)."""
    with gzip.open(path, "rb") as stream:
        raw = stream.read()
    if int.from_bytes(raw[0:4], "big") != IMAGE_MAGIC:
        raise ValueError(f"{path.name}: not an IDX image file")
    count, rows, cols = (int.from_bytes(raw[i : i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(raw, np.uint8, offset=16).reshape(count, rows, cols)


def read_pair(images: Path, labels: Path) -> tuple[np.ndarray, np.ndarray]:
    x, y = read_images(images), read_labels(labels)
    if len(x) != len(y):
        raise ValueError(f"{images.name} has {len(x)} images but {labels.name} {len(y)} labels")
    return x, y


def write_npz(target: Path, x: np.ndarray, y: np.ndarray) -> None:
    """The workspace file: the training images split into x_train and the candidate's x_test."""
    np.savez_compressed(
        target,
        x_train=x[:WORKSPACE_TRAIN],
        y_train=y[:WORKSPACE_TRAIN],
        x_test=x[WORKSPACE_TRAIN:],
        y_test=y[WORKSPACE_TRAIN:],
    )


def hidden_pair() -> tuple[np.ndarray, np.ndarray]:
    """The official test images and labels (the grader's)."""
    return read_pair(*(dataset_file(DATASET, name) for name in TEST_FILES))


def write_data(folder: Path, seed: int) -> None:
    x, y = read_pair(*(dataset_file(DATASET, name) for name in TRAIN_FILES))
    write_npz(folder / NPZ_NAME, x, y)


def notebook_recipe(seed: int) -> str:
    """Colab code that writes the workspace's npz from the training files (the test files are
    tfexam's hidden test and are not downloaded)."""
    images, labels = TRAIN_FILES
    return f"""
import gzip
import numpy as np


def idx(path, offset):
    with gzip.open(path, "rb") as stream:
        return np.frombuffer(stream.read(), np.uint8, offset=offset)


x = idx(fetch({images!r}), 16).reshape(-1, 28, 28)
y = idx(fetch({labels!r}), 8)
np.savez_compressed({NPZ_NAME!r}, x_train=x[:{WORKSPACE_TRAIN}], y_train=y[:{WORKSPACE_TRAIN}],
                    x_test=x[{WORKSPACE_TRAIN}:], y_test=y[{WORKSPACE_TRAIN}:])
"""
