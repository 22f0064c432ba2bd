"""How long each question's reference training would take on this machine: a plan before the clock.

A candidate who learns at hour three that one question needs 90 minutes of training here has lost
the exam's parallel-training workflow. So ``tfexam estimate`` runs each question's reference
solution as a candidate would (``python solution.py`` in a fresh workspace, with the run hook),
but only for a measured slice: the hook (``TFEXAM_SLICE_S``) times every batch and stops the
training after a few seconds of batches, and its ``{"slice": ...}`` line says what was measured.

The projection of the full training, alone:

    setup (process start -> fit begins: imports, data) + first batch (traces the step)
    + (epochs x steps - 1) x median batch + epochs x epoch overhead (validation, callbacks)

(a batch's time is the gap between two batch begins; an epoch's overhead is its wall time less
its batches). Where the slice saw several whole epochs (short epochs: category 1's 500 epochs of
one batch), an epoch is timed whole instead, begin to begin:
``setup + first epoch + (epochs - 1) x median later epoch + tail``.
    + tail (fit ends -> process exits: the save)

and with ``k`` trainings at once, each alone-time stretched by ``max(1, k x cores used / cores)``,
where "cores used" is the CPU time per wall second the slice's batches took (a training that
fills every core shares them; a small one that uses one core runs beside others untouched).
Epochs are those the script asks for, unless the question's recorded reference curves
(``reference_curves.json``, written by ``tfexam calibrate --curves``) show that the reference's
early stopping ended it sooner: then the epochs it ran there. A slice cannot see early stopping
(it stops after a few seconds), and projecting every epoch the script allows put category 4 at
3.3 times its real training (docs/benchmarks.md). Without curves the projection is an upper
bound for a script with early stopping. The method and a check against full trainings are in
docs/benchmarks.md ("Planning: tfexam estimate").

Estimates are cached per exam and machine in ``$TFEXAM_HOME/estimates/``;
:func:`estimate_line` gives the exam's first screen its one line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from simulator.exam.format import Exam, Question
from simulator.exam.hidden_files import copy_hidden
from simulator.exam.reference import usable_curves
from simulator.exam.workspace import create_workspace
from simulator.paths import DataPaths
from simulator.scratch import scratch_folder
from simulator.training.epochs import EPOCHS_ENV, RUN_HOOK_DIR

#: Seconds of measured batches per question (after the first batch, which traces the step).
SLICE_S = 4.0
#: A slice run that takes longer than this is stopped (a script stuck before fit(), say).
RUN_LIMIT_S = 90.0
#: A reference that would train longer than this here, alone, is worth sending to Colab: its
#: GPU saves more than the upload and download cost, and the machine stays free for the rest.
COLAB_WORTH_S = 15 * 60
#: With this many epoch begins (the first, tracing, apart) an epoch is timed whole, begin to
#: begin; with fewer, from its batches and its overhead.
MIN_EPOCH_CYCLES = 3
#: How many trainings at once the projection covers (the parallel-training workflow).
TOGETHER = (2, 3)
#: The variable with the slice's length, read by the run hook.
SLICE_ENV = "TFEXAM_SLICE_S"
#: The kind of the estimate's scratch folder (``simulator.scratch``): a killed estimate's is
#: removed by the next one.
SCRATCH_KIND = "estimate"
#: Cached estimates live here, under $TFEXAM_HOME.
ESTIMATES_FOLDER = "estimates"


@dataclass(frozen=True)
class Machine:
    """What the projection depends on: the CPU, its cores and the memory."""

    cpu: str
    cores: int
    memory_gb: float
    system: str

    @classmethod
    def this(cls) -> Machine:
        cpu = platform.processor() or platform.machine()
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
        memory = round(psutil.virtual_memory().total / 2**30, 1)
        return cls(cpu, os.cpu_count() or 1, memory, platform.system())

    @property
    def key(self) -> str:
        """A short name for the cache: another CPU, core count or memory is another machine."""
        text = f"{self.cpu}|{self.cores}|{self.memory_gb:.0f}|{self.system}"
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class QuestionEstimate:
    """One question's measured slice and its projected full training, or why there is none."""

    question_id: str
    category: int
    title: str
    #: Wall time of the slice run (what the estimate cost).
    measured_s: float
    problem: str | None = None
    setup_s: float = 0.0
    first_batch_s: float = 0.0
    batch_s: float = 0.0
    steps: int = 0
    #: Epochs the script asks for.
    epochs: int = 0
    #: Epochs the projection counts: fewer than ``epochs`` where the reference's recorded
    #: training stopped early; 0 in estimates made before this was kept (then ``epochs``).
    epochs_projected: int = 0
    epoch_overhead_s: float = 0.0
    tail_s: float = 0.0
    cores_used: float = 1.0
    alone_s: float = 0.0
    #: Projected wall time with k trainings at once, by k.
    together_s: dict[int, float] = field(default_factory=dict)
    colab: bool = False


