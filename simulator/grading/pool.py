"""The grading pool: warm worker processes, one job each at a time, with a timeout and a memory cap.

No TensorFlow here. Each slot owns one worker process (``python -m simulator.grading.worker``,
a plain subprocess: never a fork, never sharing the terminal) and a thread that feeds it jobs,
watches its clock and its memory with psutil, kills it when a job runs over, and starts a fresh
one after a crash or after ``max_jobs_per_worker`` jobs. Every job ends in exactly one
:class:`JobFinished` event, whatever happens to the process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import psutil

import simulator
from simulator.grading.protocol import JOB_SCRATCH_KIND, GradingJob, GradingResult, parse_line
from simulator.grading.reasons import Reason
from simulator.grading.settings import GradingSettings
from simulator.scratch import remove_stale_scratch

log = logging.getLogger("tfexam.pool")

_POLL_S = 0.05
_START_FAILURES_BEFORE_GIVING_UP = 3
#: A job whose worker died while grading it, not by the pool's own limits, is graded again once
#: by a fresh worker: the second death is the model's.
_RETRIES_AFTER_A_DEATH = 1
#: A job whose worker was already dead when it was handed over never ran; it goes back this many
#: times at most (more would mean workers that cannot live, which the start-up checks catch).
_RETRIES_BEFORE_IT_STARTED = 3
#: How often an idle slot checks that its worker is still alive (an OOM kill of an idle worker).
_IDLE_CHECK_S = 0.5


@dataclass(frozen=True)
class WorkerReady:
    slot: int
    pid: int
    warm_s: float


@dataclass(frozen=True)
class WorkerExited:
    slot: int
    pid: int
    reason: Reason


@dataclass(frozen=True)
class JobStarted:
    job_id: int
    pid: int
    at: float


@dataclass(frozen=True)
class JobFinished:
    result: GradingResult


@dataclass(frozen=True)
class JobRequeued:
    """A job went back to the queue because its worker died, not by the model's doing."""

    job_id: int
    reason: str


PoolEvent = WorkerReady | WorkerExited | JobStarted | JobFinished | JobRequeued
#: Whose doing a job's end was: the model's (a result, or one of the pool's own limits), a death
#: of the worker while it graded, or a worker found dead before the job reached it.
_Fault = Literal["model", "died", "unstarted"]
WorkerState = Literal["starting", "idle", "busy", "stopped"]


@dataclass(frozen=True)
class WorkerStatus:
    slot: int
    pid: int | None
    state: WorkerState
    jobs_done: int


