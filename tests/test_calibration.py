"""Calibration: the document round-trips, and (slow) a fresh run reproduces docs/calibration.md."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from simulator.exam.catalog import list_exams
from simulator.exam.format import load_exam
from simulator.exam.metrics import MAX_SCORE
from simulator.grading.calibrate import (
    BASELINE_MAX_SCORE,
    REFERENCE_MIN_SCORE,
    SESSION_SEEDS,
    Outcome,
    QuestionCalibration,
    SeedsCalibration,
    calibrate,
    calibrate_seeds,
    reference_metrics_in_section,
    scores_in_section,
    seeds_for,
    uncalibrated_in_section,
    write_section,
    write_seeds_section,
)
from simulator.scratch import remove_stale_scratch
from tests.cli_helpers import signalled_command
from tests.conftest import FIXTURES, PRACTICE_EXAM, REPO, run_cli

DOCUMENT = REPO / "docs" / "calibration.md"


def test_sections_are_written_in_place_and_read_back(tmp_path: Path) -> None:
    exam = load_exam(PRACTICE_EXAM)
    rows = [
        QuestionCalibration(q, Outcome(5, 0.01, ""), 12.0, Outcome(0, 3.0, ""))
        for q in exam.questions
    ]
    document = tmp_path / "calibration.md"
    document.write_text("# Calibration\n\nIntro.\n")
    write_section(document, exam, rows)
    write_section(document, exam, rows)  # replaced, not appended twice
    text = document.read_text()
    assert text.count("<!-- calibration:practice -->") == 1
    assert text.startswith("# Calibration\n\nIntro.")
    assert scores_in_section(text, "practice") == {q.id: (5, 0) for q in exam.questions}
    # Recalibrating one question keeps the other rows.
    first = exam.questions[0]
    redo = QuestionCalibration(first, Outcome(4, 0.5, ""), 9.0, Outcome(1, 9.0, ""))
    write_section(document, exam, [redo])
    again = scores_in_section(document.read_text(), "practice")
    assert again[first.id] == (4, 1)
    assert all(again[q.id] == (5, 0) for q in exam.questions[1:])


def test_the_document_covers_every_question_of_every_shipped_exam() -> None:
    text = DOCUMENT.read_text()
    for entry in list_exams(None):
        assert entry.exam is not None
        recorded = scores_in_section(text, entry.exam.id)
        assert sorted(recorded) == sorted(q.id for q in entry.exam.questions), entry.exam.id
        uncalibrated = uncalibrated_in_section(text, entry.exam.id)  # data not to be had
        for question in entry.exam.questions:
            if question.id in uncalibrated:
                continue
            reference, baseline = recorded[question.id]
            needed = REFERENCE_MIN_SCORE.get(question.category, MAX_SCORE)
            assert reference is not None and reference >= needed
            assert baseline is not None and baseline <= BASELINE_MAX_SCORE


def test_every_exam_repeats_its_calibrated_reference_metrics_for_the_report() -> None:
    text = DOCUMENT.read_text()
    for entry in list_exams(None):
        assert entry.exam is not None
        recorded = reference_metrics_in_section(text, entry.exam.id)
        stated = {
            q.id: q.scoring.reference
            for q in entry.exam.questions
            if q.scoring.reference is not None
        }
        assert stated == recorded, entry.exam.id


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("exam_id", [e.exam_id for e in list_exams(None)])
def test_a_fresh_calibration_reproduces_the_document(exam_id: str) -> None:
    """Slow: trains every reference solution (run with `pytest -m slow`)."""
    exam = next(e.exam for e in list_exams(None) if e.exam_id == exam_id)
    assert exam is not None
    rows = calibrate(exam)  # a classic exam's questions whose datasets are prepared
    if not rows:
        pytest.skip(f"the datasets of {exam_id} are not prepared (tfexam prepare {exam_id})")
    recorded = scores_in_section(DOCUMENT.read_text(), exam_id)
    measured = {r.question.id: (r.reference.score, r.baseline.score) for r in rows}
    assert measured == {key: recorded[key] for key in measured}
    assert not [p for r in rows for p in r.problems]


def test_the_seeds_table_shows_every_seed_and_flags_a_seed_that_fails(tmp_path: Path) -> None:
    exam = load_exam(PRACTICE_EXAM)
    seeds = seeds_for(exam, 3)
    assert seeds == [exam.seed, *SESSION_SEEDS[:2]]
    question = exam.questions[0]
    good = QuestionCalibration(question, Outcome(5, 1e-11, ""), 20.0, Outcome(0, 300.0, ""))
    weak = QuestionCalibration(question, Outcome(3, 0.4, ""), 20.0, Outcome(2, 9.0, ""))
    rows = [SeedsCalibration(question, {seeds[0]: good, seeds[1]: good, seeds[2]: weak})]
    document = tmp_path / "calibration.md"
    document.write_text("# Calibration\n")
    write_seeds_section(document, exam, rows)
    write_seeds_section(document, exam, rows)  # replaced in place
    text = document.read_text()
    assert text.count("<!-- calibration-seeds:practice -->") == 1
    row = next(line for line in text.splitlines() if line.startswith("| 1 | basic-model"))
    for seed in seeds:
        assert f"{seed}: " in row
    assert "0/5 0/5 2/5" in row and "1e-11 - 0.4" in row
    assert rows[0].problems == [
        f"basic-model: reference scores 3, needs 5 (seed {seeds[2]})",
        f"basic-model: baseline scores 2, at most 1 allowed (seed {seeds[2]})",
    ]
    with pytest.raises(ValueError, match="--seeds takes 1 to"):
        seeds_for(exam, 99)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_one_question_calibrates_end_to_end_on_two_seeds() -> None:
    """Slow: trains the basic model's reference on two session seeds (`pytest -m slow`)."""
    exam = load_exam(PRACTICE_EXAM)
    rows = calibrate_seeds(exam, seeds_for(exam, 3)[1:], ["basic-model"], Console(quiet=True))
    assert len(rows) == 1 and len(rows[0].by_seed) == 2
    assert [r.reference.score for r in rows[0].by_seed.values()] == [5, 5]
    assert not rows[0].problems