@dataclass(frozen=True)
class Estimate:
    """An exam's estimate on one machine."""

    exam_id: str
    exam_duration_s: int
    machine: Machine
    made_at: float
    questions: tuple[QuestionEstimate, ...]
    wall_s: float

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Estimate:
        raw = json.loads(text)
        questions = tuple(
            QuestionEstimate(
                **{
                    **q,
                    "together_s": {int(k): float(v) for k, v in q.get("together_s", {}).items()},
                }
            )
            for q in raw["questions"]
        )
        return cls(
            raw["exam_id"], int(raw["exam_duration_s"]), Machine(**raw["machine"]),
            float(raw["made_at"]), questions, float(raw["wall_s"]),
        )  # fmt: skip


@dataclass(frozen=True)
class SliceRun:
    """What one slice run reported: the hook's slice line, and the process's own times."""

    started_at: float
    ended_at: float
    train_begun_at: float | None
    train_ended_at: float | None
    figures: dict[str, object] | None
    exit_code: int
    output_tail: str


def project(question: Question, run: SliceRun, cores: int) -> QuestionEstimate:
    """The full training's projection from one slice run (see the module's docstring)."""
    measured = run.ended_at - run.started_at
    named = (question.id, question.category, question.title)
    figures = run.figures
    if run.exit_code != 0 and figures is None:
        last = run.output_tail.strip().splitlines()[-1:] or ["no output"]
        return QuestionEstimate(
            *named, measured_s=measured, problem=f"the reference failed: {last[0]}"
        )
    if figures is None or run.train_begun_at is None:
        return QuestionEstimate(
            *named, measured_s=measured, problem="the reference trains nothing (no fit() seen)"
        )
    batches = _floats(figures.get("batch_s"))
    first = _float(figures.get("first_batch_s"))
    steps = figures.get("steps")
    epochs = figures.get("epochs")
    if not isinstance(steps, int) or not isinstance(epochs, int) or first is None:
        return QuestionEstimate(
            *named, measured_s=measured,
            problem="the training's length is unknown (no steps per epoch or epochs)",
        )  # fmt: skip
    projected_epochs = expected_epochs(question, epochs)
    setup = run.train_begun_at - run.started_at
    tail = max(0.0, run.ended_at - (run.train_ended_at or run.ended_at))
    begins = _floats(figures.get("epoch_begins"))
    cycles = [b - a for a, b in itertools.pairwise(begins)]
    batch = statistics.median(batches) if batches else first
    if len(cycles) >= MIN_EPOCH_CYCLES:
        # Several whole epochs measured: an epoch is its begin-to-begin time, everything in it.
        per_epoch = statistics.median(cycles[1:])
        overhead = max(0.0, per_epoch - steps * batch)
        alone = setup + cycles[0] + (projected_epochs - 1) * per_epoch + tail
    else:
        # Inside the first epochs: batches at the measured pace, plus each epoch's overhead
        # (validation, callbacks): its wall time less its batches. The first epoch's also traced
        # the step and the validation step: later epochs' count when there are.
        overheads = [
            max(0.0, wall - ran * batch - (first - batch if index == 0 else 0.0))
            for index, (wall, ran) in enumerate(_pairs(figures.get("epochs_seen")))
        ]
        overhead = statistics.median(overheads[1:] or overheads) if overheads else 0.0
        alone = (
            setup + first + (projected_epochs * steps - 1) * batch
            + projected_epochs * overhead + tail
        )  # fmt: skip
    wall = _float(figures.get("measured_wall_s")) or 0.0
    cpu = _float(figures.get("measured_cpu_s")) or 0.0
    used = min(float(cores), max(1.0, cpu / wall)) if wall > 0.2 else 1.0
    together = {k: alone * max(1.0, k * used / cores) for k in TOGETHER}
    return QuestionEstimate(
        *named, measured_s=measured, setup_s=setup, first_batch_s=first, batch_s=batch,
        steps=steps, epochs=epochs, epochs_projected=projected_epochs, epoch_overhead_s=overhead, tail_s=tail, cores_used=used,
        alone_s=alone, together_s=together, colab=alone > COLAB_WORTH_S,
    )  # fmt: skip


