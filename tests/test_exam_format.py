"""Exam definitions: the shipped exams validate, and a broken one lists every problem at once."""

from __future__ import annotations

import math
import re
import shutil
import time
from pathlib import Path

import pytest

from simulator.exam.catalog import list_exams, shipped_exams_root
from simulator.exam.durations import DurationError, format_duration, local_clock, parse_duration
from simulator.exam.format import ExamFormatError, Scoring, load_exam
from tests.conftest import FORMATS_EXAM, PRACTICE_EXAM


def test_every_shipped_exam_is_valid() -> None:
    entries = list_exams(None)
    assert entries, "no exams shipped"
    for entry in entries:
        assert entry.error is None, str(entry.error)


def test_the_practice_exam_follows_the_real_exam_conventions() -> None:
    exam = load_exam(PRACTICE_EXAM)
    assert (exam.duration_s, exam.pass_mark) == (5 * 3600, 90.0)
    basic = exam.question("1")
    assert basic.model_files[0] == "mymodel.h5" and "mymodel.keras" in basic.model_files
    starter = (basic.folder / basic.starter).read_text()
    for rule in (
        "Don't use lambda layers",
        "at least once",
        "shape",
        "model.summary()",
        "DO NOT CHANGE",
    ):
        assert rule in starter
    assert 'model.save("mymodel.h5")' in starter and "def solution_model():" in starter


def test_the_format_expresses_other_categories() -> None:
    exam = load_exam(FORMATS_EXAM)
    series, text = exam.questions
    assert (series.category, series.interface.input_shape, series.scoring.metric) == (
        5,
        (30, 1),
        "mae",
    )
    assert (text.interface.output, text.scoring.lower_is_better) == ("sigmoid", False)
    assert exam.max_points == 45


def test_a_broken_exam_reports_every_problem_in_one_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(PRACTICE_EXAM, broken)
    (broken / "exam.toml").write_text(
        """
[exam]
id = "broken"
title = "Broken"
duration = "soon"
policy = "random"

[[questions]]
id = "q"
category = 7
title = "Q"
weight = -1
folder = "missing"
colour = "blue"

[questions.interface]
input_shape = [0]
output_shape = [1]
output = "softmax"

[questions.scoring]
metric = "mse"
thresholds = [1, 2, 3, 4, 5]
"""
    )
    with pytest.raises(ExamFormatError) as caught:
        load_exam(broken)
    problems = caught.value.problems
    expected_fragments = [
        "exam.duration: cannot read duration 'soon'",
        "exam.policy: must be one of best, last",
        "category: must be 1-5",
        "weight: must be positive",
        "folder 'missing' does not exist",
        "unknown key 'colour'",
        "input_shape: must be a list of positive integers",
    ]
    for fragment in expected_fragments:
        assert any(fragment in p for p in problems), (fragment, problems)
    assert str(caught.value).count("\n  - ") == len(problems) >= len(expected_fragments)


def test_threshold_order_and_metric_fit_are_checked(tmp_path: Path) -> None:
    broken = tmp_path / "practice"
    shutil.copytree(PRACTICE_EXAM, broken)
    text = (broken / "exam.toml").read_text()
    text = text.replace(
        "thresholds = [10.0, 1.0, 0.1, 0.01, 0.001]", "thresholds = [1, 2, 3, 4, 5]"
    )
    text = text.replace('output = "regression"', 'output = "softmax"')
    (broken / "exam.toml").write_text(text)
    with pytest.raises(ExamFormatError) as caught:
        load_exam(broken)
    assert any("must strictly decrease" in p for p in caught.value.problems)


@pytest.mark.parametrize(
    ("value", "score"),
    [
        (0.0, 5),
        (0.001, 5),
        (0.0011, 4),
        (0.05, 3),
        (0.5, 2),
        (5.0, 1),
        (11.0, 0),
        (math.nan, 0),
        (math.inf, 0),
    ],
)
def test_lower_is_better_thresholds(value: float, score: int) -> None:
    assert Scoring("mse", (10.0, 1.0, 0.1, 0.01, 0.001)).score(value) == score


