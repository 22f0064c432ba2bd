"""Calibration: the document round-trips, and (slow) a fresh run reproduces docs/calibration.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.calibrate import (
    Outcome,
    QuestionCalibration,
    calibrate,
    reference_metrics_in_section,
    scores_in_section,
    uncalibrated_in_section,
    write_section,
)
from simulator.catalog import list_exams
from simulator.exam_format import load_exam
from tests.conftest import PRACTICE_EXAM, REPO

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
            assert reference is not None and reference >= (4 if question.category == 3 else 5)
            assert baseline is not None and baseline <= 1


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
