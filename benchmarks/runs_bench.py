"""Benchmark the cost of watching training runs (the parallel-training workflow).

Run:  .venv/bin/python benchmarks/runs_bench.py [--window 30] [--json-out FILE]

Measures, on this machine, in one process that hosts a real engine (watcher, heartbeat, system
sampling, grading pool, run monitor), as the TUI's process does:
1. the engine's own CPU (this process, children excluded) over a window with no runs;
2. the same while it monitors 3 real Keras trainings (verbose=1: a progress bar redrawn many
   times a second); goal: under 2 % of one core;
3. the same while it monitors 1 run printing 10,000 lines a second, plus the peak RSS of this
   process and the run's log size: memory must stay bounded (only a tail is kept in memory).
Prints a table and a JSON document (also written to --json-out).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import psutil
from machine import (  # benchmarks/machine.py, beside this script
    FLOOD_SCRIPT,
    describe_machine,
    print_json,
)

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TRAINING = textwrap.dedent(
    """
    import numpy as np
    import keras

    rng = np.random.default_rng(0)
    x = rng.random((20000, 30, 1)).astype("float32")
    y = x.mean(axis=1)
    model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
    model.compile("adam", "mae")
    model.fit(x, y, epochs=100000, batch_size=32, verbose=1)
    """
)


def machine() -> dict[str, Any]:
    return {
        **describe_machine(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def own_cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


def measure_window(seconds: float, sample_rss: bool = False) -> dict[str, float]:
    """CPU of this process (all its threads) over ``seconds`` of wall time; peak RSS if asked."""
    before, started = own_cpu_seconds(), time.monotonic()
    peak = psutil.Process().memory_info().rss
    while time.monotonic() - started < seconds:
        time.sleep(0.5)
        if sample_rss:
            peak = max(peak, psutil.Process().memory_info().rss)
    wall = time.monotonic() - started
    used = own_cpu_seconds() - before
    return {"wall_s": round(wall, 2), "cpu_s": round(used, 3), "percent_of_one_core": round(100 * used / wall, 2),
            "peak_rss_mb": round(peak / 2**20, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=30.0, help="Seconds per measurement.")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="tfexam-runs-bench-"))
    os.environ["TFEXAM_HOME"] = str(home / "home")
    from simulator.exam.catalog import find_exam
    from simulator.paths import data_paths
    from simulator.session.engine import Engine
    from simulator.session.sessions import NewSession, create_session
    from simulator.storage.store import Store

    paths = data_paths()
    store = Store(paths.database)
    exam = find_exam(str(REPO / "tests" / "fixtures" / "exams" / "formats"), paths)
    session = create_session(store, NewSession(exam, workspace=home / "ws", duration_s=3600))
    (session.workspace / "series" / "train.py").write_text(TRAINING)
    (session.workspace / "text" / "flood.py").write_text(FLOOD_SCRIPT)
    engine = Engine(store, paths, session, exam)
    engine.start()
    assert engine.pool.wait_ready(120), "grading worker did not start"
    time.sleep(2)
    results: dict[str, Any] = {"machine": machine()}
    try:
        results["idle_engine"] = measure_window(args.window)
        runs = [engine.start_run("series", "train.py") for _ in range(3)]
        time.sleep(8)  # TensorFlow start-up in the children
        results["three_trainings"] = measure_window(args.window)
        views = {v.record.id: v for v in engine.run_views()}
        results["three_trainings"]["epochs_parsed"] = [views[r.id].progress.epoch for r in runs]
        for run in runs:
            engine.stop_run(run.id)
        time.sleep(7)
        flood = engine.start_run("text", "flood.py")
        time.sleep(2)
        results["flood_10k_lines_per_s"] = measure_window(args.window, sample_rss=True)
        view = next(v for v in engine.run_views() if v.record.id == flood.id)
        log_size = view.record.log_path.stat().st_size
        results["flood_10k_lines_per_s"].update(
            log_mb=round(log_size / 2**20, 1),
            tail_lines_in_memory=len(view.tail),
            last_line=view.tail[-1][:24] if view.tail else "",
        )
        engine.stop_run(flood.id)
        time.sleep(6)
    finally:
        engine.close()
        store.close()

    from rich.console import Console
    from rich.table import Table

    table = Table(title="Run monitoring cost (this process: engine + watcher + run monitor)")
    for column in ("case", "wall s", "CPU s", "% of one core", "peak RSS MB", "notes"):
        table.add_column(column)
    notes = {
        "three_trainings": f"epochs seen {results['three_trainings']['epochs_parsed']}",
        "flood_10k_lines_per_s": f"log {results['flood_10k_lines_per_s']['log_mb']} MB, "
        f"{results['flood_10k_lines_per_s']['tail_lines_in_memory']} lines kept",
    }
    for case in ("idle_engine", "three_trainings", "flood_10k_lines_per_s"):
        r = results[case]
        table.add_row(case, str(r["wall_s"]), str(r["cpu_s"]), str(r["percent_of_one_core"]),
                      str(r["peak_rss_mb"]), notes.get(case, ""))  # fmt: skip
    Console().print(table)
    Console().print(results["machine"])
    print_json(results, args.json_out)


if __name__ == "__main__":
    main()
