"""Creating, finding and finishing sessions: the operations every face of tfexam shares.

A session's deadline is absolute and written once, at creation; nothing here ever moves it. A
session whose deadline passed while no engine was attached is finalized by the next command that
touches it, grading the files saved before the deadline, exactly as a live engine would have.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import psutil

from simulator.exam.catalog import find_exam
from simulator.exam.drills import drill_exam
from simulator.exam.format import (
    Exam,
    ExamFormatError,
    Policy,
    Question,
    UnknownQuestionError,
    load_exam,
)
from simulator.exam.mix import mix_exam
from simulator.exam.workspace import WorkspaceError, create_workspace, default_workspace
from simulator.grading.settings import GradingSettings
from simulator.paths import DataPaths
from simulator.session.engine import Engine, EventListener
from simulator.storage.liveness import engine_is_live
from simulator.storage.records import Feedback, SessionRecord
from simulator.storage.store import Store, free_id

#: What the exam screen shows of each grading (``tfexam start --feedback``).
FEEDBACK_CHOICES: tuple[str, ...] = get_args(Feedback)


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
    #: The data seed (``--seed``): default a fresh one for an exam with generated data, else the
    #: exam's own.
    seed: int | None = None
    #: The learner's name (``--candidate``), carried into the report for a course's class view.
    candidate: str | None = None
    #: What the exam screen shows of each grading (``--feedback``); None: the real exam's.
    feedback: Feedback | None = None
    #: For a drill (:mod:`simulator.session.drills`): the one question ``exam`` was narrowed to,
    #: recorded so that :func:`exam_of` narrows it again whenever the session is reopened.
    drill_question: str | None = None


#: Seeds drawn for sessions: short enough to read out and type again with ``--seed``.
SEED_RANGE = (1, 1_000_000)


class SeedNotAllowedError(ValueError):
    """``--seed`` for an exam whose data is fixed (the real datasets and their calibrated split)."""


def session_seed(exam: Exam, requested: int | None = None) -> int:
    """The data seed of a new session: ``requested``, else a fresh one where the exam generates
    its data (so a retake cannot be memorised), else the exam's fixed seed."""
    if requested is not None:
        if not exam.fresh_data and requested != exam.seed:
            raise SeedNotAllowedError(
                f"{exam.id} uses fixed data (the real datasets): --seed applies only to exams "
                "that generate their data"
            )
        return requested
    if exam.fresh_data:
        return random.SystemRandom().randrange(*SEED_RANGE)
    return exam.seed


def new_session_id(exam: Exam, started_at: float, taken: Collection[str] = ()) -> str:
    """``<exam>-<YYYYMMDD>-<HHMMSS>``: sortable and readable; ``-2``, ``-3``... when ``taken``.

    The store makes the final choice (:meth:`Store.create_session`), inside the transaction that
    writes the row: two starts in the same second from two processes each get their own id.
    """
    stamp = dt.datetime.fromtimestamp(started_at).strftime("%Y%m%d-%H%M%S")
    return free_id(f"{exam.id}-{stamp}", set(taken))


def create_session(
    store: Store,
    request: NewSession,
    now: float | None = None,
    on_question: Callable[[Question], None] | None = None,
    *,
    background: bool = False,
) -> SessionRecord:
    """Create the workspace and the session row; the clock starts once the workspace is ready.

    Generating a question's data takes seconds; they are not taken from the candidate's time.
    With ``background``, only the first question's data is written now and the others are
    recorded as pending, for the engine to write while the candidate works on question 1
    (:mod:`simulator.session.dataprep`).
    """
    exam = request.exam
    seed = session_seed(exam, request.seed)
    target = request.workspace or default_workspace(exam)
    refuse_a_session_workspace(store, target)
    first = exam.questions[0].id
    workspace = create_workspace(
        exam, target, seed=seed, on_question=on_question, data_for={first} if background else None
    )
    pending = [q.id for q in exam.questions if background and q.data is not None and q.id != first]
    return record_session(
        store, request, workspace, time.time() if now is None else now, seed=seed,
        data_pending=pending,
    )  # fmt: skip


def refuse_a_session_workspace(store: Store, target: Path) -> None:
    """Refuse a ``--workspace`` that holds a session of the store, naming that session and how to
    go back to it (a folder of files that is no session's is refused by the workspace itself).

    Ctrl+C right after ``tfexam start`` leaves the session running, detached; starting again on
    the same folder is then almost always a wish to go back to it.
    """
    folder = target.expanduser().absolute()
    if not folder.is_dir() or not any(folder.iterdir()):
        return  # nothing there: a fresh workspace may be made (the old session kept its record)
    resolved = folder.resolve()
    for session in store.list_sessions():  # newest first
        if session.workspace.resolve() != resolved:
            continue
        if session.state == "submitted":
            raise WorkspaceError(
                f"{folder} holds session {session.id}, already submitted: read it with "
                f"'tfexam report {session.id}', or choose another --workspace"
            )
        if session.remaining() <= 0:
            raise WorkspaceError(
                f"{folder} holds session {session.id}, whose time is up: 'tfexam status "
                f"{session.id}' grades its last saves and shows the result, or choose another "
                "--workspace"
            )
        raise WorkspaceError(
            f"{folder} holds session {session.id}, still running: go back to it with "
            f"'tfexam resume {session.id}', or choose another --workspace"
        )


