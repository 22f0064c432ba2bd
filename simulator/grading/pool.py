"""The grading pool: warm worker processes, one job each at a time, with a timeout and a memory cap.

No TensorFlow here. Each slot owns one worker process (``python -m simulator.grading.worker``,
a plain subprocess: never a fork, never sharing the terminal) and a thread that feeds it jobs,
watches its clock and its memory with psutil, kills it when a job runs over, and starts a fresh
one after a crash or after ``max_jobs_per_worker`` jobs. Every job ends in exactly one
:class:`JobFinished` event, whatever happens to the process.
"""

from __future__ import annotations

import contextlib
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
from simulator.grading.protocol import GradingJob, GradingResult, parse_line
from simulator.grading.reasons import Reason
from simulator.grading.settings import GradingSettings

log = logging.getLogger("tfexam.pool")

_POLL_S = 0.05
_START_FAILURES_BEFORE_GIVING_UP = 3


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


PoolEvent = WorkerReady | WorkerExited | JobStarted | JobFinished
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

    def _next_job(self) -> GradingJob | None:
        with self._cond:
            while not self._jobs and not self._closing:
                self._cond.wait()
            return None if self._closing else self._jobs.popleft()

    def _serve(self, slot: int, worker: _Worker) -> Reason:
        """Feed jobs to one worker until it must be recycled; return why it stopped."""
        jobs_done = 0
        while jobs_done < self.settings.max_jobs_per_worker:
            job = self._next_job()
            if job is None:
                worker.stop()
                return Reason("pool-closed", "pool closed")
            self._set_status(slot, worker.process.pid, "busy", jobs_done)
            self._emit(JobStarted(job.job_id, worker.process.pid, time.time()))
            result, alive = self._run_job(worker, job)
            jobs_done += 1
            self._set_status(slot, worker.process.pid, "idle", jobs_done)
            self._emit(JobFinished(result))
            if not alive:
                return result.reason or Reason("worker-crashed", "worker stopped")
        worker.stop()
        return Reason("worker-recycled", f"recycled after {jobs_done} jobs")

    def _run_job(self, worker: _Worker, job: GradingJob) -> tuple[GradingResult, bool]:
        """Run one job; returns the result and whether the worker is still usable."""
        started = time.monotonic()
        limit_mb = self.settings.memory_limit_mb
        peak_mb = 0.0
        if not worker.send(job.to_line()):
            worker.kill()
            return self._failed(
                job,
                started,
                Reason("worker-crashed", "the grading process died before the job started"),
            ), False
        while True:
            try:
                message = worker.messages.get(timeout=_POLL_S)
            except queue.Empty:
                message = {}
            elapsed = time.monotonic() - started
            if message is None:
                code = worker.process.wait()
                how = (
                    "was killed (out of memory?)"
                    if code == -signal.SIGKILL
                    else f"crashed (exit code {code})"
                )
                return self._failed(
                    job,
                    started,
                    Reason("worker-crashed", f"the grading process {how} while grading this model"),
                ), False
            rss = worker.rss_mb()
            peak_mb = max(peak_mb, rss)
            if message.get("type") == "result" and message.get("job_id") == job.job_id:
                result = GradingResult.from_message(message)
                return result.with_timing(run_s=elapsed, peak_rss_mb=peak_mb), True
            if rss > limit_mb:
                worker.kill()
                return self._failed(
                    job,
                    started,
                    Reason(
                        "memory-limit",
                        f"grading needed more than the {limit_mb} MB memory limit (the model is too large)",
                    ),
                ), False
            if elapsed > self.settings.timeout_s:
                worker.kill()
                return self._failed(
                    job,
                    started,
                    Reason(
                        "timeout",
                        f"grading took longer than the {self.settings.timeout_s:g} s limit (the model is too slow or hangs)",
                    ),
                ), False

    @staticmethod
    def _failed(job: GradingJob, started: float, reason: Reason) -> GradingResult:
        log.warning("job %s: %s", job.job_id, reason.text)
        return GradingResult.not_gradable(
            job.job_id, reason, timings={"run_s": time.monotonic() - started}
        )
