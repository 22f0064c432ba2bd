"""practice-2's Category 5 (multivariate, multi-step time series): data, hidden grader, starter
(its short reference training: tests/test_shipped_exams.py)."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from simulator.exam.catalog import shipped_exams_root
from simulator.exam.code import load_module_file
from simulator.exam.format import Exam, Question, load_exam

QUESTION_ID = "multivariate-series"
SHIPPED_EXAM = shipped_exams_root() / "practice-2"
FOLDER = SHIPPED_EXAM / "category5"
SEED = 2021


DATA = load_module_file(FOLDER / "data.py", "tfexam_test_practice2_category5_data")
GRADER = load_module_file(FOLDER / "grader.py", "tfexam_test_practice2_category5_grader")


@pytest.fixture(scope="module")
def exam() -> Exam:
    return load_exam(SHIPPED_EXAM)


@pytest.fixture(scope="module")
def question(exam: Exam) -> Question:
    return exam.question(QUESTION_ID)


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="") as file:
        return list(csv.reader(file))


def test_question_loads_with_the_fixed_interface(exam: Exam, question: Question) -> None:
    assert exam.seed == SEED
    assert (question.category, question.weight, question.data) == (5, 5, "data.py")
    assert question.interface.input_shape == (24, 7)
    assert question.interface.output_shape == (24, 7)
    assert question.interface.output == "regression"
    assert question.scoring.metric == "mae"


def test_thresholds_are_the_formula_in_the_prompt(question: Question) -> None:
    # score = min(5, ceil(18 - 200 * MAE)), clamped at 0: MAE <= (19 - s) / 200 for score s.
    assert question.scoring.thresholds == (0.09, 0.085, 0.08, 0.075, 0.07)
    for mae in np.linspace(0.0, 0.2, 801):
        if abs(mae * 200 - round(mae * 200)) < 1e-6:
            continue  # the thresholds are inclusive where the formula is strict
        expected = max(0, min(5, math.ceil(18 - 200 * mae)))
        assert question.scoring.score(float(mae)) == expected, mae
    prompt = (FOLDER / "prompt.md").read_text(encoding="utf-8")
    starter = (FOLDER / "starter.py").read_text(encoding="utf-8")
    assert "ceil(18 - 200 * MAE)" in prompt
    assert "ceil(18 - 200 * MAE)" in starter


def test_write_data_is_deterministic_and_small(tmp_path: Path) -> None:
    for name, seed in (("a", SEED), ("b", SEED), ("c", SEED + 1)):
        (tmp_path / name).mkdir()
        DATA.write_data(tmp_path / name, seed)
    a, b, c = (tmp_path / name / DATA.CSV_NAME for name in "abc")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert a.stat().st_size < 5_000_000
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [DATA.CSV_NAME]


def test_the_csv_looks_like_the_real_file_and_holds_the_training_part_only(
    tmp_path: Path,
) -> None:
    DATA.write_data(tmp_path, SEED)
    rows = _read_csv(tmp_path / DATA.CSV_NAME)
    assert rows[0] == [
        "datetime",
        "Global_active_power",
        "Global_reactive_power",
        "Voltage",
        "Global_intensity",
        "Sub_metering_1",
        "Sub_metering_2",
        "Sub_metering_3",
    ]
    body = rows[1:]
    assert len(body) == DATA.TRAINING_LENGTH < DATA.SERIES_LENGTH
    stamps = [dt.datetime.fromisoformat(row[0]) for row in body]
    assert stamps[0] == DATA.START
    assert all(b - a == dt.timedelta(hours=1) for a, b in itertools.pairwise(stamps))
    values = np.array([[float(cell) for cell in row[1:]] for row in body])
    full = DATA.full_series(SEED)
    assert full.shape == (DATA.SERIES_LENGTH, 7)
    np.testing.assert_array_equal(values, full[: DATA.TRAINING_LENGTH])
    assert np.all(values[:, [0, 1, 3, 4, 5, 6]] >= 0)
    assert np.all((values[:, 2] > 220) & (values[:, 2] < 260))  # volts
    # The hidden hours (and their timestamps) are nowhere in the file.
    text = (tmp_path / DATA.CSV_NAME).read_text()
    first_hidden = DATA.START + dt.timedelta(hours=DATA.TRAINING_LENGTH)
    assert first_hidden.strftime("%Y-%m-%d %H:%M") not in text
    assert stamps[-1] < first_hidden


def test_grader_windows_continue_the_file_on_the_starters_scale(tmp_path: Path) -> None:
    x, y = GRADER.test_data(SEED)
    n = DATA.HIDDEN_LENGTH - 24 + 1
    assert (x.shape, y.shape, x.dtype, y.dtype) == ((n, 24, 7), (n, 24, 7), np.float32, np.float32)
    again = GRADER.test_data(SEED)
    np.testing.assert_array_equal(x, again[0])
    np.testing.assert_array_equal(y, again[1])
    # The first window is the file's last 24 hours, normalised per feature as the starter does.
    DATA.write_data(tmp_path, SEED)
    rows = _read_csv(tmp_path / DATA.CSV_NAME)[1:]
    data = np.array([[float(cell) for cell in row[1:]] for row in rows])
    data = (data - data.min(axis=0)) / (data.max(axis=0) - data.min(axis=0))
    np.testing.assert_allclose(x[0], data[-24:], rtol=1e-6, atol=1e-7)
    # Every target is the next 24 hours: the window 24 hours later.
    np.testing.assert_array_equal(x[24:], y[:-24])
    # The last target ends with the series; no target hour is in the file.
    full = DATA.full_series(SEED)
    low, high = full[: DATA.TRAINING_LENGTH].min(axis=0), full[: DATA.TRAINING_LENGTH].max(axis=0)
    np.testing.assert_allclose(y[-1], ((full - low) / (high - low))[-24:], rtol=1e-6, atol=1e-7)


def test_persistence_does_not_score_well(question: Question) -> None:
    x, y = GRADER.test_data(SEED)
    persistence = float(np.mean(np.abs(x[:, -1:, :] - y)))  # repeat the last observed hour
    assert question.scoring.score(persistence) <= 1, persistence
