"""Every shipped question has the reference's explanation and its recorded curves, and both are
read the way an installed tfexam reads them (the explanation sealed, the curves a plain file)."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from simulator.exam.catalog import shipped_exams_root
from simulator.exam.format import Exam, ExamFormatError, Question, load_exam
from simulator.exam.hidden_files import SEALED_ARCHIVE, seal
from simulator.exam.reference import (
    EXPLANATION_HEADINGS,
    RECORDED_BY,
    REFERENCE_CURVES,
    ReferenceCurves,
    ReferenceCurvesError,
    curves_json,
    epochs_from_hook_lines,
    explanation_text,
    has_explanation,
    reference_curves,
    write_reference_curves,
)
from simulator.grading.calibrate import recorded_curves, run_script
from simulator.paths import run_hook_env
from tests.conftest import PRACTICE_EXAM

#: Shipped questions whose reference curves cannot be recorded where tfexam is calibrated: their
#: datasets are not available offline there (`tfexam prepare` needs the network for them, and no
#: local copy exists), so their reference solutions cannot be trained. The curves are not
#: invented: these questions ship without them, and the review says so. Record them with
#: `tfexam calibrate EXAM --question ID --curves` on a machine with the data, then remove the
#: entry (the test below fails for a listed question that has curves, to keep this list true).
CURVES_NOT_RECORDABLE: dict[tuple[str, str], str] = {
    ("classic", "fashion-mnist"): "the Fashion-MNIST image files (train/t10k images) are missing",
    ("classic", "horses-or-humans"): "horse-or-human.zip and its validation zip are missing",
    ("classic-2", "mnist"): "mnist.npz is missing",
    ("classic-2", "rock-paper-scissors"): "rps.zip and rps-test-set.zip are missing",
}


def shipped() -> list[tuple[Exam, Question]]:
    exams = [load_exam(toml.parent) for toml in sorted(shipped_exams_root().glob("*/exam.toml"))]
    return [(exam, question) for exam in exams for question in exam.questions]


def ids(pairs: list[tuple[Exam, Question]]) -> list[str]:
    return [f"{exam.id}/{question.id}" for exam, question in pairs]


SHIPPED = shipped()


def test_the_shipped_exams_are_all_here() -> None:
    """Twenty questions in four exams (practice-2's category 2 shares practice's folder)."""
    assert len(SHIPPED) == 20
    assert len({question.folder.resolve() for _, question in SHIPPED}) == 19
    listed = {(exam.id, question.id) for exam, question in SHIPPED}
    assert set(CURVES_NOT_RECORDABLE) <= listed, "the list names questions that exist"


@pytest.mark.parametrize(("exam", "question"), SHIPPED, ids=ids(SHIPPED))
def test_every_shipped_question_has_an_explanation(exam: Exam, question: Question) -> None:
    text = explanation_text(question)
    lines = text.splitlines()
    for heading in EXPLANATION_HEADINGS:
        assert heading in lines, f"{question.folder}/{question.explanation} lacks {heading!r}"
    why, mistakes = (lines.index(h) for h in EXPLANATION_HEADINGS)
    assert why < mistakes
    assert any(line.startswith("- ") for line in lines[why:mistakes]), "why it works: empty"
    assert any(line.startswith("- ") for line in lines[mistakes:]), "mistakes: empty"
    assert 25 <= len(lines) <= 60, f"{len(lines)} lines: an explanation is 25-60 lines"


@pytest.mark.parametrize(("exam", "question"), SHIPPED, ids=ids(SHIPPED))
def test_every_shipped_question_has_reference_curves(exam: Exam, question: Question) -> None:
    curves = reference_curves(question)
    reason = CURVES_NOT_RECORDABLE.get((exam.id, question.id))
    if reason is not None:
        assert curves is None, f"{exam.id}/{question.id} has curves now: remove it from the list"
        return
    assert curves is not None, f"{question.folder}/{REFERENCE_CURVES} is missing"
    assert curves.question == question.id
    assert curves.recorded_by == RECORDED_BY and curves.machine
    assert len(curves.epochs) >= 1
    assert all("loss" in epoch for epoch in curves.epochs), "every epoch has the training loss"
    assert len(curves.series("loss")) == len(curves.epochs)


def _sealed_copy(tmp_path: Path) -> Path:
    """The practice exam as a wheel installs it: hidden files only in its sealed.zip."""
    exam_dir = tmp_path / "practice"
    shutil.copytree(PRACTICE_EXAM, exam_dir)
    names = ("grader.py", "solution.py", "explanation.md")
    members = seal(exam_dir, names, exam_dir / SEALED_ARCHIVE)
    assert "category4/explanation.md" in members
    for name in names:
        for plain in exam_dir.glob(f"*/{name}"):
            plain.unlink()
    return exam_dir


def test_explanations_are_read_from_the_sealed_archive_and_curves_from_plain_files(
    tmp_path: Path,
) -> None:
    checkout = load_exam(PRACTICE_EXAM).question("4")
    installed = load_exam(_sealed_copy(tmp_path)).question("4")
    assert not (installed.folder / "explanation.md").exists()
    assert explanation_text(installed) == explanation_text(checkout)
    assert has_explanation(installed)
    assert reference_curves(installed) == reference_curves(checkout) is not None


def test_a_question_without_explanation_or_curves(tmp_path: Path) -> None:
    """An exam of the user's own may have neither: no error at load, None and False when read."""
    exam_dir = tmp_path / "practice"
    shutil.copytree(PRACTICE_EXAM, exam_dir)
    (exam_dir / "category1" / "explanation.md").unlink()
    (exam_dir / "category1" / REFERENCE_CURVES).unlink(missing_ok=True)
    question = load_exam(exam_dir).question("1")
    assert not has_explanation(question)
    with pytest.raises(FileNotFoundError, match=r"category1/explanation\.md"):
        explanation_text(question)
    assert reference_curves(question) is None


