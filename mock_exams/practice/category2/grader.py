"""Hidden grader data for Category 2: never copied into the workspace.

The grader draws 3000 new pictures (300 of each class) from the question's ``data.py`` generator,
on a random stream of its own, so none of them is in the workspace file. Pixel values are divided
by 255, exactly as the starter does with the workspace images.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from simulator.authoring import sibling_module

TEST_SIZE = 3_000
HIDDEN_PART = 1  # the workspace file uses sub-stream 0 of the question's stream


def _data_module() -> ModuleType:
    return sibling_module(__file__, "data.py")


def hidden_images(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The hidden pictures as uint8 (n, 28, 28), 0-255, and their labels (n,)."""
    data = _data_module()
    images, labels = data.make_split(seed, HIDDEN_PART, (TEST_SIZE,))
    return images, labels


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 28, 28) as float32 in [0, 1] (pixel values / 255) and class indices (n,)."""
    images, labels = hidden_images(seed)
    return (images / 255.0).astype(np.float32), labels.astype(np.int64)
