"""Benchmark the exam TUI in a real pseudo-terminal against the goals of docs/benchmarks.md.

Run:  .venv/bin/python benchmarks/tui_bench.py [--quick] [--presses 100] [--json-out FILE]

Every run of ``tfexam`` here is ``python -m simulator`` on the slave side of a pseudo-terminal
(120x40, TERM=xterm-256color, its own session and controlling terminal, TFEXAM_HOME in a temporary
folder), and the script reads the master side: "first frame" is the first time the output holds
the exam screen's "Submit and Test" after the switch to the alternate screen; "question shown" is
the first time the prompt header's row is written with "Q<n> <title>". Measures:

1. ``tfexam start practice``: launch to first frame, split by the CLI's own output into data
   generation (first byte of the progress bar to "Created workspace") and everything else;
2. ``tfexam resume`` of the session left through the quit dialog (q, tab, enter): launch to first
   frame, and what the interpreter and the imports alone cost (``python -X importtime``);
3. key-to-update latency: keys 1-5 pressed in turn (0.3-0.6 s after the last update showed),
   time until the header shows the new question: with no load (and once more with quick presses
   0.05-0.15 s apart); while two grading workers (``--workers 2``) are busy with a category-3 CNN
   saved again every half second; and the same while two Keras trainings also run;
4. the Run window's tabs: with two Keras trainings running, opening a run's tab whose log has
   100,000 lines (in a resumed tfexam: read from the file at that moment), then switching
   between it and the overview (``[`` and ``]``);
5. the editor tabs, with two Keras trainings running: ``e`` opening a 500-line starter, and
   keystrokes typed into it until the screen shows them;
6. idle: tfexam's CPU over a minute with nobody at the keys while one run prints a progress line
   every half second (the Exam window on show, then the run's tab), split into the main thread
   and the others; each minute starts once start-up work is over (the grading worker ready, the
   data writer done, the prompt panes prepared) and tfexam is quiet. ``idle_profile.py`` says
   where that CPU goes;
7. in-process (no terminal): the main thread's CPU per question switch at 120x40 and 80x24
   (``benchmarks/switch_cpu.py``, which says how).

Beside the wall times it reports the CPU seconds of the tfexam process (by a moment, or per key
press): roughly what the step would take on an otherwise idle machine. On a shared machine the
wall times include waiting for a core, so it also reports how many cores other processes (not
started by this script) kept busy meanwhile. Child interpreters use a private, warmed bytecode
cache (PYTHONPYCACHEPREFIX), as an installed tfexam would have; the cost of compiling without
one is reported beside the import breakdown. Prints a table and a JSON document (also written to
--json-out). About 12 minutes on 2 cores (more when they are busy); --quick about 5; --only
runs some phases (screen, keys, idle, run-tabs, editor, switch-cpu).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import fcntl
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import switch_cpu  # benchmarks/switch_cpu.py, beside this script
from machine import (  # benchmarks/machine.py, beside this script
    FLOOD_SCRIPT,
    describe_machine,
    print_json,
)
from rich.console import Console
from rich.table import Table

from simulator.colab.notebook import installed_version
from simulator.session.dataprep import WRITER_MODULE

REPO = Path(__file__).resolve().parent.parent
COLUMNS, ROWS = 120, 40
ALT_SCREEN = b"\x1b[?1049h"
FRAME_MARK = b"Submit and Test"
CURSOR_TO = re.compile(rb"\x1b\[(\d+);(\d+)H")
#: Characters of "Q<n> <title>" that must show (the header starts at column 39 of 120).
HEADER_CHARS = 16
SAVE_EVERY_S = 0.5
#: Pause after the header showed before the next key: a glance at the prompt (not in step with
#: the app's 0.5 s clock tick) ...
READING_GAP_S = (0.3, 0.6)
#: ... and a quick hand going through the questions.
RAPID_GAP_S = (0.05, 0.15)
#: Seconds without keys before each phase, to see what the app does on its own meanwhile.
IDLE_WINDOW_S = 5.0


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "median_s": percentile(values, 50),
        "p95_s": percentile(values, 95),
        "max_s": max(values) if values else float("nan"),
        "values_s": [round(v, 4) for v in values],
    }


def machine() -> dict[str, Any]:
    return {
        **describe_machine(),
        "textual": installed_version("textual"),
        "rich": installed_version("rich"),
        "tensorflow": installed_version("tensorflow-cpu", "tensorflow"),
        "keras": installed_version("keras"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "commit": git_commit(),
    }


def git_commit() -> str | None:
    """The checkout measured, with "+changes" when simulator/ has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "simulator"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if dirty else "")


