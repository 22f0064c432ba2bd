"""The practice exam's Category 4 (sarcasm headlines): its data, its grader and its calibration."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from simulator.exam.code import load_module_file
from simulator.grading.job import grade
from simulator.grading.protocol import GradingJob, GradingResult
from tests.conftest import PRACTICE_EXAM

QUESTION = PRACTICE_EXAM / "category4"
QUESTION_ID = "text-classification"
SEED = 2020
# Measured on seeds 2020, 1, 7 and 99: the best one-word rule reaches 0.598-0.609 on the training
# headlines (the majority class alone 0.55), against about 0.88 for the reference solution.
SINGLE_WORD_LIMIT = 0.64


@pytest.fixture(scope="module")
def data() -> ModuleType:
    return load_module_file(QUESTION / "data.py", "tfexam_test_category4_data")


@pytest.fixture(scope="module")
def grader() -> ModuleType:
    return load_module_file(QUESTION / "grader.py", "tfexam_test_category4_grader")


@pytest.fixture(scope="module")
def exam_root() -> Path:
    return PRACTICE_EXAM


@pytest.fixture(scope="module")
def records(data: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    folder = tmp_path_factory.mktemp("data")
    data.write_data(folder, SEED)
    loaded: list[dict[str, object]] = json.loads((folder / "sarcasm.json").read_text())
    return loaded


def run_in_workspace(script: Path, folder: Path, data: ModuleType) -> Path:
    """Run a starter or solution file as `python starter.py` next to its sarcasm.json."""
    folder.mkdir()
    data.write_data(folder, SEED)
    shutil.copyfile(script, folder / script.name)
    done = subprocess.run(
        [sys.executable, script.name],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Total params" in done.stdout  # model.summary(), as the rules ask
    return folder / "mymodel.h5"


def grade_model(model: Path, exam_root: Path) -> GradingResult:
    return grade(GradingJob(1, str(model), str(exam_root), QUESTION_ID, SEED))


def test_data_is_deterministic_and_shaped_like_the_real_file(
    data: ModuleType, tmp_path: Path
) -> None:
    first, second, other = tmp_path / "first", tmp_path / "second", tmp_path / "other"
    for folder in (first, second, other):
        folder.mkdir()
    data.write_data(first, SEED)  # how fast (about 0.25 s): benchmarks/exam_start.py
    data.write_data(second, SEED)
    data.write_data(other, SEED + 1)
    content = (first / "sarcasm.json").read_bytes()
    assert content == (second / "sarcasm.json").read_bytes()
    assert content != (other / "sarcasm.json").read_bytes()
    assert len(content) < 2_000_000

    records = json.loads(content)
    assert len(records) == data.RECORDS
    assert {tuple(record) for record in records} == {("article_link", "headline", "is_sarcastic")}
    labels = np.array([record["is_sarcastic"] for record in records])
    assert set(labels.tolist()) == {0, 1} and 0.40 < labels.mean() < 0.48
    assert len({record["headline"] for record in records}) == len(records)
    for record in records:
        site = "theonion.com" if record["is_sarcastic"] else "huffingtonpost.com"
        assert site in record["article_link"]


def test_hidden_headlines_are_never_in_the_workspace_file(
    grader: ModuleType, data: ModuleType, records: list[dict[str, object]]
) -> None:
    training, hidden = grader.hidden_records(SEED)
    headlines = [record["headline"] for record in records]
    assert training == headlines[: data.TRAINING_SIZE]
    hidden_headlines = {record["headline"] for record in hidden}
    assert len(hidden_headlines) == len(hidden) == grader.TEST_SIZE
    assert not hidden_headlines & set(headlines)
    share = np.mean([record["is_sarcastic"] for record in hidden])
    assert 0.40 < share < 0.48


def test_no_single_word_separates_the_classes(
    data: ModuleType, records: list[dict[str, object]]
) -> None:
    import tensorflow as tf

    training = records[: data.TRAINING_SIZE]
    tokenizer = tf.keras.preprocessing.text.Tokenizer(num_words=1000, oov_token="<OOV>")
    tokenizer.fit_on_texts([record["headline"] for record in training])
    present = np.zeros((len(training), 1000), dtype=bool)
    for row, sequence in enumerate(
        tokenizer.texts_to_sequences([record["headline"] for record in training])
    ):
        present[row, sequence] = True
    labels = np.array([record["is_sarcastic"] for record in training], dtype=bool)
    # "sarcastic if the word is there" or "sarcastic if it is not", for every word of the vocabulary
    agree = (present == labels[:, None]).mean(axis=0)
    best = np.maximum(agree, 1 - agree)[2:].max()
    majority = max(labels.mean(), 1 - labels.mean())
    assert majority < best < SINGLE_WORD_LIMIT


def test_grader_tokenises_exactly_like_the_starter(
    grader: ModuleType, data: ModuleType, records: list[dict[str, object]]
) -> None:
    import tensorflow as tf

    x, y = grader.test_data(SEED)
    assert x.shape == (grader.TEST_SIZE, 120) and y.shape == (grader.TEST_SIZE, 1)
    assert np.issubdtype(x.dtype, np.integer) and x.min() >= 0 and x.max() < 1000
    assert set(np.unique(y).tolist()) == {0.0, 1.0}
    x_again, y_again = grader.test_data(SEED)
    assert np.array_equal(x, x_again) and np.array_equal(y, y_again)

    # What the starter does with the workspace file, applied to the hidden headlines.
    tokenizer = tf.keras.preprocessing.text.Tokenizer(num_words=1000, oov_token="<OOV>")
    tokenizer.fit_on_texts([record["headline"] for record in records[: data.TRAINING_SIZE]])
    _, hidden = grader.hidden_records(SEED)
    padded = tf.keras.preprocessing.sequence.pad_sequences(
        tokenizer.texts_to_sequences([record["headline"] for record in hidden]),
        maxlen=120,
        padding="post",
        truncating="post",
    )
    assert np.array_equal(x, padded)


def test_always_guessing_not_sarcastic_scores_zero(exam_root: Path, tmp_path: Path) -> None:
    import tensorflow as tf

    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=[120]),
            tf.keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros"),
        ]
    )
    model.layers[-1].bias.assign([-2.0])  # p = 0.12 for every headline: the majority class
    model.save(tmp_path / "majority.h5")
    result = grade_model(tmp_path / "majority.h5", exam_root)
    assert result.state == "graded" and result.metric_value is not None, result.message
    assert 0.53 < result.metric_value < 0.58 and result.score == 0, result.message


@pytest.mark.slow
def test_reference_solution_scores_five_in_minutes(
    data: ModuleType, exam_root: Path, tmp_path: Path
) -> None:
    started = time.perf_counter()
    model = run_in_workspace(QUESTION / "solution.py", tmp_path / "category4", data)
    assert time.perf_counter() - started < 300
    result = grade_model(model, exam_root)
    assert (result.state, result.score) == ("graded", 5), result.message
