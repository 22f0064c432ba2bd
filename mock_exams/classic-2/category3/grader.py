"""Hidden grader data for classic-2's Category 3 (rock paper scissors): never in the workspace.

The 372 pictures of ``rps-test-set.zip`` (from the dataset cache), read as
``flow_from_directory(target_size=(150, 150))`` reads them (RGB, nearest-neighbour resize) and
divided by 255 like the starter's ``ImageDataGenerator(rescale=1./255)``. Labels follow the
alphabetical order of the class folders, as ``flow_from_directory`` numbers them: paper 0, rock 1,
scissors 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.authoring import (
    Mismatch,
    dataset_file,
    load_pictures,
    picture_classes,
    pictures,
    sibling_module,
    unnormalised_pixels,
)

IMAGE_SIZE = (150, 150)


def hidden_test(test_zip: Path) -> tuple[np.ndarray, np.ndarray]:
    chosen = pictures(test_zip)
    names = picture_classes(chosen)
    labels = np.array([names.index(p.label) for p in chosen], dtype=np.int64)
    return load_pictures(test_zip, chosen, IMAGE_SIZE), labels


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    data = sibling_module(__file__, "data.py")
    return hidden_test(dataset_file(data.DATASET, data.TEST_ZIP))


def mismatches(seed: int) -> list[Mismatch]:
    """For the hint of a near-chance score: a model trained on raw 0-255 pixels."""
    return [unnormalised_pixels(test_data(seed)[0])]
