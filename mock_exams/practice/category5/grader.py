"""Hidden grader data for Category 5: never copied into the workspace.

The workspace CSV holds the first 3000 days of the series; the grader regenerates the whole series
from the exam seed with the question's ``data.py`` and scores the next value after each 30-day
window whose target lies in the 500 days after the end of the file. The series is min-max
normalised with the minimum and maximum of the file's values, exactly as the starter does, so a
model sees the scale it was trained on.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from simulator.authoring import sibling_module

WINDOW_SIZE = 30


def _data_module() -> ModuleType:
    return sibling_module(__file__, "data.py")


def normalised_series(seed: int) -> tuple[np.ndarray, int]:
    """The whole series scaled by the training file's min and max, and the training length."""
    data = _data_module()
    values = data.full_series(seed)
    training_length: int = data.TRAINING_LENGTH
    training = values[:training_length]
    low, high = np.min(training), np.max(training)
    return (values - low) / (high - low), training_length


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows of shape (n, 30, 1) ending before each hidden day, and that day's value (n, 1)."""
    series, start = normalised_series(seed)
    targets = np.arange(start, len(series))
    x = np.stack([series[t - WINDOW_SIZE : t] for t in targets])[..., np.newaxis]
    y = series[targets][:, np.newaxis]
    return x.astype(np.float32), y.astype(np.float32)
