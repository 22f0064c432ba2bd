"""Starting a drill: a timed session of one question of an exam (``tfexam drill``, the review's
drill key).

A drill is created exactly like an exam session (:func:`create_session`), from the exam narrowed
to one question (:func:`simulator.exam.drills.drill_exam`), so it gets what every session gets:
fresh data from its own seed, the same grading, the auto-submit at the deadline, the exam
screen or the headless event stream, ``resume``, ``status``, ``report`` and ``history``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from simulator.exam.catalog import UnknownExamError, find_exam
from simulator.exam.drills import drill_exam
from simulator.exam.format import Exam, ExamFormatError, Question, load_exam
from simulator.exam.workspace import default_workspace
from simulator.grading.settings import GradingSettings
from simulator.paths import DataPaths
from simulator.session.sessions import NewSession, create_session, whole_exam_of
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store


@dataclass(frozen=True)
class NewDrill:
    """What ``tfexam drill`` asks for; ``None`` means the default (the drill's length per
    category, a fresh data seed, a new ``./tfexam-<exam>-<question>-<date>`` folder)."""

    #: The whole exam; :func:`drill_request` narrows it.
    exam: Exam
    #: The drilled question: its id, folder name or category number.
    question: str
    workspace: Path | None = None
    duration_s: int | None = None
    seed: int | None = None
    grading: GradingSettings | None = None
    python: str | None = None


def drill_request(drill: NewDrill) -> NewSession:
    """The session request of a drill. Raises ``UnknownQuestionError`` for an unknown question."""
    narrowed = drill_exam(drill.exam, drill.question)
    question = narrowed.questions[0]
    return NewSession(
        exam=narrowed,
        workspace=drill.workspace
        or default_workspace(drill.exam, name=f"{drill.exam.id}-{question.id}"),
        duration_s=drill.duration_s,
        grading=drill.grading,
        python=drill.python,
        seed=drill.seed,
        drill_question=question.id,
    )


def create_drill(
    store: Store,
    drill: NewDrill,
    on_question: Callable[[Question], None] | None = None,
) -> SessionRecord:
    """Create a drill's workspace (its one question's files and data) and its session; the clock
    starts once the workspace is ready. Run it like any session (the exam screen or headless)."""
    return create_session(store, drill_request(drill), on_question=on_question, background=True)


def find_drill_exam(name: str, paths: DataPaths, store: Store) -> Exam:
    """The exam called ``name`` (as ``tfexam exams`` lists it, or a folder); else the exam of the
    newest session of an exam with that id, so that the drill command the report advises works
    for an exam that was started from its folder too."""
    try:
        return find_exam(name, paths)
    except UnknownExamError:
        for session in store.list_sessions():
            if session.exam_id == name:
                try:
                    return load_exam(session.exam_root)
                except ExamFormatError:
                    continue
        raise


def drill_of_session(
    store: Store,
    paths: DataPaths,
    session: SessionRecord,
    question_id: str,
    on_question: Callable[[Question], None] | None = None,
) -> SessionRecord:
    """A drill of one question of ``session``'s exam, as the review's drill key starts it: the
    whole exam (also where ``session`` is itself a drill), the drill's default length, fresh
    data, the session's own training Python, and a new folder beside ``session``'s workspace
    (the learner finds it where the exam was, wherever the review was opened)."""
    exam = whole_exam_of(session, paths)
    question = exam.question(question_id)
    workspace = default_workspace(
        exam, base=session.workspace.parent, name=f"{exam.id}-{question.id}"
    )
    drill = NewDrill(
        exam, question.id, workspace=workspace, python=session.settings.get("python"),
        grading=GradingSettings.from_dict(session.settings.get("grading", {})),
    )  # fmt: skip
    return create_drill(store, drill, on_question)
