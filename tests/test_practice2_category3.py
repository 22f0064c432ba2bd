"""practice-2's Category 3 (horses or humans, binary): data, hidden grader, starter."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from simulator.exam.catalog import shipped_exams_root
from simulator.exam.code import load_module_file
from simulator.exam.format import Exam, Question, load_exam
from tests.question_helpers import (
    file_hashes,
    grade_saved,
    hidden_picture_hashes,
    jpeg_picture_hashes,
    run_script,
)

SHIPPED_EXAM = shipped_exams_root() / "practice-2"
QUESTION = SHIPPED_EXAM / "category3"
QUESTION_ID = "binary-images"
SEED = 2021
CLASSES = ["horses", "humans"]
PREFIX = {"horses": "horse", "humans": "human"}


DATA = load_module_file(QUESTION / "data.py", "tfexam_test_practice2_category3_data")
GRADER = load_module_file(QUESTION / "grader.py", "tfexam_test_practice2_category3_grader")


@pytest.fixture(scope="module")
def exam() -> Exam:
    return load_exam(SHIPPED_EXAM)


@pytest.fixture(scope="module")
def question(exam: Exam) -> Question:
    return exam.question(QUESTION_ID)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The question's folder as a candidate gets it (written once for the module; how fast,
    about 4-5 s on an idle 2-core machine: benchmarks/exam_start.py)."""
    folder = tmp_path_factory.mktemp("workspace") / "category3"
    folder.mkdir()
    DATA.write_data(folder, SEED)
    return folder


@pytest.fixture(scope="module")
def hidden() -> tuple[np.ndarray, np.ndarray]:
    x, y = GRADER.test_data(SEED)
    return x, y