def test_sunspots_formula_maps_to_thresholds() -> None:
    """The real sunspots grader: min(5, ceil(17 - 100 * MAE)), clamped at 0 (exam-facts).

    ceil(17 - 100 * MAE) >= s exactly when MAE < (18 - s) / 100: thresholds 0.17 ... 0.13
    (the formula is strict at the boundary, thresholds are inclusive; docs/authoring.md says so).
    """
    scoring = Scoring("mae", (0.17, 0.16, 0.15, 0.14, 0.13))
    for mae in (0.05, 0.119, 0.125, 0.135, 0.149, 0.155, 0.165, 0.1699, 0.3):
        formula = max(0, min(5, math.ceil(17 - 100 * mae)))
        assert scoring.score(mae) == formula, mae


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5h", 18000), ("90m", 5400), ("1h30m", 5400), ("45s", 45), ("24h", 86400), (" 2H ", 7200)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "cannot read duration ''"),
        ("0s", "must be longer than zero"),
        ("5d", "cannot read duration '5d'"),
        ("h", "cannot read duration 'h'"),
        ("1.5h", "cannot read duration '1.5h'"),
        ("-3m", "cannot read duration '-3m'"),
        ("90", "duration '90' has no unit: write '90m' for minutes or '90s' for seconds"),
        ("25h", "duration '25h' is longer than a day (24h at most)"),
    ],
)
def test_bad_durations(text: str, reason: str) -> None:
    with pytest.raises(DurationError, match=re.escape(reason)):
        parse_duration(text)


def test_local_clock_names_the_day_when_it_is_not_today() -> None:
    noon = time.mktime((2026, 11, 21, 12, 0, 0, 0, 0, -1))
    assert local_clock(noon + 3600, now=noon) == "13:00:00"
    assert local_clock(noon + 3600, seconds=False, now=noon) == "13:00"
    assert local_clock(noon + 14 * 3600, now=noon) == "Sun 22 Nov 02:00:00"


def test_format_duration() -> None:
    assert format_duration(5 * 3600) == "5:00:00"
    assert format_duration(59.9) == "0:00:59"
    assert format_duration(-5) == "-0:00:05"


def test_the_real_exam_rule_and_sequence_outputs_are_declared_and_checked(tmp_path: Path) -> None:
    sunspots = load_exam(shipped_exams_root() / "classic").question("sunspots")
    rule = sunspots.scoring.real_exam
    assert rule is not None and sunspots.interface.sequence_output
    assert rule.describe("mae") == "min(5, ceil(17 - 100 * MAE))"
    for mae in (0.0, 0.05, 0.12, 0.1201, 0.13, 0.135, 0.169, 0.17, 0.3, math.nan):
        formula = 0 if math.isnan(mae) else max(0, min(5, math.ceil(round(17 - 100 * mae, 9))))
        assert rule.score(mae) == formula, mae
    assert rule.score(0.12) == 5  # "an MAE of .12 or less" for top marks
    broken = tmp_path / "practice"
    shutil.copytree(PRACTICE_EXAM, broken)
    text = (broken / "exam.toml").read_text()
    text = text.replace(
        'output = "regression"', 'output = "regression"\nsequence_output = "yes"', 1
    )
    text = text.replace(
        "thresholds = [10.0, 1.0, 0.1, 0.01, 0.001]",
        "thresholds = [10.0, 1.0, 0.1, 0.01, 0.001]\n[questions.scoring.real_exam]\nslope = 0",
        1,
    )
    (broken / "exam.toml").write_text(text)
    with pytest.raises(ExamFormatError) as caught:
        load_exam(broken)
    problems = "\n".join(caught.value.problems)
    assert "sequence_output: must be true or false" in problems
    assert (
        "real_exam.intercept: is required" in problems
        and "real_exam.slope: must not be 0" in problems
    )
