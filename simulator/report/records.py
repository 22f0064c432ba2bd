"""What a session report holds: plain, JSON-ready records, and the numbers that define them.

Times are seconds since the session's start (``*_s``), so a report reads the same in any time
zone; the summary also gives absolute ISO-8601 times. The JSON form is ``dataclasses.asdict`` of
:class:`Report`, documented in docs/report.md and checked against ``schema.json`` by the tests.
The records are built by :mod:`simulator.report.build` and only read by the renderers, which
therefore need nothing but this module (no store, no session).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.grading.checks import Check

SCHEMA_VERSION = 1
#: Below this share of the whole machine's CPU, with no training running, the machine is idle.
IDLE_CPU_PERCENT = 25.0
#: A system sample stands for the seconds before it (the engine samples every 10 s).
SAMPLE_SPAN_S = 10.0


@dataclass(frozen=True)
class AttemptEntry:
    id: int
    question: str
    at_s: float
    state: str
    source: str | None
    origin: str
    run: int | None
    score: int | None
    metric: str | None
    value: float | None
    reason: str | None
    #: The reason's code (``ReasonCode``), for what to advise; None when graded or unknown.
    reason_code: str | None
    counted: bool
    grading_s: float | None
    #: Graded attempts: which rule gave ``score`` ("real-exam" or "calibrated"), the calibrated
    #: score of ``value`` (the hidden-test metric), and the grader's verdict in words (the real
    #: rule's view, the strict view with its trivial baselines, any preprocessing hint).
    scale: str | None = None
    calibrated_score: int | None = None
    verdict: str | None = None


@dataclass(frozen=True)
class Mistake:
    """Something that went wrong in the candidate's own work, found by
    :mod:`simulator.report.mistakes`: a stable ``code`` (what to advise, what a tool may count),
    the sentence a learner reads, and the evidence that shows it (a file and line with the code
    there, a run's epochs with their values, attempts with their times)."""

    code: str
    question: str
    sentence: str
    evidence: list[str]


@dataclass(frozen=True)
class QuestionEntry:
    id: str
    number: int
    title: str
    category: int
    weight: float
    folder: str
    metric: str
    lower_is_better: bool
    score: int
    points: float
    max_points: float
    best_value: float | None
    counted_attempt: int | None
    attempts: list[AttemptEntry]
    first_submission_s: float | None
    first_gradable_s: float | None
    best_s: float | None
    first_to_best_s: float | None
    not_gradable: int
    external: int
    #: After the session only: what the reference solution reaches, and where it now lies.
    reference_value: float | None
    reference_score: int | None
    reference_file: str | None
    #: Which rule gave the counted attempt's score ("real-exam", "calibrated"; None: none counted).
    scale: str | None = None
    #: What went wrong in the candidate's code, runs and attempts (empty: nothing the evidence
    #: shows).
    mistakes: list[Mistake] = field(default_factory=list)
    #: The candidate's final training script, relative to the workspace (the last run's script,
    #: else the starter), and the run whose curves ``curves`` holds (its number).
    script: str | None = None
    curves_run: int | None = None
    #: That run's figures per epoch: ``{"epoch": 1, "loss": .., "val_loss": .., "accuracy": ..}``.
    curves: list[dict[str, float]] = field(default_factory=list)
    #: After the session only: the unified diff from the candidate's script to the reference
    #: solution, the reference's explanation (Markdown) and its recorded curves (as ``curves``).
    code_diff: str | None = None
    explanation: str | None = None
    reference_curves: list[dict[str, float]] | None = None
    #: The checks that made the counted attempt's score (None: nothing counted, or it was
    #: recorded before checks existed; the JSON then has no ``checks`` key).
    checks: tuple[Check, ...] | None = None


@dataclass(frozen=True)
class EpochLoss:
    """One finished epoch of a run, as the run hook recorded it."""

    epoch: int
    loss: float | None
    val_loss: float | None


@dataclass(frozen=True)
class RunEntry:
    id: int
    question: str
    start_s: float
    end_s: float | None
    state: str
    exit_code: int | None
    epoch: int | None
    epochs: int | None
    metrics: dict[str, float]
    cpu_seconds: float
    peak_rss_mb: float
    #: The loss per epoch (and the validation loss where there was one); empty where nothing
    #: recorded them (a run without fit(), or tfexam's run hook not in its Python).
    losses: list[EpochLoss] = field(default_factory=list)
    #: Where the training ran, as the run hook saw it when fit() began: "CPU", or the GPUs
    #: ("GPU:0"); None where nothing recorded it (no fit(), or the hook not in its Python).
    device: str | None = None


@dataclass(frozen=True)
class GradingEntry:
    attempt: int
    question: str
    queued_s: float
    start_s: float | None
    end_s: float | None
    state: str
    score: int | None


@dataclass(frozen=True)
class TimelineEvent:
    at_s: float
    kind: str
    label: str


@dataclass(frozen=True)
class Sample:
    at_s: float
    cpu_percent: float
    memory_used_mb: float
    memory_total_mb: float
    runs: int


@dataclass(frozen=True)
class Parallelism:
    #: Share of the session (0-1) with 0, 1, 2 and 3 or more trainings running.
    shares: dict[str, float]
    average_cpu_percent: float | None
    #: Share with no training running and the machine's CPU under IDLE_CPU_PERCENT, of the time
    #: tfexam was open (sampling); ``unobserved_share`` is the time it was closed.
    idle_share: float
    unobserved_share: float
    longest_idle_gap_s: float
    longest_idle_gap_start_s: float | None
    oversubscribed_s: float
    cores: int | None
    #: Seconds of trainings elsewhere (Colab): from a notebook's export to its model's arrival.
    #: They count in ``shares`` and against idleness, not against the machine's cores.
    remote_training_s: float = 0.0


@dataclass(frozen=True)
class Summary:
    session: str
    exam: str
    exam_title: str
    workspace: str
    policy: str
    #: The data seed: the session's generated data and hidden grading split follow it.
    seed: int
    started_at: str
    deadline: str
    ended_at: str | None
    ended_how: str
    duration_s: float
    time_used_s: float
    points: float
    max_points: float
    percent: float
    pass_mark: float
    passed: bool
    attempts: int
    runs: int
    engine_sessions: int
    crashes: int
    #: The learner's name (``tfexam start --candidate``), for a course's class view; the JSON
    #: leaves it out when the session has none.
    candidate: str | None = None


@dataclass(frozen=True)
class Report:
    schema: int
    generated_at: str
    summary: Summary
    questions: list[QuestionEntry]
    runs: list[RunEntry]
    grading: list[GradingEntry]
    events: list[TimelineEvent]
    parallelism: Parallelism
    samples: list[Sample]
    advice: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if data["summary"]["candidate"] is None:
            del data["summary"]["candidate"]
        for question, entry in zip(self.questions, data["questions"], strict=True):
            if question.checks is None:
                del entry["checks"]  # the form of reports from before checks existed
            else:
                entry["checks"] = [check.to_dict() for check in question.checks]
        return data
