"""Turning attempts into question scores and an exam total (pure functions, no I/O).

The rules mirror the real exam where it is known: a question with no graded submission scores 0,
totals are weighted by difficulty, and a pass needs the exam's pass mark. Where the exam is not
known (does the best or the last submission count?) the exam's ``policy`` setting decides.
A not-gradable attempt is not a zero: it never lowers a question's score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simulator.exam.format import Exam, Policy, Question
from simulator.exam.metrics import MAX_SCORE
from simulator.storage.records import PENDING_ATTEMPT_STATES, AttemptRecord

QuestionState = Literal["not-attempted", "pending", "graded", "not-gradable"]


@dataclass(frozen=True)
class QuestionResult:
    """Where one question stands: its counted score and the attempt it comes from."""

    question: Question
    state: QuestionState
    score: int
    counted: AttemptRecord | None
    attempts: int
    pending: int

    @property
    def points(self) -> float:
        return self.score * self.question.weight


@dataclass(frozen=True)
class ExamResult:
    questions: tuple[QuestionResult, ...]
    points: float
    max_points: float
    pass_mark: float

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.max_points if self.max_points else 0.0

    @property
    def passed(self) -> bool:
        return self.percent >= self.pass_mark - 1e-9


def counted_attempt(attempts: list[AttemptRecord], policy: Policy) -> AttemptRecord | None:
    """The attempt whose score counts: the best (earliest among equals) or the last graded one."""
    graded = [a for a in attempts if a.state == "graded" and a.score is not None]
    if not graded:
        return None
    if policy == "last":
        return max(graded, key=lambda a: (a.saved_at, a.id))
    return max(graded, key=lambda a: (a.score or 0, -a.saved_at, -a.id))


def question_result(
    question: Question, attempts: list[AttemptRecord], policy: Policy
) -> QuestionResult:
    own = [a for a in attempts if a.question_id == question.id]
    counted = counted_attempt(own, policy)
    pending = sum(1 for a in own if a.state in PENDING_ATTEMPT_STATES)
    state: QuestionState
    if counted is not None:
        state = "graded"
    elif pending:
        state = "pending"
    elif any(a.state == "not-gradable" for a in own):
        state = "not-gradable"
    else:
        state = "not-attempted"
    considered = [a for a in own if a.state != "superseded"]
    score = counted.score if counted is not None and counted.score is not None else 0
    return QuestionResult(question, state, min(score, MAX_SCORE), counted, len(considered), pending)


def exam_result(
    exam: Exam, attempts: list[AttemptRecord], policy: Policy | None = None
) -> ExamResult:
    chosen = policy or exam.policy
    results = tuple(question_result(q, attempts, chosen) for q in exam.questions)
    return ExamResult(
        questions=results,
        points=sum(r.points for r in results),
        max_points=exam.max_points,
        pass_mark=exam.pass_mark,
    )
