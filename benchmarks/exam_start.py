"""Benchmark opening a new exam: launch to the first frame and to ``session-opened``, and until
every question's data is ready; quiet, and with a Keras training on each core.

Run:  .venv/bin/python benchmarks/exam_start.py [--reps 3] [--json-out FILE]

Goals (issue 17): the exam screen, or the headless ``session-opened`` event, under 1 s after
``tfexam start`` with question 1 ready, also while a training keeps both cores busy; the other
questions' data follows in the background (measured: launch to the last ``question-ready``).
Issue 27: the first frame under 1 s beside two trainings. Each first frame also says how much
CPU the tfexam process had used by then (sampled as the bench sees the frame): the figure that
does not depend on how busy the machine is.

1. ``tfexam start practice`` in a pseudo-terminal (120x40, as benchmarks/tui_bench.py runs it):
   launch to the first frame (the exam screen's "Submit and Test") and to question 1 shown, and
   to the last ``question-ready`` event in the store;
2. ``tfexam start practice --json``: launch to the ``session-opened`` line and to the last
   ``question-ready`` line;
3. ``tfexam resume`` of the session just started, in the same pseudo-terminal size: launch to
   the first frame (issue 27);
4. each once more with two Keras trainings running (one thread each: both cores busy);
5. the old foreground path for reference: ``create_session`` writing every question's data, and
   the size of the workspace, for each offline exam; and each question's ``write_data`` alone
   (the figures the per-question tests once asserted: a speed goal is a benchmark's, since a
   unit test on a loaded machine cannot tell a slow machine from slow code).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from machine import describe_machine, print_json  # benchmarks/machine.py, beside this script
from tui_bench import REPO, Terminal, child_env, kill_tree, open_screen

from simulator.datasets import exam_datasets
from simulator.exam.catalog import find_exam, list_exams
from simulator.exam.code import load_question_module
from simulator.exam.format import Exam
from simulator.paths import DataPaths
from simulator.session.sessions import NewSession, create_session
from simulator.storage.store import Store

#: A small Keras training that runs until killed, on one thread: two of them fill two cores.
TRAINING_SCRIPT = """
import os
os.environ["TF_NUM_INTRAOP_THREADS"] = "1"
os.environ["TF_NUM_INTEROP_THREADS"] = "1"
import numpy as np, keras
x = np.random.rand(20000, 64).astype("float32")
y = (x.sum(axis=1) > 32).astype("float32")
model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(256, activation="relu"),
                          keras.layers.Dense(256, activation="relu"), keras.layers.Dense(1)])
