"""Question scores and totals: policy, weights, and not-gradable attempts that never lower a score."""

from __future__ import annotations

from simulator.exam.format import load_exam
from simulator.session.scoring import exam_result, question_result
from simulator.storage.records import AttemptRecord
from tests.conftest import FORMATS_EXAM

EXAM = load_exam(FORMATS_EXAM)  # weights 5 (series) and 4 (text), pass mark 90 %


def attempt(number: int, question: str, state: str, score: int | None = None) -> AttemptRecord:
    return AttemptRecord(
        id=number, session_id="s", question_id=question, source_path="p", blob=None, sha256=str(number),
        size=1, origin="watch", saved_at=100.0 + number, detected_at=100.0 + number, state=state,  # type: ignore[arg-type]
        score=score,
    )  # fmt: skip


def test_best_and_last_policies() -> None:
    attempts = [attempt(1, "series", "graded", 5), attempt(2, "series", "graded", 3)]
    series = EXAM.question("series")
    assert question_result(series, attempts, "best").score == 5
    assert question_result(series, attempts, "last").score == 3


def test_not_gradable_superseded_and_late_attempts_never_count() -> None:
    attempts = [
        attempt(1, "series", "graded", 4),
        attempt(2, "series", "not-gradable"),
        attempt(3, "series", "superseded"),
        attempt(4, "series", "rejected-after-deadline"),
    ]
    result = question_result(EXAM.question("series"), attempts, "last")
    assert (result.score, result.state, result.counted and result.counted.id) == (4, "graded", 1)
    assert result.attempts == 3  # superseded ones were never submitted to the grader


def test_question_states() -> None:
    text = EXAM.question("text")
    assert question_result(text, [], "best").state == "not-attempted"
    assert (
        question_result(text, [attempt(1, "text", "not-gradable")], "best").state == "not-gradable"
    )
    assert question_result(text, [attempt(1, "text", "queued")], "best").state == "pending"


def test_totals_are_weighted_by_difficulty() -> None:
    attempts = [attempt(1, "series", "graded", 5), attempt(2, "text", "graded", 4)]
    result = exam_result(EXAM, attempts)
    assert (result.points, result.max_points) == (5 * 5 + 4 * 4, 45)
    assert round(result.percent, 2) == 91.11 and result.passed
    only_easy = exam_result(EXAM, [attempt(2, "text", "graded", 5)])
    assert only_easy.percent < 50 and not only_easy.passed  # an unanswered question scores 0
