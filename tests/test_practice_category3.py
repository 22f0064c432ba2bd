"""The practice exam's Category 3 (rock-paper-scissors pictures): data, hidden grader, starter."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from simulator.exam.code import load_module_file
from simulator.exam.format import Exam, Question, load_exam
from tests.conftest import PRACTICE_EXAM
from tests.question_helpers import (
    file_hashes,
    grade_saved,
    hidden_picture_hashes,
    jpeg_picture_hashes,
    run_script,
)

QUESTION = PRACTICE_EXAM / "category3"
QUESTION_ID = "image-classification"
SEED = 2020
CLASSES = ["paper", "rock", "scissors"]


DATA = load_module_file(QUESTION / "data.py", "tfexam_test_category3_data")
GRADER = load_module_file(QUESTION / "grader.py", "tfexam_test_category3_grader")


@pytest.fixture(scope="module")
def exam() -> Exam:
    return load_exam(PRACTICE_EXAM)


@pytest.fixture(scope="module")
def question(exam: Exam) -> Question:
    return exam.question(QUESTION_ID)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The question's folder as a candidate gets it (written once for the module)."""
    folder = tmp_path_factory.mktemp("workspace") / "category3"
    folder.mkdir()
    DATA.write_data(folder, SEED)
    return folder


@pytest.fixture(scope="module")
def hidden() -> tuple[np.ndarray, np.ndarray]:
    x, y = GRADER.test_data(SEED)
    return x, y


def test_question_loads_with_the_fixed_interface(question: Question) -> None:
    assert (question.category, question.weight, question.data) == (3, 3, "data.py")
    assert question.interface.input_shape == (150, 150, 3)
    assert question.interface.output_shape == (3,)
    assert question.interface.output == "softmax"
    assert question.scoring.metric == "accuracy"
    # Guessing (a third) scores 0; the reference solution's accuracy (0.9 and more) scores 5.
    assert question.scoring.score(1 / 3) == 0
    assert question.scoring.score(0.92) == 5


def test_write_data_is_deterministic_and_small(workspace: Path, tmp_path: Path) -> None:
    DATA.write_data(tmp_path, SEED)  # how fast (about 3-6 s): benchmarks/exam_start.py
    hashes = file_hashes(tmp_path)
    assert hashes == file_hashes(workspace)
    expected = {
        f"images/{split}/{name}/{name}{number:04d}.jpg"
        for split, count in (("train", 400), ("validation", 100))
        for name in CLASSES
        for number in range(count)
    }
    assert set(hashes) == expected
    assert sum(path.stat().st_size for path in tmp_path.rglob("*.jpg")) < 40_000_000
    # Another seed, other pictures.
    _, _, first = next(DATA.images(SEED + 1, "train"))
    digest = hashlib.sha256(DATA.jpeg_bytes(first)).hexdigest()
    assert digest != hashes["images/train/paper/paper0000.jpg"]


def test_both_keras_loaders_read_the_class_folders(workspace: Path) -> None:
    import tensorflow as tf

    for split, count in (("train", 1200), ("validation", 300)):
        directory = workspace / "images" / split
        dataset = tf.keras.utils.image_dataset_from_directory(
            directory, image_size=(150, 150), batch_size=32, shuffle=False
        )
        assert dataset.class_names == CLASSES
        assert int(dataset.cardinality()) * 32 >= count > (int(dataset.cardinality()) - 1) * 32
        images, labels = next(iter(dataset))
        assert images.shape == (32, 150, 150, 3) and labels.numpy().tolist() == [0] * 32

        generator = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255)
        flow = generator.flow_from_directory(
            directory, target_size=(150, 150), class_mode="categorical", batch_size=8
        )
        assert flow.class_indices == {"paper": 0, "rock": 1, "scissors": 2}
        assert flow.samples == count
        assert np.bincount(flow.classes).tolist() == [count // 3] * 3
        x, y = flow[0]
        assert x.shape == (8, 150, 150, 3) and y.shape == (8, 3)
        assert x.min() >= 0.0 and x.max() <= 1.0


def test_grader_pictures_are_scaled_like_the_starter(
    hidden: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    import tensorflow as tf

    x, y = hidden
    assert x.shape == (450, 150, 150, 3) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.9
    assert y.shape == (450,) and np.issubdtype(y.dtype, np.integer)
    assert np.bincount(y).tolist() == [150, 150, 150]
    x_again, y_again = GRADER.test_data(SEED)
    assert np.array_equal(x, x_again) and np.array_equal(y, y_again)

    # The first hidden picture, saved as a workspace file would be and read back by the starter's
    # loader (rescale=1./255), is exactly what the grader feeds the model.
    label, _, picture = next(DATA.images(SEED, "test"))
    folder = tmp_path / "one" / CLASSES[label]
    folder.mkdir(parents=True)
    (folder / "picture.jpg").write_bytes(DATA.jpeg_bytes(picture))
    flow = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255).flow_from_directory(
        tmp_path / "one", target_size=(150, 150), batch_size=1, shuffle=False
    )
    np.testing.assert_allclose(flow[0][0][0], x[0], atol=1e-6)
    assert y[0] == label


def test_no_hidden_picture_is_in_the_workspace(
    workspace: Path, hidden: tuple[np.ndarray, np.ndarray]
) -> None:
    x, _ = hidden
    hidden_hashes = hidden_picture_hashes(x)
    assert len(hidden_hashes) == len(x)
    workspace_hashes = jpeg_picture_hashes(workspace)
    assert len(workspace_hashes) == 1500
    assert not hidden_hashes & workspace_hashes


def test_guessing_one_class_scores_zero(exam: Exam, tmp_path: Path) -> None:
    import tensorflow as tf

    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(150, 150, 3)),
            tf.keras.layers.GlobalAveragePooling2D(),
            tf.keras.layers.Dense(3, activation="softmax", kernel_initializer="zeros"),
        ]
    )
    model.layers[-1].bias.assign([0.0, 1.0, 0.0])  # always "rock"
    model.save(tmp_path / "rock.h5")
    result = grade_saved(exam, QUESTION_ID, tmp_path / "rock.h5", SEED)
    assert result.metric_value == pytest.approx(1 / 3) and result.score == 0, result.message


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_the_reference_solution_scores_at_least_four(exam: Exam, workspace: Path) -> None:
    shutil.copyfile(QUESTION / "solution.py", workspace / "solution.py")
    started = time.perf_counter()
    run_script(workspace, "-c", "import solution; solution.solution_model().save('reference.h5')")
    elapsed = time.perf_counter() - started
    result = grade_saved(exam, QUESTION_ID, workspace / "reference.h5", SEED)
    assert result.score is not None and result.score >= 4, (result.message, elapsed)
