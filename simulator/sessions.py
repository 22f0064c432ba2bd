"""Creating, finding and finishing sessions: the operations every face of tfexam shares.

A session's deadline is absolute and written once, at creation; nothing here ever moves it. A
session whose deadline passed while no engine was attached is finalized by the next command that
touches it, grading the files saved before the deadline, exactly as a live engine would have.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from simulator.catalog import find_exam
from simulator.engine import Engine, EventListener
from simulator.exam_format import Exam, ExamFormatError, Policy, Question, load_exam
from simulator.grading.settings import GradingSettings
from simulator.liveness import engine_is_live
from simulator.paths import DataPaths
from simulator.store import SessionRecord, Store
from simulator.workspace import create_workspace, default_workspace


@dataclass(frozen=True)
class NewSession:
    """What ``tfexam start`` asks for; ``None`` means the exam's own setting."""

    exam: Exam
    workspace: Path | None = None
    duration_s: int | None = None
    policy: Policy | None = None
    grading: GradingSettings | None = None
    #: The Python that training runs use (default: the one running tfexam).
    python: str | None = None


def new_session_id(exam: Exam, started_at: float, taken: set[str]) -> str:
    """``<exam>-<YYYYMMDD>-<HHMMSS>``: sortable, readable, and unique in the store."""
    stamp = dt.datetime.fromtimestamp(started_at).strftime("%Y%m%d-%H%M%S")
    candidate = f"{exam.id}-{stamp}"
    counter = 2
    while candidate in taken:
        candidate = f"{exam.id}-{stamp}-{counter}"
        counter += 1
    return candidate


def create_session(
    store: Store,
    request: NewSession,
    now: float | None = None,
    on_question: Callable[[Question], None] | None = None,
) -> SessionRecord:
    """Create the workspace and the session row; the clock starts once the workspace is ready.

    Generating a question's data takes seconds; they are not taken from the candidate's time.
    """
    exam = request.exam
    target = request.workspace or default_workspace(exam)
    workspace = create_workspace(exam, target, seed=exam.seed, on_question=on_question)
    return record_session(store, request, workspace, time.time() if now is None else now)


def record_session(
    store: Store, request: NewSession, workspace: Path, started_at: float
) -> SessionRecord:
    """Write the session row for a workspace that is ready; the clock starts at ``started_at``."""
    exam = request.exam
    session_id = new_session_id(exam, started_at, store.session_ids())
    duration_s = request.duration_s or exam.duration_s
    grading = request.grading or GradingSettings.defaults()
    record = SessionRecord(
        id=session_id,
        exam_id=exam.id,
        exam_root=exam.root,
        workspace=workspace,
        started_at=started_at,
        deadline=started_at + duration_s,
        state="running",
        settings={
            "policy": request.policy or exam.policy,
            "seed": exam.seed,
            "duration_s": duration_s,
            "grading": grading.to_dict(),
            **({"python": request.python} if request.python else {}),
            # The machine's cores, for the report's "N trainings on M cores" (it may be read elsewhere).
            "cores": psutil.cpu_count(logical=True),
        },
    )
    store.create_session(record)
    store.add_event(session_id, started_at, "session-started", {
        "exam": exam.id, "workspace": str(workspace), "duration_s": duration_s,
        "deadline": record.deadline,
    })  # fmt: skip
    return record


def exam_of(session: SessionRecord, paths: DataPaths) -> Exam:
    """The session's exam, from where it was at start, else found again by id (e.g. after an upgrade)."""
    try:
        return load_exam(session.exam_root)
    except ExamFormatError:
        return find_exam(session.exam_id, paths)


def finalize_if_due(
    store: Store,
    paths: DataPaths,
    session: SessionRecord,
    on_event: EventListener | None = None,
    *,
    submit: bool = False,
) -> SessionRecord:
    """Finish a session nobody is running: after its deadline, or now when ``submit`` is set.

    Files saved before the cutoff are graded first (a grading worker starts for that); returns the
    session as it stands afterwards. A session with a live engine is left to that engine.
    """
    if session.state != "running" or engine_is_live(session):
        return session
    if not submit and session.deadline > time.time():
        return session
    engine = Engine(store, paths, session, exam_of(session, paths))
    if on_event is not None:
        engine.subscribe(on_event)
    if submit:
        engine.submit()
    engine.run()
    return store.get_session(session.id)