def child_env(home: Path | None, pycache: Path | None) -> dict[str, str]:
    """The environment of every child: a plain xterm, tfexam's data in ``home``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TEXTUAL")
        and k not in ("COLUMNS", "LINES", "NO_COLOR", "PYTHONDONTWRITEBYTECODE", "TFEXAM_HOME")
    }
    env.update(TERM="xterm-256color", TF_CPP_MIN_LOG_LEVEL="2")
    if home is not None:
        env["TFEXAM_HOME"] = str(home)
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def kill_tree(pid: int) -> None:
    """Kill a child we started, its process group and every process below it."""
    try:
        below = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        below = []
    for process in below:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


class Terminal:
    """A child process on a pseudo-terminal; every byte it writes is kept with its arrival time."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.master = master
        self.buffer = bytearray()
        self._ends: list[int] = []
        self._times: list[float] = []
        self._cond = threading.Condition()
        self.closed = False
        self.launched = time.perf_counter()
        self.process = subprocess.Popen(
            args,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=REPO,
            env=env,
            start_new_session=True,
            # The pty becomes the controlling terminal, as in a terminal emulator.
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                data = b""
            now = time.perf_counter()
            with self._cond:
                if not data:
                    self.closed = True
                    self._cond.notify_all()
                    return
                self.buffer.extend(data)
                self._ends.append(len(self.buffer))
                self._times.append(now)
                self._cond.notify_all()

    def mark(self) -> int:
        with self._cond:
            return len(self.buffer)

    def arrival(self, end: int) -> float:
        """When the byte before offset ``end`` arrived."""
        return self._times[bisect.bisect_left(self._ends, end)]

    def wait(
        self, find: Callable[[bytearray, int], int | None], since: int = 0, timeout: float = 60
    ) -> tuple[float, int] | None:
        """Wait until ``find(buffer, since)`` gives an end offset; its arrival time and offset."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                end = find(self.buffer, since)
                if end is not None:
                    return self.arrival(end), end
                left = deadline - time.monotonic()
                if self.closed or left <= 0:
                    return None
                self._cond.wait(left)

    def wait_bytes(self, needle: bytes, since: int = 0, timeout: float = 60) -> tuple[float, int]:
        def find(buffer: bytearray, start: int) -> int | None:
            at = buffer.find(needle, start)
            return None if at < 0 else at + len(needle)

        found = self.wait(find, since, timeout)
        if found is None:
            raise RuntimeError(f"no {needle!r} within {timeout} s; output ends {self.tail()!r}")
        return found

    def send(self, data: bytes) -> tuple[float, int]:
        """Type ``data``; the moment and the output offset just before it."""
        since = self.mark()
        at = time.perf_counter()
        os.write(self.master, data)
        return at, since

    def tail(self, size: int = 300) -> bytes:
        with self._cond:
            return bytes(self.buffer[-size:])

    def leave(self, timeout: float = 60) -> bool:
        """Leave through the quit dialog (q, tab to "Leave", enter); True if it exited cleanly."""
        _, since = self.send(b"q")
        self.wait_bytes(b"Leave", since, 10)
        self.send(b"\t")
        time.sleep(0.1)
        self.send(b"\r")
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        self._reader.join(5)
        return code == 0 and b"Left the exam" in self.buffer

    def close(self) -> None:
        if self.process.poll() is None:
            kill_tree(self.pid)
            self.process.wait(10)
        self._reader.join(5)
        os.close(self.master)


class HeaderFinder:
    """Finds the prompt header "Q<n> <title>" written on ``row`` (None: any row, then kept).

    Only the first HEADER_CHARS characters count: toasts pile up from the bottom right and can
    cover the rest of the header (they take at most the right half of the screen). A toast's own
    title ("Q3 CNN on real-world images: graded") sits in that right half: the cursor position
    Textual sends before every span it updates tells the two apart.
    """

    def __init__(self, number: int, title: str, row: int | None) -> None:
        self.needle = re.compile(re.escape(f"Q{number} {title}"[:HEADER_CHARS].encode()))
        self.row = row

    def __call__(self, buffer: bytearray, since: int) -> int | None:
        for match in self.needle.finditer(buffer, since):
            moves = list(
                CURSOR_TO.finditer(buffer, max(since, match.start() - 4096), match.start())
            )
            if not moves:
                continue
            row, column = int(moves[-1].group(1)), int(moves[-1].group(2))
            if column < COLUMNS // 2 and (self.row is None or row == self.row):
                self.row = row
                return match.end()
        return None


def first_byte(buffer: bytearray, since: int) -> int | None:
    return since + 1 if len(buffer) > since else None


# 1 and 2: start and resume ----------------------------------------------------------------------


def open_screen(term: Terminal, titles: list[str], created: bool = False) -> dict[str, float]:
    """Seconds from launch to the first output, "Created workspace" (if ``created``), the
    alternate screen, the first frame and Q1 shown; and the CPU seconds the tfexam process had
    used by each (sampled when the bench sees it: the idle-machine estimate of the same)."""
    times: dict[str, float] = {}

    def seen(name: str, found: tuple[float, int]) -> int:
        times[f"{name}_s"] = found[0] - term.launched
        with contextlib.suppress(psutil.NoSuchProcess):
            times[f"{name}_cpu_s"] = cpu_seconds(term.pid)
        return found[1]

    seen("first_output", term.wait(first_byte, 0, 60) or (float("nan"), 0))
    if created:
        seen("created", term.wait_bytes(b"Created workspace", 0, 120))
    alt_end = seen("alt_screen", term.wait_bytes(ALT_SCREEN, 0, 120))
    seen("first_frame", term.wait_bytes(FRAME_MARK, alt_end, 60))
    finder = HeaderFinder(1, titles[0], None)
    found = term.wait(finder, alt_end, 60)
    if found is None:
        raise RuntimeError("question 1 was never shown")
    seen("question_shown", found)
    times["header_row"] = float(finder.row or 0)
    return times


def measure_start(
    scratch: Path, reps: int, titles: list[str], pycache: Path
) -> tuple[list[dict[str, float]], Path]:
    runs = []
    home = scratch / "start-0"
    for rep in range(reps):
        home = scratch / f"start-{rep}"
        meter = CpuMeter()
        term = Terminal(
            [sys.executable, "-m", "simulator", "start", "practice", "--workspace",
             str(home / "workspace"), "--duration", "1h"],
            child_env(home, pycache),
        )  # fmt: skip
        try:
            t = open_screen(term, titles, created=True)
            t["cores_busy_others"] = meter.read()["cores_busy_others"]
            # Generation: from the progress bar's first byte (written just before the workspace
            # is created) to the line that says it was.
            t["generation_s"] = t["created_s"] - t["first_output_s"]
            t["excluding_generation_s"] = t["first_frame_s"] - t["generation_s"]
            t["question_excluding_generation_s"] = t["question_shown_s"] - t["generation_s"]
            t["excluding_generation_cpu_s"] = (
                t["first_frame_cpu_s"] - t["created_cpu_s"] + t["first_output_cpu_s"]
            )
            t["left_cleanly"] = float(term.leave())
        finally:
            term.close()
        runs.append(t)
        print(f"  start {rep + 1}/{reps}: first frame {t['first_frame_s']:.2f} s, "
              f"generation {t['generation_s']:.2f} s", flush=True)  # fmt: skip
    return runs, home


def measure_resume(
    home: Path, reps: int, titles: list[str], pycache: Path
) -> list[dict[str, float]]:
    runs = []
    for rep in range(reps):
        meter = CpuMeter()
        term = Terminal([sys.executable, "-m", "simulator", "resume"], child_env(home, pycache))
        try:
            t = open_screen(term, titles)
            t["cores_busy_others"] = meter.read()["cores_busy_others"]
            t["left_cleanly"] = float(term.leave())
        finally:
            term.close()
        runs.append(t)
        print(f"  resume {rep + 1}/{reps}: first frame {t['first_frame_s']:.3f} s", flush=True)
    return runs


def timed_python(code: str, env: dict[str, str], reps: int) -> dict[str, Any]:
    """Wall and CPU seconds (user + system) of ``python -c code``."""
    walls, cpus = [], []
    for _ in range(reps):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {**summary(walls), "cpu": summary(cpus)}


def import_breakdown(pycache: Path, reps: int) -> dict[str, Any]:
    """What the interpreter and the imports cost before tfexam does anything."""
    env = child_env(None, pycache)
    both = "import simulator.cli, simulator.tui.app"
    result: dict[str, Any] = {
        "python_only": timed_python("pass", env, reps),
        "import_cli": timed_python("import simulator.cli", env, reps),
        "import_cli_and_tui": timed_python(both, env, reps),
    }
    has_pyc = (REPO / "simulator" / "__pycache__").is_dir()
    result["import_cli_and_tui_no_bytecode_cache"] = {
        **timed_python(both, child_env(None, None), reps),
        "note": "PYTHONDONTWRITEBYTECODE=1 and no PYTHONPYCACHEPREFIX"
        + ("" if has_pyc else "; the checkout has no simulator/__pycache__, so it is compiled"),
    }
    # -X importtime: the heaviest modules, cumulative, at the first two levels below the command.
    runs: list[dict[str, float]] = []
    for _ in range(reps):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", both],
            cwd=REPO, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        cumulative: dict[str, float] = {}
        for line in done.stderr.splitlines():
            parts = line.split("|")
            if len(parts) != 3 or not parts[1].strip().isdigit():
                continue
            name = parts[2].rstrip()
            depth = (len(name) - len(name.lstrip())) // 2
            if depth <= 1:
                cumulative[name.strip()] = int(parts[1]) / 1e6
        runs.append(cumulative)
    names = set().union(*runs)
    medians = {n: float(np.median([r.get(n, 0.0) for r in runs])) for n in names}
    result["importtime_cumulative_s"] = dict(
        sorted(((n, v) for n, v in medians.items() if v >= 0.005), key=lambda kv: -kv[1])
    )
    return result


# 3: key-to-update latency -----------------------------------------------------------------------


MODEL_SCRIPT = textwrap.dedent(
    """
    import sys, keras
    model = keras.Sequential([keras.Input((150, 150, 3)),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(4),
        keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")])
    model.save(sys.argv[1])
    """
)

TRAINING_SCRIPT = textwrap.dedent(
    """
    import time, numpy as np, keras
    x = np.random.default_rng(0).normal(size=(2048, 28, 28, 1)).astype("float32")
    y = np.random.default_rng(1).integers(0, 10, size=2048)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(), keras.layers.Flatten(), keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x[:256], y[:256], epochs=1, verbose=0)
    print("ready", flush=True)
    while True:
        started = time.perf_counter()
        model.fit(x, y, epochs=1, batch_size=64, verbose=0)
        print(len(x) / (time.perf_counter() - started), flush=True)
    """
)


class CnnModels:
    """A category-3 CNN (about 2 s to grade on an idle 2-core machine), built once by a Keras
    process; each ``variant`` is a copy with new output-layer biases, so every save is new
    content to grade."""

    def __init__(self, folder: Path, pycache: Path) -> None:
        import h5py

        self.h5py = h5py
        self.base = folder / "cnn-base.h5"
        self.scratch = folder / "cnn-next.h5"
        subprocess.run(
            [sys.executable, "-c", MODEL_SCRIPT, str(self.base)],
            env=child_env(None, pycache), check=True, capture_output=True,
        )  # fmt: skip
        biases: list[str] = []
        with h5py.File(self.base, "r") as model:
            model.visititems(
                lambda name, item: (
                    biases.append(name)
                    if isinstance(item, h5py.Dataset) and name.endswith("bias")
                    and item.shape == (3,)
                    else None
                )
            )  # fmt: skip
        assert biases, "no output bias found in the saved model"
        self.bias = biases[0]
        self.rng = np.random.default_rng(0)

    def variant(self) -> Path:
        shutil.copyfile(self.base, self.scratch)
        with self.h5py.File(self.scratch, "r+") as model:
            model[self.bias][...] = self.rng.normal(size=3).astype("float32")
        return self.scratch


class Trainer:
    """A background Keras training loop; collects its samples/s per epoch."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", TRAINING_SCRIPT], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True, start_new_session=True,
        )  # fmt: skip
        self.ready = threading.Event()
        self.speeds: list[float] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip() == "ready":
                self.ready.set()
            else:
                self.speeds.append(float(line))

    def stop(self) -> None:
        kill_tree(self.process.pid)
        self.process.wait(10)


