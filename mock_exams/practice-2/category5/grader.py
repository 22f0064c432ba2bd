"""Hidden grader data for Category 5 of practice-2: never copied into the workspace.

The workspace CSV holds the first 411 days of the hourly series (9,864 rows); the grader
regenerates the whole series from the exam seed with the question's ``data.py`` and scores every
24-hour forecast whose 24 target hours lie in the 8 weeks after the end of the file. Each input
window is the 24 hours before its targets (the first one is the file's last day). Every feature
is min-max normalised with the minimum and maximum of the file's values, exactly as the starter
does, so a model sees the scale it was trained on.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from simulator.authoring import sibling_module

N_PAST = 24
N_FUTURE = 24


def _data_module() -> ModuleType:
    return sibling_module(__file__, "data.py")


def normalised_series(seed: int) -> tuple[np.ndarray, int]:
    """The whole series, each feature scaled by the training file's min and max, and the
    training length."""
    data = _data_module()
    values = data.full_series(seed)
    training_length: int = data.TRAINING_LENGTH
    training = values[:training_length]
    low, high = training.min(axis=0), training.max(axis=0)
    return (values - low) / (high - low), training_length


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows (n, 24, 7) of the 24 hours before each forecast, and the next 24 hours (n, 24, 7)."""
    series, start = normalised_series(seed)
    firsts = np.arange(start, len(series) - N_FUTURE + 1)  # first target hour of each forecast
    x = np.stack([series[t - N_PAST : t] for t in firsts])
    y = np.stack([series[t : t + N_FUTURE] for t in firsts])
    return x.astype(np.float32), y.astype(np.float32)
