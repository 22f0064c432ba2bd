"""Training data for Category 5 (time series): a daily energy-demand series with trend,
seasonality and noise, written as a CSV like the real exam's sunspots file
(``,Date,<value>`` with an index column).

NumPy and the standard library only: this module runs in the engine process. The hidden grader
(``grader.py``) imports :func:`full_series` from this file and regenerates the same series, so the
days after the end of the CSV stay out of the workspace.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

CSV_NAME = "energy_demand.csv"
HEADER = ",Date,Daily Energy Demand (MWh)"
START = dt.date(2014, 1, 1)
SERIES_LENGTH = 3500  # days generated; the grader scores the days after the training part
TRAINING_LENGTH = 3000  # days written into the workspace

# Monday..Sunday: working days high, weekends low (scaled by WEEKLY_AMPLITUDE).
WEEKLY_SHAPE = np.array([0.6, 0.9, 1.0, 0.9, 0.5, -1.3, -1.6])
WEEKLY_AMPLITUDE = 40.0
NOISE_SD = 12.0  # innovations of the AR(1) noise, in MWh
NOISE_AR = 0.8
STREAM = 5  # the question's own random stream under the exam seed


def _raw_series(seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, STREAM])
    t = np.arange(SERIES_LENGTH, dtype=np.float64)
    weekday = np.array([(START + dt.timedelta(days=int(day))).weekday() for day in t])
    winter = np.cos(2.0 * np.pi * (t - 15.0) / 365.25)  # 1 in mid-January
    trend = 400.0 + 0.03 * t
    yearly = 55.0 * winter + 15.0 * np.cos(4.0 * np.pi * (t - 200.0) / 365.25)
    weekly = WEEKLY_AMPLITUDE * WEEKLY_SHAPE[weekday] * (1.0 + 0.3 * winter)
    shocks = rng.normal(0.0, NOISE_SD, SERIES_LENGTH)
    noise = np.empty(SERIES_LENGTH)
    previous = 0.0
    for day, shock in enumerate(shocks):
        previous = NOISE_AR * previous + shock
        noise[day] = previous
    return trend + yearly + weekly + noise


def series_rows(seed: int) -> list[tuple[int, str, str]]:
    """Every day of the series as CSV cells: (index, ISO date, value with one decimal)."""
    return [
        (day, (START + dt.timedelta(days=day)).isoformat(), f"{value:.1f}")
        for day, value in enumerate(_raw_series(seed))
    ]


def full_series(seed: int) -> np.ndarray:
    """The whole series as the CSV's values parse (``float(cell)``), training part first."""
    return np.array([float(value) for _, _, value in series_rows(seed)], dtype=np.float64)


def write_data(folder: Path, seed: int) -> None:
    """Write the first TRAINING_LENGTH days to ``folder / CSV_NAME`` (same seed, same bytes)."""
    lines = [HEADER]
    lines += [f"{day},{date},{value}" for day, date, value in series_rows(seed)[:TRAINING_LENGTH]]
    (folder / CSV_NAME).write_bytes(("\n".join(lines) + "\n").encode("ascii"))
