"""The practice exam's Category 5 (time series): data, hidden grader, starter and calibration
(its short reference training: tests/test_shipped_exams.py)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from simulator.exam.code import load_module_file
from simulator.exam.format import Exam, Question, load_exam
from tests.conftest import PRACTICE_EXAM

QUESTION_ID = "time-series"
FOLDER = PRACTICE_EXAM / "category5"
SEED = 2020


DATA = load_module_file(FOLDER / "data.py", "tfexam_test_category5_data")
GRADER = load_module_file(FOLDER / "grader.py", "tfexam_test_category5_grader")


@pytest.fixture(scope="module")
def exam() -> Exam:
    return load_exam(PRACTICE_EXAM)


@pytest.fixture(scope="module")
def question(exam: Exam) -> Question:
    return exam.question(QUESTION_ID)


def test_question_loads_with_the_fixed_interface(question: Question) -> None:
    assert (question.category, question.weight, question.data) == (5, 5, "data.py")
    assert question.interface.input_shape == (30, 1)
    assert question.interface.output_shape == (1,)
    assert question.scoring.metric == "mae"


def test_thresholds_are_the_sunspots_formula_with_k_8(question: Question) -> None:
    for mae in np.linspace(0.0, 0.2, 401):
        if abs(mae * 100 - round(mae * 100)) < 1e-6:
            continue  # the thresholds are inclusive where the formula is strict
        expected = max(0, min(5, math.ceil(8 - 100 * mae)))
        assert question.scoring.score(float(mae)) == expected, mae


def test_write_data_is_deterministic_and_small(tmp_path: Path) -> None:
    for name, seed in (("a", SEED), ("b", SEED), ("c", SEED + 1)):
        (tmp_path / name).mkdir()
        DATA.write_data(tmp_path / name, seed)
    a, b, c = (tmp_path / name / DATA.CSV_NAME for name in "abc")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert a.stat().st_size < 200_000
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [DATA.CSV_NAME]


def test_the_csv_holds_the_training_part_only(tmp_path: Path) -> None:
    DATA.write_data(tmp_path, SEED)
    with (tmp_path / DATA.CSV_NAME).open(newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["", "Date", "Daily Energy Demand (MWh)"]
    body = rows[1:]
    assert len(body) == DATA.TRAINING_LENGTH < DATA.SERIES_LENGTH
    assert [int(row[0]) for row in body] == list(range(DATA.TRAINING_LENGTH))
    assert (body[0][1], body[-1][1]) == ("2014-01-01", "2022-03-19")
    full = DATA.full_series(SEED)
    assert len(full) == DATA.SERIES_LENGTH
    np.testing.assert_array_equal([float(row[2]) for row in body], full[: DATA.TRAINING_LENGTH])


def test_grader_windows_continue_the_file_on_the_starters_scale(tmp_path: Path) -> None:
    x, y = GRADER.test_data(SEED)
    n = DATA.SERIES_LENGTH - DATA.TRAINING_LENGTH
    assert (x.shape, y.shape, x.dtype, y.dtype) == ((n, 30, 1), (n, 1), np.float32, np.float32)
    again = GRADER.test_data(SEED)
    np.testing.assert_array_equal(x, again[0])
    np.testing.assert_array_equal(y, again[1])
    # The first window is the file's last 30 days, normalised as the starter does.
    DATA.write_data(tmp_path, SEED)
    with (tmp_path / DATA.CSV_NAME).open(newline="") as file:
        series = np.array([float(row[2]) for row in list(csv.reader(file))[1:]])
    series = (series - np.min(series)) / (np.max(series) - np.min(series))
    np.testing.assert_allclose(x[0, :, 0], series[-30:], rtol=1e-6)
    np.testing.assert_array_equal(x[1:, -1, :], y[:-1])  # each target is the next window's end


def test_persistence_does_not_score_well(question: Question) -> None:
    x, y = GRADER.test_data(SEED)
    persistence = float(np.mean(np.abs(x[:, -1, :] - y)))
    assert question.scoring.score(persistence) <= 1, persistence
