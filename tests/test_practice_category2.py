"""The practice exam's Category 2 (Fashion-MNIST-like pictures): data, hidden grader, calibration."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from simulator.exam.code import load_module_file
from simulator.exam.format import Exam, Question, load_exam
from simulator.grading.job import grade
from simulator.grading.protocol import GradingJob, GradingResult
from tests.conftest import PRACTICE_EXAM

QUESTION_ID = "learning-dataset"
FOLDER = PRACTICE_EXAM / "category2"
SEED = 2020
NPZ_KEYS = ["x_test", "x_train", "y_test", "y_train"]


DATA = load_module_file(FOLDER / "data.py", "tfexam_test_category2_data")
GRADER = load_module_file(FOLDER / "grader.py", "tfexam_test_category2_grader")


@pytest.fixture(scope="module")
def exam() -> Exam:
    return load_exam(PRACTICE_EXAM)


@pytest.fixture(scope="module")
def question(exam: Exam) -> Question:
    return exam.question(QUESTION_ID)


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace file for SEED, written once (about 2 s) and copied where it is needed."""
    folder = tmp_path_factory.mktemp("data")
    DATA.write_data(folder, SEED)
    return folder / DATA.NPZ_NAME


@pytest.fixture(scope="module")
def workspace_file(data_file: Path) -> dict[str, np.ndarray]:
    with np.load(data_file) as arrays:
        return {key: arrays[key] for key in arrays.files}


def workspace(tmp_path: Path, data_file: Path, script: str) -> Path:
    """A question folder as a candidate gets it (the data file), plus ``script``."""
    folder = tmp_path / "category2"
    folder.mkdir()
    shutil.copyfile(data_file, folder / DATA.NPZ_NAME)
    shutil.copyfile(FOLDER / script, folder / script)
    return folder


def run_python(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def grade_model(exam: Exam, model: Path) -> GradingResult:
    result = grade(GradingJob(1, str(model), str(exam.root), QUESTION_ID, SEED))
    assert result.state == "graded", result.message
    return result


def test_question_has_the_fixed_interface(question: Question) -> None:
    assert (question.category, question.weight, question.data) == (2, 2, "data.py")
    assert question.interface.input_shape == (28, 28)
    assert question.interface.output_shape == (10,)
    assert (question.interface.output, question.scoring.metric) == ("softmax", "accuracy")


def test_prompt_names_every_label_as_the_data_numbers_it() -> None:
    """The labels in the prompt are the generator's (the thresholds: tests/test_prompts.py)."""
    prompt = " ".join((FOLDER / "prompt.md").read_text(encoding="utf-8").split())
    for label, name in enumerate(DATA.CLASS_NAMES):
        assert f"{label} {name}" in prompt, name


def test_write_data_is_deterministic_and_small(data_file: Path, tmp_path: Path) -> None:
    DATA.write_data(tmp_path, SEED)
    content = data_file.read_bytes()
    assert (tmp_path / DATA.NPZ_NAME).read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == [DATA.NPZ_NAME]
    # About 8 MB (how fast it is written, about 2 s: benchmarks/exam_start.py).
    assert len(content) < 15_000_000
    # Another exam seed draws other pictures (a few suffice to tell).
    ours, _ = DATA.make_split(SEED, DATA.WORKSPACE_PART, (20,))
    theirs, _ = DATA.make_split(SEED + 1, DATA.WORKSPACE_PART, (20,))
    again, _ = DATA.make_split(SEED, DATA.WORKSPACE_PART, (20,))
    assert np.array_equal(ours, again) and not np.array_equal(ours, theirs)


def test_file_is_shaped_like_tf_keras_datasets(workspace_file: dict[str, np.ndarray]) -> None:
    assert sorted(workspace_file) == NPZ_KEYS
    sizes = {"train": DATA.TRAIN_SIZE, "test": DATA.LOCAL_TEST_SIZE}
    for part, size in sizes.items():
        x, y = workspace_file[f"x_{part}"], workspace_file[f"y_{part}"]
        assert (x.shape, x.dtype, y.shape, y.dtype) == ((size, 28, 28), np.uint8, (size,), np.uint8)
        assert np.bincount(y).tolist() == [size // 10] * 10  # every class equally often
    x = workspace_file["x_train"]
    assert x.min() == 0 and x.max() == 255
    assert 20 < x.mean() < 80  # dark background, lit objects, like Fashion-MNIST


def test_the_pictures_are_drawn_without_pil(tmp_path: Path) -> None:
    """No TensorFlow is checked for every question (tests/test_shipped_exams.py); this one's
    pictures are drawn with NumPy alone, not an imaging library."""
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('d', {str(FOLDER / 'data.py')!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "module.make_split(7, 0, (20,))\n"
        "bad = [n for n in sys.modules if n.split('.')[0] == 'PIL']\n"
        "assert not bad, bad\n"
    )
    run_python(tmp_path, "-c", code)


def test_grader_data_is_hidden_scaled_and_deterministic(
    workspace_file: dict[str, np.ndarray],
) -> None:
    x, y = GRADER.test_data(SEED)
    n = GRADER.TEST_SIZE
    assert (x.shape, x.dtype, y.shape) == ((n, 28, 28), np.float32, (n,))
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert np.bincount(y).tolist() == [n // 10] * 10
    again_x, again_y = GRADER.test_data(SEED)
    assert np.array_equal(x, again_x) and np.array_equal(y, again_y)
    # The grader divides the pixel values by 255, as the starter does.
    images, labels = GRADER.hidden_images(SEED)
    assert images.dtype == np.uint8 and np.array_equal(labels, y)
    np.testing.assert_allclose(x, images / 255.0, rtol=1e-6)
    # None of the hidden pictures is in the workspace file.
    written = {
        hashlib.sha1(image.tobytes()).digest()
        for key in ("x_train", "x_test")
        for image in workspace_file[key]
    }
    assert not any(hashlib.sha1(image.tobytes()).digest() in written for image in images)


def test_guessing_and_the_majority_class_score_zero(question: Question) -> None:
    _, y = GRADER.test_data(SEED)
    majority = float(np.max(np.bincount(y)) / len(y))
    assert question.scoring.score(majority) == 0
    assert question.scoring.score(1 / 10) == 0


@pytest.mark.slow
def test_reference_solution_scores_five_in_minutes(
    exam: Exam, data_file: Path, tmp_path: Path
) -> None:
    folder = workspace(tmp_path, data_file, "solution.py")
    started = time.perf_counter()
    run_python(folder, "solution.py")
    assert time.perf_counter() - started < 300
    result = grade_model(exam, folder / "mymodel.h5")
    assert result.score == 5, result.message
