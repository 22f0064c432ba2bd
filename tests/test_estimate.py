"""``tfexam estimate``: a measured slice of each reference training, projected to the full one."""

from __future__ import annotations

import json
import shutil
import signal
import textwrap
from pathlib import Path

import psutil
import pytest

from simulator.exam.catalog import find_exam
from simulator.paths import DataPaths
from simulator.training.estimate import (
    COLAB_WORTH_S,
    SliceRun,
    estimate_line,
    estimate_path,
    load_estimate,
    project,
)
from tests.cli_helpers import signalled_command
from tests.conftest import run_cli
from tests.waiting import wait_until

FIXTURES = Path(__file__).parent / "fixtures" / "exams"

#: A reference that trains: 3 epochs of 40 batches of a small dense model on random data.
TRAINING_SOLUTION = textwrap.dedent(
    """
    import numpy as np
    import tensorflow as tf

    def solution_model():
        x = np.random.default_rng(0).normal(size=(1280, 120)).astype("float32")
        y = (x[:, 0] > 0).astype("float32")
        model = tf.keras.Sequential([tf.keras.Input((120,)), tf.keras.layers.Dense(16, activation="relu"),
                                     tf.keras.layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy")
        model.fit(x, y, epochs=3, batch_size=32, validation_split=0.0, verbose=0)
        return model

    if __name__ == "__main__":
        solution_model().save("mymodel.h5")
    """
)


def slice_run(**figures: object) -> SliceRun:
    return SliceRun(
        started_at=100.0, ended_at=130.0, train_begun_at=105.0, train_ended_at=128.0,
        figures=figures, exit_code=0, output_tail="",
    )  # fmt: skip


def test_the_projection_adds_setup_batches_epoch_overheads_and_the_save() -> None:
    question = find_exam("practice", None).question("learning-dataset")
    run = slice_run(
        first_batch_s=2.0, batch_s=[0.1, 0.1, 0.3], steps=100, epochs=6,
        epochs_seen=[[14.0, 100], [11.0, 100], [4.0, 30]],
        measured_wall_s=20.0, measured_cpu_s=30.0,
    )  # fmt: skip
    result = project(question, run, cores=2)
    assert result.problem is None
    assert result.batch_s == pytest.approx(0.1), "the median batch: one slow batch is no trend"
    # Epochs 2 and 3 (stopped after 30 batches, validated): 1 s more than their batches; the
    # first epoch's 2.1 s also traced the step.
    assert result.epoch_overhead_s == pytest.approx(1.0)
    expected = 5.0 + 2.0 + (6 * 100 - 1) * 0.1 + 6 * 1.0 + 2.0  # setup, first, batches, tail
    assert result.alone_s == pytest.approx(expected)
    assert result.cores_used == pytest.approx(1.5)
    assert result.together_s[2] == pytest.approx(expected * 1.5), "two share 2 cores: 3/2 slower"
    assert result.together_s[3] == pytest.approx(expected * 2.25)
    assert not result.colab and expected < COLAB_WORTH_S


def test_short_epochs_are_timed_whole_from_begin_to_begin() -> None:
    """Category 1's 500 epochs of one batch: the epoch's own machinery is most of its time."""
    question = find_exam("practice", None).question("basic-model")
    run = slice_run(
        first_batch_s=1.5, batch_s=[], steps=1, epochs=500,
        epochs_seen=[[1.4, 1], [0.005, 1], [0.005, 1], [0.005, 1], [0.005, 1]],
        epoch_begins=[0.0, 1.5, 1.52, 1.54, 1.56], measured_wall_s=0.1, measured_cpu_s=0.1,
    )  # fmt: skip
    result = project(question, run, cores=2)
    assert result.alone_s == pytest.approx(5.0 + 1.5 + 499 * 0.02 + 2.0)
    assert result.together_s[2] == pytest.approx(result.alone_s), "one core each: no sharing"


