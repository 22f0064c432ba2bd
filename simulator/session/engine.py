"""The session engine: clock, watcher, grading pool and store, with no UI and no TensorFlow.

One loop thread owns every decision. The watcher, the grading pool and the views only post
messages into its inbox, so the order of events is the order of the loop and no lock is needed
around the session's state. Everything the loop decides is written to the store first and then
announced to subscribers as a typed event (:mod:`simulator.session.events`); the headless CLI prints them,
the TUI turns them into Textual messages, and the report reads them back from the store. Views
talk to a running engine through :class:`simulator.session.facade.SessionFacade`.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import logging
import os
import queue
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TypedDict

from simulator.exam.format import Exam
from simulator.exam.workspace import reveal_solutions
from simulator.grading import pool as grading_pool
from simulator.grading.checks import refused
from simulator.grading.filecheck import check_model_file
from simulator.grading.pool import GradingPool, JobFinished, JobRequeued, JobStarted, PoolEvent
from simulator.grading.protocol import GradingJob, GradingResult
from simulator.grading.reasons import Reason
from simulator.grading.settings import GradingSettings
from simulator.paths import DataPaths
from simulator.session import events
from simulator.session.dataprep import (
    DataPreparer,
    Prepared,
    QuestionNotReadyError,
    pending_questions,
)
from simulator.session.intake import (
    CaughtMidSave,
    Origin,
    SeenBefore,
    TakenIn,
    saved_time,
    take_in,
)
from simulator.session.scoring import ExamResult, exam_result
from simulator.session.watcher import ModelWatcher, SavedModelFile, WatchTimings
from simulator.storage.blobs import remove_incoming
from simulator.storage.liveness import engine_is_live
from simulator.storage.records import (
    PENDING_ATTEMPT_STATES,
    AttemptRecord,
    AttemptState,
    RunRecord,
    SessionRecord,
    SystemSample,
)
from simulator.storage.store import Store
from simulator.training.resources import measure
from simulator.training.runs import RunManager, RunView
from simulator.training.sources import Source, find_source

log = logging.getLogger("tfexam.engine")

#: Minutes before the deadline at which the candidate is warned.
WARNING_MINUTES = (60, 30, 10, 1)
TICK_S = 0.5
HEARTBEAT_S = 2.0
#: At most this often (and at every idle tick) the store is asked whether `tfexam submit` ran.
SUBMIT_POLL_S = 0.2
#: After the deadline or a submit, wait this long for saves already under way to settle. Saves
#: the watcher already follows keep the closing open by themselves; this covers events the OS has
#: not delivered yet.
CLOSING_SETTLE_S = 0.5
#: How often the whole machine's CPU and memory are recorded for the report.
SYSTEM_SAMPLE_S = 10.0
#: A model saved this long after its run ended still counts as that run's.
RUN_GRACE_S = 10.0
#: What a save that arrives after the exam closed becomes: recorded, never graded.
AFTER_DEADLINE = Reason("after-deadline", "saved after the exam ended: recorded, not graded")
#: Job ids are unique in the process, so engines that share a pool never take each other's results.
_job_ids = itertools.count(1)

#: Why an engine stopped: the session ended one way or the other, it let go, or it failed.
StopReason = Literal["submitted", "auto-submitted", "detached", "engine-error"]
EventListener = Callable[[events.SessionEvent], None]


class _Stamp(TypedDict):
    """The fields every event starts with: when, and of which session."""

    at: float
    session_id: str


class EngineBusyError(RuntimeError):
    """Another live tfexam process already runs this session."""


@dataclass(frozen=True)
class _Saved:
    saved: SavedModelFile


@dataclass(frozen=True)
class _FromPool:
    event: PoolEvent


@dataclass(frozen=True)
class _SubmitAndTest:
    question_id: str


@dataclass(frozen=True)
class _Submit:
    at: float


@dataclass(frozen=True)
class _Detach:
    pass


@dataclass(frozen=True)
class _RunChanged:
    run: RunRecord


@dataclass(frozen=True)
class _DataDone:
    prepared: Prepared


_Message = _Saved | _FromPool | _SubmitAndTest | _Submit | _Detach | _RunChanged | _DataDone


class Engine:
    """Runs one session: watches its workspace, grades saves, enforces the deadline.

    ``pool`` may be passed in to share warm workers (tests, a TUI that starts them early);
    otherwise the engine starts and stops its own.
    """

    def __init__(
        self,
        store: Store,
        paths: DataPaths,
        session: SessionRecord,
        exam: Exam,
        *,
        pool: GradingPool | None = None,
        watch_timings: WatchTimings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.paths = paths
        self.session = session
        self.exam = exam
        self.clock = clock
        self.settings = GradingSettings.from_dict(session.settings.get("grading", {}))
        self.policy = session.settings.get("policy", exam.policy)
        self.seed = int(session.settings.get("seed", exam.seed))
        self._owns_pool = pool is None
        self.pool = pool or GradingPool(
            self.settings, paths.logs_dir(session.id), self._post_pool_event
        )
        if not self._owns_pool:
            self.pool.set_listener(self._post_pool_event)
        self.watcher = ModelWatcher(
            session.workspace,
            {q.workspace_folder: q.id for q in exam.questions},
            lambda question_id, name: exam.questions_by_id[question_id].accepts(name),
            lambda saved: self._inbox.put(_Saved(saved)),
            watch_timings,
        )
        self._inbox: queue.Queue[_Message] = queue.Queue()
        self._subscribers: list[EventListener] = []
        self._thread: threading.Thread | None = None
        self._finished = threading.Event()
        self._closing_reason: events.EndReason | None = None
        self._cutoff = session.deadline
        self._close_not_before = 0.0
        self._close_by = 0.0
        self._warned: set[int] = set()
        self._last_heartbeat = 0.0
        self._last_submit_poll = 0.0
        self._jobs: dict[int, int] = {}
        self._last_system_sample = 0.0
        self.stop_reason: StopReason | None = None
        #: Why the loop stopped on an error, in one line the candidate can act on.
        self.failure: str | None = None
        self.runs = RunManager(
            store,
            session.id,
            paths.logs_dir(session.id) / "runs",
            python=session.settings.get("python"),
            clock=clock,
        )
        self.runs.subscribe(lambda run: self._inbox.put(_RunChanged(run)))
        #: Questions whose data is still being written (in question order); replaced, never
        #: mutated, so views on other threads may read it.
        self._data_pending: tuple[str, ...] = ()
        self._preparer: DataPreparer | None = None
        #: How many ticks the loop has finished: under a test's clock, waiting for the next tick
        #: is waiting for the engine to have seen the time it was set to (no sleep that guesses).
        self.ticks = 0

    # Views' API (any thread) -----------------------------------------------------------------

    def subscribe(self, callback: EventListener) -> None:
        """Call ``callback`` (from the engine's thread) for every event from now on."""
        self._subscribers.append(callback)

    def unsubscribe(self, callback: EventListener) -> None:
        """Stop calling ``callback`` (a view that is going away). An event being announced on
        the engine's thread at that moment may still reach it once: the view ignores it."""
        with contextlib.suppress(ValueError):  # not (or no longer) subscribed
            self._subscribers.remove(callback)

    def submit_and_test(self, question_id: str) -> None:
        """Grade the question's current model file now, like the exam plugin's button."""
        self._inbox.put(_SubmitAndTest(question_id))

    def start_run(self, question_id: str, script: str | None = None) -> RunRecord:
        """Start the question's training script (default: its starter) as a monitored run.

        Refused (:class:`QuestionNotReadyError`) while the question's data is being written.
        """
        question = self.exam.questions_by_id[question_id]
        if question_id in self._data_pending:
            raise QuestionNotReadyError(not_ready_text(self.exam, self._data_pending, question_id))
        folder = self.session.workspace / question.workspace_folder
        return self.runs.launch(question_id, folder, script or question.starter)

    def stop_run(self, run_id: int) -> None:
        self.runs.stop(run_id)

    def restart_run(self, run_id: int) -> RunRecord:
        return self.runs.restart(run_id)

    def run_views(self) -> list[RunView]:
        return self.runs.views()

    def data_pending(self) -> tuple[str, ...]:
        """Questions whose data is still being written, in the order it is written."""
        return self._data_pending

    def submit(self) -> None:
        """The exam's "Submit and End Exam": grade what was saved until now, then freeze."""
        self._inbox.put(_Submit(self.clock()))

    def detach(self) -> None:
        """Stop watching and grading; the session's clock keeps running without us."""
        self._inbox.put(_Detach())

    def result(self) -> ExamResult:
        return exam_result(self.exam, self.store.attempts(self.session.id), self.policy)

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    @property
    def failed(self) -> bool:
        """Whether the loop stopped on an internal error (its traceback is in the engine log)."""
        return self.stop_reason == "engine-error"

    def wait(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    # Lifecycle ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Claim the session, warm the graders, recover pending work and start the loop thread."""
        current = self.store.get_session(self.session.id)
        if engine_is_live(current, self.clock()):
            raise EngineBusyError(
                f"session {current.id} is already open in another tfexam (pid {current.engine_pid})"
            )
        self.session = current
        self.store.claim_engine(self.session.id, os.getpid(), self.clock())
        log.info("session %s: engine started (pid %s)", self.session.id, os.getpid())
        for stale in remove_incoming(self.paths.blobs_dir(self.session.id)):
            log.info("removed %s, a copy left half-made by a stopped tfexam", stale.name)
        if self._owns_pool:
            self.pool.start()
        self._warned = {
            int(e.payload.get("minutes", 0))
            for e in self.store.events(self.session.id, events.TimeWarning.KIND)
        }
        if current.state == "submitted":
            self._finished.set()
            return
        self.session.workspace.mkdir(parents=True, exist_ok=True)
        self._data_pending = tuple(pending_questions(self.store, current))
        if self._data_pending and current.deadline > self.clock():
            self._preparer = DataPreparer(
                self.exam.root, current.workspace, self.seed, self._data_pending,
                self.paths.logs_dir(current.id) / "data.log",
                lambda prepared: self._inbox.put(_DataDone(prepared)),
            )  # fmt: skip
            self._preparer.start()
        self.watcher.start()
        self.runs.start()
        self._thread = threading.Thread(target=self._loop, name="tfexam-engine", daemon=True)
        self._thread.start()

    def run(self) -> None:
        """Start and block until the session is submitted or the engine detached."""
        self.start()
        try:
            while not self._finished.wait(0.2):
                pass
        finally:
            self.close()

    def close(self) -> None:
        """Release everything; safe to call more than once and from any thread but the loop's."""
        if self._thread is not None and self._thread.is_alive():
            self.detach()
            self._thread.join(timeout=30)
        if self._preparer is not None:
            self._preparer.close()
        self.watcher.stop()
        # Runs outlive a detach (their output goes to their log); once the exam is over they stop.
        self.runs.close(stop_runs=self.store.get_session(self.session.id).state == "submitted")
        if self._owns_pool:
            self.pool.close()
        with contextlib.suppress(sqlite3.OperationalError):  # a full disk: the heartbeat goes stale
            self.store.release_engine(self.session.id, os.getpid())

    # Loop ---------------------------------------------------------------------------------------

    def _post_pool_event(self, event: PoolEvent) -> None:
        self._inbox.put(_FromPool(event))

    def _loop(self) -> None:
        try:
            resumed = bool(self.store.events(self.session.id, events.SessionOpened.KIND))
            self._emit(
                events.SessionOpened(
                    **self._stamp(),
                    resumed=resumed,
                    exam_id=self.exam.id,
                    exam_title=self.exam.title,
                    workspace=self.session.workspace,
                    deadline=self.session.deadline,
                    remaining_s=self.session.deadline - self.clock(),
                )
            )
            self._recover()
            while not self._finished.is_set():
                try:
                    message: _Message | None = self._inbox.get(timeout=self._wait_s())
                except queue.Empty:
                    message = None
                if message is not None:
                    self._handle(message)
                self._tick()
                self.ticks += 1
        except Exception as error:
            log.exception("engine loop failed")
            self.stop_reason = "engine-error"
            self.failure = self._failure_words(error)
            failure = events.EngineFailed(**self._stamp(), message=self.failure)
            # The store may be what failed (a full disk): the views hear of it all the same.
            try:
                self._log_event(failure)
            except Exception:
                log.exception("could not log the engine's failure in the store")
            self._announce(failure)
            self._finished.set()

    def _failure_words(self, error: Exception) -> str:
        """What stopped the engine, in one line the candidate can act on."""
        full = isinstance(error, sqlite3.OperationalError) and "full" in str(error)
        if full or (isinstance(error, OSError) and error.errno == errno.ENOSPC):
            folder = self.store.path.parent
            try:
                free = f"{shutil.disk_usage(folder).free / 1024**2:,.1f} MB free"
            except OSError:
                free = "no space left"
            return (
                f"the disk holding {folder} is full ({free}): free some space, then "
                f"'tfexam resume {self.session.id}' carries on (the clock keeps running)"
            )
        return "the engine stopped on an internal error (see the log)"

    def _wait_s(self) -> float:
        """How long the loop may wait for a message: a tick, or less when the closing settle ends
        sooner (then the session is frozen at once, not at the next tick)."""
        settle_left = self._close_not_before - self.clock()
        if self._closing_reason is not None and settle_left > 0:
            return min(TICK_S, max(0.01, settle_left))
        return TICK_S

    def _handle(self, message: _Message) -> None:
        if isinstance(message, _Saved):
            self._on_saved(
                message.saved.question_id, message.saved.path, "watch", message.saved.last_event_at
            )
        elif isinstance(message, _FromPool):
            self._on_pool_event(message.event)
        elif isinstance(message, _SubmitAndTest):
            self._on_submit_and_test(message.question_id)
        elif isinstance(message, _Submit):
            self._begin_closing("submitted", message.at)
        elif isinstance(message, _RunChanged):
            run = message.run
            if run.state == "running":
                self._emit(events.RunStarted(**self._stamp(), run=run))
            else:
                self._emit(events.RunEnded(**self._stamp(), run=run))
        elif isinstance(message, _DataDone):
            self._on_data_done(message.prepared)
        elif isinstance(message, _Detach):
            self.stop_reason = "detached"
            self._emit(
                events.EngineDetached(
                    **self._stamp(), remaining_s=self.session.deadline - self.clock()
                )
            )
            self._finished.set()

    def _on_data_done(self, prepared: Prepared) -> None:
        if prepared.error is not None:
            self._emit(
                events.QuestionDataFailed(
                    **self._stamp(), question_id=prepared.question_id, message=prepared.error
                )
            )
            return
        self._data_pending = tuple(q for q in self._data_pending if q != prepared.question_id)
        total = len(self.exam.questions)
        self._emit(
            events.QuestionReady(
                **self._stamp(), question_id=prepared.question_id, seconds=prepared.seconds,
                ready=total - len(self._data_pending), total=total,
            )
        )  # fmt: skip

    def _tick(self) -> None:
        now = self.clock()
        if time.monotonic() - self._last_system_sample >= SYSTEM_SAMPLE_S:
            self._last_system_sample = time.monotonic()
            self._sample_system(now)
        if now - self._last_heartbeat >= HEARTBEAT_S:
            self._last_heartbeat = now
            self.store.heartbeat(self.session.id, os.getpid(), now)
        if self._closing_reason is None:
            # The deadline first: a submit that arrives after it changes nothing.
            self._warn_if_due(now)
            if now >= self.session.deadline:
                self._begin_closing("auto-submitted", self.session.deadline)
        if (
            self._closing_reason is None
            and time.monotonic() - self._last_submit_poll >= SUBMIT_POLL_S
        ):
            # `tfexam submit` in another terminal only writes to the store, and promises the end
            # within 2 s: a tick's wait and the settle take about 1 s.
            self._last_submit_poll = time.monotonic()
            requested = self.store.submit_requested_at(self.session.id)
            if requested is not None:
                self._begin_closing("submitted", requested)
        if self._closing_reason is not None and now >= self._close_not_before:
            busy = self._pending_attempts() or self.watcher.pending_count()
            if not busy or now >= self._close_by:
                self._finalize()

    def _warn_if_due(self, now: float) -> None:
        remaining = self.session.deadline - now
        length = self.session.deadline - self.session.started_at
        # A 1-hour session does not start with "60 minutes left": only marks inside it count.
        crossed = [
            m
            for m in WARNING_MINUTES
            if m * 60 < length and remaining <= m * 60 and m not in self._warned
        ]
        if not crossed or remaining <= 0:
            return
        self._warned.update(crossed)
        self._emit(
            events.TimeWarning(**self._stamp(), minutes_left=min(crossed), remaining_s=remaining)
        )

    # Recovery and saves -------------------------------------------------------------------------

    def _recover(self) -> None:
        """After a crash or detach: re-queue unfinished attempts, then look for unseen saves."""
        for attempt in self.store.attempts(self.session.id):
            if attempt.state in PENDING_ATTEMPT_STATES:
                if attempt.state == "grading":
                    attempt = self.store.mark_requeued(attempt.id)
                self._enqueue(attempt, recovered=True)
        if self.session.deadline <= self.clock():
            # Before the scan: files saved after the deadline must be recorded as such.
            self._begin_closing("auto-submitted", self.session.deadline)
        for question_id, path in self.watcher.existing_models():
            if not check_model_file(path).complete:
                self.watcher.watch_until_complete(path)  # maybe a save under way: never a failure
                continue
            self._on_saved(question_id, path, "scan", min(saved_time(path), self.clock()))

    def _on_submit_and_test(self, question_id: str) -> None:
        question = self.exam.questions_by_id[question_id]
        folder = self.session.workspace / question.workspace_folder
        present = [
            folder / name
            for name in (*question.model_files, *question.savedmodel_dirs)
            if os.path.lexists(folder / name)  # a dangling link or a FIFO gets its answer too
        ]
        if not present:
            reason = Reason(
                "no-model-file",
                f"no model to submit: save {question.model_files[0]} in "
                f"{question.workspace_folder}/ first",
            )
            self._emit(
                events.SubmitAndTestFailed(**self._stamp(), question_id=question_id, reason=reason)
            )
            return
        newest = max(present, key=saved_time)
        self._on_saved(question_id, newest, "submit", self.clock(), force=True)

    def _on_saved(
        self, question_id: str, path: Path, origin: Origin, saved_at: float, *, force: bool = False
    ) -> None:
        if self._finished.is_set() or not os.path.lexists(path):
            return
        taken = take_in(
            question_id, path, origin, saved_at, self.clock(), shown=self._shown(path),
            blobs_dir=self.paths.blobs_dir(self.session.id),
            max_model_mb=self.settings.max_model_mb,
            recorded=lambda sha256: self._same_content(question_id, sha256), force=force,
        )  # fmt: skip
        if isinstance(taken, TakenIn) and origin == "watch" and self.watcher.rewriting(path):
            return  # written again while it was copied: the watcher reports the newer save
        if isinstance(taken, TakenIn):
            self._decide(taken)
        elif isinstance(taken, SeenBefore):
            if origin != "scan":  # a scan after a restart: recorded before, nothing new to say
                self._emit(
                    events.ModelUnchanged(**self._stamp(), path=path, previous=taken.previous)
                )
        elif isinstance(taken, CaughtMidSave):
            self.watcher.watch_until_complete(path)  # the newer save of the burst is the one

    def _decide(self, taken: TakenIn) -> None:
        """What a new saved file becomes: the one place that decides it, records it, announces it.

        Saved after the exam closed: rejected (recorded, never graded), whatever the file is.
        Otherwise a file that cannot be graded is not gradable, with its reason. Otherwise it is
        queued for grading, and an older save of the question still waiting in the queue is
        superseded by it.
        """
        source = find_source(
            self.store, self.session.id, taken.question_id, taken.path, taken.saved_at, RUN_GRACE_S
        )
        if self._closing_reason is not None and taken.saved_at > self._cutoff:
            attempt = self._record(taken, source, "rejected-after-deadline", AFTER_DEADLINE)
            self._emit(events.AttemptRejected(**self._stamp(), attempt=attempt))
        elif taken.problem is not None:
            attempt = self._record(taken, source, "not-gradable", taken.problem)
            self._emit(
                events.AttemptNotGradable(**self._stamp(), attempt=attempt, reason=taken.problem)
            )
        else:
            self._supersede_queued(taken.question_id, taken.detected_at)
            attempt = self._record(taken, source, "queued", None)
            self._emit(events.ModelDetected(**self._stamp(), attempt=attempt, path=taken.path))
            self._enqueue(attempt, recovered=False)

    def _record(
        self, taken: TakenIn, source: Source, state: AttemptState, reason: Reason | None
    ) -> AttemptRecord:
        """Write the attempt: a queued one waits for grading, any other is settled on arrival."""
        queued = state == "queued"
        return self.store.add_attempt(
            session_id=self.session.id, question_id=taken.question_id,
            source_path=str(taken.path), blob=taken.blob, sha256=taken.sha256, size=taken.size,
            origin=taken.origin, saved_at=taken.saved_at, detected_at=taken.detected_at,
            state=state, queued_at=taken.detected_at if queued else None,
            finished_at=None if queued else taken.detected_at,
            message=None if reason is None else reason.text,
            reason_code=None if reason is None else reason.code,
            source=source.kind, run_id=source.run_id,
            checks=refused(reason) if state == "not-gradable" and reason is not None else None,
        )  # fmt: skip

    def _supersede_queued(self, question_id: str, at: float) -> None:
        """Withdraw the question's saves still waiting for a worker: a newer one takes their place."""
        for older in self.store.attempts(self.session.id, question_id):
            if older.state == "queued" and self._withdraw(older.id):
                superseded = self.store.finish_attempt(
                    older.id, state="superseded", finished_at=at,
                    message="a newer save of this question arrived before grading started",
                )  # fmt: skip
                self._emit(events.AttemptSuperseded(**self._stamp(), attempt=superseded))

    def _shown(self, path: Path) -> str:
        """The path as the candidate knows it, for reasons: relative to the workspace."""
        try:
            return str(path.relative_to(self.session.workspace))
        except ValueError:
            return str(path)

    def _withdraw(self, attempt_id: int) -> bool:
        """Take an attempt's job back from the pool if no worker started it yet."""
        for job_id, owner in list(self._jobs.items()):
            if owner == attempt_id and self.pool.withdraw(job_id):
                del self._jobs[job_id]
                return True
        return False

    def _same_content(self, question_id: str, sha256: str) -> AttemptRecord | None:
        for attempt in reversed(self.store.attempts(self.session.id, question_id)):
            if attempt.sha256 == sha256 and attempt.state in (
                "queued",
                "grading",
                "graded",
                "not-gradable",
            ):
                return attempt
        return None

    def _enqueue(self, attempt: AttemptRecord, *, recovered: bool) -> None:
        blob = self.paths.blobs_dir(self.session.id) / (attempt.blob or "")
        if not attempt.blob or not blob.exists():
            self._finish(
                attempt.id,
                GradingResult.not_gradable(
                    attempt.id, Reason("copy-missing", "the stored copy of this file is missing")
                ),
            )
            return
        job_id = next(_job_ids)
        self._jobs[job_id] = attempt.id
        self.pool.submit(
            GradingJob(job_id, str(blob), str(self.exam.root), attempt.question_id, self.seed)
        )
        if recovered:
            self._emit(events.AttemptRequeued(**self._stamp(), attempt=attempt))

    # Grading results ----------------------------------------------------------------------------

    def _on_pool_event(self, event: PoolEvent) -> None:
        if isinstance(event, JobStarted):
            attempt_id = self._jobs.get(event.job_id)
            if attempt_id is not None:
                attempt = self.store.mark_grading(attempt_id, event.at)
                self._emit(events.GradingStarted(**self._stamp(), attempt=attempt))
        elif isinstance(event, JobFinished):
            attempt_id = self._jobs.pop(event.result.job_id, None)
            if attempt_id is not None:
                self._finish(attempt_id, event.result)
        elif isinstance(event, JobRequeued):
            # The worker died, not by the model's doing: a fresh worker grades it again.
            attempt_id = self._jobs.get(event.job_id)
            if attempt_id is not None:
                attempt = self.store.mark_requeued(attempt_id)
                reason = Reason(
                    "worker-crashed", f"{event.reason}; grading it again in a fresh process"
                )
                self._emit(events.AttemptRequeued(**self._stamp(), attempt=attempt, reason=reason))
        elif isinstance(event, grading_pool.WorkerReady):
            self._emit(events.WorkerReady(**self._stamp(), pid=event.pid, warm_s=event.warm_s))
        elif isinstance(event, grading_pool.WorkerExited):
            self._emit(events.WorkerExited(**self._stamp(), pid=event.pid, reason=event.reason))

    def _finish(self, attempt_id: int, result: GradingResult) -> None:
        current = self.store.get_attempt(attempt_id)
        if current.state not in PENDING_ATTEMPT_STATES:
            return  # already settled (superseded or closed) while the job ran
        attempt = self.store.finish_attempt(
            attempt_id,
            state=result.state,
            finished_at=self.clock(),
            score=result.score,
            metric_name=result.metric_name,
            metric_value=result.metric_value,
            message=self._in_candidates_words(current, result.message),
            timings=result.timings,
            reason_code=result.reason_code,
            views=result.views,
            checks=None
            if result.checks is None
            else tuple(
                replace(c, detail=self._in_candidates_words(current, c.detail) or c.detail)
                for c in result.checks
            ),
        )
        if result.state == "graded":
            question = self.result().questions[self._question_index(attempt.question_id)]
            self._emit(
                events.AttemptGraded(
                    **self._stamp(), attempt=attempt, question_score=question.score
                )
            )
        else:
            reason = result.reason or Reason("unknown", attempt.message or "")
            self._emit(events.AttemptNotGradable(**self._stamp(), attempt=attempt, reason=reason))

    def _in_candidates_words(self, attempt: AttemptRecord, message: str | None) -> str | None:
        """The worker graded the session's copy: its reasons name the candidate's path instead."""
        if not message or not attempt.blob:
            return message
        blob = self.paths.blobs_dir(self.session.id) / attempt.blob
        shown = self._shown(Path(attempt.source_path))
        return message.replace(str(blob), shown).replace(attempt.blob, shown)

    def _question_index(self, question_id: str) -> int:
        return [q.id for q in self.exam.questions].index(question_id)

    def _pending_attempts(self) -> int:
        return sum(
            1 for a in self.store.attempts(self.session.id) if a.state in PENDING_ATTEMPT_STATES
        )

    # Closing ------------------------------------------------------------------------------------

    def _begin_closing(self, reason: events.EndReason, cutoff: float) -> None:
        if self._closing_reason is not None:
            return
        now = self.clock()
        self._closing_reason = reason
        self._cutoff = min(cutoff, self.session.deadline)
        self._close_not_before = now + CLOSING_SETTLE_S
        self._close_by = now + self.settings.grading_limit_s()
        pending = self._pending_attempts()
        if reason == "auto-submitted":
            self._emit(events.DeadlineReached(**self._stamp(), pending=pending))
        else:
            self._emit(events.SubmitRequested(**self._stamp(), pending=pending))

    def _finalize(self) -> None:
        now = self.clock()
        for attempt in self.store.attempts(self.session.id):
            if attempt.state in PENDING_ATTEMPT_STATES:
                self._withdraw(attempt.id)
                self._finish(
                    attempt.id,
                    GradingResult.not_gradable(
                        attempt.id,
                        Reason("exam-closed", "grading did not finish before the exam closed"),
                    ),
                )
        reason: events.EndReason = self._closing_reason or "submitted"
        for view in self.runs.views():
            if view.record.state == "running":
                self.runs.stop(view.record.id)  # the exam is over, as when the real one closed
        # An auto-submitted exam ended at its deadline, even when this engine froze it later (the
        # grace for gradings under way, or a first command hours after an abandoned session).
        ended_at = min(now, self.session.deadline) if reason == "auto-submitted" else now
        self.session = self.store.finish_session(self.session.id, ended_at, reason)
        self._emit(events.SessionSubmitted(**self._stamp(), reason=reason, result=self.result()))
        try:
            revealed = reveal_solutions(self.exam, self.session.workspace)
            self._emit(events.SolutionsRevealed(**self._stamp(), files=tuple(revealed)))
        except OSError:
            log.exception("could not copy the reference solutions into the workspace")
        self.stop_reason = reason
        self._finished.set()

    def _sample_system(self, now: float) -> None:
        resources = measure(self.runs.running())
        self.store.add_system_sample(
            SystemSample(
                self.session.id, now, resources.cpu_percent, resources.memory_used_mb,
                resources.memory_total_mb, resources.runs,
            )
        )  # fmt: skip

    def _stamp(self) -> _Stamp:
        return {"at": self.clock(), "session_id": self.session.id}

    def _emit(self, event: events.SessionEvent) -> None:
        """Log the event in the store, then hand it to every subscriber (on this thread)."""
        self._log_event(event)
        self._announce(event)

    def _log_event(self, event: events.SessionEvent) -> None:
        self.store.add_event(self.session.id, event.at, event.KIND, event.payload())

    def _announce(self, event: events.SessionEvent) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("subscriber failed on %s", event.KIND)


def not_ready_text(exam: Exam, pending: tuple[str, ...], question_id: str) -> str:
    """Why a question's starter cannot run yet, and how long that is likely to be."""
    question = exam.questions_by_id[question_id]
    ahead = pending.index(question_id) if question_id in pending else 0
    when = "it is being written now" if ahead == 0 else f"{ahead} question(s) before it"
    return (
        f"{question.workspace_folder}/ is not ready yet: its data is still being generated "
        f"({when}); try again in a few seconds"
    )