def _workspace_pictures(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    pictures, labels = [], []
    for label, name in enumerate(CLASSES):
        for path in sorted((folder / "images" / split / name).glob("*.jpg")):
            with Image.open(path) as picture:
                pictures.append(np.asarray(picture.convert("RGB"), dtype=np.float32) / 255)
            labels.append(label)
    return np.stack(pictures), np.array(labels)


def test_question_loads_with_the_fixed_interface(exam: Exam, question: Question) -> None:
    assert exam.seed == SEED
    assert (question.category, question.weight, question.data) == (3, 3, "data.py")
    assert question.interface.input_shape == (150, 150, 3)
    assert question.interface.output_shape == (1,)
    assert question.interface.output == "sigmoid"
    assert question.scoring.metric == "accuracy"
    # Guessing (a half) and the best colour rule (about 0.6) score 0; the reference solution's
    # accuracy (0.925-0.98 in calibration) scores 5.
    assert question.scoring.score(0.5) == 0 and question.scoring.score(0.61) == 0
    assert question.scoring.score(0.925) == 5
    # Between the learning dataset and the news topics, in category order.
    assert [q.category for q in exam.questions] == [1, 2, 3, 4, 5]


def test_write_data_is_deterministic_and_small(workspace: Path) -> None:
    hashes = file_hashes(workspace)
    expected = {
        f"images/{split}/{name}/{PREFIX[name]}{number:04d}.jpg"
        for split, count in (("train", 400), ("validation", 100))
        for name in CLASSES
        for number in range(count)
    }
    assert set(hashes) == expected
    assert sum(path.stat().st_size for path in workspace.rglob("*.jpg")) < 10_000_000  # ~6 MB
    # Same seed, same bytes: the first pictures of each split drawn again (a full second write
    # would double the test's time).
    for split in ("train", "validation"):
        for index, (label, number, picture) in enumerate(DATA.images(SEED, split)):
            path = f"images/{split}/{DATA.file_name(label, number)}"
            assert hashlib.sha256(DATA.jpeg_bytes(picture)).hexdigest() == hashes[path], path
            if index == 40:
                break
    # Another seed, other pictures.
    _, _, first = next(DATA.images(SEED + 1, "train"))
    digest = hashlib.sha256(DATA.jpeg_bytes(first)).hexdigest()
    assert digest != hashes["images/train/horses/horse0000.jpg"]


def test_colours_alone_do_not_tell_the_classes_apart(workspace: Path) -> None:
    """The best threshold on one colour statistic, fitted on the training pictures, stays near
    guessing on the validation pictures (and scores 0)."""
    x_train, y_train = _workspace_pictures(workspace, "train")
    x_valid, y_valid = _workspace_pictures(workspace, "validation")

    def features(x: np.ndarray) -> dict[str, np.ndarray]:
        grey = x.mean(axis=-1)
        brightest, darkest = x.max(axis=-1), x.min(axis=-1)
        return {
            "red": x[..., 0].mean(axis=(1, 2)),
            "green": x[..., 1].mean(axis=(1, 2)),
            "blue": x[..., 2].mean(axis=(1, 2)),
            "brightness": grey.mean(axis=(1, 2)),
            "contrast": grey.std(axis=(1, 2)),
            "saturation": ((brightest - darkest) / (brightest + 1e-6)).mean(axis=(1, 2)),
            "middle": x[:, 50:100, 50:100].mean(axis=(1, 2, 3)),
        }

    train, valid = features(x_train), features(x_valid)
    for name, values in train.items():
        cuts = np.quantile(values, np.linspace(0.02, 0.98, 49))
        fitted = [
            ((sign * (values - cut) > 0) == y_train).mean() for cut in cuts for sign in (1, -1)
        ]
        best = int(np.argmax(fitted))
        cut, sign = cuts[best // 2], (1, -1)[best % 2]
        accuracy = ((sign * (valid[name] - cut) > 0) == y_valid).mean()
        assert accuracy < 0.62, (name, accuracy)


def test_both_keras_loaders_read_the_class_folders(workspace: Path) -> None:
    import tensorflow as tf

    for split, count in (("train", 800), ("validation", 200)):
        directory = workspace / "images" / split
        dataset = tf.keras.utils.image_dataset_from_directory(
            directory, image_size=(150, 150), batch_size=32, shuffle=False, label_mode="binary"
        )
        assert dataset.class_names == CLASSES
        assert int(dataset.cardinality()) * 32 >= count > (int(dataset.cardinality()) - 1) * 32
        images, labels = next(iter(dataset))
        assert images.shape == (32, 150, 150, 3) and labels.shape == (32, 1)
        assert labels.numpy().ravel().tolist() == [0.0] * 32  # horses first

        generator = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255)
        flow = generator.flow_from_directory(
            directory, target_size=(150, 150), class_mode="binary", batch_size=8
        )
        assert flow.class_indices == {"horses": 0, "humans": 1}
        assert flow.samples == count
        assert np.bincount(flow.classes).tolist() == [count // 2] * 2
        x, y = flow[0]
        assert x.shape == (8, 150, 150, 3) and y.shape == (8,)
        assert set(y.tolist()) <= {0.0, 1.0}
        assert x.min() >= 0.0 and x.max() <= 1.0


def test_grader_pictures_are_scaled_like_the_starter(
    hidden: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    import tensorflow as tf

    x, y = hidden
    assert x.shape == (400, 150, 150, 3) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.9
    assert y.shape == (400,) and np.issubdtype(y.dtype, np.integer)
    assert np.bincount(y).tolist() == [200, 200]
    x_again, y_again = GRADER.test_data(SEED)
    assert np.array_equal(x, x_again) and np.array_equal(y, y_again)

    # The first hidden picture, saved as a workspace file would be and read back by the starter's
    # loader (rescale=1./255), is exactly what the grader feeds the model.
    label, _, picture = next(DATA.images(SEED, "test"))
    folder = tmp_path / "one" / CLASSES[label]
    folder.mkdir(parents=True)
    (folder / "picture.jpg").write_bytes(DATA.jpeg_bytes(picture))
    flow = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255).flow_from_directory(
        tmp_path / "one", target_size=(150, 150), class_mode="binary", batch_size=1, shuffle=False
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
    assert len(workspace_hashes) == 1000
    assert not hidden_hashes & workspace_hashes


@pytest.mark.parametrize(("answer", "name"), [(0.1, "horses"), (0.9, "humans")])
def test_always_one_class_scores_zero(exam: Exam, tmp_path: Path, answer: float, name: str) -> None:
    import tensorflow as tf

    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(150, 150, 3)),
            tf.keras.layers.GlobalAveragePooling2D(),
            tf.keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros"),
        ]
    )
    model.layers[-1].bias.assign([float(np.log(answer / (1 - answer)))])
    model.save(tmp_path / f"{name}.h5")
    result = grade_saved(exam, QUESTION_ID, tmp_path / f"{name}.h5", SEED)
    assert result.metric_value == pytest.approx(0.5) and result.score == 0, result.message


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_the_reference_solution_scores_at_least_four(exam: Exam, workspace: Path) -> None:
    shutil.copyfile(QUESTION / "solution.py", workspace / "solution.py")
    started = time.perf_counter()
    run_script(workspace, "solution.py", timeout=600)
    elapsed = time.perf_counter() - started
    result = grade_saved(exam, QUESTION_ID, workspace / "mymodel.h5", SEED)
    # About 2-2.5 minutes on an idle 2-core machine, up to 4.7 on a busy one. Calibrated at 5
    # (0.925-0.98); like every image question, at least 4 is the promise (simulator.grading.calibrate).
    assert result.score is not None and result.score >= 4, (result.message, elapsed)
