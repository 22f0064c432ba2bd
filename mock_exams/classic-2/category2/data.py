"""Training data for classic-2's Category 2: the real MNIST training digits.

The real starter called ``tf.keras.datasets.mnist.load_data()``, which downloads ``mnist.npz``
(60,000 training and 10,000 test digits). Here it comes from the dataset cache. The workspace's
``mnist.npz`` holds the official training digits split in two: the first 50,000 as
``x_train``/``y_train`` and the last 10,000 as the candidate's own ``x_test``/``y_test``. The
official 10,000 test digits never enter the workspace: they are the hidden test of
``grader.py``.

NumPy and the standard library only: this runs in the exam engine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.authoring import Exam, dataset_file, require_prepared

DATASET = "mnist"
DATASETS = (DATASET,)
SOURCE = "mnist.npz"
NPZ_NAME = "mnist.npz"
WORKSPACE_TRAIN = 50_000


def check_data(exam: Exam) -> None:
    require_prepared(exam)


def read_source(path: Path) -> dict[str, np.ndarray]:
    """The four arrays of Keras' ``mnist.npz`` (uint8 images, uint8 labels)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    if arrays["x_train"].shape[1:] != (28, 28) or len(arrays["x_train"]) != len(arrays["y_train"]):
        raise ValueError(f"{path.name}: not the MNIST arrays")
    return arrays


def write_npz(target: Path, arrays: dict[str, np.ndarray]) -> None:
    x, y = arrays["x_train"], arrays["y_train"]
    np.savez_compressed(
        target,
        x_train=x[:WORKSPACE_TRAIN],
        y_train=y[:WORKSPACE_TRAIN],
        x_test=x[WORKSPACE_TRAIN:],
        y_test=y[WORKSPACE_TRAIN:],
    )


def hidden_pair() -> tuple[np.ndarray, np.ndarray]:
    arrays = read_source(dataset_file(DATASET, SOURCE))
    return arrays["x_test"], arrays["y_test"]


def write_data(folder: Path, seed: int) -> None:
    write_npz(folder / NPZ_NAME, read_source(dataset_file(DATASET, SOURCE)))


def notebook_recipe(seed: int) -> str:
    """Colab code that writes the workspace's npz: the training digits only (the official test
    digits are tfexam's hidden test)."""
    return f"""
import numpy as np

with np.load(fetch({SOURCE!r})) as data:
    x, y = data["x_train"], data["y_train"]
np.savez_compressed({NPZ_NAME!r}, x_train=x[:{WORKSPACE_TRAIN}], y_train=y[:{WORKSPACE_TRAIN}],
                    x_test=x[{WORKSPACE_TRAIN}:], y_test=y[{WORKSPACE_TRAIN}:])
"""
