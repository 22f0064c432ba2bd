"""Hidden grader data for classic-2's Category 2 (MNIST): never copied into the workspace.

The official 10,000 MNIST test digits (``x_test`` of ``mnist.npz``, from the dataset cache), divided by
255 exactly as the starter divides the workspace images, and their labels 0-9.
"""

from __future__ import annotations

import numpy as np

from simulator.exam_code import sibling_module


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    images, labels = sibling_module(__file__, "data.py").hidden_pair()
    return (images / 255.0).astype(np.float32), labels.astype(np.int64)
