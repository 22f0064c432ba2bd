"""The records the session store keeps: one frozen dataclass per kind of row.

They are plain values, free of SQLite: the store (:mod:`simulator.storage.store`) turns rows into
them and every write returns the record as it now stands, so the layers above read and pass these
objects and never a row or a loose dict.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict

from simulator.grading.checks import Check
from simulator.grading.reasons import Reason, ReasonCode
from simulator.grading.views import GradeViews

SessionState = Literal["running", "submitted"]
AttemptState = Literal[
    "queued", "grading", "graded", "not-gradable", "rejected-after-deadline", "superseded"
]
PENDING_ATTEMPT_STATES: frozenset[str] = frozenset({"queued", "grading"})
RunState = Literal["running", "finished", "failed", "stopped"]
#: What the store keeps of an event: its JSON fields, written as given and never read into.
JsonObject = Mapping[str, object]


#: What the exam screen shows of each grading: the score and its message, as the real exam did,
#: or every check that made it (``--feedback``).
Feedback = Literal["score", "checks"]


class SessionSettings(TypedDict, total=False):
    """What ``tfexam start`` chose for a session, kept as one JSON object in its row: every key
    named here, so a misspelt or unknown setting is a type error, not a silent new key."""

    #: Which attempt counts: "best" or "last" (the exam's, or ``--policy``).
    policy: Literal["best", "last"]
    #: The data seed: the workspace's data and the hidden grading split follow it.
    seed: int
    #: Questions whose data was still being written when the session started.
    data_pending: list[str]
    duration_s: int
    #: :meth:`simulator.grading.settings.GradingSettings.to_dict`.
    grading: dict[str, Any]
    #: The Python that training runs use (``--python``).
    python: str
    #: The learner's name (``--candidate``), for a course's class view.
    candidate: str
    #: The machine's logical cores, for the report's "N trainings on M cores".
    cores: int | None
    #: What the exam screen shows of each grading (absent: the score, as the real exam did).
    feedback: Feedback
    #: A drill's one question (its id): the session is that question alone (``tfexam drill``).
    drill_question: str


@dataclass(frozen=True)
class SessionRecord:
    """A session row: the exam taken, where, and the absolute clock."""

    id: str
    exam_id: str
    exam_root: Path
    workspace: Path
    started_at: float
    deadline: float
    state: SessionState
    settings: SessionSettings
    ended_at: float | None = None
    end_reason: str | None = None
    submit_requested_at: float | None = None
    engine_pid: int | None = None
    engine_heartbeat: float | None = None

    def remaining(self, now: float | None = None) -> float:
        return self.deadline - (time.time() if now is None else now)


@dataclass(frozen=True)
class AttemptRecord:
    """One model file seen for a question, and what became of it."""

    id: int
    session_id: str
    question_id: str
    source_path: str
    blob: str | None
    sha256: str
    size: int
    origin: str
    saved_at: float
    detected_at: float
    state: AttemptState
    queued_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    score: int | None = None
    metric_name: str | None = None
    metric_value: float | None = None
    message: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    #: Where the file came from: "run" (a tfexam training run, ``run_id``), "local" (a process
    #: of the candidate's working in the question folder), "external" (a download or a copy).
    source: str | None = None
    run_id: int | None = None
    #: For an attempt that was not graded: what a program may act on (the sentence is ``message``).
    reason_code: ReasonCode | None = None

    @property
    def reason(self) -> Reason | None:
        """Why the attempt was refused: not gradable, or saved after the deadline."""
        if self.state not in ("not-gradable", "rejected-after-deadline"):
            return None
        return Reason(self.reason_code or "unknown", self.message or "")

    #: 1, 2, ... within the session: the number the candidate sees (``id`` is the store's own).
    number: int = 0
    #: The number of the run the file came from (``run_id`` is the store's own id).
    run_number: int | None = None
    #: Graded attempts: which rule gave ``score`` (the real exam's or the calibrated one) and
    #: the strict view beside it; ``metric_value`` is always the hidden-test metric.
    views: GradeViews | None = None
    #: The checks that made the score, in the order they ran; a not-gradable attempt's end with
    #: the failed one. None: recorded before checks existed, or no check ran (the job was
    #: stopped by the pool, the exam closed first).
    checks: tuple[Check, ...] | None = None


@dataclass(frozen=True)
class RunRecord:
    """A training script started by tfexam: its process, progress and resource use."""

    id: int
    session_id: str
    question_id: str
    command: tuple[str, ...]
    cwd: Path
    log_path: Path
    started_at: float
    state: RunState
    pid: int | None = None
    pid_started_at: float | None = None
    ended_at: float | None = None
    exit_code: int | None = None
    epoch: int | None = None
    epochs: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    #: 1, 2, ... within the session: the number the candidate sees (``id`` is the store's own).
    number: int = 0


@dataclass(frozen=True)
class RunSample:
    run_id: int
    at: float
    cpu_percent: float
    rss_mb: float


@dataclass(frozen=True)
class SystemSample:
    """The whole machine at one moment of a session (sampled at a low rate)."""

    session_id: str
    at: float
    cpu_percent: float
    memory_used_mb: float
    memory_total_mb: float
    runs: int


@dataclass(frozen=True)
class EventRecord:
    id: int
    session_id: str
    at: float
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class BufferRecord:
    """An editor tab's text that was not saved to its file yet, kept so a crash loses none."""

    session_id: str
    path: Path
    text: str
    kept_at: float
