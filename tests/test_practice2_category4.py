"""Practice exam 2, Category 4 (BBC-style news topics): its data, its grader and its calibration."""

from __future__ import annotations

import ast
import csv
import io
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import numpy as np
import pytest

from simulator.exam.code import load_module_file
from simulator.exam.format import load_exam
from simulator.grading.job import grade
from simulator.grading.protocol import GradingJob, GradingResult
from tests.conftest import REPO

QUESTION = REPO / "mock_exams" / "practice-2" / "category4"
QUESTION_ID = "news-topics"
SEED = 2021
CATEGORIES = {"sport", "business", "politics", "tech", "entertainment"}
# Measured on seeds 2021, 1, 7 and 99: the best one-word rule ("this word means politics, its
# absence sport") reaches 0.36-0.38 on the training articles (the majority class alone 0.23),
# against about 0.93 for the reference solution.
SINGLE_WORD_LIMIT = 0.45


@pytest.fixture(scope="module")
def data() -> ModuleType:
    return load_module_file(QUESTION / "data.py", "tfexam_test_practice2_category4_data")


@pytest.fixture(scope="module")
def grader() -> ModuleType:
    return load_module_file(QUESTION / "grader.py", "tfexam_test_practice2_category4_grader")


@pytest.fixture(scope="module")
def exam_root() -> Path:
    """The shipped practice-2 exam, which lists this question."""
    assert QUESTION_ID in {question.id for question in load_exam(QUESTION.parent).questions}
    return QUESTION.parent


@pytest.fixture(scope="module")
def csv_bytes(data: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("data")
    data.write_data(folder, SEED)
    content: bytes = (folder / data.FILE_NAME).read_bytes()
    return content


@pytest.fixture(scope="module")
def rows(csv_bytes: bytes) -> list[tuple[str, str]]:
    table = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8"))))
    assert table[0] == ["category", "text"]
    assert all(len(row) == 2 for row in table[1:])
    return [(row[0], row[1]) for row in table[1:]]


def run_in_workspace(script: Path, folder: Path, data: ModuleType) -> Path:
    """Run a starter or solution file as `python starter.py` next to its bbc-text.csv."""
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
    data: ModuleType, csv_bytes: bytes, rows: list[tuple[str, str]], tmp_path: Path
) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    again.mkdir()
    other.mkdir()
    data.write_data(again, SEED)  # how fast (about 0.8 s): benchmarks/exam_start.py
    data.write_data(other, SEED + 1)
    assert (again / data.FILE_NAME).read_bytes() == csv_bytes
    assert (other / data.FILE_NAME).read_bytes() != csv_bytes
    assert len(csv_bytes) < 3_000_000  # about 1.5 MB
    assert csv_bytes.endswith(b"\n") and b"\r" not in csv_bytes

    counts = Counter(category for category, _ in rows)
    assert set(counts) == CATEGORIES and len(rows) == 2000
    assert [counts[name] for name in data.CATEGORIES] == [
        a + b for a, b in zip(data.TRAINING_COUNTS, data.VALIDATION_COUNTS, strict=True)
    ]
    texts = [text for _, text in rows]
    assert len(set(texts)) == len(texts)
    assert all(text == text.lower() and "," not in text and '"' not in text for text in texts)
    words = [len(text.split()) for text in texts]
    assert 80 < np.mean(words) < 200  # a few short paragraphs per article


def test_hidden_articles_are_never_in_the_workspace_file(
    grader: ModuleType, data: ModuleType, rows: list[tuple[str, str]]
) -> None:
    workspace, hidden = grader.hidden_rows(SEED)
    assert workspace == rows
    hidden_texts = {text for _, text in hidden}
    assert len(hidden_texts) == len(hidden) == sum(data.TEST_COUNTS) == 1000
    assert not hidden_texts & {text for _, text in rows}
    counts = Counter(category for category, _ in hidden)
    assert [counts[name] for name in data.CATEGORIES] == list(data.TEST_COUNTS)


def test_labels_are_numbered_like_the_real_exam(rows: list[tuple[str, str]]) -> None:
    import tensorflow as tf

    labels = [category for category, _ in rows]
    # Fitted on all the labels (as the real starter did) or on the training part only.
    for fitted_on in (labels, labels[:1600]):
        label_tokenizer = tf.keras.preprocessing.text.Tokenizer()
        label_tokenizer.fit_on_texts(fitted_on)
        assert label_tokenizer.word_index == {
            "sport": 1,
            "business": 2,
            "politics": 3,
            "tech": 4,
            "entertainment": 5,
        }


