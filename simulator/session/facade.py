"""What a view may ask of a running session and what it may do to it, and nothing more.

The TUI (and any other face) holds a :class:`SessionFacade`, never the engine: it reads a
:class:`SessionSnapshot` (the store's truth plus the graders' and runs' live state), subscribes to
the typed event stream, and asks for the exam's actions (Submit and Test, runs, Submit and End
Exam). The engine's pool, run manager and store stay private to it, so a view cannot come to
depend on how the engine is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from simulator.exam.format import Exam, Policy
from simulator.grading.pool import WorkerStatus
from simulator.session.drills import drill_of_session
from simulator.session.engine import Engine, EventListener
from simulator.session.scoring import ExamResult, exam_result
from simulator.session.sessions import engine_of
from simulator.storage.records import AttemptRecord, BufferRecord, RunRecord, SessionRecord
from simulator.storage.store import Store
from simulator.training.estimate import estimate_line
from simulator.training.runs import RunView

#: What a report builder makes (the report layer's ``Report``; the session layer does not know it).
R = TypeVar("R")


@dataclass(frozen=True)
class SessionSnapshot:
    """The session as it stands at ``now``: everything a view draws from, read in one go."""

    session: SessionRecord
    attempts: tuple[AttemptRecord, ...]
    result: ExamResult
    now: float


@dataclass(frozen=True)
class GradingStatus:
    """The grading workers and how many jobs wait for one."""

    workers: tuple[WorkerStatus, ...]
    queued_jobs: int


class SessionFacade:
    """A view's handle on one session's engine (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # What a view may ask ------------------------------------------------------------------------

    @property
    def exam(self) -> Exam:
        return self._engine.exam

    @property
    def policy(self) -> Policy:
        policy: Policy = self._engine.policy
        return policy

    @property
    def session_id(self) -> str:
        return self._engine.session.id

    @property
    def workspace(self) -> Path:
        return self._engine.session.workspace

    @property
    def engine_log(self) -> Path:
        """The session's own log file, where its engine's lines belong."""
        return self._engine.paths.engine_log(self.session_id)

    def clock(self) -> float:
        """The engine's idea of now (a test may move it)."""
        return self._engine.clock()

    def session(self) -> SessionRecord:
        """The session row as the store holds it now."""
        return self._engine.store.get_session(self.session_id)

    def snapshot(self) -> SessionSnapshot:
        attempts = self._engine.store.attempts(self.session_id)
        return SessionSnapshot(
            session=self.session(),
            attempts=tuple(attempts),
            result=exam_result(self.exam, attempts, self.policy),
            now=self.clock(),
        )

    def grading(self) -> GradingStatus:
        pool = self._engine.pool
        return GradingStatus(tuple(pool.status()), pool.pending())

    def runs(self) -> list[RunView]:
        """Every training run of the session, with its live progress."""
        return self._engine.run_views()

    def run_number(self, run_id: int) -> int:
        """The number the candidate knows a run by (1, 2, ... within the session)."""
        return self._engine.store.get_run(run_id).number

    def plan_line(self) -> str | None:
        """This machine's training estimate of the exam as one line (``tfexam estimate``), or
        None when none was made here."""
        return estimate_line(self._engine.paths, self.exam.id)

    def data_pending(self) -> tuple[str, ...]:
        """Questions whose data is still being written, in question order (first: now)."""
        return self._engine.data_pending()

    def running_runs(self) -> int:
        """How many training runs are running now."""
        return self._engine.runs.running()

    def unsaved_buffers(self) -> list[BufferRecord]:
        """Editor texts that were never saved to their files (left by a crash or a kill)."""
        return self._engine.store.buffers(self.session_id)

    def report(self, build: Callable[[Store, SessionRecord, Exam], R]) -> R:
        """The session report as it stands, made by ``build`` from the store (read only).

        The builder (``simulator.report.build.build_report``) lives in the report layer, above
        the session's, so the view passes it in: the session layer never imports the report.
        """
        return build(self._engine.store, self.session(), self.exam)

    # What a view may do -------------------------------------------------------------------------

    def subscribe(self, listener: EventListener) -> None:
        """``listener`` gets every event from now on, on the engine's thread."""
        self._engine.subscribe(listener)

    def unsubscribe(self, listener: EventListener) -> None:
        """``listener`` gets no more events (its view is closing)."""
        self._engine.unsubscribe(listener)

    def start(self) -> None:
        """Claim the session and start watching and grading (blocks while the graders warm)."""
        self._engine.start()

    def submit_and_test(self, question_id: str) -> None:
        self._engine.submit_and_test(question_id)

    def start_run(self, question_id: str, script: str | None = None) -> RunRecord:
        """Run ``script`` (a file of the question's folder; default its starter) as a run."""
        return self._engine.start_run(question_id, script)

    def stop_run(self, run_id: int) -> None:
        self._engine.stop_run(run_id)

    def restart_run(self, run_id: int) -> RunRecord:
        return self._engine.restart_run(run_id)

    def keep_unsaved(self, path: Path, text: str) -> None:
        """Keep an editor tab's unsaved text in the store, so a crash does not lose it."""
        self._engine.store.keep_buffer(self.session_id, path, text, self.clock())

    def drop_unsaved(self, path: Path) -> None:
        """The tab's text was saved or thrown away: nothing to offer back after a crash."""
        self._engine.store.drop_buffer(self.session_id, path)

    def submit(self) -> None:
        """Submit and End Exam."""
        self._engine.submit()

    def detach(self) -> None:
        """Leave the session running without us (its clock keeps going)."""
        self._engine.detach()

    def start_drill(self, question_id: str) -> SessionFacade:
        """A drill of one of this exam's questions (the review's drill key): creates the drill's
        workspace and session (seconds: its data is written first) and returns a facade over
        its own engine, not yet started (the view starts it, as for any session). Raises
        ``UnknownQuestionError``, ``WorkspaceError`` or ``OSError`` with a one-line reason."""
        engine = self._engine
        drill = drill_of_session(engine.store, engine.paths, engine.session, question_id)
        return SessionFacade(engine_of(engine.store, engine.paths, drill))

    def close(self) -> None:
        """Release the engine (its graders, watcher and runs): for the face that opened it, once
        it no longer shows the session."""
        self._engine.close()