def expected_epochs(question: Question, epochs: int) -> int:
    """The epochs a full reference training runs: the script's ``epochs``, or fewer where the
    reference's recorded training (its curves) was ended sooner by early stopping. A curves file
    that cannot be read counts as none (the estimate still stands, as an upper bound)."""
    curves = usable_curves(question)
    return epochs if curves is None else min(epochs, len(curves.epochs))


def run_slice(
    folder: Path, script: str, log: Path, slice_s: float | None, python: str | None = None
) -> SliceRun:
    """Run ``script`` in ``folder`` with the run hook; ``slice_s`` None runs the full training."""
    epochs_file = log.with_suffix(".epochs.jsonl")
    env = {**os.environ, EPOCHS_ENV: str(epochs_file), "TF_CPP_MIN_LOG_LEVEL": "2"}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(RUN_HOOK_DIR), os.environ.get("PYTHONPATH", "")) if p
    )
    env.pop(SLICE_ENV, None)
    if slice_s is not None:
        env[SLICE_ENV] = str(slice_s)
    started = time.time()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [python or sys.executable, "-u", script], cwd=folder, stdout=output,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        try:
            code = process.wait(timeout=RUN_LIMIT_S if slice_s is not None else None)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        except BaseException:  # Ctrl+C, SIGTERM: the training must not outlive the estimate
            process.kill()
            process.wait()
            raise
    ended = time.time()
    begun, finished, figures = _read_hook(epochs_file)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    return SliceRun(started, ended, begun, finished, figures, code, tail)


def _read_hook(path: Path) -> tuple[float | None, float | None, dict[str, object] | None]:
    """When fit() began (the devices line), when it ended, and the slice figures."""
    begun = ended = None
    figures = None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None, None, None
    for line in lines:
        try:
            raw = json.loads(line)
        except ValueError:
            continue
        if not isinstance(raw, dict):
            continue
        if "devices" in raw and begun is None:
            begun = _float(raw.get("at"))
        if isinstance(raw.get("slice"), dict):
            figures = raw["slice"]
            ended = _float(raw.get("at"))
    return begun, ended, figures


#: Called as each question starts (index, question) and ends (index, its estimate).
Progress = Callable[[int, Question, QuestionEstimate | None], None]


