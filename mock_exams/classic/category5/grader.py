"""Hidden grader data for the classic Category 5 (sunspots): never copied into the workspace.

The whole real series is read from the dataset cache the way the starter reads its file, and
normalised exactly as the starter normalises the workspace part (``series -= min; series /=
max`` with that part's minimum and maximum, 0.0 and 398.2, which are also the whole file's). The
model gets the 30 months before each of the last 100 months (2010-04 to 2018-07, none of them in
the workspace file) and is scored on the mean absolute error of its forecasts: that is the strict, calibrated view.
The score that counts is the real exam's rule on the real tester's months (``real_exam_data``):
every month from ``SPLIT_TIME`` to the end of the whole file, 135 of them in the workspace too,
exactly as the real tester forecast them (``rnn_forecast[split_time - window_size:-1, -1, 0]``
against ``series[split_time:]``).
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from simulator.authoring import sibling_module

WINDOW_SIZE = 30
SPLIT_TIME = 3000


def _data_module() -> ModuleType:
    return sibling_module(__file__, "data.py")


def normalised_series() -> tuple[np.ndarray, int]:
    """The whole series scaled like the starter scales the workspace part, and that part's length."""
    data = _data_module()
    series = np.array(data.full_series())
    training_length = len(series) - data.HIDDEN_MONTHS
    low = np.min(series[:training_length])
    high = np.max(series[:training_length])
    series -= low
    series /= high
    return series, training_length


def windows_before(series: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray]:
    """The WINDOW_SIZE months before each month from ``start`` on, and that month's value."""
    targets = np.arange(start, len(series))
    x = np.stack([series[t - WINDOW_SIZE : t] for t in targets])[..., np.newaxis]
    y = series[targets][:, np.newaxis]
    return x.astype(np.float32), y.astype(np.float32)


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows (100, 30, 1) before each hidden month, and that month's value (100, 1)."""
    series, start = normalised_series()
    return windows_before(series, start)


def real_exam_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The real tester's months: windows (235, 30, 1) before each month of series[3000:]."""
    series, _ = normalised_series()
    return windows_before(series, SPLIT_TIME)
