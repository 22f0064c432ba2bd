"""Soak: a five-hour session compressed into a few minutes, with the faults of a long day.

Run:  python benchmarks/soak.py [--minutes 30] [--seed 0] [--json-out FILE]

A real session of the practice exam runs headless through the real CLI (``python -m simulator
start --headless --json`` in a child process, with its own TFEXAM_HOME and workspace). Over
``--minutes`` (default 30, standing for five hours) the soak makes, in proportion to the duration
(the counts below are those of 30 minutes):

- 500 saves of ``mymodel.h5`` across the five questions: distinct valid models (small real Keras
  models, one per question interface, with one bias rewritten per save), broken files (truncated
  models, bytes that are no model), duplicates of an earlier save, large valid models (5 MB) and
  files over the size limit (sparse, 2.1 GB); written in place in chunks, as Keras does, or to a
  temporary name and renamed, as editors and downloads do;
- 30 training runs through ``tfexam train --script`` (real Keras fits that save ``mymodel.h5``
  when they finish); every third run is stopped: by Ctrl+C (SIGINT to ``tfexam train``) or by
  ``kill -9`` of the training script;
- 3 resumes (the engine detached by SIGTERM, one save while nobody watches, ``tfexam resume``),
  1 ``kill -9`` of the engine just after a save (then ``tfexam resume``), 1 ``kill -9`` of the
  grading worker while it grades.

Every 30 s (scaled with the duration) it records the engine's RSS, open file descriptors and
threads, the grading workers' RSS and the store's size; each graded save's save -> score latency
comes from the ``--json`` event lines. At the end it waits for grading to finish, submits the
session, and checks: 0 attempts lost (every save whose content should become an attempt is an
attempt of its question), 0 stuck in grading (queued or grading once the engine had time to
finish). Exit status 1 if either check fails. It prints a table and a JSON document (also written
to --json-out) with growth figures against the goals of docs/benchmarks.md.

The models are written once, by Keras in a child process (benchmarks/soak_models.py); this
process never imports TensorFlow, so it measures only tfexam.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

import psutil
from machine import describe_machine, print_json  # benchmarks/machine.py, beside this script

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

#: What 30 minutes of soak (five hours of exam) holds; a shorter soak scales every count.
FULL_MINUTES = 30.0
FULL_COUNTS = {"saves": 500, "runs": 30, "resumes": 3, "engine_kills": 1, "worker_kills": 1}
#: The mix of saves (shares of all saves; the rest are valid small models).
SAVE_SHARES = {"broken": 0.12, "duplicate": 0.12, "large": 0.04, "oversize": 0.03}
#: Seconds between two samples in a 30-minute soak (scaled like the counts).
FULL_SAMPLE_EVERY_S = 30.0
#: The least time between two saves of the same question: the watcher needs 1.5 s of quiet to
#: call a file broken, and a save that replaces the previous one before it was seen is not a
#: lost attempt but an overwritten file.
MIN_SAME_QUESTION_GAP_S = 3.0
#: The goals this soak checks (docs/benchmarks.md).
GOALS = {"engine_rss_growth_pct": 10.0, "engine_fds_growth_pct": 10.0,
         "latency_p95_end_vs_start_pct": 20.0, "store_mb": 50.0}  # fmt: skip
#: The practice exam's questions: workspace folder -> question id.
QUESTIONS = {
    "category1": "basic-model",
    "category2": "learning-dataset",
    "category3": "image-classification",
    "category4": "text-classification",
    "category5": "time-series",
}
#: Apparent size of an "oversize" save: over the default 2000 MB limit, sparse (no disk used).
OVERSIZE_BYTES = 2100 * 2**20
WORKER_MODULE = "simulator.grading.worker"
#: The soak's own mark in the event list: an engine's output ended.
EXITED = "soak:engine-exited"


@dataclass(frozen=True)
class Plan:
    """What one soak does, scaled from FULL_COUNTS to its duration."""

    minutes: float
    saves: int
    runs: int
    resumes: int
    engine_kills: int
    worker_kills: int
    sample_every_s: float

    @classmethod
    def for_minutes(cls, minutes: float) -> Plan:
        scale = minutes / FULL_MINUTES
        counts = {k: round(v * scale) for k, v in FULL_COUNTS.items()}
        return cls(
            minutes=minutes,
            saves=max(10, counts["saves"]),
            runs=max(2, counts["runs"]),  # one that finishes, one that is stopped
            resumes=max(1, counts["resumes"]),
            engine_kills=max(1, counts["engine_kills"]),
            worker_kills=max(1, counts["worker_kills"]),
            sample_every_s=max(1.0, FULL_SAMPLE_EVERY_S * scale),
        )


@dataclass
class Save:
    """One save the soak made, and what the store must show for it."""

    index: int
    folder: str
    kind: str  # valid, broken, duplicate, large, oversize, unwatched, before-kill, run
    at: float
    sha256: str | None  # None for an oversize file: its attempt is keyed by metadata
    size: int


@dataclass
class Sample:
    at: float
    engine_pid: int
    engine_rss_mb: float
    engine_fds: int
    engine_threads: int
    workers_rss_mb: list[float]
    store_mb: float
    home_mb: float


@dataclass
class Fault:
    kind: str
    started: float
    recovered: float | None = None


@dataclass
class Run:
    number: int
    folder: str
    process: subprocess.Popen[bytes]
    started: float
    stop: str | None  # None: let it finish; "ctrl-c" or "kill-9"
    stop_at: float
    handled: bool = False  # its stop was sent, or its finish noted


class EngineProcess:
    """``tfexam start/resume --headless --json`` as a child; its events go to the soak's list."""

    def __init__(self, args: list[str], env: dict[str, str], sink: EventLog, stderr: Path) -> None:
        with stderr.open("ab") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "simulator", *args, "--headless", "--json"],
                stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=REPO,
                text=True,
            )  # fmt: skip
        self.sink = sink
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            self.sink.add(event, self.process.pid)
        self.sink.add({"event": EXITED}, self.process.pid)  # its output ended: it has exited

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_exit(self, timeout: float) -> int:
        code = self.process.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code


