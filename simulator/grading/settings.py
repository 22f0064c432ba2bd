"""Settings of the grading pool, with defaults chosen so the candidate's own training keeps the machine.

They live in a frozen dataclass that is stored with each session, so a resumed session grades
exactly as it started.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from typing import Any

import psutil

#: Time beyond a job's own limit by which its result is surely in: the pool's poll, the kill of a
#: job past its limit and the recording of the result. Whoever waits on grading adds it once per
#: hand-over it waits through (the engine's closing: once; a command waiting for that engine:
#: twice).
GRADING_SLACK_S = 15.0


#: The lowest ``--memory-limit`` (MB). The limit counts the resident memory (RSS) of the whole
#: grading process: TensorFlow itself (about 600 MB once warm), the question's hidden test data
#: (450 float32 pictures of 150x150 are 120 MB, kept for the next job) and the model's
#: predictions. Measured peaks for the shipped category-3 references (their architectures,
#: near-chance weights, which also compute the preprocessing hint): 1500 MB (practice) and
#: 1450 MB (practice-2); the minimum leaves a third more than that.
MIN_MEMORY_LIMIT_MB = 2048


def _default_memory_limit_mb() -> int:
    """4 GiB, or half the machine's memory on a smaller one (but never under the minimum)."""
    total_mb = psutil.virtual_memory().total // (1024 * 1024)
    return int(max(MIN_MEMORY_LIMIT_MB, min(4096, total_mb // 2)))


@dataclass(frozen=True)
class GradingSettings:
    """How grading workers run.

    - ``workers``: grading processes (the real exam graded one submission at a time).
    - ``timeout_s`` / ``memory_limit_mb``: per job; a job past either is killed and reported.
      The memory counted is the grading process's whole RSS, TensorFlow included
      (:data:`MIN_MEMORY_LIMIT_MB`).
    - ``max_jobs_per_worker``: recycle a worker after this many jobs, because repeated model
      loads keep growing a TF process's memory (measured: 1.36 GB after 5 loads of a 9.5M CNN).
    - ``idle_class``: on Linux, run workers in the idle scheduling class (SCHED_IDLE), which
      gets the CPU only when the candidate's processes leave it; elsewhere (or if refused) ``nice``
      is added to the workers' niceness instead.
    - ``intra_threads`` / ``inter_threads``: TensorFlow thread pools of each worker.
    - ``startup_timeout_s``: how long a worker may take to import TensorFlow and warm up.
    - ``max_model_mb``: a model file (or SavedModel folder) larger than this is not gradable and
      is not copied. Exam models are a few MB (the largest reference, a CNN, under 40 MB); a
      file of gigabytes is a sparse or wrong file that would only fill the disk.
    """

    workers: int = 1
    timeout_s: float = 120.0
    memory_limit_mb: int = 4096
    max_jobs_per_worker: int = 20
    nice: int = 10
    idle_class: bool = True
    intra_threads: int = 2
    inter_threads: int = 1
    startup_timeout_s: float = 90.0
    max_model_mb: int = 2000

    @classmethod
    def defaults(cls) -> GradingSettings:
        cores = os.cpu_count() or 2
        return cls(memory_limit_mb=_default_memory_limit_mb(), intra_threads=max(1, min(2, cores)))

    def grading_limit_s(self) -> float:
        """How long after a job starts its result is surely in, even when it had to be killed."""
        return self.timeout_s + GRADING_SLACK_S

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> GradingSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})