class _Worker:
    """One running worker process and the thread that reads its protocol channel."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.reader = threading.Thread(
            target=self._read, name=f"grader-{process.pid}-reader", daemon=True
        )
        self.reader.start()
        self.psutil_process = psutil.Process(process.pid)

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        for line in stdout:
            message = parse_line(line)
            if message is not None:
                self.messages.put(message)
        self.messages.put(None)

    def send(self, line: str) -> bool:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(line)
            stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return False
        return True

    def rss_mb(self) -> float:
        try:
            return self.psutil_process.memory_info().rss / (1024 * 1024)
        except psutil.Error:
            return 0.0

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()

    def stop(self, timeout: float = 5.0) -> None:
        self.send('{"type": "stop"}\n')
        with contextlib.suppress(OSError):
            if self.process.stdin:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


class GradingPool:
    """Grades jobs in warm worker processes; results arrive through ``listener`` (any thread)."""

    def __init__(
        self, settings: GradingSettings, log_dir: Path, listener: Callable[[PoolEvent], None]
    ) -> None:
        self.settings = settings
        self.log_dir = log_dir
        self._listener = listener
        self._jobs: deque[GradingJob] = deque()
        self._cond = threading.Condition()
        self._closing = False
        self._broken: Reason | None = None
        self._threads: list[threading.Thread] = []
        self._status: dict[int, WorkerStatus] = {}
        self._workers: dict[int, _Worker] = {}
        #: Per job id, how often it went back to the queue, by cause.
        self._retries: dict[tuple[int, _Fault], int] = {}

    # Public API ---------------------------------------------------------------------------------

    def set_listener(self, listener: Callable[[PoolEvent], None]) -> None:
        """Send events to ``listener`` from now on (an engine adopting a pool started earlier)."""
        self._listener = listener

    def start(self) -> None:
        """Start every worker now, so they are warm before the first model arrives."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for slot in range(self.settings.workers):
            self._set_status(slot, None, "starting", 0)
            thread = threading.Thread(
                target=self._run_slot, args=(slot,), name=f"grader-slot-{slot}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def submit(self, job: GradingJob) -> None:
        with self._cond:
            broken = self._broken
            if broken is None:
                self._jobs.append(job)
                self._cond.notify()
        if broken is not None:
            self._emit(JobFinished(GradingResult.not_gradable(job.job_id, broken)))

    def withdraw(self, job_id: int) -> bool:
        """Take a job back if no worker has started it yet; True if it was withdrawn."""
        with self._cond:
            for job in self._jobs:
                if job.job_id == job_id:
                    self._jobs.remove(job)
                    return True
        return False

    def pending(self) -> int:
        with self._cond:
            return len(self._jobs)

    def status(self) -> list[WorkerStatus]:
        with self._cond:
            return [self._status[slot] for slot in sorted(self._status)]

    def wait_ready(self, timeout: float) -> bool:
        """Block until every slot has a warm worker (used by benchmarks and tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            slots = self.status()
            if slots and all(s.state in ("idle", "busy") for s in slots):
                return True
            time.sleep(_POLL_S)
        return False

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            workers = list(self._workers.values())
        for worker in workers:
            worker.stop(timeout=2.0)
        for thread in self._threads:
            thread.join(timeout=10.0)
        # A worker killed in the middle of a job could not remove its scratch folder.
        remove_stale_scratch(JOB_SCRATCH_KIND)

    # Slot threads -------------------------------------------------------------------------------

    def _emit(self, event: PoolEvent) -> None:
        try:
            self._listener(event)
        except Exception:
            log.exception("pool listener failed on %s", event)

    def _set_status(self, slot: int, pid: int | None, state: WorkerState, jobs_done: int) -> None:
        with self._cond:
            self._status[slot] = WorkerStatus(slot, pid, state, jobs_done)

    def _run_slot(self, slot: int) -> None:
        failures = 0
        while not self._closing:
            worker = self._spawn(slot)
            if worker is None:
                failures += 1
                if failures >= _START_FAILURES_BEFORE_GIVING_UP:
                    self._give_up(slot)
                    return
                time.sleep(min(5.0, 0.5 * failures))
                continue
            failures = 0
            reason = self._serve(slot, worker)
            self._emit(WorkerExited(slot, worker.process.pid, reason))
            with self._cond:
                self._workers.pop(slot, None)
        self._set_status(slot, None, "stopped", 0)

    def _spawn(self, slot: int) -> _Worker | None:
        log_path = self.log_dir / f"grader-{slot}.log"
        package_root = str(Path(simulator.__file__).resolve().parent.parent)
        env = dict(os.environ)
        env.update(
            {
                "CUDA_VISIBLE_DEVICES": "",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "TF_ENABLE_ONEDNN_OPTS": "0",
                "TF_NUM_INTRAOP_THREADS": str(self.settings.intra_threads),
                "TF_NUM_INTEROP_THREADS": str(self.settings.inter_threads),
                "OMP_NUM_THREADS": str(self.settings.intra_threads),
                "TFEXAM_WORKER_NICE": str(self.settings.nice),
                "TFEXAM_WORKER_IDLE_CLASS": "1" if self.settings.idle_class else "0",
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": os.pathsep.join(
                    p for p in (package_root, env.get("PYTHONPATH")) if p
                ),
            }
        )
        with log_path.open("ab") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "simulator.grading.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                cwd=self.log_dir,
                env=env,
                text=True,
                encoding="utf-8",
                bufsize=1,
                start_new_session=True,
            )
        worker = _Worker(process)
        with self._cond:
            self._workers[slot] = worker
        self._set_status(slot, process.pid, "starting", 0)
        deadline = time.monotonic() + self.settings.startup_timeout_s
        while time.monotonic() < deadline and not self._closing:
            try:
                message = worker.messages.get(timeout=_POLL_S * 4)
            except queue.Empty:
                continue
            if message is None:
                break
            if message.get("type") == "ready":
                self._set_status(slot, process.pid, "idle", 0)
                self._emit(WorkerReady(slot, process.pid, float(message.get("warm_s", 0.0))))
                return worker
        worker.kill()
        with self._cond:
            self._workers.pop(slot, None)
        if not self._closing:
            reason = Reason(
                "worker-unavailable", f"grading worker failed to start (see {log_path})"
            )
            log.error(reason.text)
            self._emit(WorkerExited(slot, process.pid, reason))
        return None

    def _give_up(self, slot: int) -> None:
        reason = Reason(
            "worker-unavailable",
            f"the grading worker could not start (see {self.log_dir / f'grader-{slot}.log'})",
        )
        with self._cond:
            self._broken = reason
            jobs = list(self._jobs)
            self._jobs.clear()
        self._set_status(slot, None, "stopped", 0)
        for job in jobs:
            self._emit(JobFinished(GradingResult.not_gradable(job.job_id, reason)))

    def _next_job(self, worker: _Worker) -> GradingJob | Literal["closed", "worker-died"]:
        """The next job; while waiting, a worker that dies idle (an OOM kill) is noticed at once,
        so the next job goes to a fresh worker instead of to a dead one."""
        with self._cond:
            while not self._jobs and not self._closing:
                if worker.process.poll() is not None:
                    return "worker-died"
                self._cond.wait(timeout=_IDLE_CHECK_S)
            return "closed" if self._closing else self._jobs.popleft()

    def _serve(self, slot: int, worker: _Worker) -> Reason:
        """Feed jobs to one worker until it must be recycled; return why it stopped."""
        jobs_done = 0
        while jobs_done < self.settings.max_jobs_per_worker:
            job = self._next_job(worker)
            if job == "closed":
                worker.stop()
                return Reason("pool-closed", "pool closed")
            if job == "worker-died":
                code = worker.process.wait()
                return Reason(
                    "worker-crashed", f"the idle grading process exited ({_exit_words(code)})"
                )
            self._set_status(slot, worker.process.pid, "busy", jobs_done)
            self._emit(JobStarted(job.job_id, worker.process.pid, time.time()))
            result, alive, fault = self._run_job(worker, job)
            jobs_done += 1
            self._set_status(slot, worker.process.pid, "idle", jobs_done)
            if fault != "model" and self._requeue(job, fault):
                self._emit(JobRequeued(job.job_id, result.message or "the grading process died"))
            else:
                self._emit(JobFinished(self._final(result, job, fault)))
            if not alive:
                return result.reason or Reason("worker-crashed", "worker stopped")
        worker.stop()
        return Reason("worker-recycled", f"recycled after {jobs_done} jobs")

    def _requeue(self, job: GradingJob, fault: _Fault) -> bool:
        """Put the job back at the head of the queue if it has retries left for this cause."""
        allowed = _RETRIES_BEFORE_IT_STARTED if fault == "unstarted" else _RETRIES_AFTER_A_DEATH
        with self._cond:
            used = self._retries.get((job.job_id, fault), 0)
            if used >= allowed or self._closing:
                return False
            self._retries[(job.job_id, fault)] = used + 1
            self._jobs.appendleft(job)
            self._cond.notify()
        log.warning("job %s: %s; grading it again in a fresh worker", job.job_id, fault)
        return True

    def _final(self, result: GradingResult, job: GradingJob, fault: _Fault) -> GradingResult:
        """The job's last word; after a second death, say that it happened twice."""
        with self._cond:
            died_before = self._retries.pop((job.job_id, "died"), 0)
            self._retries.pop((job.job_id, "unstarted"), None)
        if fault == "died" and died_before and result.message:
            return dataclasses.replace(
                result, message=f"{result.message}, twice (the second time in a fresh one)"
            )
        return result

    def _run_job(self, worker: _Worker, job: GradingJob) -> tuple[GradingResult, bool, _Fault]:
        """Run one job; returns the result, whether the worker is still usable, and whose doing
        the end was (only a result or one of the pool's own limits is the model's)."""
        started = time.monotonic()
        limit_mb = self.settings.memory_limit_mb
        peak_mb = 0.0
        if worker.process.poll() is not None or not worker.send(job.to_line()):
            worker.kill()
            return (
                self._failed(
                    job,
                    started,
                    Reason("worker-crashed", "the grading process died before the job started"),
                ),
                False,
                "unstarted",
            )
        while True:
            try:
                message = worker.messages.get(timeout=_POLL_S)
            except queue.Empty:
                message = {}
            elapsed = time.monotonic() - started
            if message is None:
                # Not the pool's doing (its own kills return below): a signal from outside (the
                # system's OOM killer, a user) or a crash.
                code = worker.process.wait()
                return (
                    self._failed(
                        job,
                        started,
                        Reason(
                            "worker-crashed",
                            f"the grading process {_exit_words(code)} while grading this model",
                        ),
                    ),
                    False,
                    "died",
                )
            rss = worker.rss_mb()
            peak_mb = max(peak_mb, rss)
            if message.get("type") == "result" and message.get("job_id") == job.job_id:
                result = GradingResult.from_message(message)
                return result.with_timing(run_s=elapsed, peak_rss_mb=peak_mb), True, "model"
            if rss > limit_mb:
                worker.kill()
                return self._failed(
                    job,
                    started,
                    Reason(
                        "memory-limit",
                        f"grading needed more than the {limit_mb} MB memory limit (the model is too large)",
                    ),
                ), False, "model"  # fmt: skip
            if elapsed > self.settings.timeout_s:
                worker.kill()
                return self._failed(
                    job,
                    started,
                    Reason(
                        "timeout",
                        f"grading took longer than the {self.settings.timeout_s:g} s limit (the model is too slow or hangs)",
                    ),
                ), False, "model"  # fmt: skip

    @staticmethod
    def _failed(job: GradingJob, started: float, reason: Reason) -> GradingResult:
        log.warning("job %s: %s", job.job_id, reason.text)
        return GradingResult.not_gradable(
            job.job_id, reason, timings={"run_s": time.monotonic() - started}
        )


def _exit_words(code: int) -> str:
    """How a worker process ended, in words: a signal by name (SIGKILL comes from outside: the
    pool's own kills for its limits are reported as such), else the exit code."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed from outside tfexam ({name})"
    return f"crashed (exit code {code})"