def record_session(
    store: Store,
    request: NewSession,
    workspace: Path,
    started_at: float,
    seed: int | None = None,
    data_pending: Sequence[str] = (),
) -> SessionRecord:
    """Write the session row for a workspace that is ready; the clock starts at ``started_at``.

    ``seed`` is the one the workspace's data was written with (default: the request's, else the
    exam's own).
    """
    exam = request.exam
    if seed is None:
        seed = request.seed if request.seed is not None else exam.seed
    wished_id = new_session_id(exam, started_at)
    duration_s = request.duration_s or exam.duration_s
    grading = request.grading or GradingSettings.defaults()
    record = SessionRecord(
        id=wished_id,
        exam_id=exam.id,
        exam_root=exam.root,
        workspace=workspace,
        started_at=started_at,
        deadline=started_at + duration_s,
        state="running",
        settings={
            "policy": request.policy or exam.policy,
            "seed": seed,
            **({"drill_question": request.drill_question} if request.drill_question else {}),
            **({"data_pending": list(data_pending)} if data_pending else {}),
            "duration_s": duration_s,
            "grading": grading.to_dict(),
            **({"python": request.python} if request.python else {}),
            **({"candidate": request.candidate} if request.candidate else {}),
            **({"feedback": request.feedback} if request.feedback else {}),
            # The machine's cores, for the report's "N trainings on M cores" (it may be read elsewhere).
            "cores": psutil.cpu_count(logical=True),
        },
    )
    record = store.create_session(record)  # its id: the wished one, or a free one beside it
    store.add_event(record.id, started_at, "session-started", {
        "exam": exam.id, "workspace": str(workspace), "duration_s": duration_s,
        "deadline": record.deadline, "seed": seed,
    })  # fmt: skip
    return record


def feedback_of(session: SessionRecord) -> Feedback:
    """What the exam screen shows of each grading: "score" (the score and its message, as the
    real exam did: the default) or "checks" (every check that made it, live)."""
    return "checks" if session.settings.get("feedback") == "checks" else "score"


def set_feedback(store: Store, session: SessionRecord, feedback: Feedback) -> SessionRecord:
    """Choose the feedback again (``tfexam resume --feedback``); kept in the session's settings."""
    return store.update_settings(session.id, {"feedback": feedback})


def seed_of(session: SessionRecord, exam: Exam) -> int:
    """The seed a session's data and hidden grading split were made with."""
    return int(session.settings.get("seed", exam.seed))


def whole_exam_of(session: SessionRecord, paths: DataPaths) -> Exam:
    """The session's exam with all its questions (a drill's too), from where it was at start,
    else found again by id (e.g. after an upgrade)."""
    try:
        return load_exam(session.exam_root)
    except ExamFormatError:
        return find_exam(session.exam_id, paths)


def exam_of(session: SessionRecord, paths: DataPaths) -> Exam:
    """The session's exam (:func:`whole_exam_of`); a drill's exam narrowed again to its one
    question."""
    exam = whole_exam_of(session, paths)
    drilled = session.settings.get("drill_question")
    if drilled is None:
        return exam
    try:
        return drill_exam(exam, str(drilled))
    except UnknownQuestionError as error:  # the exam changed since: like an exam that is gone
        raise ExamFormatError(
            exam.root, [f"session {session.id} drilled a question that is gone: {error}"]
        ) from None


def engine_of(store: Store, paths: DataPaths, session: SessionRecord) -> Engine:
    """The engine of ``session`` over the exam it was started with (a drill's one question, a
    mix's draw), not yet started."""
    return Engine(store, paths, session, exam_of(session, paths))


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
    engine = engine_of(store, paths, session)
    if on_event is not None:
        engine.subscribe(on_event)
    if submit:
        engine.submit()
    engine.run()
    return store.get_session(session.id)


def drawn_exam(paths: DataPaths, requested_seed: int | None) -> tuple[Exam, int]:
    """``tfexam start --mix``: the exam drawn from the bank and the session's seed, which is
    also the draw's (so ``--seed`` repeats both the questions and their data)."""
    seed = (
        requested_seed
        if requested_seed is not None
        else random.SystemRandom().randrange(*SEED_RANGE)
    )
    return mix_exam(paths, seed), seed
