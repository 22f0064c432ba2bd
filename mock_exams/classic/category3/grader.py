"""Hidden grader data for the classic Category 3 (horses or humans): never in the workspace.

The 192 hidden validation pictures (96 per class, see ``data.py``), read from the cached zip as
``flow_from_directory(target_size=(300, 300))`` reads them (RGB) and divided by 255 like the
starter's ``ImageDataGenerator(rescale=1./255)``. Labels follow the alphabetical order of the
class folders, as ``flow_from_directory`` numbers them: horses 0, humans 1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.authoring import (
    Mismatch,
    dataset_file,
    load_pictures,
    picture_classes,
    sibling_module,
    unnormalised_pixels,
)

IMAGE_SIZE = (300, 300)


def hidden_test(validation_zip: Path, seed: int) -> tuple[np.ndarray, np.ndarray]:
    data = sibling_module(__file__, "data.py")
    _, hidden = data.validation_split(validation_zip, seed)
    names = picture_classes(hidden)
    labels = np.array([names.index(p.label) for p in hidden], dtype="float32").reshape(-1, 1)
    return load_pictures(validation_zip, hidden, IMAGE_SIZE), labels


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    data = sibling_module(__file__, "data.py")
    return hidden_test(dataset_file(data.DATASET, data.VALIDATION_ZIP), seed)


def mismatches(seed: int) -> list[Mismatch]:
    """For the hint of a near-chance score: a model trained on raw 0-255 pixels."""
    return [unnormalised_pixels(test_data(seed)[0])]
