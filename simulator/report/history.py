"""Sessions over time: the score per category, and whether the candidate is getting better."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from simulator.exam.durations import iso_time
from simulator.exam.format import Exam, Policy
from simulator.session.scoring import exam_result
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store


@dataclass(frozen=True)
class HistoryEntry:
    session: str
    exam: str
    started_at: str
    state: str
    end_reason: str | None
    #: The data seed: sessions with the same seed had the same data.
    seed: int
    #: Score 0-5 per category ("1".."5"), as the exam's questions are categorised.
    categories: dict[str, int]
    percent: float
    passed: bool
    #: Change of the total (percentage points) since the previous session of the same exam.
    trend: float | None


def build_history(
    store: Store, exams: dict[str, Exam], sessions: list[SessionRecord]
) -> list[HistoryEntry]:
    """Oldest first; sessions whose exam cannot be loaded any more are left out."""
    entries: list[HistoryEntry] = []
    last_percent: dict[str, float] = {}
    for session in sorted(sessions, key=lambda s: s.started_at):
        exam = exams.get(session.id)
        if exam is None:
            continue
        policy: Policy = session.settings.get("policy", exam.policy)
        result = exam_result(exam, store.attempts(session.id), policy)
        previous = last_percent.get(session.exam_id)
        entries.append(
            HistoryEntry(
                session=session.id,
                exam=session.exam_id,
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
        last_percent[session.exam_id] = result.percent
    return entries


def history_json(entries: list[HistoryEntry]) -> list[dict[str, Any]]:
    return [asdict(e) for e in entries]