def estimate_exam(
    exam: Exam,
    paths: DataPaths,
    *,
    slice_s: float = SLICE_S,
    python: str | None = None,
    on_progress: Progress | None = None,
) -> Estimate:
    """Measure a slice of every question's reference training here, project, and cache it."""
    machine = Machine.this()
    started = time.time()
    results: list[QuestionEstimate] = []
    with scratch_folder(SCRATCH_KIND, exam.id) as root:
        workspace = create_workspace(exam, root / "workspace", seed=exam.seed)
        for index, question in enumerate(exam.questions):
            if on_progress:
                on_progress(index, question, None)
            folder = workspace / question.workspace_folder
            copy_hidden(question.folder, question.solution, folder / question.solution)
            run = run_slice(folder, question.solution, root / f"{question.id}.log", slice_s, python)
            result = project(question, run, machine.cores)
            results.append(result)
            if on_progress:
                on_progress(index, question, result)
    estimate = Estimate(
        exam.id, exam.duration_s, machine, started, tuple(results), time.time() - started
    )
    save_estimate(paths, estimate)
    return estimate


def estimate_path(paths: DataPaths, exam_id: str, machine: Machine | None = None) -> Path:
    machine = machine or Machine.this()
    return paths.root / ESTIMATES_FOLDER / f"{exam_id}-{machine.key}.json"


def save_estimate(paths: DataPaths, estimate: Estimate) -> Path:
    target = estimate_path(paths, estimate.exam_id, estimate.machine)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp")
    partial.write_text(estimate.to_json() + "\n", encoding="utf-8")
    partial.replace(target)
    return target


def load_estimate(paths: DataPaths, exam_id: str) -> Estimate | None:
    """This machine's cached estimate of the exam, or None (none made, or unreadable)."""
    try:
        return Estimate.from_json(estimate_path(paths, exam_id).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def minutes(seconds: float) -> str:
    """``45 s``, ``12 min``, ``1 h 05 min``: a projection is not more precise than that."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


def advice(estimate: Estimate) -> str:
    """Which questions to send to Colab, and how the rest fits the exam's time."""
    usable = [q for q in estimate.questions if q.problem is None]
    colab = [q for q in usable if q.colab]
    here = [q for q in usable if not q.colab]
    longest_here = max((q.together_s.get(2, q.alone_s) for q in here), default=0.0)
    share = sum(q.alone_s for q in here)
    parts = []
    if colab:
        parts.append(
            "send to Colab: " + ", ".join(f"{q.question_id} (~{minutes(q.alone_s)})" for q in colab)
        )
    else:
        parts.append("every reference trains here in under " + minutes(COLAB_WORTH_S))
    parts.append(
        f"the rest trains here in ~{minutes(share)} one after another "
        f"(longest ~{minutes(longest_here)} beside another training), "
        f"of the exam's {minutes(estimate.exam_duration_s)}"
    )
    return "; ".join(parts)


def estimate_line(paths: DataPaths, exam_id: str) -> str | None:
    """The exam's first screen's line about training times, or None when no estimate exists.

    One screen line (about 120 columns): the questions worth Colab and the time the rest takes
    here one after another; ``tfexam estimate`` prints the whole advice."""
    estimate = load_estimate(paths, exam_id)
    if estimate is None:
        return None
    made = time.strftime("%Y-%m-%d", time.localtime(estimate.made_at))
    usable = [q for q in estimate.questions if q.problem is None]
    colab = [q for q in usable if q.colab]
    here = sum(q.alone_s for q in usable if not q.colab)
    if colab:
        plan = (
            "Colab for " + ", ".join(f"{q.question_id} (~{minutes(q.alone_s)})" for q in colab)
            + f"; the rest ~{minutes(here)} in turn"
        )  # fmt: skip
    else:
        plan = f"every reference trains here, ~{minutes(here)} in turn"
    return f"Training estimate for this machine ({made}): {plan}."


def _pairs(value: object) -> list[tuple[float, float]]:
    if not isinstance(value, list):
        return []
    return [
        (float(v[0]), float(v[1]))
        for v in value
        if isinstance(v, list) and len(v) == 2 and all(isinstance(x, (int, float)) for x in v)
    ]


def _floats(value: object) -> list[float]:
    return (
        [float(v) for v in value if isinstance(v, (int, float))] if isinstance(value, list) else []
    )


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None