model.compile("adam", "mse")
print("training", flush=True)
model.fit(x, y, epochs=100000, batch_size=64, verbose=0)
"""
QUESTIONS = 5


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def all_ready_at(database: Path, timeout: float = 180.0) -> float | None:
    """Epoch time of the last ``question-ready`` once every pending question has one."""
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        try:
            with sqlite3.connect(database) as db:
                rows = db.execute(
                    "SELECT at FROM events WHERE kind = 'question-ready' ORDER BY at"
                ).fetchall()
        except sqlite3.Error:
            rows = []
        if len(rows) >= QUESTIONS - 1:
            return float(rows[-1][0])
        time.sleep(0.2)
    return None


class Trainings:
    """Two Keras trainings (one thread each), started and warmed before a measurement."""

    def __init__(self, count: int = 2) -> None:
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
        self.processes = [self._start(env) for _ in range(count)]
        for process in self.processes:
            assert process.stdout is not None
            process.stdout.readline()  # "training": TensorFlow imported, the fit under way
        time.sleep(2.0)

    @staticmethod
    def _start(env: dict[str, str]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", TRAINING_SCRIPT], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, env=env, start_new_session=True,
        )  # fmt: skip

    def stop(self) -> None:
        for process in self.processes:
            kill_tree(process.pid)
            process.wait(10)


def tui_start(scratch: Path, name: str, titles: list[str]) -> dict[str, float]:
    home = scratch / name
    launched = time.time()
    term = Terminal(
        [sys.executable, "-m", "simulator", "start", "practice", "--workspace",
         str(home / "workspace"), "--duration", "1h"],
        child_env(home, scratch / "pycache"),
    )  # fmt: skip
    try:
        times = open_screen(term, titles, created=True)
        ready = all_ready_at(DataPaths(home).database)
        times["all_ready_s"] = (ready - launched) if ready is not None else float("nan")
        term.leave()
    finally:
        term.close()
    resume = Terminal(
        [sys.executable, "-m", "simulator", "resume"], child_env(home, scratch / "pycache")
    )
    try:
        resumed = open_screen(resume, titles)
        resume.leave()
    finally:
        resume.close()
    times["resume_first_frame_s"] = resumed["first_frame_s"]
    times["resume_first_frame_cpu_s"] = resumed["first_frame_cpu_s"]
    return times


def headless_start(scratch: Path, name: str) -> dict[str, float]:
    home = scratch / name
    env = child_env(home, scratch / "pycache")
    launched = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "start", "practice", "--workspace",
         str(home / "workspace"), "--duration", "1h", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
        cwd=REPO, env=env, start_new_session=True,
    )  # fmt: skip
    times: dict[str, float] = {}
    ready = 0
    assert process.stdout is not None
    timer = threading.Timer(180, lambda: kill_tree(process.pid))
    timer.start()
    try:
        for line in process.stdout:
            event = json.loads(line)["event"]
            now = time.perf_counter() - launched
            if event == "session-opened":
                times["session_opened_s"] = now
            elif event == "question-ready":
                ready += 1
                if ready == QUESTIONS - 1:
                    times["all_ready_s"] = now
                    break
    finally:
        timer.cancel()
        kill_tree(process.pid)
        process.wait(10)
    return times


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def measure(scratch: Path, label: str, reps: int, titles: list[str]) -> dict[str, Any]:
    tui = [tui_start(scratch, f"{label}-tui-{rep}", titles) for rep in range(reps)]
    headless = [headless_start(scratch, f"{label}-headless-{rep}") for rep in range(reps)]
    for rep, (t, h) in enumerate(zip(tui, headless, strict=True)):
        print(
            f"  {label} {rep + 1}/{reps}: first frame {t['first_frame_s']:.2f} s "
            f"(CPU {t['first_frame_cpu_s']:.2f} s), Q1 shown {t['question_shown_s']:.2f} s, all "
            f"ready {t['all_ready_s']:.1f} s; resume first frame {t['resume_first_frame_s']:.2f} s "
            f"(CPU {t['resume_first_frame_cpu_s']:.2f} s); headless session-opened "
            f"{h['session_opened_s']:.2f} s, all ready {h['all_ready_s']:.1f} s",
            flush=True,
        )
    keys = {
        "first_frame_s": tui,
        "first_frame_cpu_s": tui,
        "question_shown_s": tui,
        "resume_first_frame_s": tui,
        "resume_first_frame_cpu_s": tui,
        "session_opened_s": headless,
    }
    summary = {
        key: {"median": median([r[key] for r in rows]), "max": max(r[key] for r in rows)}
        for key, rows in keys.items()
    }
    summary["all_ready_tui_s"] = {"median": median([r["all_ready_s"] for r in tui])}
    summary["all_ready_headless_s"] = {"median": median([r["all_ready_s"] for r in headless])}
    return {"runs": {"tui": tui, "headless": headless}, "summary": summary}


def foreground(scratch: Path) -> list[dict[str, Any]]:
    rows = []
    store = Store(DataPaths(scratch / "foreground").database)
    for entry in list_exams(None):
        assert entry.exam is not None, entry.error
        if exam_datasets(entry.exam):
            continue  # the classic exams copy prepared downloads: see tfexam prepare
        started = time.perf_counter()
        session = create_session(
            store, NewSession(entry.exam, workspace=scratch / "foreground" / entry.exam.id)
        )
        rows.append(
            {
                "exam": entry.exam.id,
                "all_data_s": time.perf_counter() - started,
                "workspace_mb": folder_size(session.workspace) / 2**20,
                "questions": write_times(entry.exam, scratch / "per-question" / entry.exam.id),
            }
        )
    store.close()
    return rows


def write_times(exam: Exam, scratch: Path) -> list[dict[str, Any]]:
    """Each question's ``write_data`` for the exam's seed, alone: seconds and megabytes."""
    rows = []
    for question in exam.questions:
        if question.data is None:
            continue
        data = load_question_module(question, question.data, "data")
        folder = scratch / question.workspace_folder
        folder.mkdir(parents=True)
        started = time.perf_counter()
        data.write_data(folder, exam.seed)
        seconds = time.perf_counter() - started
        rows.append(
            {"question": question.id, "write_s": seconds, "mb": folder_size(folder) / 2**20}
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json-out", type=Path)
    parser.add_argument(
        "--no-foreground", action="store_true", help="leave out the old foreground path (5.)"
    )
    args = parser.parse_args()
    titles = [q.title for q in find_exam("practice", None).questions]
    results: dict[str, Any] = {"machine": describe_machine(), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="tfexam-start-") as scratch:
        root = Path(scratch)
        # Compile the bytecode once, as an installed tfexam has it (tui_bench does the same).
        subprocess.run(
            [sys.executable, "-c", "import simulator.cli, simulator.tui.app, simulator.session.dataprep"],
            env=child_env(root / "warm", root / "pycache"), cwd=REPO, check=True,
        )  # fmt: skip
        results["quiet"] = measure(root, "quiet", args.reps, titles)
        trainings = Trainings()
        try:
            results["training"] = measure(root, "training", args.reps, titles)
        finally:
            trainings.stop()
        results["foreground"] = [] if args.no_foreground else foreground(root)
    results["load_after"] = os.getloadavg()
    print(f"{'':<10}{'first frame':>12}{'its CPU':>9}{'Q1 shown':>10}{'resume':>8}{'its CPU':>9}"
          f"{'opened':>8}{'all ready':>11}")  # fmt: skip
    for label in ("quiet", "training"):
        s = results[label]["summary"]
        print(
            f"{label:<10}{s['first_frame_s']['median']:>11.2f}s{s['first_frame_cpu_s']['median']:>8.2f}s"
            f"{s['question_shown_s']['median']:>9.2f}s{s['resume_first_frame_s']['median']:>7.2f}s"
            f"{s['resume_first_frame_cpu_s']['median']:>8.2f}s"
            f"{s['session_opened_s']['median']:>7.2f}s{s['all_ready_tui_s']['median']:>10.1f}s"
        )
    for row in results["foreground"]:
        print(f"{row['exam']}: all data in the foreground {row['all_data_s']:.1f} s, "
              f"{row['workspace_mb']:.1f} MB")  # fmt: skip
        for one in row["questions"]:
            print(f"  {one['question']}: write_data {one['write_s']:.2f} s, {one['mb']:.1f} MB")
    print_json(results, args.json_out)


if __name__ == "__main__":
    main()
