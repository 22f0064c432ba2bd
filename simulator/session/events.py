"""The engine's event stream: one frozen dataclass per kind of thing that happens in a session.

The engine decides, writes the store, then publishes one of these objects to every view. A view
dispatches on the class (``isinstance``, a Textual message per class, a ``match``), never on a
string, so a typo is a type error and a new kind is a new class mypy can follow everywhere.

Each event knows its documented JSON form (:meth:`SessionEvent.payload`); :func:`event_json` is
the one function that makes the headless ``--json`` line and the payload the store logs, so the
wire format of every kind stays what README.md documents (``tests/test_events.py`` holds each
kind's JSON to that list).

::

    watcher ─▶ engine loop ─▶ store (write first) ─▶ SessionEvent ─▶ views
                                                      │   CLI: EventPrinter (text / JSON lines)
                                                      │   TUI: one Textual message per class
                                                      └── report: reads the logged payloads back
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from simulator.exam.durations import iso_time
from simulator.grading.reasons import Reason
from simulator.session.scoring import ExamResult
from simulator.storage.records import AttemptRecord, RunRecord
from simulator.storage.store import Store

#: How a session ended: by "Submit and End Exam" or at its deadline.
EndReason = Literal["submitted", "auto-submitted"]


@dataclass(frozen=True, kw_only=True)
class SessionEvent:
    """Something that happened in a session at ``at`` (epoch seconds, the engine's clock)."""

    #: The documented name of the kind, the ``event`` field of its JSON line.
    KIND: ClassVar[str]
    at: float
    session_id: str

    def payload(self) -> dict[str, Any]:
        """The kind's own JSON fields (everything but ``event``, ``at`` and ``session``)."""
        return {}


def event_json(event: SessionEvent) -> dict[str, Any]:
    """The event's documented JSON object: ``{"event": kind, "at": ISO-8601, "session": ...}``."""
    return {
        "event": event.KIND,
        "at": iso_time(event.at),
        "session": event.session_id,
        **event.payload(),
    }


# Session ----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SessionOpened(SessionEvent):
    """The engine took the session: a new start, or a resume (``resumed``)."""

    KIND: ClassVar[str] = "session-opened"
    resumed: bool
    exam_id: str
    exam_title: str
    workspace: Path
    deadline: float
    remaining_s: float

    def payload(self) -> dict[str, Any]:
        return {
            "resumed": self.resumed,
            "exam": self.exam_id,
            "exam_title": self.exam_title,
            "workspace": str(self.workspace),
            "deadline": iso_time(self.deadline),
            "remaining_s": round(self.remaining_s, 1),
        }


@dataclass(frozen=True, kw_only=True)
class TimeWarning(SessionEvent):
    """A warning mark (60, 30, 10 or 1 minutes before the deadline) was crossed."""

    KIND: ClassVar[str] = "time-warning"
    minutes_left: int
    remaining_s: float

    def payload(self) -> dict[str, Any]:
        return {"minutes": self.minutes_left, "remaining_s": round(self.remaining_s, 1)}


@dataclass(frozen=True, kw_only=True)
class DeadlineReached(SessionEvent):
    """Time is up: the exam is auto-submitting; ``pending`` gradings still count."""

    KIND: ClassVar[str] = "deadline-reached"
    pending: int

    def payload(self) -> dict[str, Any]:
        return {"pending": self.pending}


@dataclass(frozen=True, kw_only=True)
class SubmitRequested(SessionEvent):
    """ "Submit and End Exam" was asked for (here or by ``tfexam submit``)."""

    KIND: ClassVar[str] = "submit-requested"
    pending: int

    def payload(self) -> dict[str, Any]:
        return {"pending": self.pending}


@dataclass(frozen=True, kw_only=True)
class SessionSubmitted(SessionEvent):
    """The session is frozen: its scores are final."""

    KIND: ClassVar[str] = "session-submitted"
    reason: EndReason
    result: ExamResult

    def payload(self) -> dict[str, Any]:
        total = self.result
        return {
            "reason": self.reason,
            "total": {
                "points": total.points,
                "max_points": total.max_points,
                "percent": round(total.percent, 1),
                "passed": total.passed,
            },
            "scores": {r.question.id: r.score for r in total.questions},
        }


@dataclass(frozen=True, kw_only=True)
class SolutionsRevealed(SessionEvent):
    """The reference solutions were copied into the workspace after the end."""

    KIND: ClassVar[str] = "solutions-revealed"
    files: tuple[Path, ...]

    def payload(self) -> dict[str, Any]:
        return {"files": [str(p) for p in self.files]}


@dataclass(frozen=True, kw_only=True)
class EngineDetached(SessionEvent):
    """The engine let go of a running session; its clock keeps running."""

    KIND: ClassVar[str] = "engine-detached"
    remaining_s: float

    def payload(self) -> dict[str, Any]:
        return {"remaining_s": round(self.remaining_s, 1)}


@dataclass(frozen=True, kw_only=True)
class EngineFailed(SessionEvent):
    """The engine's loop stopped on an internal error (the traceback is in its log)."""

    KIND: ClassVar[str] = "engine-error"
    message: str

    def payload(self) -> dict[str, Any]:
        return {"message": self.message}


# Grading workers --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WorkerReady(SessionEvent):
    """A grading worker imported TensorFlow and is warm."""

    KIND: ClassVar[str] = "worker-ready"
    pid: int
    warm_s: float

    def payload(self) -> dict[str, Any]:
        return {"pid": self.pid, "warm_s": round(self.warm_s, 2)}


@dataclass(frozen=True, kw_only=True)
class WorkerExited(SessionEvent):
    """A grading worker stopped; ``reason.code`` says whether grading is still possible."""

    KIND: ClassVar[str] = "worker-exited"
    pid: int
    reason: Reason

    @property
    def grading_unavailable(self) -> bool:
        """No worker could be started: no model can be graded until that is fixed."""
        return self.reason.code == "worker-unavailable"

    def payload(self) -> dict[str, Any]:
        return {"pid": self.pid, "reason": self.reason.text}


# Attempts ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AttemptEvent(SessionEvent):
    """Something happened to one attempt; ``attempt`` is its row as the store holds it now."""

    KIND: ClassVar[str]
    attempt: AttemptRecord

    @property
    def question_id(self) -> str:
        return self.attempt.question_id

    def payload(self) -> dict[str, Any]:
        return attempt_payload(self.attempt)


def attempt_payload(attempt: AttemptRecord, question_score: int | None = None) -> dict[str, Any]:
    """The documented fields of every attempt event."""
    data: dict[str, Any] = {
        "question": attempt.question_id,
        "attempt": attempt.number,
        "state": attempt.state,
        "origin": attempt.origin,
        "source": attempt.source,
        "sha256": attempt.sha256[:12],
    }
    if attempt.run_number is not None:
        data["run"] = attempt.run_number
    if attempt.state == "graded":
        data.update(
            score=attempt.score,
            metric={"name": attempt.metric_name, "value": attempt.metric_value},
            question_score=question_score,
        )
        if attempt.views is not None:
            data["views"] = attempt.views.to_dict()
    if attempt.message:
        data["message" if attempt.state == "graded" else "reason"] = attempt.message
    if attempt.timings:
        data["timings"] = {k: round(v, 4) for k, v in attempt.timings.items()}
    return data


@dataclass(frozen=True, kw_only=True)
class ModelDetected(AttemptEvent):
    """A new model file was saved and its copy queued for grading."""

    KIND: ClassVar[str] = "model-detected"
    path: Path

    def payload(self) -> dict[str, Any]:
        return {**attempt_payload(self.attempt), "path": str(self.path)}


@dataclass(frozen=True, kw_only=True)
class AttemptRequeued(AttemptEvent):
    """An attempt was queued again: left unfinished by a crash or detach (``reason`` None), or
    its grading process died, not by the model's doing, and a fresh one grades it."""

    KIND: ClassVar[str] = "attempt-requeued"
    reason: Reason | None = None

    def payload(self) -> dict[str, Any]:
        data = attempt_payload(self.attempt)
        if self.reason is not None:
            data["reason"] = self.reason.text
        return data


@dataclass(frozen=True, kw_only=True)
class GradingStarted(AttemptEvent):
    """A worker began grading the attempt."""

    KIND: ClassVar[str] = "grading-started"


@dataclass(frozen=True, kw_only=True)
class AttemptGraded(AttemptEvent):
    """The attempt has a score; ``question_score`` is what the question counts now (policy)."""

    KIND: ClassVar[str] = "attempt-graded"
    question_score: int

    def payload(self) -> dict[str, Any]:
        return attempt_payload(self.attempt, self.question_score)


@dataclass(frozen=True, kw_only=True)
class AttemptNotGradable(AttemptEvent):
    """The model cannot be graded: not a zero, a state of its own, with the reason."""

    KIND: ClassVar[str] = "attempt-not-gradable"
    reason: Reason


@dataclass(frozen=True, kw_only=True)
class AttemptSuperseded(AttemptEvent):
    """A newer save of the question arrived before this one's grading started."""

    KIND: ClassVar[str] = "attempt-superseded"


@dataclass(frozen=True, kw_only=True)
class AttemptRejected(AttemptEvent):
    """Saved after the exam ended: recorded with its copy, never graded."""

    KIND: ClassVar[str] = "attempt-rejected"


@dataclass(frozen=True, kw_only=True)
class ModelUnchanged(SessionEvent):
    """A save with the same content as an earlier attempt of the question: not graded again."""

    KIND: ClassVar[str] = "model-unchanged"
    path: Path
    previous: AttemptRecord

    @property
    def question_id(self) -> str:
        return self.previous.question_id

    def payload(self) -> dict[str, Any]:
        return {
            "question": self.previous.question_id,
            "path": str(self.path),
            "attempt": self.previous.number,
            "state": self.previous.state,
            "score": self.previous.score,
        }


@dataclass(frozen=True, kw_only=True)
class SubmitAndTestFailed(SessionEvent):
    """Submit and Test found nothing to grade (``reason.code`` ``no-model-file``)."""

    KIND: ClassVar[str] = "submit-and-test-failed"
    question_id: str
    reason: Reason

    def payload(self) -> dict[str, Any]:
        return {"question": self.question_id, "reason": self.reason.text}


# Training runs ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RunEvent(SessionEvent):
    """Something happened to a training run that tfexam started or adopted."""

    KIND: ClassVar[str]
    run: RunRecord

    @property
    def question_id(self) -> str:
        return self.run.question_id

    def payload(self) -> dict[str, Any]:
        run = self.run
        data: dict[str, Any] = {
            "run": run.number,
            "question": run.question_id,
            "state": run.state,
            "pid": run.pid,
            "command": list(run.command),
            "log": str(run.log_path),
        }
        if run.state != "running":
            data.update(
                exit_code=run.exit_code,
                epochs_seen=run.epoch,
                metrics=run.metrics,
                cpu_seconds=round(run.cpu_seconds, 2),
                peak_rss_mb=round(run.peak_rss_mb, 1),
            )
        return data


@dataclass(frozen=True, kw_only=True)
class RunStarted(RunEvent):
    KIND: ClassVar[str] = "run-started"


@dataclass(frozen=True, kw_only=True)
class RunEnded(RunEvent):
    """The run's process tree is gone; ``run.exit_code`` is None when it was not ours to reap."""

    KIND: ClassVar[str] = "run-ended"

    @property
    def exit_code(self) -> int | None:
        return self.run.exit_code


# Data -------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class QuestionReady(SessionEvent):
    """A question's data, written in the background after the exam opened, is complete in its
    folder: its starter may run now. ``ready`` of ``total`` questions are ready."""

    KIND: ClassVar[str] = "question-ready"
    question_id: str
    seconds: float
    ready: int
    total: int

    def payload(self) -> dict[str, Any]:
        return {
            "question": self.question_id,
            "seconds": round(self.seconds, 2),
            "ready": self.ready,
            "total": self.total,
        }


@dataclass(frozen=True, kw_only=True)
class QuestionDataFailed(SessionEvent):
    """The exam's code could not write a question's data (an exam defect: ``message`` says how)."""

    KIND: ClassVar[str] = "question-data-failed"
    question_id: str
    message: str

    def payload(self) -> dict[str, Any]:
        return {"question": self.question_id, "message": self.message}


# Recorded by a command -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class NotebookExported(SessionEvent):
    """A question was exported as a Colab notebook during the session (``tfexam notebook``): the
    report counts a Colab training as parallel work from here to the model's arrival.

    Written to the store's event log by the exporting command, not streamed by an engine (so not
    in :data:`EVENT_TYPES`); ``starter`` is the file whose code the notebook holds."""

    KIND: ClassVar[str] = "notebook-exported"
    question_id: str
    notebook: Path
    starter: Path

    def payload(self) -> dict[str, Any]:
        return {
            "question": self.question_id,
            "notebook": str(self.notebook),
            "starter": str(self.starter),
        }


#: Kinds that a command writes to the store's event log outside any engine's stream.
RECORDED_TYPES: tuple[type[SessionEvent], ...] = (NotebookExported,)


def record_event(store: Store, event: SessionEvent) -> None:
    """Write ``event`` to the store's event log as its documented payload (the engine logs its
    own stream the same way); the report reads it back by its ``KIND``."""
    store.add_event(event.session_id, event.at, event.KIND, event.payload())


#: Every kind the engine streams, in the order README.md lists them.
EVENT_TYPES: tuple[type[SessionEvent], ...] = (
    SessionOpened,
    WorkerReady,
    WorkerExited,
    ModelDetected,
    GradingStarted,
    AttemptGraded,
    AttemptNotGradable,
    AttemptSuperseded,
    AttemptRejected,
    AttemptRequeued,
    ModelUnchanged,
    SubmitAndTestFailed,
    TimeWarning,
    DeadlineReached,
    SubmitRequested,
    SessionSubmitted,
    SolutionsRevealed,
    EngineDetached,
    EngineFailed,
    RunStarted,
    RunEnded,
    QuestionReady,
    QuestionDataFailed,
)