def test_early_stopping_seen_in_the_reference_curves_shortens_the_projection(
    tmp_path: Path,
) -> None:
    """Category 4's script allows 30 epochs; its recorded reference stopped after 6. A slice
    cannot see early stopping, so projecting all 30 said 3.3 times the real training."""
    question = find_exam("practice", None).question("text-classification")
    run = slice_run(
        first_batch_s=1.0, batch_s=[0.002] * 50, steps=250, epochs=30,
        epochs_seen=[[1.6, 250], [0.7, 250]], measured_wall_s=4.0, measured_cpu_s=4.0,
    )  # fmt: skip
    result = project(question, run, cores=2)
    assert (result.epochs, result.epochs_projected) == (30, 6)
    per_epoch = 250 * 0.002 + 0.2  # its batches and its overhead (validation)
    assert result.alone_s == pytest.approx(5.0 + 1.0 - 0.002 + 6 * per_epoch + 2.0)

    # The same exam without its curves (an author's copy that never ran calibrate --curves):
    # every epoch the script allows, an upper bound.
    copy = tmp_path / "practice"
    shutil.copytree(question.folder.parent, copy)
    (copy / question.workspace_folder / "reference_curves.json").unlink()
    bare = find_exam(str(copy), None).question("text-classification")
    assert project(bare, run, cores=2).epochs_projected == 30


def test_a_reference_that_fails_or_trains_nothing_says_so() -> None:
    question = find_exam("practice", None).question("basic-model")
    failed = SliceRun(0.0, 3.0, None, None, None, 1, "Traceback...\nNameError: name 'tf'\n")
    assert project(question, failed, 2).problem == "the reference failed: NameError: name 'tf'"
    idle = SliceRun(0.0, 3.0, None, None, None, 0, "")
    assert "trains nothing" in (project(question, idle, 2).problem or "")


def test_estimate_measures_a_fixture_exam_and_keeps_a_line_for_its_first_screen(
    tmp_path: Path,
) -> None:
    exam = tmp_path / "formats"
    shutil.copytree(FIXTURES / "formats", exam)
    (exam / "text" / "solution.py").write_text(TRAINING_SOLUTION)
    home = tmp_path / "home"
    paths = DataPaths(home)
    assert estimate_line(paths, "formats") is None, "no estimate yet: no line"

    done = run_cli("estimate", str(exam), "--slice", "0.5", env={"TFEXAM_HOME": str(home), "COLUMNS": "200"},
                   timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Reference trainings of formats on this machine (projected)" in out
    [text_row] = [line for line in out.splitlines() if " text " in line]
    assert "3 x 40" in text_row and "here" in text_row, "epochs x steps, and where to train"
    [series_row] = [line for line in out.splitlines() if " series " in line]
    assert "trains nothing" in series_row
    assert "Advice:" in out

    cached = load_estimate(paths, "formats")
    assert cached is not None and [q.question_id for q in cached.questions] == ["series", "text"]
    text = cached.questions[1]
    assert text.problem is None and text.alone_s > 0 and set(text.together_s) == {2, 3}
    assert json.loads(estimate_path(paths, "formats").read_text())["exam_id"] == "formats"
    line = estimate_line(paths, "formats")
    assert line is not None and line.startswith("Training estimate for this machine (")


def test_estimate_ended_by_sigterm_stops_the_training_and_leaves_no_scratch_folder(
    tfexam_home: Path, tmp_path: Path
) -> None:
    """A slice that trains when the estimate is told to stop: the training goes with it, and so
    does the scratch workspace (a SIGTERM's default would leave both)."""
    exam = tmp_path / "formats"
    shutil.copytree(FIXTURES / "formats", exam)
    started = tmp_path / "training.pid"
    (exam / "series" / "solution.py").write_text(
        "import os, pathlib, signal\n"
        f"pathlib.Path({str(started)!r}).write_text(str(os.getpid()))\n"
        "signal.pause()  # training until the estimate stops it\n",
        encoding="utf-8",
    )
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    code, last = signalled_command(
        ["estimate", str(exam)], signal.SIGTERM, temporary,
        lambda: started.exists() and started.read_text(), "the first question's slice training",
    )  # fmt: skip
    training = int(started.read_text())
    assert code == 128 + signal.SIGTERM
    assert last == "tfexam estimate: stopped by SIGTERM; nothing is left behind"
    assert list(temporary.glob("tfexam-estimate-*")) == [], "the scratch workspace is removed"
    wait_until(lambda: not psutil.pid_exists(training), timeout=10,
               message="the slice's training to end with the estimate")  # fmt: skip
