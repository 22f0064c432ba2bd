"""The session status as data: what ``tfexam status --json`` prints and what views render.

This is a contract other tools rely on (documented in README.md), so it is built in one place
from the store, never from a view's own state.
"""

from __future__ import annotations

import time
from typing import Any

from simulator.exam.durations import iso_time
from simulator.exam.format import Exam, Policy
from simulator.session.scoring import exam_result
from simulator.storage.liveness import engine_is_live
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store


def session_status(
    store: Store, session: SessionRecord, exam: Exam, now: float | None = None
) -> dict[str, Any]:
    now = time.time() if now is None else now
    policy: Policy = session.settings.get("policy", exam.policy)
    attempts = store.attempts(session.id)
    result = exam_result(exam, attempts, policy)
    end = session.ended_at if session.ended_at is not None else now
    questions = []
    for item in result.questions:
        counted = item.counted
        questions.append(
            {
                "id": item.question.id,
                "category": item.question.category,
                "title": item.question.title,
                "weight": item.question.weight,
                "folder": item.question.workspace_folder,
                "state": item.state,
                "score": item.score,
                "metric": {
                    "name": item.question.scoring.metric,
                    "value": counted.metric_value if counted else None,
                },
                "attempts": item.attempts,
                "pending": item.pending,
                "counted_attempt": counted.id if counted else None,
            }
        )
    return {
        "session": session.id,
        "exam": session.exam_id,
        "exam_title": exam.title,
        # A drill is a session of one question of the exam (tfexam drill).
        "kind": "drill" if session.settings.get("drill_question") else "exam",
        "state": session.state,
        "end_reason": session.end_reason,
        "started_at": iso_time(session.started_at),
        "deadline": iso_time(session.deadline),
        "ended_at": iso_time(session.ended_at) if session.ended_at else None,
        "remaining_s": round(max(0.0, session.deadline - end), 1)
        if session.state == "running"
        else 0.0,
        "elapsed_s": round(min(end, session.deadline) - session.started_at, 1),
        "workspace": str(session.workspace),
        "policy": policy,
        # The data seed: the session's generated data and hidden grading split follow it.
        "seed": int(session.settings.get("seed", exam.seed)),
        "engine_attached": engine_is_live(session, now),
        "questions": questions,
        "total": {
            "points": result.points,
            "max_points": result.max_points,
            "percent": round(result.percent, 2),
            "pass_mark": result.pass_mark,
            "passed": result.passed,
        },
    }