class EventLog:
    """Every event line of every engine the soak started, with the time it was received."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.cond = threading.Condition()

    def add(self, event: dict[str, Any], pid: int) -> None:
        with self.cond:
            event["_received"] = time.time()
            event["_pid"] = pid
            self.events.append(event)
            self.cond.notify_all()

    def wait(
        self, what: str, test: Callable[[dict[str, Any]], bool], timeout: float
    ) -> dict[str, Any]:
        """The first event (from now on or already seen) that passes ``test``."""
        with self.cond:
            found: list[dict[str, Any]] = []

            def seen() -> bool:
                found[:] = [e for e in self.events if test(e)][:1]
                return bool(found)

            if not self.cond.wait_for(seen, timeout):
                recent = [e["event"] for e in self.events[-8:]]
                raise SoakError(f"no {what} within {timeout:.0f} s (last events: {recent})")
            return found[0]

    def count(self, test: Callable[[dict[str, Any]], bool]) -> int:
        with self.cond:
            return sum(1 for e in self.events if test(e))

    def snapshot(self) -> list[dict[str, Any]]:
        with self.cond:
            return list(self.events)


class SoakError(RuntimeError):
    """The soak could not go on (an engine did not start, a command failed)."""


def event_time(event: dict[str, Any]) -> float:
    """When the engine emitted ``event`` (its local ISO ``at``), else when it was received."""
    try:
        return dt.datetime.fromisoformat(event["at"]).timestamp()
    except (KeyError, ValueError):
        return float(event["_received"])


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def growth_pct(start: float | None, end: float | None) -> float | None:
    if start is None or end is None or start == 0:
        return None
    return 100.0 * (end - start) / start


def worst(*figures: float | None) -> float | None:
    """The largest of the figures that exist."""
    known = [f for f in figures if f is not None]
    return max(known) if known else None


def folder_mb(folder: Path) -> float:
    """Disk used under ``folder`` (a sparse file counts the blocks it uses, not its length)."""
    total = 0
    for path in folder.rglob("*"):
        try:
            stat = path.lstat()
        except OSError:
            continue
        if path.is_file():
            total += min(stat.st_size, stat.st_blocks * 512)
    return total / 2**20


def training_script(folder: str, epochs: int, record: Path) -> str:
    """A candidate's training script for ``folder``: a real Keras fit on random data of the
    question's shapes, then ``mymodel.h5``; its sha256 goes to ``record`` for the final check."""
    shapes = {
        "category1": ((1,), 1, None),
        "category2": ((28, 28), 10, "softmax"),
        "category3": ((150, 150, 3), 3, "softmax"),
        "category4": ((120,), 1, "sigmoid"),
        "category5": ((30, 1), 1, None),
    }
    shape, units, activation = shapes[folder]
    return textwrap.dedent(
        f"""
        import hashlib, json, numpy as np, keras
        rng = np.random.default_rng()
        x = rng.random((64, *{shape!r})).astype("float32")
        y = rng.random((64, {units})).astype("float32")
        model = keras.Sequential([keras.Input({shape!r}), keras.layers.Flatten(),
                                  keras.layers.Dense({units}, activation={activation!r})])
        model.compile("adam", "mse")
        model.fit(x, y, epochs={epochs}, batch_size=16, verbose=2)
        model.save("mymodel.h5")
        digest = hashlib.sha256(open("mymodel.h5", "rb").read()).hexdigest()
        with open({str(record)!r}, "a") as out:
            out.write(json.dumps({{"folder": {folder!r}, "sha256": digest}}) + "\\n")
        """
    )


