"""Training data for Category 5 of practice-2 (multivariate time series): a household's hourly
electricity use, written as a CSV shaped like the real exam's ``household_power_consumption.csv``
(``datetime`` first, then the same 7 feature columns).

The series is simulated, not copied: a household with a weekday and a weekend routine, dark
evenings that are longer in winter, cooking and dishwasher runs (sub-metering 1, kitchen),
a fridge and washing-machine/dryer runs (sub-metering 2, laundry), a water heater that recharges
at night and after showers and an air conditioner on hot summer days (sub-metering 3), a few
holidays away, and the grid voltage sagging when the house (and the neighbourhood) draws more.
Global active power is the sum of the sub-meterings and everything else, in kW; the intensity
follows from the apparent power and the voltage, as in the real data.

The file runs for 411 days, from 2006-12-16 17:00 to 2008-01-31 16:00 (9,864 rows, about 0.6 MB);
the grader scores the 8 weeks after it (February and March 2008). With the starter's 80 % split
the training windows end in November, with the heating on, and the validation part (November to
January) is in the same season as the hidden weeks, so the validation MAE predicts the score
even for a model trained on windows in time order.

NumPy and the standard library only: this module runs in the engine process. The hidden grader
(``grader.py``) imports :func:`full_series` from this file and regenerates the same series, so the
hours after the end of the CSV stay out of the workspace.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

CSV_NAME = "household_power_consumption.csv"
COLUMNS = (
    "Global_active_power",  # kW
    "Global_reactive_power",  # kW
    "Voltage",  # V
    "Global_intensity",  # A
    "Sub_metering_1",  # Wh per minute (hourly mean): kitchen
    "Sub_metering_2",  # Wh per minute (hourly mean): laundry room, fridge
    "Sub_metering_3",  # Wh per minute (hourly mean): water heater, air conditioner
)
HEADER = ",".join(("datetime", *COLUMNS))
DECIMALS = (3, 3, 2, 3, 3, 3, 3)
START = dt.datetime(2006, 12, 16, 17, 0, 0)  # the real file starts on 2006-12-16 17:24
HOURS_PER_DAY = 24
TRAINING_LENGTH = 411 * HOURS_PER_DAY  # hours written into the workspace (to 2008-01-31)
HIDDEN_LENGTH = 8 * 7 * HOURS_PER_DAY  # hours after the file that the grader scores
SERIES_LENGTH = TRAINING_LENGTH + HIDDEN_LENGTH
STREAM = 25  # the question's own random stream under the exam seed

# Holidays: (earliest start, latest start, shortest and longest stay in days).
HOLIDAYS = (
    (dt.date(2007, 4, 1), dt.date(2007, 4, 20), 4, 9),
    (dt.date(2007, 7, 10), dt.date(2007, 8, 10), 10, 19),
    (dt.date(2007, 10, 20), dt.date(2007, 11, 5), 3, 7),
)
# An appliance run, at most once a day: its probability on a weekday and on a weekend day, the
# start hours to pick from on a weekday and on a weekend day, the range of its level (Wh/min) and
# the share of that level in each hour of the run.
Run = tuple[float, float, tuple[int, ...], tuple[int, ...], tuple[float, float], tuple[float, ...]]
KITCHEN_RUNS: tuple[Run, ...] = (
    (0.6, 0.6, (18, 19, 19, 20), (19, 20), (6.0, 30.0), (1.0, 0.4)),  # dinner
    (0.1, 0.6, (12,), (12, 13), (6.0, 25.0), (1.0, 0.3)),  # lunch
    (0.45, 0.45, (21, 21, 22), (14, 21, 22), (10.0, 22.0), (0.9, 1.0, 0.2)),  # dishwasher
    (0.7, 0.7, (6, 7, 7), (8, 9, 10), (1.0, 4.0), (1.0,)),  # breakfast kettle
)
WASHING_RUN: Run = (0.3, 0.6, (7, 18, 19, 20), (9, 10, 11, 14, 15), (12.0, 28.0), (1.0, 0.8, 0.2))
# How much of the household is at home and active, hour by hour (0-23).
WEEKDAY_ACTIVITY = np.array(
    [0.10, 0.06, 0.05, 0.05, 0.05, 0.08, 0.45, 0.85, 0.55, 0.15, 0.10, 0.10,
     0.15, 0.12, 0.10, 0.12, 0.20, 0.45, 0.80, 0.95, 0.90, 0.80, 0.55, 0.25]
)  # fmt: skip
WEEKEND_ACTIVITY = np.array(
    [0.20, 0.12, 0.08, 0.06, 0.05, 0.05, 0.06, 0.12, 0.35, 0.65, 0.70, 0.65,
     0.75, 0.60, 0.50, 0.50, 0.55, 0.60, 0.75, 0.90, 0.90, 0.80, 0.60, 0.35]
)  # fmt: skip
# The grid's own daily rhythm in volts: high at night, low at the evening peak.
GRID_VOLTAGE = np.array(
    [1.2, 1.6, 1.9, 2.0, 1.9, 1.5, 0.6, -0.3, -0.6, -0.4, -0.2, -0.3,
     -0.5, -0.3, -0.2, -0.3, -0.6, -1.2, -1.8, -2.1, -1.9, -1.2, -0.3, 0.5]
)  # fmt: skip


def _ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """An AR(1) process with innovations of standard deviation ``sd``, started at rest."""
    shocks = rng.normal(0.0, sd, n)
    out = np.empty(n)
    previous = 0.0
    for i, shock in enumerate(shocks):
        previous = phi * previous + shock
        out[i] = previous
    return out


def _add_runs(
    target: np.ndarray,
    rng: np.random.Generator,
    day_start: np.ndarray,
    weekend_days: np.ndarray,
    home_days: np.ndarray,
    run: Run,
) -> np.ndarray:
    """Add ``run`` to ``target`` (at most once a day, only on days at home); return each day's
    start index (-1 for days without one)."""
    weekday_p, weekend_p, weekday_hours, weekend_hours, level, profile = run
    days = len(day_start)
    happens = rng.random(days) < np.where(weekend_days, weekend_p, weekday_p) * home_days
    pick_weekday = rng.choice(np.array(weekday_hours), days)
    pick_weekend = rng.choice(np.array(weekend_hours), days)
    levels = rng.uniform(*level, days)
    starts = np.full(days, -1)
    for day in np.flatnonzero(happens):
        start = day_start[day] + (pick_weekend[day] if weekend_days[day] else pick_weekday[day])
        for offset, share in enumerate(profile):
            if 0 <= start + offset < len(target):
                target[start + offset] += levels[day] * share
        starts[day] = start
    return starts


def _raw_series(seed: int) -> np.ndarray:
    """The whole simulated series, shape (SERIES_LENGTH, 7), before rounding."""
    rng = np.random.default_rng([seed, STREAM])
    n = SERIES_LENGTH
    stamps = [START + dt.timedelta(hours=i) for i in range(n)]
    hour = np.array([s.hour for s in stamps])
    weekend = np.array([s.weekday() >= 5 for s in stamps])
    day = np.array([(s.date() - START.date()).days for s in stamps])
    day_of_year = np.array([s.timetuple().tm_yday for s in stamps], dtype=np.float64)
    days = int(day[-1]) + 1
    # Index of each calendar day's midnight (may be negative for the first, partial day).
    day_start = np.arange(days) * HOURS_PER_DAY - START.hour

    winter = np.cos(2.0 * np.pi * (day_of_year - 15.0) / 365.25)  # 1 in mid-January
    fraction_of_day = hour + 0.5
    sunrise = 7.0 + 1.3 * winter
    sunset = 19.5 - 2.3 * winter
    dark = 1.0 / (1.0 + np.exp(2.0 * (fraction_of_day - sunrise))) + 1.0 / (
        1.0 + np.exp(-2.0 * (fraction_of_day - sunset))
    )

    # Holidays away, when the house only ticks over (none in the hidden weeks, so that the
    # question is about as hard under every seed).
    home = np.ones(days)
    for earliest, latest, shortest, longest in HOLIDAYS:
        first = (earliest - START.date()).days + int(rng.integers(0, (latest - earliest).days + 1))
        home[first : first + int(rng.integers(shortest, longest + 1))] = 0.0
    at_home = home[day]
    home_days = home > 0

    activity = np.where(weekend, WEEKEND_ACTIVITY[hour], WEEKDAY_ACTIVITY[hour])
    day_level = np.exp(_ar1(rng, days, 0.7, 0.12))[day]  # busier and quieter days
    activity = np.clip(activity * day_level * at_home + _ar1(rng, n, 0.5, 0.04), 0.0, None)

    # Lighting, electronics, cooking hob and electric heating (what no sub-meter sees), Wh/min.
    heating = 9.0 * np.clip(winter + 0.2, 0.0, None) * (0.4 + activity) * (0.3 + 0.7 * at_home)
    other = 4.0 + activity * (9.0 + 11.0 * dark) + heating
    other *= np.exp(_ar1(rng, n, 0.6, 0.12))

    weekend_days = np.array([(START + dt.timedelta(days=d)).weekday() >= 5 for d in range(days)])
    kitchen = np.zeros(n)
    for run in KITCHEN_RUNS:
        _add_runs(kitchen, rng, day_start, weekend_days, home_days, run)

    # Laundry room: the fridge's compressor cycling (more in summer), washing machine and dryer.
    laundry = 0.45 + 0.15 * (1.0 - winter) + np.abs(_ar1(rng, n, 0.3, 0.12))
    washes = _add_runs(laundry, rng, day_start, weekend_days, home_days, WASHING_RUN)
    winter_days = np.array([winter[max(0, int(d))] for d in day_start])
    dry = rng.random(days) < 0.5 + 0.3 * np.clip(winter_days, 0.0, None)
    dryer_level = rng.uniform(20.0, 38.0, days)
    for run_day in np.flatnonzero((washes >= 0) & dry):
        for offset, share in ((2, 0.6), (3, 1.0), (4, 0.4)):
            if washes[run_day] + offset < n:
                laundry[washes[run_day] + offset] += dryer_level[run_day] * share

    # Water heater: recharges in off-peak hours (00:00-07:00) according to yesterday's hot water,
    # tops up after the morning showers; the air conditioner runs on hot afternoons.
    heater_duty = np.full(n, 0.06)
    use = np.clip(rng.normal(0.75, 0.2, days), 0.2, 1.2) * (0.15 + 0.85 * home)
    night = hour < 7
    recharge_hours = np.array([0.8, 0.8, 0.6, 0.4, 0.2, 0.1, 0.05])  # 00:00 .. 06:00
    night_need = np.roll(use, 1)[day]
    heater_duty[night] += night_need[night] * recharge_hours[hour[night]]
    shower = np.where(weekend, np.isin(hour, (9, 10)), np.isin(hour, (7, 8)))
    heater_duty[shower] += 0.45 * use[day][shower] * at_home[shower]
    evening = np.isin(hour, (19, 20, 21))
    heater_duty[evening] += 0.35 * use[day][evening] * at_home[evening]
    heat_wave = np.exp(_ar1(rng, days, 0.85, 0.35))[day] * np.clip(-winter - 0.3, 0.0, None)
    cooling = np.clip(heat_wave - 0.35, 0.0, 1.0) * np.isin(hour, range(14, 23)) * at_home
    heater_duty += cooling * 0.8
    water = 17.5 * np.clip(heater_duty + _ar1(rng, n, 0.4, 0.03), 0.0, 1.05)

    active = 0.06 * (kitchen + laundry + water + other)  # Wh/min -> kW
    reactive = np.clip(
        0.05
        + 0.05 * activity * dark
        + 0.012 * active
        + 0.003 * laundry
        + 0.001 * kitchen
        + _ar1(rng, n, 0.8, 0.018),
        0.0,
        None,
    )
    drift = _ar1(rng, n, 0.97, 0.3)
    voltage = (
        241.0
        + GRID_VOLTAGE[hour] * (1.0 + 0.3 * winter)
        - 1.2 * winter
        - 0.8 * active
        + drift
        + rng.normal(0.0, 0.25, n)
    )
    intensity = np.hypot(active, reactive) * 1000.0 / voltage * np.exp(rng.normal(0.0, 0.01, n))
    return np.stack([active, reactive, voltage, intensity, kitchen, laundry, water], axis=1)


def series_rows(seed: int) -> list[tuple[str, ...]]:
    """Every hour of the series as CSV cells: the timestamp, then the 7 values, rounded."""
    values = _raw_series(seed)
    rows = []
    for i, row in enumerate(values):
        stamp = (START + dt.timedelta(hours=i)).strftime("%Y-%m-%d %H:%M:%S")
        cells = tuple(
            f"{value:.{decimals}f}" for value, decimals in zip(row, DECIMALS, strict=True)
        )
        rows.append((stamp, *cells))
    return rows


def full_series(seed: int) -> np.ndarray:
    """The whole series as the CSV's cells parse (``float(cell)``), shape (SERIES_LENGTH, 7)."""
    return np.array([[float(v) for v in row[1:]] for row in series_rows(seed)], dtype=np.float64)


def write_data(folder: Path, seed: int) -> None:
    """Write the first TRAINING_LENGTH hours to ``folder / CSV_NAME`` (same seed, same bytes)."""
    lines = [HEADER] + [",".join(row) for row in series_rows(seed)[:TRAINING_LENGTH]]
    (folder / CSV_NAME).write_bytes(("\n".join(lines) + "\n").encode("ascii"))