def test_no_single_word_separates_the_classes(
    grader: ModuleType, rows: list[tuple[str, str]]
) -> None:
    tokenizer, _ = grader.fit_tokenizers(rows)
    training = rows[:1600]
    present = np.zeros((len(training), 1000), dtype=bool)
    sentences = [grader.remove_stopwords(text) for _, text in training]
    for row, sequence in enumerate(tokenizer.texts_to_sequences(sentences)):
        present[row, sequence] = True
    labels = np.array([grader.LABELS[category] for category, _ in training])
    # "class a if the word is there, class b if not", with the best a and b, for every word
    best = 0.0
    for word in range(2, 1000):
        hits = present[:, word]
        right = sum(
            np.bincount(labels[mask], minlength=6).max() for mask in (hits, ~hits) if mask.any()
        )
        best = max(best, right / len(labels))
    majority = np.bincount(labels).max() / len(labels)
    assert majority < best < SINGLE_WORD_LIMIT


def run_starter_preprocessing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run the starter's ``solution_model()`` in-process and keep its local variables."""
    starter = load_module_file(folder / "starter.py", "tfexam_test_practice2_category4_starter")
    captured: dict[str, Any] = {}

    def keep_locals(frame: FrameType, event: str, arg: object) -> None:
        if event == "return" and frame.f_code is starter.solution_model.__code__:
            captured.update(frame.f_locals)

    monkeypatch.chdir(folder)
    sys.setprofile(keep_locals)
    try:
        starter.solution_model()
    finally:
        sys.setprofile(None)
    return captured


def test_grader_prepares_articles_exactly_like_the_starter(
    grader: ModuleType,
    data: ModuleType,
    rows: list[tuple[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tensorflow as tf

    for script in ("starter.py", "solution.py"):
        tree = ast.parse((QUESTION / script).read_text(encoding="utf-8"))
        lists = [
            ast.literal_eval(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "stopwords" for t in node.targets)
        ]
        assert lists == [grader.STOPWORDS], script
    assert len(grader.STOPWORDS) == 153  # the course's list

    x, y = grader.test_data(SEED)
    assert x.shape == (1000, 120) and y.shape == (1000,)
    assert np.issubdtype(x.dtype, np.integer) and x.min() >= 0 and x.max() < 1000
    assert set(np.unique(y).tolist()) == {1, 2, 3, 4, 5}
    x_again, y_again = grader.test_data(SEED)
    assert np.array_equal(x, x_again) and np.array_equal(y, y_again)

    # What the starter itself computes from the workspace file.
    folder = tmp_path / "category4"
    folder.mkdir()
    data.write_data(folder, SEED)
    shutil.copyfile(QUESTION / "starter.py", folder / "starter.py")
    starter = run_starter_preprocessing(folder, monkeypatch)
    tokenizer, label_tokenizer = grader.fit_tokenizers(rows)
    assert starter["tokenizer"].word_index == tokenizer.word_index
    assert starter["label_tokenizer"].word_index == label_tokenizer.word_index
    training = [grader.remove_stopwords(text) for _, text in rows[:1600]]
    assert starter["training_sentences"] == training
    padded = tf.keras.preprocessing.sequence.pad_sequences(
        tokenizer.texts_to_sequences(training), maxlen=120, padding="post", truncating="post"
    )
    assert np.array_equal(starter["training_padded"], padded)
    numbers = np.array([grader.LABELS[category] for category, _ in rows[:1600]])
    assert np.array_equal(starter["training_label_seq"].reshape(-1), numbers)
    assert starter["validation_padded"].shape == (400, 120)

    # ... and the grader applies the same tokenizer to the hidden articles.
    _, hidden = grader.hidden_rows(SEED)
    expected = tf.keras.preprocessing.sequence.pad_sequences(
        starter["tokenizer"].texts_to_sequences(
            [grader.remove_stopwords(text) for _, text in hidden]
        ),
        maxlen=120,
        padding="post",
        truncating="post",
    )
    assert np.array_equal(x, expected)
    assert np.array_equal(y, [grader.LABELS[category] for category, _ in hidden])


def test_always_answering_sport_scores_zero(exam_root: Path, tmp_path: Path) -> None:
    import tensorflow as tf

    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=[120]),
            tf.keras.layers.Dense(6, activation="softmax", kernel_initializer="zeros"),
        ]
    )
    model.layers[-1].bias.assign([0.0, 3.0, 0.0, 0.0, 0.0, 0.0])  # always label 1, sport
    model.save(tmp_path / "majority.h5")
    result = grade_model(tmp_path / "majority.h5", exam_root)
    assert result.state == "graded" and result.metric_value is not None, result.message
    assert result.metric_value == pytest.approx(0.23) and result.score == 0, result.message


@pytest.mark.slow
def test_reference_solution_scores_five_in_minutes(
    data: ModuleType, exam_root: Path, tmp_path: Path
) -> None:
    started = time.perf_counter()
    model = run_in_workspace(QUESTION / "solution.py", tmp_path / "category4", data)
    assert time.perf_counter() - started < 300
    result = grade_model(model, exam_root)
    assert (result.state, result.score) == ("graded", 5), result.message