class ModelBytes:
    """Distinct model files from the few that Keras wrote: one bias rewritten per copy."""

    def __init__(self, folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text())
        self.bases = {
            name: (bytearray((folder / entry["file"]).read_bytes()), int(entry["offset"]))
            for name, entry in manifest.items()
        }
        self.serial = 0

    def variant(self, name: str) -> bytes:
        """A new valid model: the base file with its sentinel bias nudged by a fresh amount."""
        self.serial += 1
        data, offset = self.bases[name]
        copy = bytearray(data)
        (bits,) = struct.unpack_from("<I", copy, offset)
        struct.pack_into(
            "<I", copy, offset, bits + self.serial
        )  # a few ulps: same model, new bytes
        return bytes(copy)


class Soak:
    def __init__(self, plan: Plan, root: Path, seed: int, log: Callable[[str], None]) -> None:
        self.plan = plan
        self.root = root
        self.rng = random.Random(seed)
        self.say = log
        self.home = root / "home"
        self.workspace = root / "workspace"
        self.env = {**os.environ, "TFEXAM_HOME": str(self.home), "TF_CPP_MIN_LOG_LEVEL": "2"}
        self.events = EventLog()
        self.saves: list[Save] = []
        self.samples: list[Sample] = []
        self.faults: list[Fault] = []
        self.runs: list[Run] = []
        self.run_record = root / "run-saves.jsonl"
        self.last_save: dict[str, float] = {}
        self.contents: dict[str, list[bytes]] = {f: [] for f in QUESTIONS}
        self.engine: EngineProcess | None = None
        self.engine_starts = 0
        self.session_id = ""
        self.models: ModelBytes | None = None
        self._sampling = threading.Event()
        self.notes: list[str] = []

    # Engine ------------------------------------------------------------------------------------

    def _launch(self, args: list[str]) -> EngineProcess:
        self.engine_starts += 1
        engine = EngineProcess(args, self.env, self.events, self.root / "engine.stderr")
        self.engine = engine
        return engine

    def _wait_ready(self, engine: EngineProcess, timeout: float = 300) -> float:
        """Until this engine opened the session and has a warm grading worker; when it did.
        Raises SoakError at once if the engine exits first."""
        pid = engine.pid
        found: dict[str, Any] = {}
        for kind in ("session-opened", "worker-ready"):

            def this_or_exit(event: dict[str, Any], kind: str = kind) -> bool:
                return bool(event["_pid"] == pid and event["event"] in (kind, EXITED))

            found = self.events.wait(kind, this_or_exit, timeout)
            if found["event"] == EXITED:
                raise SoakError(f"the engine exited (status {engine.process.wait()}) before {kind}")
        return float(found["_received"])

    def start_session(self) -> None:
        engine = self._launch(["start", "practice", "--workspace", str(self.workspace), "--duration", "5h"])  # fmt: skip
        self._wait_ready(engine)
        opened = self.events.wait("session-opened", lambda e: e["event"] == "session-opened", 1)
        self.session_id = str(opened["session"])

    def _resume(self) -> float:
        """``tfexam resume`` until it takes the session; when its worker was ready."""
        for _ in range(10):
            engine = self._launch(["resume", self.session_id])
            try:
                return self._wait_ready(engine, timeout=300)
            except SoakError:
                if engine.process.poll() is None:
                    raise
                if engine.process.returncode == 0:  # a finished session: nothing to resume into
                    raise
                # Refused (the old engine's heartbeat still looks fresh): try again shortly.
                self.notes.append(f"resume exited {engine.process.returncode}; tried again")
                time.sleep(2)
        raise SoakError("tfexam resume never took the session")

    def detach_and_resume(self) -> None:
        assert self.engine is not None
        fault = Fault("resume", time.time())
        self.faults.append(fault)
        self.engine.process.send_signal(signal.SIGTERM)  # Ctrl+C / q: detach, the clock runs on
        code = self.engine.wait_exit(60)
        if code != 0:
            raise SoakError(f"the detached engine exited {code}")
        self._save(self._next_folder(), "unwatched")  # saved while nobody watched
        fault.recovered = self._resume()

    def kill_engine(self) -> None:
        assert self.engine is not None
        fault = Fault("engine-kill-9", time.time())
        self.faults.append(fault)
        self._save(self._next_folder(), "before-kill")
        self.engine.process.kill()  # kill -9 right after a save: it may not have seen it yet
        self.engine.wait_exit(60)
        fault.recovered = self._resume()

    def kill_worker(self) -> None:
        assert self.engine is not None
        fault = Fault("worker-kill-9", time.time())
        self.faults.append(fault)
        save = self._save(self._next_folder(), "valid")
        assert save.sha256 is not None
        short = save.sha256[:12]
        pid = self.engine.pid
        try:
            self.events.wait("grading of the save", lambda e: e["event"] == "grading-started" and e.get("sha256") == short, 120)  # fmt: skip
        except SoakError:
            self.notes.append("worker kill: grading had not started after 120 s; killed anyway")
        workers = self._workers(pid)
        for worker in workers:
            worker.kill()
        killed_at = time.time()
        self.events.wait(
            "a fresh worker",
            lambda e: e["event"] == "worker-ready" and e["_received"] > killed_at,
            300,
        )
        fault.recovered = time.time()
        if not workers:
            self.notes.append("worker kill: no worker process was found")

    @staticmethod
    def _workers(engine_pid: int) -> list[psutil.Process]:
        try:
            children = psutil.Process(engine_pid).children(recursive=True)
        except psutil.Error:
            return []
        found = []
        for child in children:
            try:
                if WORKER_MODULE in " ".join(child.cmdline()):
                    found.append(child)
            except psutil.Error:
                continue
        return found

    # Saves -------------------------------------------------------------------------------------

    def _busy_folders(self) -> set[str]:
        """Questions whose running training will save a model (a run to be stopped never does)."""
        return {r.folder for r in self.runs if r.stop is None and r.process.poll() is None}

    def _note_finished_runs(self) -> None:
        """A training that saved its model counts as a save of its question (for the gap)."""
        for run in self.runs:
            if run.stop is None and not run.handled and run.process.poll() is not None:
                run.handled = True
                self.last_save[run.folder] = max(self.last_save.get(run.folder, 0.0), time.time())

    def _next_folder(self, *, saved_before: bool = False) -> str:
        """The question saved longest ago that no running training is about to save (and, for a
        duplicate, that has a valid save to repeat)."""
        self._note_finished_runs()
        busy = self._busy_folders()
        free = [f for f in QUESTIONS if f not in busy] or list(QUESTIONS)
        if saved_before:
            free = [f for f in free if self.contents[f]] or free
        return min(free, key=lambda f: self.last_save.get(f, 0.0))

    def _save(self, folder: str, kind: str) -> Save:
        assert self.models is not None
        self._note_finished_runs()
        wait = self.last_save.get(folder, 0.0) + MIN_SAME_QUESTION_GAP_S - time.time()
        if wait > 0:
            time.sleep(wait)
        target = self.workspace / folder / "mymodel.h5"
        earlier = self.contents[folder]
        if kind == "duplicate" and not earlier:
            kind = "valid"
        sha: str | None
        if kind == "oversize":
            target.unlink(missing_ok=True)
            with target.open("wb") as out:
                out.truncate(OVERSIZE_BYTES)
            sha, size = None, OVERSIZE_BYTES
        else:
            if kind == "broken":
                data = self._broken(folder)
            elif kind == "duplicate":
                data = self.rng.choice(earlier)
            elif kind == "large":
                data = self.models.variant("large")
            else:
                data = self.models.variant(folder)
            self._write(target, data)
            if kind in ("valid", "large", "unwatched", "before-kill"):
                earlier.append(data)
            sha, size = sha256(data).hexdigest(), len(data)
        save = Save(len(self.saves), folder, kind, time.time(), sha, size)
        self.saves.append(save)
        self.last_save[folder] = save.at
        return save

    def _broken(self, folder: str) -> bytes:
        assert self.models is not None
        if self.rng.random() < 0.5:
            data = self.models.variant(folder)
            return data[: self.rng.randrange(64, len(data) - 64)]  # an interrupted save or copy
        return self.rng.randbytes(self.rng.randrange(200, 20000))  # no model at all

    def _write(self, target: Path, data: bytes) -> None:
        """In place in chunks (as Keras writes), or to a temporary name then renamed (editors)."""
        if self.rng.random() < 0.7:
            with target.open("wb") as out:
                step = max(1, len(data) // 4)
                for start in range(0, len(data), step):
                    out.write(data[start : start + step])
                    out.flush()
        else:
            temporary = target.with_name(f".{target.name}.soak-{len(self.saves)}")
            temporary.write_bytes(data)
            temporary.replace(target)

    # Runs --------------------------------------------------------------------------------------

    def start_run(self, number: int) -> None:
        ready = self._ready_folders()
        busy = self._busy_folders()
        choices = [f for f in ready if f not in busy] or ready
        folder = choices[number % len(choices)]
        # Every third run is stopped, by Ctrl+C and by kill -9 of its script in turn.
        stop = None if number % 3 != 1 else ("ctrl-c", "kill-9")[(number // 3) % 2]
        epochs = 100_000 if stop else 3
        script = self.workspace / folder / f"soak_train_{number}.py"
        script.write_text(training_script(folder, epochs, self.run_record))
        with (self.root / "train.log").open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "simulator", "train", folder, "--session", self.session_id,
                 "--script", script.name],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env,
                cwd=REPO,
            )  # fmt: skip
        stop_after = max(4.0, min(25.0, self.plan.minutes * 60 / self.plan.runs * 0.5))
        self.runs.append(Run(number, folder, process, time.time(), stop, time.time() + stop_after))

    def _ready_folders(self) -> list[str]:
        ready = {"category1"}  # the first question's data is written before the session opens
        for event in self.events.snapshot():
            if event["event"] == "question-ready":
                ready |= {f for f, q in QUESTIONS.items() if q == event["question"]}
        return [f for f in QUESTIONS if f in ready]

    def stop_due_runs(self) -> None:
        for run in self.runs:
            if run.stop is None or run.handled or time.time() < run.stop_at:
                continue
            if run.process.poll() is not None:
                run.handled = True
                continue
            scripts = self._script_processes(run) if run.stop == "kill-9" else []
            for child in scripts:
                child.kill()
            if not scripts:  # Ctrl+C, or the script has not started yet
                run.process.send_signal(signal.SIGINT)
            run.handled = True

    @staticmethod
    def _script_processes(run: Run) -> list[psutil.Process]:
        try:
            children = psutil.Process(run.process.pid).children(recursive=True)
        except psutil.Error:
            return []
        found = []
        for child in children:
            try:
                if f"soak_train_{run.number}.py" in " ".join(child.cmdline()):
                    found.append(child)
            except psutil.Error:
                continue
        return found

    # Sampling ----------------------------------------------------------------------------------

    def _sample_loop(self) -> None:
        while not self._sampling.wait(self.plan.sample_every_s):
            engine = self.engine
            if engine is None or engine.process.poll() is not None:
                continue
            try:
                process = psutil.Process(engine.pid)
                with process.oneshot():
                    rss, fds, threads = (
                        process.memory_info().rss,
                        process.num_fds(),
                        process.num_threads(),
                    )
            except psutil.Error:
                continue
            workers = []
            for worker in self._workers(engine.pid):
                try:
                    workers.append(round(worker.memory_info().rss / 2**20, 1))
                except psutil.Error:
                    continue
            store = (
                sum(p.stat().st_size for p in self.home.glob("tfexam.db*") if p.is_file()) / 2**20
            )
            self.samples.append(
                Sample(time.time(), engine.pid, round(rss / 2**20, 1), fds, threads, workers,
                       round(store, 2), round(folder_mb(self.home), 1))
            )  # fmt: skip

    # The whole soak ----------------------------------------------------------------------------

    def schedule(self) -> list[tuple[float, str]]:
        """(seconds from the start of the action phase, action), in order."""
        plan, span = self.plan, self.plan.minutes * 60
        kinds: list[str] = []
        for kind, share in SAVE_SHARES.items():
            kinds += [kind] * max(1, round(plan.saves * share))  # every kind, even in a short soak
        kinds += ["valid"] * (plan.saves - len(kinds))
        self.rng.shuffle(kinds)
        actions = [((i + 0.5) * span / plan.saves, f"save:{k}") for i, k in enumerate(kinds)]
        actions += [((j + 0.3) * span / plan.runs, f"run:{j}") for j in range(plan.runs)]
        actions += [
            ((i + 1) / (plan.resumes + 1) * span * 0.95, "resume") for i in range(plan.resumes)
        ]
        actions += [((0.62 + 0.1 * i) * span, "engine-kill") for i in range(plan.engine_kills)]
        actions += [((0.35 + 0.1 * i) * span, "worker-kill") for i in range(plan.worker_kills)]
        return sorted(actions, key=lambda a: a[0])

    def run(self) -> dict[str, Any]:
        self.say(f"writing the model files (Keras, in a child process) into {self.root / 'models'}")
        subprocess.run(
            [sys.executable, str(HERE / "soak_models.py"), str(self.root / "models")],
            check=True, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.models = ModelBytes(self.root / "models")
        self.say("starting the session (tfexam start --headless --json)")
        self.start_session()
        sampler = threading.Thread(target=self._sample_loop, daemon=True)
        sampler.start()
        began = time.time()
        shift = 0.0  # time lost to restarts: the rest of the schedule moves with it
        actions = self.schedule()
        self.say(
            f"session {self.session_id}: {len(actions)} actions over {self.plan.minutes:g} min"
        )
        for offset, action in actions:
            while time.time() < began + shift + offset:
                self.stop_due_runs()
                time.sleep(min(0.2, max(0.0, began + shift + offset - time.time())))
            self.stop_due_runs()
            before = time.time()
            if action.startswith("save:"):
                kind = action.split(":", 1)[1]
                if kind == "large" and "category2" not in self._busy_folders():
                    self._save("category2", kind)  # the one question with a large model
                elif kind == "duplicate":
                    self._save(self._next_folder(saved_before=True), kind)
                else:
                    self._save(self._next_folder(), "valid" if kind == "large" else kind)
                continue
            if action.startswith("run:"):
                self.start_run(int(action.split(":", 1)[1]))
                continue
            self.say(f"{action} at {before - began:.0f} s")
            {"resume": self.detach_and_resume, "engine-kill": self.kill_engine,
             "worker-kill": self.kill_worker}[action]()  # fmt: skip
            shift += time.time() - before
        action_end = time.time()
        self.say("actions done: waiting for the runs and for grading to finish")
        self._finish_runs()
        stuck = self._drain()
        self._sampling.set()
        sampler.join(timeout=30)
        self.say("submitting (tfexam submit)")
        subprocess.run(
            [sys.executable, "-m", "simulator", "submit", self.session_id],
            check=True, env=self.env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert self.engine is not None
        self.engine.wait_exit(120)
        return self._results(began, action_end, stuck)

    def kill_leftovers(self) -> None:
        """After a failure: no engine, worker or training of this soak outlives it."""
        processes = [r.process for r in self.runs]
        if self.engine is not None:
            processes.append(self.engine.process)  # type: ignore[arg-type]
        for process in processes:
            if process.poll() is None:
                try:
                    tree = psutil.Process(process.pid).children(recursive=True)
                except psutil.Error:
                    tree = []
                for child in tree:
                    child.kill()
                process.kill()
                process.wait()

    def _finish_runs(self) -> None:
        deadline = time.time() + 180
        for run in self.runs:
            try:
                run.process.wait(timeout=max(1.0, deadline - time.time()))
            except subprocess.TimeoutExpired:
                self.notes.append(f"run {run.number} still running at the end: stopped by Ctrl+C")
                run.process.send_signal(signal.SIGINT)
                run.process.wait(timeout=60)

    def expected(self) -> list[Save]:
        """Every save whose content must be an attempt of its question (runs' saves included)."""
        found = [s for s in self.saves if s.sha256 is not None]
        if self.run_record.exists():
            for line in self.run_record.read_text().splitlines():
                entry = json.loads(line)
                found.append(Save(-1, entry["folder"], "run", 0.0, entry["sha256"], 0))
        return found

    def _attempts(self) -> list[dict[str, Any]]:
        uri = f"file:{self.home / 'tfexam.db'}?mode=ro"
        with sqlite3.connect(uri, uri=True, timeout=30) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM attempts WHERE session_id = ?", (self.session_id,))
            return [dict(row) for row in rows]

    def _drain(self) -> int:
        """Wait until every expected save is an attempt and none is queued or grading; how many
        are still queued or grading after the wait (stuck)."""
        deadline = time.time() + 300
        while True:
            attempts = self._attempts()
            pending = [a for a in attempts if a["state"] in ("queued", "grading")]
            recorded = {(a["question_id"], a["sha256"]) for a in attempts}
            missing = [
                s for s in self.expected() if (QUESTIONS[s.folder], s.sha256) not in recorded
            ]
            if (not pending and not missing) or time.time() > deadline:
                return len(pending)
            time.sleep(1)

    def _results(self, began: float, action_end: float, stuck: int) -> dict[str, Any]:
        attempts = self._attempts()
        by_question: dict[str, set[str]] = {}
        for attempt in attempts:
            by_question.setdefault(attempt["question_id"], set()).add(attempt["sha256"])
        expected = self.expected()
        lost = [s for s in expected if s.sha256 not in by_question.get(QUESTIONS[s.folder], set())]
        oversize_saves = sum(s.kind == "oversize" for s in self.saves)
        too_large = sum(a.get("reason_code") == "file-too-large" for a in attempts)
        lost_oversize = max(0, oversize_saves - too_large)
        states: dict[str, int] = {}
        for attempt in attempts:
            states[attempt["state"]] = states.get(attempt["state"], 0) + 1
        session = self._session_state()
        latency = self._latency(began, action_end)
        resources = self._resources()
        kinds: dict[str, int] = {}
        for save in self.saves:
            kinds[save.kind] = kinds.get(save.kind, 0) + 1
        ended = {r.number: r.process.returncode for r in self.runs}
        checks = {
            "attempts_lost": len(lost) + lost_oversize,
            "stuck_in_grading": stuck,
            "session_submitted": session == "submitted",
        }
        # Growth is the worse of two views: the last engine (with the whole history behind it)
        # against the first, and the longest-lived engine process against itself.
        goals = {
            "engine_rss_growth_pct": worst(
                resources["engine_rss_growth_pct"],
                resources["engine_rss_growth_longest_process_pct"],
            ),
            "engine_fds_growth_pct": worst(
                resources["engine_fds_growth_pct"],
                resources["engine_fds_growth_longest_process_pct"],
            ),
            "latency_p95_end_vs_start_pct": latency["p95_end_vs_start_pct"],
            "store_mb": resources["store_mb_end"],
        }
        return {
            "machine": {
                **describe_machine(),
                "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            },
            "plan": asdict(self.plan),
            "done": {
                "saves": len(self.saves),
                "save_kinds": kinds,
                "expected_attempts": len(expected),
                "runs": len(self.runs),
                "runs_stopped": sum(r.stop is not None for r in self.runs),
                "runs_saved_a_model": sum(s.kind == "run" for s in expected),
                "run_exit_codes": ended,
                "faults": [asdict(f) for f in self.faults],
                "engine_starts": self.engine_starts,
                "action_phase_s": round(action_end - began, 1),
                "worker_restarts": self.events.count(lambda e: e["event"] == "worker-ready")
                - self.engine_starts,
                "attempts_requeued": self.events.count(lambda e: e["event"] == "attempt-requeued"),
                "model_unchanged": self.events.count(lambda e: e["event"] == "model-unchanged"),
            },
            "attempt_states": states,
            "checks": checks,
            "lost": [asdict(s) for s in lost],
            "latency": latency,
            "resources": resources,
            "goals": {
                k: {"value": v, "goal": GOALS[k], "met": v is not None and v < GOALS[k]}
                for k, v in goals.items()
            },
            "samples": [asdict(s) for s in self.samples],
            "notes": self.notes,
        }

    def _session_state(self) -> str:
        uri = f"file:{self.home / 'tfexam.db'}?mode=ro"
        with sqlite3.connect(uri, uri=True, timeout=30) as db:
            row = db.execute(
                "SELECT state FROM sessions WHERE id = ?", (self.session_id,)
            ).fetchone()
        return str(row[0]) if row else "missing"

    def _disturbed(self, start: float, end: float) -> bool:
        """Whether a fault (restart, worker kill) fell between a save and its score."""
        return any(f.started <= end and (f.recovered or float("inf")) >= start for f in self.faults)

    def _latency(self, began: float, action_end: float) -> dict[str, Any]:
        """save -> score of every graded valid small save not crossed by a fault; p50/p95 over
        all, and p95 over the first and the last fifth of the action phase."""
        graded: dict[tuple[str, str], float] = {}
        for event in self.events.snapshot():
            if event["event"] == "attempt-graded":
                graded.setdefault((event["question"], event["sha256"]), event_time(event))
        points: list[tuple[float, float]] = []
        for save in self.saves:
            if save.kind != "valid" or save.sha256 is None:
                continue
            done = graded.get((QUESTIONS[save.folder], save.sha256[:12]))
            if done is None or self._disturbed(save.at, done):
                continue
            points.append((save.at, done - save.at))
        fifth = (action_end - began) / 5
        first = [lat for at, lat in points if at < began + fifth]
        last = [lat for at, lat in points if at >= action_end - fifth]
        start_p95, end_p95 = percentile(first, 95), percentile(last, 95)
        values = [lat for _, lat in points]
        return {
            "graded_valid_saves": len(points),
            "p50_s": percentile(values, 50), "p95_s": percentile(values, 95),
            "max_s": max(values) if values else None,
            "first_fifth": {"n": len(first), "p50_s": percentile(first, 50), "p95_s": start_p95},
            "last_fifth": {"n": len(last), "p50_s": percentile(last, 50), "p95_s": end_p95},
            "p95_end_vs_start_pct": growth_pct(start_p95, end_p95),
        }  # fmt: skip

    def _resources(self) -> dict[str, Any]:
        """Engine RSS and fds at the start (median of the first three samples) and at the end
        (the last three), the growth within each engine process, workers' peak, store size."""
        samples = self.samples

        def median_of(values: Iterator[float]) -> float | None:
            chosen = list(values)
            return statistics.median(chosen) if chosen else None

        head, tail = samples[:3], samples[-3:]
        rss0, rss1 = (
            median_of(s.engine_rss_mb for s in head),
            median_of(s.engine_rss_mb for s in tail),
        )
        fds0, fds1 = median_of(s.engine_fds for s in head), median_of(s.engine_fds for s in tail)
        thr0, thr1 = (
            median_of(s.engine_threads for s in head),
            median_of(s.engine_threads for s in tail),
        )
        per_engine: list[dict[str, Any]] = []
        for pid in dict.fromkeys(s.engine_pid for s in samples):
            mine = [s for s in samples if s.engine_pid == pid]
            if len(mine) >= 6:
                per_engine.append({
                    "pid": pid, "samples": len(mine),
                    "rss_growth_pct": growth_pct(median_of(s.engine_rss_mb for s in mine[:3]), median_of(s.engine_rss_mb for s in mine[-3:])),
                    "fds_growth_pct": growth_pct(median_of(s.engine_fds for s in mine[:3]), median_of(s.engine_fds for s in mine[-3:])),
                })  # fmt: skip
        workers = [mb for s in samples for mb in s.workers_rss_mb]
        longest = max(per_engine, key=lambda p: p["samples"], default=None)
        return {
            "samples": len(samples),
            "engine_rss_mb_start": rss0, "engine_rss_mb_end": rss1,
            "engine_rss_growth_pct": growth_pct(rss0, rss1),
            "engine_fds_start": fds0, "engine_fds_end": fds1,
            "engine_fds_growth_pct": growth_pct(fds0, fds1),
            "engine_threads_start": thr0, "engine_threads_end": thr1,
            "engine_rss_mb_max": max((s.engine_rss_mb for s in samples), default=None),
            "engine_fds_max": max((s.engine_fds for s in samples), default=None),
            "per_engine_process": per_engine,
            "engine_rss_growth_longest_process_pct": longest["rss_growth_pct"] if longest else None,
            "engine_fds_growth_longest_process_pct": longest["fds_growth_pct"] if longest else None,
            "workers_rss_mb_max": max(workers, default=None),
            "workers_rss_mb_median": statistics.median(workers) if workers else None,
            "store_mb_start": samples[0].store_mb if samples else None,
            "store_mb_end": samples[-1].store_mb if samples else None,
            "home_mb_end": samples[-1].home_mb if samples else None,
        }  # fmt: skip


def print_table(results: dict[str, Any]) -> None:
    def show(value: Any, unit: str = "") -> str:
        if value is None:
            return "-"
        return f"{value:.2f}{unit}" if isinstance(value, float) else f"{value}{unit}"

    done, res, lat, checks = (
        results["done"],
        results["resources"],
        results["latency"],
        results["checks"],
    )
    print(f"\nSoak: {results['plan']['minutes']:g} min, {done['saves']} saves {done['save_kinds']}, "
          f"{done['runs']} runs ({done['runs_stopped']} stopped), faults {[f['kind'] for f in done['faults']]}")  # fmt: skip
    rows = [
        ("attempts lost", show(checks["attempts_lost"]), "0"),
        ("stuck in grading", show(checks["stuck_in_grading"]), "0"),
        ("session submitted", show(checks["session_submitted"]), "True"),
        ("engine RSS MB start -> end", f"{show(res['engine_rss_mb_start'])} -> {show(res['engine_rss_mb_end'])}", ""),
        ("engine RSS growth (longest process)", f"{show(res['engine_rss_growth_pct'], ' %')} ({show(res['engine_rss_growth_longest_process_pct'], ' %')})", f"< {GOALS['engine_rss_growth_pct']:g} %"),
        ("engine fds start -> end", f"{show(res['engine_fds_start'])} -> {show(res['engine_fds_end'])}", ""),
        ("engine fd growth (longest process)", f"{show(res['engine_fds_growth_pct'], ' %')} ({show(res['engine_fds_growth_longest_process_pct'], ' %')})", f"< {GOALS['engine_fds_growth_pct']:g} %"),
        ("engine threads start -> end", f"{show(res['engine_threads_start'])} -> {show(res['engine_threads_end'])}", ""),
        ("workers RSS MB median / max", f"{show(res['workers_rss_mb_median'])} / {show(res['workers_rss_mb_max'])}", ""),
        ("save->score p50 / p95 s", f"{show(lat['p50_s'])} / {show(lat['p95_s'])} (n={lat['graded_valid_saves']})", ""),
        ("p95 first fifth -> last fifth s", f"{show(lat['first_fifth']['p95_s'])} -> {show(lat['last_fifth']['p95_s'])}", ""),
        ("p95 end vs start", show(lat["p95_end_vs_start_pct"], " %"), f"< {GOALS['latency_p95_end_vs_start_pct']:g} %"),
        ("store MB start -> end", f"{show(res['store_mb_start'])} -> {show(res['store_mb_end'])}", f"< {GOALS['store_mb']:g} MB"),
        ("TFEXAM_HOME MB at end (copies, logs)", show(res["home_mb_end"]), ""),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    for name, value, goal in rows:
        print(f"  {name:<{width}}  {value:<28} {goal}")
    for note in results["notes"]:
        print(f"  note: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=FULL_MINUTES, help="length of the action phase (30 stands for five hours)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="the mix and order of the saves")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--keep", type=Path, help="run in this folder and keep it (default: a temporary one)")  # fmt: skip
    args = parser.parse_args()
    plan = Plan.for_minutes(args.minutes)

    def log(line: str) -> None:
        print(f"[soak {time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)

    load_at_start = [round(x, 2) for x in os.getloadavg()]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        soak = Soak(plan, args.keep, args.seed, log)
        try:
            results = soak.run()
        finally:
            soak.kill_leftovers()
    else:
        with tempfile.TemporaryDirectory(prefix="tfexam-soak-") as scratch:
            soak = Soak(plan, Path(scratch), args.seed, log)
            try:
                results = soak.run()
            finally:
                soak.kill_leftovers()
    results["machine"]["load_average_at_start"] = load_at_start
    print_json(results, args.json_out)
    print_table(results)
    checks = results["checks"]
    ok = (
        checks["attempts_lost"] == 0
        and checks["stuck_in_grading"] == 0
        and checks["session_submitted"]
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
