"""Hidden grader data for the classic Category 2 (Fashion-MNIST): never copied into the workspace.

The official 10,000 Fashion-MNIST test images (``t10k-*``, from the dataset cache), divided by
255 exactly as the starter divides the workspace images, and their labels 0-9.
"""

from __future__ import annotations

import numpy as np

from simulator.authoring import Mismatch, sibling_module, unnormalised_pixels


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    images, labels = sibling_module(__file__, "data.py").hidden_pair()
    return (images / 255.0).astype(np.float32), labels.astype(np.int64)


def mismatches(seed: int) -> list[Mismatch]:
    """For the hint of a near-chance score: a model trained on raw 0-255 pixels."""
    return [unnormalised_pixels(test_data(seed)[0])]