def test_tfexam_calibrate_refuses_a_seed_count_it_has_no_seeds_for(tfexam_home: Path) -> None:
    done = run_cli("calibrate", "practice", "--seeds", "99")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "tfexam calibrate: error: --seeds takes 1 to 8"


def test_tfexam_calibrate_help_lists_every_option_with_what_it_does(tfexam_home: Path) -> None:
    done = run_cli("calibrate", "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: tfexam calibrate ")
    for option in ("--question", "--write", "--seed SEED", "--seeds", "--curves"):
        assert option in done.stdout
    assert "reference_curves.json" in done.stdout, "--curves says what it writes"


def test_a_multi_seed_run_hands_over_its_table_after_every_seed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An hour-long run keeps what it measured: the table is written after each seed."""
    import simulator.grading.calibrate as calibration

    exam = load_exam(PRACTICE_EXAM)
    question = exam.questions[0]

    def one_seed(
        exam: object, ids: object, console: object, seed: int
    ) -> list[QuestionCalibration]:
        return [
            QuestionCalibration(question, Outcome(5, seed * 1e-12, ""), 1.0, Outcome(0, 9.0, ""))
        ]

    monkeypatch.setattr(calibration, "calibrate", one_seed)  # the training itself: the slow test
    seen: list[list[int]] = []
    rows = calibrate_seeds(
        exam, [1, 2, 3], [question.id], Console(quiet=True),
        lambda so_far: seen.append(list(so_far[0].by_seed)),
    )  # fmt: skip
    assert seen == [[1], [1, 2], [1, 2, 3]]
    assert [r.reference.value for r in rows[0].by_seed.values()] == [1e-12, 2e-12, 3e-12]


def test_every_exam_with_fresh_data_keeps_its_promises_on_five_seeds() -> None:
    """docs/calibration.md holds the five-seed table of every exam that draws data per session
    (made by ``tfexam calibrate EXAM --seeds 5 --write``): every reference keeps its promise on
    every seed, and every baseline stays at 1 or less."""
    text = DOCUMENT.read_text()
    fresh = [e.exam for e in list_exams(None) if e.exam is not None and e.exam.fresh_data]
    assert fresh, "the practice exams draw fresh data"
    for exam in fresh:
        marker = f"<!-- calibration-seeds:{exam.id} -->"
        assert marker in text, f"no five-seed table for {exam.id}"
        section = text.split(marker, 1)[1].split(f"<!-- /calibration-seeds:{exam.id} -->")[0]
        rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ") and
                "->" in line]  # fmt: skip
        assert len(rows) == len(exam.questions), exam.id
        for cells in rows:
            category, question = int(cells[0].strip("| ")), cells[1]
            scores = [int(s) for s in re.findall(r"-> (\d)/5", cells[3])]
            baselines = [int(s) for s in re.findall(r"(\d)/5", cells[4])]
            assert len(scores) == len(baselines) == 5, (exam.id, question)
            needed = REFERENCE_MIN_SCORE.get(category, MAX_SCORE)
            assert min(scores) >= needed, (exam.id, question, scores)
            assert max(baselines) <= BASELINE_MAX_SCORE, (exam.id, question, baselines)


@pytest.mark.parametrize(
    ("ending", "code", "said"),
    [
        (signal.SIGTERM, 143, "tfexam calibrate: stopped by SIGTERM; nothing is left behind"),
        (signal.SIGINT, 1, "tfexam: aborted"),
    ],
    ids=["sigterm", "ctrl-c"],
)
def test_tfexam_calibrate_ended_by_a_signal_leaves_no_scratch_folder(
    tfexam_home: Path, tmp_path: Path, ending: signal.Signals, code: int, said: str
) -> None:
    """The signal comes while the starter trains (here: a starter that waits for a signal)."""
    exam = tmp_path / "seeded"
    shutil.copytree(FIXTURES / "exams" / "seeded", exam)
    (exam / "constant" / "starter.py").write_text(
        "import signal\nsignal.pause()  # training until calibrate stops it\n", encoding="utf-8"
    )
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    returned, last = signalled_command(
        ["calibrate", str(exam)], ending, temporary,
        lambda: list(temporary.glob("tfexam-calibrate-*/logs/constant-baseline.log")),
        "the starter's training, in the calibration's scratch folder",
    )  # fmt: skip
    assert returned == code
    assert last == said
    assert list(temporary.glob("tfexam-calibrate-*")) == [], "the scratch folder is removed"


def test_a_starter_that_saves_no_model_has_a_not_gradable_baseline(tfexam_home: Path) -> None:
    """An untrained starter may save nothing: calibrate says so in its table, not an error."""
    done = run_cli("calibrate", str(FIXTURES / "exams" / "seeded"))
    assert "error" not in done.stderr, done.stderr
    assert "starter.py saved no" in " ".join(done.stdout.split())
    assert "constant: baseline scores None" in done.stdout


def test_the_scratch_folder_of_a_killed_calibration_is_removed_by_the_next(tmp_path: Path) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    killed = tmp_path / f"tfexam-calibrate-{ended.stdout.strip()}-practice-abc123"
    running = tmp_path / f"tfexam-calibrate-{os.getppid()}-practice-def456"
    not_ours = tmp_path / "tfexam-calibrate-12345678"  # a random name, not a pid and a dash
    for folder in (killed, running, not_ours):
        (folder / "workspace").mkdir(parents=True)
    assert remove_stale_scratch("calibrate", tmp_path) == [killed]
    assert sorted(tmp_path.iterdir()) == sorted([running, not_ours])
