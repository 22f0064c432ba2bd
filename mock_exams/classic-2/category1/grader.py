"""Hidden grader data for the classic-2 exam's Category 1: never copied into the workspace.

The relationship is y = 5x + 1, one of the lines the real exam's Category 1 used. The test points go
well beyond the training range (-1..4), so a model that memorised the six points instead of
learning the line is caught.
"""

import numpy as np


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xs = np.concatenate([np.linspace(-10.0, 10.0, 21), rng.uniform(-20.0, 20.0, 19)])
    xs = xs.astype("float32").reshape(-1, 1)
    ys = (5.0 * xs + 1.0).astype("float32")
    return xs, ys
