"""Hidden grader data for classic-2's Category 5 (daily minimum temperatures): never copied
into the workspace.

The whole real series is read from the dataset cache the way the starter reads its file, and
normalised exactly as the starter normalises the workspace part (``series -= min; series /=
max`` with that part's minimum and maximum, 0.0 and 26.3 degrees C, which are also the whole
file's). The model gets the 64 days before each day of 1990 (none of them in the workspace file)
and is scored on the mean absolute error of its forecasts.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from simulator.authoring import sibling_module

WINDOW_SIZE = 64


def _data_module() -> ModuleType:
    return sibling_module(__file__, "data.py")


def normalised_series() -> tuple[np.ndarray, int]:
    """The whole series scaled like the starter scales the workspace part, and that part's length."""
    data = _data_module()
    series = np.array(data.full_series())
    training_length = len(series) - data.HIDDEN_DAYS
    low = np.min(series[:training_length])
    high = np.max(series[:training_length])
    series -= low
    series /= high
    return series, training_length


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows (365, 64, 1) before each hidden day, and that day's value (365, 1)."""
    series, start = normalised_series()
    targets = np.arange(start, len(series))
    x = np.stack([series[t - WINDOW_SIZE : t] for t in targets])[..., np.newaxis]
    y = series[targets][:, np.newaxis]
    return x.astype(np.float32), y.astype(np.float32)
