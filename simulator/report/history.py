"""Sessions over time: the score per category, and whether the candidate is getting better.

Full exams and drills (one question, :mod:`simulator.exam.drills`) both count: a category's
scores over time (:func:`category_scores`) run across the exams and the drills that had it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from simulator.exam.durations import iso_time
from simulator.exam.format import Exam, Policy
from simulator.session.scoring import exam_result
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store

SessionKind = Literal["exam", "drill"]


@dataclass(frozen=True)
class HistoryEntry:
    session: str
    exam: str
    #: "drill" for a session of one question (``tfexam drill``), else "exam".
    kind: SessionKind
    #: A drill's question (its id and category); None for a full exam.
    question: str | None
    category: int | None
    started_at: str
    state: str
    end_reason: str | None
    #: The data seed: sessions with the same seed had the same data.
    seed: int
    #: Score 0-5 per category ("1".."5"), as the exam's questions are categorised.
    categories: dict[str, int]
    percent: float
    passed: bool
    #: Change of the total (percentage points) since the previous session of the same exam
    #: (a drill: since the previous drill of the same question).
    trend: float | None


def build_history(
    store: Store, exams: dict[str, Exam], sessions: list[SessionRecord]
) -> list[HistoryEntry]:
    """Oldest first; sessions whose exam cannot be loaded any more are left out."""
    entries: list[HistoryEntry] = []
    last_percent: dict[tuple[str, str | None], float] = {}
    for session in sorted(sessions, key=lambda s: s.started_at):
        exam = exams.get(session.id)
        if exam is None:
            continue
        policy: Policy = session.settings.get("policy", exam.policy)
        result = exam_result(exam, store.attempts(session.id), policy)
        drilled = session.settings.get("drill_question")
        drill = exam.questions[0] if drilled is not None and len(exam.questions) == 1 else None
        series = (session.exam_id, drill.id if drill else None)
        previous = last_percent.get(series)
        entries.append(
            HistoryEntry(
                session=session.id,
                exam=session.exam_id,
                kind="drill" if drill else "exam",
                question=drill.id if drill else None,
                category=drill.category if drill else None,
                started_at=iso_time(session.started_at),
                state=session.state,
                end_reason=session.end_reason,
                seed=int(session.settings.get("seed", exam.seed)),
                categories={str(r.question.category): r.score for r in result.questions},
                percent=round(result.percent, 2),
                passed=result.passed,
                trend=round(result.percent - previous, 2) if previous is not None else None,
            )
        )
        last_percent[series] = result.percent
    return entries


def history_json(entries: list[HistoryEntry]) -> list[dict[str, Any]]:
    return [asdict(e) for e in entries]


@dataclass(frozen=True)
class CategoryScore:
    """One score of a category: from a full exam or a drill, at the session's start."""

    session: str
    started_at: str
    kind: SessionKind
    score: int


def category_scores(entries: list[HistoryEntry]) -> dict[int, list[CategoryScore]]:
    """Each category's scores over time (oldest first), across exams and drills, by category."""
    by_category: dict[int, list[CategoryScore]] = {}
    for entry in entries:
        for category, score in entry.categories.items():
            by_category.setdefault(int(category), []).append(
                CategoryScore(entry.session, entry.started_at, entry.kind, score)
            )
    return dict(sorted(by_category.items()))
