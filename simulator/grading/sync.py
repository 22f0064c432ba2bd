"""A synchronous front for the grading pool: submit a file, wait for its result.

For one-off grading (``tfexam grade``), calibration and tests, which want an answer rather than a
stream of events; the workers are the same warm subprocesses the engine uses.
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from types import TracebackType

from simulator.grading.checks import refused
from simulator.grading.filecheck import refusal_reason
from simulator.grading.pool import GradingPool, JobFinished, PoolEvent
from simulator.grading.protocol import GradingJob, GradingResult
from simulator.grading.settings import GRADING_SLACK_S, GradingSettings


class GradingError(RuntimeError):
    """Grading could not produce a result at all (the worker never answered)."""


class SyncGrader:
    """Grades files one at a time in a warm pool; use as a context manager."""

    def __init__(self, settings: GradingSettings, log_dir: Path) -> None:
        self.settings = settings
        self.log_dir = log_dir
        self.events: list[PoolEvent] = []
        self._results: dict[int, GradingResult] = {}
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self.pool = GradingPool(settings, log_dir, self._listen)
        self.pool.start()

    def _listen(self, event: PoolEvent) -> None:
        with self._cond:
            self.events.append(event)
            if isinstance(event, JobFinished):
                self._results[event.result.job_id] = event.result
                self._cond.notify_all()

    def grade(self, model: Path, exam_root: Path, question_id: str, seed: int) -> GradingResult:
        job_id = next(self._ids)
        self.pool.submit(GradingJob(job_id, str(model), str(exam_root), question_id, seed))
        limit = self.settings.startup_timeout_s + self.settings.grading_limit_s() + GRADING_SLACK_S
        with self._cond:
            if not self._cond.wait_for(lambda: job_id in self._results, limit):
                raise GradingError(f"grading did not finish; see the grader log in {self.log_dir}")
            return self._results.pop(job_id)

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> SyncGrader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def grade_file(
    model: Path,
    exam_root: Path,
    question_id: str,
    seed: int,
    settings: GradingSettings,
    log_dir: Path,
) -> GradingResult:
    """Grade one file once, outside any session (``tfexam grade``), by a session's rule: odd
    entries and files over the size limit are answered from metadata, before any worker starts."""
    refusal = refusal_reason(model, str(model), settings.max_model_mb)
    if refusal is not None:
        return GradingResult.not_gradable(0, refusal, checks=refused(refusal))
    with SyncGrader(settings, log_dir) as grader:
        return grader.grade(model.resolve(), exam_root, question_id, seed)
