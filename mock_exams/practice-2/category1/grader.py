"""Hidden grader data for Category 1 of practice-2: never copied into the workspace.

The relationship is y = -2x + 5 (a falling line this time). The test points go well beyond the
training range (-1..4), so a model that memorised the six points instead of learning the line is
caught.
"""

import numpy as np


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xs = np.concatenate([np.linspace(-10.0, 10.0, 21), rng.uniform(-20.0, 20.0, 19)])
    xs = xs.astype("float32").reshape(-1, 1)
    ys = (-2.0 * xs + 5.0).astype("float32")
    return xs, ys
