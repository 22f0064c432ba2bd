"""Messages between the grading pool and its worker processes: one JSON object per line.

A pipe of JSON lines is all the coupling there is, so a worker can be any process started with
``python -m simulator.grading.worker`` (never a fork of a process that ran TensorFlow), and a
crashed worker can only ever cost the job it was running.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal, cast

from simulator.grading.checks import Check, checks_from_list
from simulator.grading.reasons import Reason, ReasonCode
from simulator.grading.views import GradeViews

ResultState = Literal["graded", "not-gradable"]
#: The kind of a worker's scratch folder for one job (``simulator.scratch``): named with the
#: worker's pid, so that the pool removes the folder of a worker it had to kill.
JOB_SCRATCH_KIND = "grading"


@dataclass(frozen=True)
class GradingJob:
    """Grade the model at ``model_path`` for one question of the exam at ``exam_root``."""

    job_id: int
    model_path: str
    exam_root: str
    question_id: str
    seed: int

    def to_line(self) -> str:
        return json.dumps({"type": "job", **asdict(self)}) + "\n"

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> GradingJob:
        return cls(
            job_id=int(message["job_id"]),
            model_path=str(message["model_path"]),
            exam_root=str(message["exam_root"]),
            question_id=str(message["question_id"]),
            seed=int(message["seed"]),
        )


@dataclass(frozen=True)
class GradingResult:
    """What became of a job: a score, or a one-line reason why the model is not gradable.

    ``timings`` holds the worker's own stages (``load_s``, ``check_s``, ``data_s``,
    ``evaluate_s``) and the pool's (``run_s``, the whole job as the pool saw it). A not-gradable
    result carries ``reason_code`` beside its sentence in ``message``.
    ``metric_value`` is always the metric on the question's hidden test; ``views`` (graded
    results only) says which rule gave ``score`` and carries the strict view beside it;
    ``checks`` are the checks that made the score (:mod:`simulator.grading.checks`).
    """

    job_id: int
    state: ResultState
    score: int | None = None
    metric_name: str | None = None
    metric_value: float | None = None
    message: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    worker_pid: int | None = None
    views: GradeViews | None = None
    reason_code: ReasonCode | None = None
    #: The checks the worker ran, up to a failed one (None: none ran, e.g. the pool stopped the
    #: job: which stage it was in is not known).
    checks: tuple[Check, ...] | None = None

    @classmethod
    def not_gradable(
        cls,
        job_id: int,
        reason: Reason,
        timings: dict[str, float] | None = None,
        checks: tuple[Check, ...] | None = None,
    ) -> GradingResult:
        return cls(
            job_id,
            "not-gradable",
            message=reason.text,
            reason_code=reason.code,
            timings=timings or {},
            checks=checks,
        )

    @property
    def reason(self) -> Reason | None:
        """Why the model is not gradable (None once graded)."""
        if self.state == "graded":
            return None
        return Reason(self.reason_code or "unknown", self.message or "")

    def to_line(self) -> str:
        fields = asdict(self)
        fields["views"] = None if self.views is None else self.views.to_dict()
        fields["checks"] = None if self.checks is None else [c.to_dict() for c in self.checks]
        return json.dumps({"type": "result", **fields}) + "\n"

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> GradingResult:
        return cls(
            job_id=int(message["job_id"]),
            state=message["state"],
            score=message.get("score"),
            metric_name=message.get("metric_name"),
            metric_value=message.get("metric_value"),
            message=message.get("message"),
            timings={k: float(v) for k, v in (message.get("timings") or {}).items()},
            worker_pid=message.get("worker_pid"),
            reason_code=cast("ReasonCode | None", message.get("reason_code")),
            views=GradeViews.from_dict(message["views"]) if message.get("views") else None,
            checks=checks_from_list(message.get("checks")),
        )

    def with_timing(self, **extra: float) -> GradingResult:
        return replace(self, timings={**self.timings, **extra})


def ready_line(pid: int, warm_s: float) -> str:
    return json.dumps({"type": "ready", "pid": pid, "warm_s": warm_s}) + "\n"


def parse_line(line: str) -> dict[str, Any] | None:
    """Parse one protocol line; anything that is not a JSON object is ignored (stray output)."""
    try:
        message = json.loads(line)
    except json.JSONDecodeError:
        return None
    return message if isinstance(message, dict) and "type" in message else None