def two_trainers(pycache: Path) -> list[Trainer]:
    """Two one-thread Keras trainings, one per core: the "2 trainings" of every table."""
    return [Trainer(child_env(None, pycache)) for _ in range(2)]


def wait_until_training(trainers: list[Trainer]) -> None:
    for trainer in trainers:
        if not trainer.ready.wait(180):
            raise RuntimeError("a training process did not start")


def session_rows(home: Path, query: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(f"file:{home / 'tfexam.db'}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def wait_rows(home: Path, query: str, at_least: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if session_rows(home, query)[0][0] >= at_least:
            return True
        time.sleep(0.5)
    return False


class KeyPresser:
    """Presses 2, 3, 4, 5, 1, 2, ... and times each until the header shows that question."""

    def __init__(self, term: Terminal, titles: list[str], row: int) -> None:
        self.term = term
        self.titles = titles
        self.row = row
        self.current = 1
        self.rng = random.Random(0)

    def run(self, presses: int, gap: tuple[float, float] = READING_GAP_S) -> dict[str, Any]:
        # The app's own CPU use without keys first: the clock tick, and saves being graded.
        cpu_before, wall_before = cpu_seconds(self.term.pid), time.perf_counter()
        time.sleep(IDLE_WINDOW_S)
        idle_cpu = (cpu_seconds(self.term.pid) - cpu_before) / (time.perf_counter() - wall_before)
        latencies, pressed_at, targets, misses = [], [], [], 0
        machine_load = CpuMeter()
        cpu_before, wall_before = cpu_seconds(self.term.pid), time.perf_counter()
        bytes_before = self.term.mark()
        for _ in range(presses):
            number = self.current % len(self.titles) + 1
            at, since = self.term.send(str(number).encode())
            pressed_at.append(time.time())
            targets.append(number)
            finder = HeaderFinder(number, self.titles[number - 1], self.row)
            found = self.term.wait(finder, since, 5)
            if found is None:
                misses += 1
                latencies.append(5.0)
            else:
                latencies.append(found[0] - at)
            self.current = number
            time.sleep(self.rng.uniform(*gap))  # the reader keeps draining the output meanwhile
        wall = time.perf_counter() - wall_before
        cpu = cpu_seconds(self.term.pid) - cpu_before
        return {
            **summary(latencies),
            "misses": misses,
            "gap_s": list(gap),
            "median_by_question_s": {
                f"Q{n}": percentile(
                    [v for v, t in zip(latencies, targets, strict=True) if t == n], 50
                )
                for n in range(1, len(self.titles) + 1)
            },
            "seconds": wall,
            "tui_cpu_percent_without_keys": 100 * idle_cpu,
            "tui_cpu_percent": 100 * cpu / wall,
            "tui_cpu_ms_per_press": 1000 * (cpu - idle_cpu * wall) / presses,
            "output_kb_per_press": (self.term.mark() - bytes_before) / presses / 1024,
            **machine_load.read(),
            "pressed_at": pressed_at,
        }


class CpuMeter:
    """CPU used on the whole machine since creation, split into this benchmark's process tree
    (the TUI, its grading workers, the trainings) and every other process (someone else's)."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.busy = self._busy()
        self.ours = self._ours()

    @staticmethod
    def _busy() -> float:
        t = psutil.cpu_times()
        return t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0)

    @staticmethod
    def _ours() -> dict[int, float]:
        ours = {}
        for process in [psutil.Process(), *psutil.Process().children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                ours[process.pid] = cpu_seconds(process.pid)
        return ours

    def read(self) -> dict[str, float]:
        wall = time.perf_counter() - self.wall
        busy = self._busy() - self.busy
        now = self._ours()
        ours = sum(v - self.ours.get(pid, 0.0) for pid, v in now.items())
        return {
            "cores_busy_ours": ours / wall,
            "cores_busy_others": max(0.0, busy - ours) / wall,
        }


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


class Saver:
    """Saves a new category-3 model into the workspace every SAVE_EVERY_S seconds."""

    def __init__(self, models: CnnModels, target: Path) -> None:
        self.models = models
        self.target = target
        self.saves = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            # Written aside first and copied in at once, like engine_bench's stream of models.
            shutil.copyfile(self.models.variant(), self.target)
            self.saves += 1
            self._stop.wait(SAVE_EVERY_S)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


def graded_count(home: Path) -> int:
    rows = session_rows(home, "SELECT count(*) FROM attempts WHERE state='graded'")
    return int(rows[0][0])


def grading_overlap(home: Path, phase: dict[str, Any]) -> None:
    """Add how many gradings were running at each press (from the attempts' start and end)."""
    intervals = session_rows(
        home,
        "SELECT started_at, coalesce(finished_at, 1e12) FROM attempts WHERE started_at IS NOT NULL",
    )
    running = [sum(s <= at <= f for s, f in intervals) for at in phase.pop("pressed_at")]
    phase["presses_with_two_gradings_running_percent"] = (
        100 * sum(r >= 2 for r in running) / len(running)
    )


def measure_keys(scratch: Path, presses: int, titles: list[str], pycache: Path) -> dict[str, Any]:
    """Key-to-update latency with no load, with two gradings, and with two gradings + two trainings."""
    home = scratch / "keys"
    workspace = home / "workspace"
    models = CnnModels(scratch, pycache)
    term = Terminal(
        [sys.executable, "-m", "simulator", "start", "practice", "--workspace", str(workspace),
         "--duration", "1h", "--workers", "2"],
        child_env(home, pycache),
    )  # fmt: skip
    trainers: list[Trainer] = []
    saver: Saver | None = None
    result: dict[str, Any] = {}
    try:
        row = int(open_screen(term, titles)["header_row"])
        if not wait_rows(home, "SELECT count(*) FROM events WHERE kind='worker-ready'", 2, 180):
            raise RuntimeError("the two grading workers did not get ready")
        workers = [
            p for p in psutil.Process(term.pid).children() if "grading" in " ".join(p.cmdline())
        ]
        result["worker_scheduling"] = sorted(
            {"SCHED_IDLE" if os.sched_getscheduler(p.pid) == os.SCHED_IDLE else f"nice {p.nice()}"
             for p in workers}
        )  # fmt: skip
        time.sleep(1)
        keys = KeyPresser(term, titles, row)
        result["no_load"] = keys.run(presses)
        grading_overlap(home, result["no_load"])
        report_phase("no load", result["no_load"])
        result["no_load_rapid"] = keys.run(max(10, presses * 3 // 10), RAPID_GAP_S)
        grading_overlap(home, result["no_load_rapid"])
        report_phase("no load, rapid presses", result["no_load_rapid"])

        # Two gradings at once: a new model every half second keeps both workers busy (a save
        # that arrives while both are busy waits, and the next save replaces it).
        saver = Saver(models, workspace / "category3" / "mymodel.h5")
        grading = "SELECT count(*) FROM attempts WHERE state='grading'"
        result["grading"] = {"two_running_before_presses": wait_rows(home, grading, 2, 120)}
        graded_before = graded_count(home)
        result["grading"].update(keys.run(presses))
        result["grading"]["gradings_finished"] = graded_count(home) - graded_before
        grading_overlap(home, result["grading"])
        report_phase("2 gradings", result["grading"])

        trainers = two_trainers(pycache)
        wait_until_training(trainers)
        speeds_before = [len(t.speeds) for t in trainers]
        graded_before = graded_count(home)
        result["loaded"] = {"two_running_before_presses": wait_rows(home, grading, 2, 120)}
        result["loaded"].update(keys.run(presses))
        result["loaded"]["gradings_finished"] = graded_count(home) - graded_before
        result["loaded"]["training_samples_per_s"] = [
            round(float(np.median(t.speeds[n:])), 1) if t.speeds[n:] else None
            for t, n in zip(trainers, speeds_before, strict=True)
        ]
        result["loaded"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        grading_overlap(home, result["loaded"])
        report_phase("2 gradings + 2 trainings", result["loaded"])
        saver.stop()
        result["saves"] = saver.saves
        for trainer in trainers:
            trainer.stop()
        trainers = []
        result["flood"] = measure_flood(term, home, workspace, keys, presses)
        report_phase("a run printing 10,000 lines/s", result["flood"])
        result["left_cleanly"] = term.leave(120)
    finally:
        if saver is not None:
            saver.stop()
        for trainer in trainers:
            trainer.stop()
        term.close()
    return result


def measure_flood(
    term: Terminal, home: Path, workspace: Path, keys: KeyPresser, presses: int
) -> dict[str, Any]:
    """Keys while a run started from the TUI (r) prints 10,000 lines a second into its log.

    The Run window stays on screen (starting a run shows it), so its log tail is redrawn
    twice a second throughout; tfexam's RSS is read before and after.
    """
    (workspace / "category1" / "starter.py").write_text(FLOOD_SCRIPT)
    term.send(b"1")
    time.sleep(0.5)
    term.send(b"r")
    if not wait_rows(home, "SELECT count(*) FROM runs WHERE state='running'", 1, 60):
        raise RuntimeError("the flooding run did not start")
    time.sleep(3)
    tfexam = psutil.Process(term.pid)
    rss_before = tfexam.memory_info().rss / 2**20
    phase = keys.run(presses)
    phase["tfexam_rss_mb_before"] = round(rss_before, 1)
    phase["tfexam_rss_mb_after"] = round(tfexam.memory_info().rss / 2**20, 1)
    [(log_path,)] = session_rows(home, "SELECT log_path FROM runs ORDER BY id DESC LIMIT 1")
    phase["log_mb"] = round(Path(log_path).stat().st_size / 2**20, 1)
    term.send(b"x")  # stop the run (the newest, selected in the Run window)
    if not wait_rows(home, "SELECT count(*) FROM runs WHERE state='stopped'", 1, 30):
        raise RuntimeError("the flooding run was not stopped")
    grading_overlap(home, phase)
    return phase


#: A training-like run: one Keras-like progress line every half second, for as long as it runs.
SLOW_LOG_SCRIPT = """
import sys, time
n = 0
while True:
    n += 1
    print(f"{n:6d}/100000 - 0s 2ms/step - accuracy: 0.8123 - loss: 0.4567", flush=True)
    time.sleep(0.5)
"""
#: The idle phase's windows (a separate name from the keys' IDLE_WINDOW_S, which it shadowed).
IDLE_PHASE_S = 60.0
#: The idle windows start no sooner than this after the first frame: the prompt panes are
#: prepared in the background from 1.5 s on (one every 0.4 s) and the heap is frozen at 4 s.
IDLE_AFTER_FIRST_FRAME_S = 12.0
#: Start-up is over when tfexam used less than this share of a core over QUIET_CHECK_S (the
#: data writer's last question shown, a newly shown view's first draws) ...
QUIET_SHARE = 0.05
QUIET_CHECK_S = 3.0
#: ... or, on a machine too busy to tell, after this long (the result says which).
QUIET_TIMEOUT_S = 45.0


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of each thread of ``pid`` by thread id; the main thread's id
    is the pid. Threads that ended are not there (their time stays in the process's)."""
    return {t.id: t.user_time + t.system_time for t in psutil.Process(pid).threads()}


def writer_running(pid: int) -> bool:
    """Whether tfexam's background data writer (a child process) is still writing."""
    for child in psutil.Process(pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if WRITER_MODULE in child.cmdline():
                return True
    return False


def wait_quiet(pid: int) -> dict[str, Any]:
    """Wait until tfexam's CPU over QUIET_CHECK_S falls under QUIET_SHARE of a core."""
    started = time.monotonic()
    share = float("nan")
    while time.monotonic() - started < QUIET_TIMEOUT_S:
        before, at = cpu_seconds(pid), time.monotonic()
        time.sleep(QUIET_CHECK_S)
        share = (cpu_seconds(pid) - before) / (time.monotonic() - at)
        if share < QUIET_SHARE:
            return {"quiet_after_s": round(time.monotonic() - started, 1), "quiet": True}
    return {"quiet_after_s": round(time.monotonic() - started, 1), "quiet": False,
            "last_share_percent": round(100 * share, 2)}  # fmt: skip


def idle_window(pid: int, seconds: float, log_path: Path) -> dict[str, Any]:
    """tfexam's CPU over ``seconds`` as a share of one core: the process, its main thread (the
    TUI's event loop) and its other threads (the engine's, Textual's input and output threads),
    with the load around it and how much the run's log grew meanwhile."""
    meter = CpuMeter()
    load_before = os.getloadavg()[0]
    lines_before = log_path.read_bytes().count(b"\n")
    process_before, threads_before = cpu_seconds(pid), thread_cpu_seconds(pid)
    start = time.monotonic()
    time.sleep(seconds)
    process_after, threads_after = cpu_seconds(pid), thread_cpu_seconds(pid)
    wall = time.monotonic() - start
    used = {tid: t - threads_before.get(tid, 0.0) for tid, t in threads_after.items()}
    main = used.get(pid, 0.0)
    return {
        "cpu_percent": round(100 * (process_after - process_before) / wall, 3),
        "main_thread_percent": round(100 * main / wall, 3),
        "other_threads_percent": round(100 * (sum(used.values()) - main) / wall, 3),
        "busiest_other_threads_ms": sorted(
            (round(1000 * t) for tid, t in used.items() if tid != pid), reverse=True
        )[:6],
        "threads": len(threads_after),
        "log_lines_added": log_path.read_bytes().count(b"\n") - lines_before,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cores_busy_others": round(meter.read()["cores_busy_others"], 2),
    }


def start_idle_session(
    scratch: Path, titles: list[str], pycache: Path, args: list[str] | None = None
) -> tuple[Terminal, Path, Path]:
    """``tfexam start practice`` (or ``args`` in its place: a profiling wrapper) with one run
    of SLOW_LOG_SCRIPT started by ``r``, once start-up work is over: the grading worker ready,
    the background data writer done, the prompt panes prepared. The terminal, TFEXAM_HOME and
    the run's log."""
    home = scratch / "idle"
    workspace = home / "workspace"
    command = args or [sys.executable, "-m", "simulator"]
    term = Terminal(
        [*command, "start", "practice", "--workspace", str(workspace), "--duration", "1h"],
        child_env(home, pycache),
    )  # fmt: skip
    try:
        shown = open_screen(term, titles)
        if not wait_rows(home, "SELECT count(*) FROM events WHERE kind='worker-ready'", 1, 180):
            raise RuntimeError("the grading worker did not get ready")
        (workspace / "category1" / "starter.py").write_text(SLOW_LOG_SCRIPT)
        term.send(b"r")
        if not wait_rows(home, "SELECT count(*) FROM runs WHERE state='running'", 1, 60):
            raise RuntimeError("the run did not start")
        deadline = time.monotonic() + 180
        while writer_running(term.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        since_frame = time.perf_counter() - term.launched - shown["first_frame_s"]
        time.sleep(max(0.0, IDLE_AFTER_FIRST_FRAME_S - since_frame))
        [(log_path,)] = session_rows(home, "SELECT log_path FROM runs ORDER BY id DESC LIMIT 1")
    except BaseException:
        term.close()
        raise
    return term, home, Path(log_path)


#: The views measured, and the key that brings each: ``r`` showed the run's tab; ``v`` then
#: shows the Exam window, and ``v`` again the Run window on the run's tab.
IDLE_VIEWS = (("exam_window", b"v"), ("run_tab", b"v"))


def measure_idle(scratch: Path, titles: list[str], pycache: Path) -> dict[str, Any]:
    """tfexam's own CPU (the TUI and the engine in its process, not the grading worker or the
    run) over IDLE_PHASE_S with nobody at the keys and one run's log growing: first with the
    Exam window on show, then with the run's tab on show (its log tail followed). Each window
    starts once tfexam is quiet (start-up work over, the view drawn)."""
    result: dict[str, Any] = {"window_s": IDLE_PHASE_S}
    term, home, log_path = start_idle_session(scratch, titles, pycache)
    try:
        for name, key in IDLE_VIEWS:
            term.send(key)
            settled = wait_quiet(term.pid)
            result[name] = {**idle_window(term.pid, IDLE_PHASE_S, log_path), **settled}
            result[f"{name}_cpu_percent"] = result[name]["cpu_percent"]
            print(f"  {name}: {result[name]}", flush=True)
        result["log_lines"] = log_path.read_bytes().count(b"\n")
        term.send(b"x")
        wait_rows(home, "SELECT count(*) FROM runs WHERE state='stopped'", 1, 30)
        result["left_cleanly"] = term.leave(120)
    finally:
        term.close()
    return result


#: The start of a run tab's header (one styled span, so its bytes are contiguous).
RUN_HEADER = b"Q1 run #1 "
#: A run that prints 100,000 lines of Keras-like width, then ends: the log of the run-tab measure.
TAB_LOG_LINES = 100_000
TAB_LOG_SCRIPT = (
    f"for n in range({TAB_LOG_LINES}):\n"
    "    print(f'{n + 1:6d}/{TAB_LOG_LINES} - 0s 2ms/step - accuracy: 0.8123 - loss: 0.4567')\n"
).replace("{TAB_LOG_LINES}", str(TAB_LOG_LINES))


def measure_run_tabs(
    scratch: Path, switches: int, titles: list[str], pycache: Path
) -> dict[str, Any]:
    """Switching to a run's tab whose log has 100,000 lines, while two trainings run.

    A session runs TAB_LOG_SCRIPT once (r on question 1) and is left; then ``tfexam resume``
    opens it in a new process with two Keras trainings busy on both cores: ``v`` shows the Run
    window's overview, ``]`` opens the run's tab (the first time: its whole log is read from the
    file), ``[`` goes back to the overview, and so on. Each switch is timed from the key to the
    first byte of the tab's own header ("run #1 exit 0") or of the overview's table header
    ("Progress"); the first open also until the log's last line is on screen.
    """
    home = scratch / "tabs"
    workspace = home / "workspace"
    env = child_env(home, pycache)
    term = Terminal(
        [sys.executable, "-m", "simulator", "start", "practice", "--workspace", str(workspace),
         "--duration", "1h"],
        env,
    )  # fmt: skip
    try:
        open_screen(term, titles, created=True)
        (workspace / "category1" / "starter.py").write_text(TAB_LOG_SCRIPT)
        term.send(b"1")
        time.sleep(0.5)
        term.send(b"r")
        if not wait_rows(home, "SELECT count(*) FROM runs WHERE state='finished'", 1, 180):
            raise RuntimeError("the 100,000-line run did not finish")
        term.leave()
    finally:
        term.close()
    trainers = two_trainers(pycache)
    term = Terminal([sys.executable, "-m", "simulator", "resume"], env)
    result: dict[str, Any] = {"log_lines": TAB_LOG_LINES}
    try:
        wait_until_training(trainers)
        open_screen(term, titles)
        time.sleep(2)
        _, since = term.send(b"v")
        term.wait_bytes(b"Progress", since, 30)
        time.sleep(1)
        at, since = term.send(b"]")
        header = term.wait_bytes(RUN_HEADER, since, 30)
        last_line = f"{TAB_LOG_LINES:6d}/{TAB_LOG_LINES}".encode()
        whole = term.wait_bytes(last_line, since, 60)
        result["first_open_s"] = header[0] - at
        result["first_open_whole_log_s"] = whole[0] - at
        to_overview, to_run = [], []
        for _ in range(switches):
            time.sleep(random.uniform(*READING_GAP_S))
            at, since = term.send(b"[")
            to_overview.append(term.wait_bytes(b"Progress", since, 10)[0] - at)
            time.sleep(random.uniform(*READING_GAP_S))
            at, since = term.send(b"]")
            to_run.append(term.wait_bytes(RUN_HEADER, since, 10)[0] - at)
        result["to_run_tab"] = summary(to_run)
        result["to_overview"] = summary(to_overview)
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        result["left_cleanly"] = term.leave(120)
    finally:
        for trainer in trainers:
            trainer.stop()
        term.close()
    return result


SGR = rb"(?:\x1b\[[0-9;]*m)*"


def line_drawn(number: int, text: str) -> re.Pattern[bytes]:
    """An editor line drawn with ``text`` right after its line number in the gutter."""
    letters = SGR.join(re.escape(c.encode()) for c in text)
    return re.compile(rb" " + str(number).encode() + rb"  " + SGR + letters)


def regex_finder(pattern: re.Pattern[bytes]) -> Callable[[bytearray, int], int | None]:
    def find(buffer: bytearray, since: int) -> int | None:
        match = pattern.search(buffer, since)
        return None if match is None else match.end()

    return find


#: The file the editor measures open: 500 lines, each one different.
EDITOR_LINES = 500
#: Opens of the 500-line file per run: beside two trainings one open varies by 100 ms.
EDITOR_OPENS = 15


def measure_editor(
    scratch: Path, keystrokes: int, titles: list[str], pycache: Path
) -> dict[str, Any]:
    """The editor tabs, with two Keras trainings running: ``e`` on a question whose starter has
    500 lines, until the tab shows its first lines; then keystrokes typed into it (a human's pace,
    0.05-0.15 s apart: a letter, then backspace), each until the screen shows the line again."""
    home = scratch / "editor"
    workspace = home / "workspace"
    term = Terminal(
        [sys.executable, "-m", "simulator", "start", "practice", "--workspace", str(workspace),
         "--duration", "1h"],
        child_env(home, pycache),
    )  # fmt: skip
    trainers = two_trainers(pycache)
    result: dict[str, Any] = {"file_lines": EDITOR_LINES}
    try:
        open_screen(term, titles, created=True)
        wait_until_training(trainers)
        (workspace / "category1" / "starter.py").write_text(
            "".join(f"value_{n:04d} = {n}  # line {n}\n" for n in range(1, EDITOR_LINES + 1))
        )
        time.sleep(2)
        opens = []
        first_line = regex_finder(line_drawn(1, "value_0001"))
        for _ in range(EDITOR_OPENS):
            at, since = term.send(b"e")
            opens.append(term.wait(first_line, since, 30)[0] - at)
            time.sleep(0.5)
            term.send(b"\x1b[1;5S")  # ctrl+f4: close the tab again (nothing changed)
            time.sleep(0.8)
        result["open_500_lines"] = summary(opens)
        _, since = term.send(b"e")
        term.wait(first_line, since, 30)
        time.sleep(1)
        latencies = []
        # A "z" typed, then taken back with backspace, in turn: each keystroke until line 1 is
        # drawn again with or without it, right after its line number (style codes, such as
        # the cursor's, may come between any two characters).
        with_z, without_z = line_drawn(1, "zvalue_0001"), line_drawn(1, "value_0001")
        for count in range(keystrokes):
            key, drawn = (b"z", with_z) if count % 2 == 0 else (b"\x7f", without_z)
            at, since = term.send(key)
            latencies.append(term.wait(regex_finder(drawn), since, 10)[0] - at)
            time.sleep(random.uniform(*RAPID_GAP_S))
        result["keystroke"] = summary(latencies)
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        for trainer in trainers:
            trainer.stop()
        term.close()
    return result


def report_phase(name: str, phase: dict[str, Any]) -> None:
    print(f"  {name}: p50 {phase['median_s'] * 1000:.0f} ms, p95 {phase['p95_s'] * 1000:.0f} ms, "
          f"TUI CPU {phase['tui_cpu_ms_per_press']:.0f} ms per press", flush=True)  # fmt: skip


# Report -----------------------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"


Row = Callable[..., None]
#: The key phases of measure_keys, in the order they run.
KEY_PHASES = (("no_load", "no load"), ("no_load_rapid", "no load, rapid presses"),
              ("grading", "2 gradings"), ("loaded", "2 gradings + 2 trainings"),
              ("flood", "a run printing 10k lines/s"))  # fmt: skip


def report(results: dict[str, Any]) -> None:
    """The table of every measure that ran (``--only`` runs some), then the details."""
    console = Console()
    console.print(f"machine: {results['machine']}")
    table = Table("measure", "median", "p95", "max", "CPU", "goal", header_style="bold")

    def row(label: str, numbers: dict[str, Any], goal: str = "", cpu: Any = None) -> None:
        cpu = cpu or numbers.get("cpu")
        table.add_row(
            label, ms(numbers["median_s"]), ms(numbers["p95_s"]), ms(numbers["max_s"]),
            ms(cpu["median_s"]) if cpu else "", goal,
        )  # fmt: skip

    if "start" in results:
        report_screen(results, row)
    if "keys" in results:
        for key, name in KEY_PHASES:
            phase = results["keys"][key]
            per_press = {"median_s": phase["tui_cpu_ms_per_press"] / 1000}
            row(f"key -> header, {name} ({phase['n']} presses)", phase, "p95 < 100 ms",
                per_press)  # fmt: skip
    if "run_tabs" in results:
        tabs = results["run_tabs"]
        table.add_row("run tab, 100,000-line log, 2 trainings: first open (header)",
                      ms(tabs["first_open_s"]), "", "", "", "< 100 ms")  # fmt: skip
        table.add_row("  first open until the log's last line shows",
                      ms(tabs["first_open_whole_log_s"]), "", "", "", "")  # fmt: skip
        row(f"run tab -> overview ([), 2 trainings ({tabs['to_overview']['n']} switches)",
            tabs["to_overview"], "p95 < 100 ms")  # fmt: skip
        row(f"overview -> run tab (]), 2 trainings ({tabs['to_run_tab']['n']} switches)",
            tabs["to_run_tab"], "p95 < 100 ms")  # fmt: skip
    if "editor" in results:
        editor = results["editor"]
        row(f"e -> a 500-line file in a tab, 2 trainings ({editor['open_500_lines']['n']} opens)",
            editor["open_500_lines"], "< 150 ms")  # fmt: skip
        row(f"keystroke -> screen in the editor, 2 trainings ({editor['keystroke']['n']} keys)",
            editor["keystroke"], "p95 < 30 ms")  # fmt: skip
    if "idle" in results:
        idle = results["idle"]
        for name, label in (("exam_window", "the Exam window"), ("run_tab", "the run's tab")):
            window = idle[name]
            table.add_row(
                f"idle {idle['window_s']:.0f} s, a run's log growing, {label} on show: % of a "
                "core (CPU column: main thread / other threads)",
                f"{window['cpu_percent']:.2f} %", "", "",
                f"{window['main_thread_percent']:.2f} / {window['other_threads_percent']:.2f}",
                "< 0.5 %",
            )  # fmt: skip
    if "switch_cpu" in results:
        for size in results["switch_cpu"]["sizes"]:
            table.add_row(
                f"question switch, main-thread CPU in-process, {size['size']} "
                f"({size['presses']}, net of a do-nothing key)",
                "", "", "", f"{size['net_ms']:.1f} ms", "< 15 ms",
            )  # fmt: skip
    console.print(table)
    if "imports" in results:
        heavy = ", ".join(
            f"{n} {v * 1000:.0f} ms"
            for n, v in list(results["imports"]["importtime_cumulative_s"].items())[:8]
        )
        console.print(f"heaviest imports (cumulative, -X importtime): {heavy}")
    if "keys" in results:
        report_key_details(results["keys"], console)
    if "start" in results:
        start, resume = results["start"], results["resume"]
        console.print(
            f"other processes kept {start['cores_busy_others']['median_s']:.2f} cores busy "
            f"during the starts, {resume['cores_busy_others']['median_s']:.2f} during the "
            "resumes (median)"
        )


def report_screen(results: dict[str, Any], row: Row) -> None:
    start, resume, imports = results["start"], results["resume"], results["imports"]
    row(f"start: launch -> first frame ({start['first_frame']['n']} runs)", start["first_frame"])
    row("start: of which data generation", start["generation"])
    row("start: launch -> first frame, excluding generation", start["excluding_generation"],
        "< 1 s", start["excluding_generation_cpu"])  # fmt: skip
    row("start: first frame -> Q1 header shown", start["frame_to_question"])
    row("start: launch -> Q1 shown, excluding generation",
        start["question_shown_excluding_generation"])  # fmt: skip
    row(f"resume: launch -> first frame ({resume['first_frame']['n']} runs)",
        resume["first_frame"], "< 0.3 s", resume["first_frame_cpu"])  # fmt: skip
    row("resume: launch -> alternate screen", resume["alt_screen"], cpu=resume["alt_screen_cpu"])
    row("resume: alternate screen -> first frame", resume["alt_to_frame"])
    row("resume: first frame -> Q1 header shown", resume["frame_to_question"])
    row("resume: launch -> Q1 header shown", resume["question_shown"],
        cpu=resume["question_shown_cpu"])  # fmt: skip
    row("python -c pass", imports["python_only"])
    row("python -c 'import simulator.cli'", imports["import_cli"])
    row("python -c 'import simulator.cli, simulator.tui.app'", imports["import_cli_and_tui"])
    row("  the same without a bytecode cache", imports["import_cli_and_tui_no_bytecode_cache"])


def report_key_details(keys: dict[str, Any], console: Console) -> None:
    for key, name in KEY_PHASES:
        phase = keys[key]
        extra = ""
        if "gradings_finished" in phase:
            extra = (
                f", {phase['presses_with_two_gradings_running_percent']:.0f}% of presses with two "
                f"gradings running, {phase['gradings_finished']} gradings finished"
            )
        if "training_samples_per_s" in phase:
            extra += f", training {phase['training_samples_per_s']} samples/s"
        console.print(
            f"{name}: TUI CPU {phase['tui_cpu_ms_per_press']:.0f} ms (mean) and "
            f"{phase['output_kb_per_press']:.0f} KB of output per press (without keys: "
            f"{phase['tui_cpu_percent_without_keys']:.0f}% of a core){extra}; other processes "
            f"kept {phase['cores_busy_others']:.2f} cores busy"
        )
    console.print(f"grading workers: {keys['worker_scheduling']}; {keys['saves']} saves in all")


def screen_results(
    start_runs: list[dict[str, float]], resume_runs: list[dict[str, float]]
) -> dict[str, Any]:
    """The start and resume measures' summaries."""

    def pick(runs: list[dict[str, float]], key: str) -> list[float]:
        return [r[key] for r in runs]

    start = {
        "first_frame": summary(pick(start_runs, "first_frame_s")),
        "generation": summary(pick(start_runs, "generation_s")),
        "excluding_generation": summary(pick(start_runs, "excluding_generation_s")),
        "excluding_generation_cpu": summary(pick(start_runs, "excluding_generation_cpu_s")),
        "launch_to_first_output": summary(pick(start_runs, "first_output_s")),
        "created_to_frame": summary([r["first_frame_s"] - r["created_s"] for r in start_runs]),
        "question_shown": summary(pick(start_runs, "question_shown_s")),
        "question_shown_excluding_generation": summary(
            pick(start_runs, "question_excluding_generation_s")
        ),
        "frame_to_question": summary(
            [r["question_shown_s"] - r["first_frame_s"] for r in start_runs]
        ),
        "cores_busy_others": summary(pick(start_runs, "cores_busy_others")),
        "left_cleanly": all(r["left_cleanly"] for r in start_runs),
    }
    resume = {
        "first_frame": summary(pick(resume_runs, "first_frame_s")),
        "first_frame_cpu": summary(pick(resume_runs, "first_frame_cpu_s")),
        "alt_screen": summary(pick(resume_runs, "alt_screen_s")),
        "alt_screen_cpu": summary(pick(resume_runs, "alt_screen_cpu_s")),
        "alt_to_frame": summary([r["first_frame_s"] - r["alt_screen_s"] for r in resume_runs]),
        "question_shown": summary(pick(resume_runs, "question_shown_s")),
        "question_shown_cpu": summary(pick(resume_runs, "question_shown_cpu_s")),
        "frame_to_question": summary(
            [r["question_shown_s"] - r["first_frame_s"] for r in resume_runs]
        ),
        "cores_busy_others": summary(pick(resume_runs, "cores_busy_others")),
        "left_cleanly": all(r["left_cleanly"] for r in resume_runs),
    }
    return {"start": start, "resume": resume}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Fewer repetitions (about a minute).")
    parser.add_argument("--starts", type=int, help="Runs of 'tfexam start' (default 4, quick 2).")
    parser.add_argument("--resumes", type=int, help="Runs of 'tfexam resume' (default 8, quick 3).")
    parser.add_argument(
        "--presses", type=int, help="Key presses per phase (default 100, quick 30)."
    )
    parser.add_argument("--json-out", type=Path)
    parser.add_argument(
        "--only", help="Comma-separated phases to run: screen (start, resume, imports), keys, "
        "idle, run-tabs, editor, switch-cpu (in-process, benchmarks/switch_cpu.py; default: all).",
    )  # fmt: skip
    args = parser.parse_args()
    phases = {"screen", "keys", "idle", "run-tabs", "editor", "switch-cpu"}
    only = set(args.only.split(",")) if args.only else phases
    starts = args.starts or (2 if args.quick else 4)
    resumes = args.resumes or (3 if args.quick else 8)
    presses = args.presses or (30 if args.quick else 100)

    from simulator.exam.catalog import find_exam

    titles = [q.title for q in find_exam("practice", None).questions]
    results: dict[str, Any] = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="tfexam-tui-bench-") as scratch_name:
        scratch = Path(scratch_name)
        pycache = scratch / "pycache"
        warm = "import simulator.cli, simulator.tui.app, keras"  # fill the bytecode cache once
        subprocess.run(
            [sys.executable, "-c", warm], cwd=REPO, env=child_env(None, pycache), check=True,
            capture_output=True,
        )  # fmt: skip

        if "screen" in only:
            print("tfexam start:", flush=True)
            start_runs, home = measure_start(scratch, starts, titles, pycache)
            print("tfexam resume:", flush=True)
            resume_runs = measure_resume(home, resumes, titles, pycache)
            print("imports:", flush=True)
            results["imports"] = import_breakdown(pycache, 4 if args.quick else 6)
            results.update(screen_results(start_runs, resume_runs))
        if "keys" in only:
            print("keys:", flush=True)
            results["keys"] = measure_keys(scratch, presses, titles, pycache)
        if "idle" in only:
            print("idle:", flush=True)
            results["idle"] = measure_idle(scratch, titles, pycache)
            print(f"  {results['idle']}", flush=True)
        if "run-tabs" in only:
            print("run tabs:", flush=True)
            results["run_tabs"] = measure_run_tabs(scratch, max(10, presses // 4), titles, pycache)
        if "editor" in only:
            print("editor:", flush=True)
            results["editor"] = measure_editor(scratch, presses, titles, pycache)
        if "switch-cpu" in only:
            print("question switch, main-thread CPU in-process:", flush=True)
            results["switch_cpu"] = switch_cpu.run(
                max(presses, 100), list(switch_cpu.DEFAULT_SIZES)
            )

    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report(results)
    print_json(results, args.json_out)


if __name__ == "__main__":
    main()
