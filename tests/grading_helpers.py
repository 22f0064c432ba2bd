"""A synchronous front for a real grading pool: submit a file, wait for its result."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

from simulator.grading.pool import GradingPool, JobFinished, PoolEvent
from simulator.grading.protocol import GradingJob, GradingResult
from simulator.grading.settings import GradingSettings


class SyncGrader:
    def __init__(self, settings: GradingSettings, log_dir: Path) -> None:
        self._results: dict[int, GradingResult] = {}
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self.events: list[PoolEvent] = []
        self.pool = GradingPool(settings, log_dir, self._listen)
        self.pool.start()
        assert self.pool.wait_ready(120), "grading worker did not start"

    def _listen(self, event: PoolEvent) -> None:
        with self._cond:
            self.events.append(event)
            if isinstance(event, JobFinished):
                self._results[event.result.job_id] = event.result
                self._cond.notify_all()

    def grade(
        self, model: Path, exam_root: Path, question_id: str, seed: int = 1, timeout: float = 120
    ) -> GradingResult:
        job_id = next(self._ids)
        self.pool.submit(GradingJob(job_id, str(model), str(exam_root), question_id, seed))
        with self._cond:
            assert self._cond.wait_for(lambda: job_id in self._results, timeout), (
                "no grading result"
            )
            return self._results[job_id]

    def close(self) -> None:
        self.pool.close()