def test_an_explanation_the_exam_names_must_exist(tmp_path: Path) -> None:
    exam_dir = tmp_path / "practice"
    shutil.copytree(PRACTICE_EXAM, exam_dir)
    toml = exam_dir / "exam.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'folder = "category1"\n', 'folder = "category1"\nexplanation = "why.md"\n', 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        ExamFormatError, match=r"explanation: file category1/why\.md does not exist"
    ):
        load_exam(exam_dir)
    (exam_dir / "category1" / "why.md").write_text("## Why it works\n", encoding="utf-8")
    assert explanation_text(load_exam(exam_dir).question("1")) == "## Why it works\n"


def test_curves_are_written_and_read_back_and_a_broken_file_is_named(tmp_path: Path) -> None:
    exam_dir = tmp_path / "practice"
    shutil.copytree(PRACTICE_EXAM, exam_dir)
    question = load_exam(exam_dir).question("2")
    curves = ReferenceCurves(
        "learning-dataset",
        2020,
        (
            {"epoch": 1, "loss": 0.6, "val_loss": 0.4, "accuracy": 0.77, "val_accuracy": 0.85},
            {"epoch": 2, "loss": 0.35, "val_loss": 0.3, "accuracy": 0.86, "val_accuracy": 0.88},
        ),
        machine="Linux x86_64, 2 cores",
    )
    path = write_reference_curves(question, curves)
    assert path == question.folder / REFERENCE_CURVES
    assert reference_curves(question) == curves
    assert curves.series("val_accuracy") == [0.85, 0.88]
    assert curves.names == ["loss", "val_loss", "accuracy", "val_accuracy"]
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["epochs"][0] == {"epoch": 1, **dict(list(curves.epochs[0].items())[1:])}
    assert path.read_text(encoding="utf-8").count("\n") == 4, "one line per epoch"

    path.write_text('{"question": "learning-dataset", "seed": 1, "epochs": []}', encoding="utf-8")
    with pytest.raises(ReferenceCurvesError, match=rf"{REFERENCE_CURVES}: 'epochs' must be"):
        reference_curves(question)
    path.write_text(curves_json(curves).replace('"epoch": 2', '"epoch": 3'), encoding="utf-8")
    with pytest.raises(ReferenceCurvesError, match="epoch 2 must be"):
        reference_curves(question)


def test_the_hook_lines_become_epochs() -> None:
    """The devices line and a half-written line are skipped; a second fit() starts anew."""
    lines = [
        '{"devices": [], "at": 1.0}',
        '{"epoch": 1, "epochs": 2, "logs": {"loss": 0.9}, "at": 2.0}',
        '{"epoch": 2, "epochs": 2, "logs": {"loss": 0.5}, "at": 3.0}',
        '{"devices": [], "at": 4.0}',
        '{"epoch": 1, "epochs": 3, "logs": {"loss": 0.4, "val_loss": 0.45}, "at": 5.0}',
        '{"epoch": 2, "epochs": 3, "logs": {"loss": 0.3, "val_loss": 0.41}, "at": 6.0}',
        '{"epoch": 3, "epo',
    ]
    assert epochs_from_hook_lines(lines) == [
        {"epoch": 1, "loss": 0.4, "val_loss": 0.45},
        {"epoch": 2, "loss": 0.3, "val_loss": 0.41},
    ]


def test_calibration_records_the_reference_curves_with_the_run_hook(tmp_path: Path) -> None:
    """The reference runs as calibrate runs it: its Keras epochs reach the curves, verbose=0 or
    not."""
    script = tmp_path / "solution.py"
    script.write_text(
        textwrap.dedent(
            """
            import numpy as np
            import tensorflow as tf

            xs = np.linspace(-1, 4, 30).reshape(-1, 1)
            model = tf.keras.Sequential([tf.keras.Input(shape=[1]), tf.keras.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
            model.fit(xs, 3 * xs + 2, epochs=3, validation_split=0.2, verbose=0)
            """
        ),
        encoding="utf-8",
    )
    epochs_file = tmp_path / "reference.epochs.jsonl"
    run_script(script, tmp_path / "reference.log", run_hook_env(epochs_file))
    question = load_exam(PRACTICE_EXAM).question("1")
    curves = recorded_curves(question, 7, epochs_file)
    assert curves is not None, (tmp_path / "reference.log").read_text(encoding="utf-8")
    assert curves.question == "basic-model" and curves.seed == 7
    assert [e["epoch"] for e in curves.epochs] == [1, 2, 3]
    assert {"loss", "val_loss", "mae", "val_mae"} <= set(curves.names)
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in curves.machine
    assert recorded_curves(question, 7, tmp_path / "nothing.jsonl") is None
