"""Where tfexam's idle CPU goes: the idle phase of ``tui_bench.py``, profiled.

Run:  .venv/bin/python benchmarks/idle_profile.py [--seconds 30] [--top 25] [--json-out FILE]

The same session as ``tui_bench.py --only idle`` (``tfexam start practice`` in a 120x40
pseudo-terminal, one run printing a progress line every half second, each window once start-up
work is over), but tfexam runs under a small wrapper that, on a signal from this script, turns a
cProfile of its main thread (the TUI's event loop) on and off and writes down which thread is
which. For each view (the Exam window, then the run's tab) it prints: the CPU of every thread by
name, as a share of one core; the main thread's heaviest functions (own and cumulative time,
under the profiler, which inflates them); and how often a second the calls that say what the
loop does were made (timer callbacks, compositor updates, widgets' ``render_lines``, tfexam's
tick). cProfile roughly doubles the main thread's cost: compare shares and counts, not absolute
figures, with ``tui_bench.py``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from machine import describe_machine, print_json  # benchmarks/machine.py, beside this script
from tui_bench import (  # the idle phase's own session and measures, beside this script
    IDLE_VIEWS,
    cpu_seconds,
    start_idle_session,
    thread_cpu_seconds,
    wait_quiet,
)

from simulator.exam.catalog import find_exam

#: Runs ``python -m simulator`` with two signal handlers (they run on the main thread):
#: SIGUSR1 starts a cProfile of the main thread and of each call of the engine's periodic work
#: (the run monitor's poll, the engine loop's tick, on their own threads), or stops them and
#: writes their stats; SIGUSR2 writes each thread's id and name (Python 3.11 does not name
#: threads for the OS).
WRAPPER = """
import cProfile, os, runpy, signal, sys, threading, time
import simulator.session.engine, simulator.training.runs
active, profiles = [], {}
def wrap(label, owner, name):
    original = getattr(owner, name)
    def call(self, *args, **kwargs):
        if active:
            profile = profiles.setdefault(label, cProfile.Profile())
            return profile.runcall(original, self, *args, **kwargs)
        return original(self, *args, **kwargs)
    setattr(owner, name, call)
wrap("run-monitor", simulator.training.runs.RunManager, "_poll")
wrap("engine-tick", simulator.session.engine.Engine, "_tick")
wrap("engine-message", simulator.session.engine.Engine, "_handle")
def toggle(signum, frame):
    out = os.environ["IDLE_PROFILE_STATS"]
    if active:
        active.clear()
        main = profiles.pop("main")
        main.disable()
        time.sleep(0.5)  # a call under way on another thread ends
        main.dump_stats(out)
        for label, profile in profiles.items():
            profile.dump_stats(f"{out}.{label}")
    else:
        profiles.clear()
        profiles["main"] = cProfile.Profile()
        active.append(True)
        profiles["main"].enable()
def names(signum, frame):
    with open(os.environ["IDLE_PROFILE_THREADS"], "w") as out:
        for thread in threading.enumerate():
            out.write(f"{thread.native_id} {thread.name}\\n")
signal.signal(signal.SIGUSR1, toggle)
signal.signal(signal.SIGUSR2, names)
sys.argv[0] = "tfexam"
runpy.run_module("simulator", run_name="__main__", alter_sys=True)
"""

#: The engine's periodic work profiled on its own threads (see WRAPPER).
ENGINE_PROFILES = ("run-monitor", "engine-tick", "engine-message")

#: Calls counted per second: what wakes the main thread, and what it draws.
COUNTED = (
    "_tick",  # tfexam's screen tick (exam_screen.py)
    "_on_timer_update",  # a screen's compositor update (textual/screen.py)
    "update_widgets",  # the compositor's update of dirty widgets
    "render_lines",  # a widget drawn (textual/widget.py), cached or not
    "render_line",  # a line drawn by a line API widget
    "_render_chops",
    "_display",  # the app writing a frame to the terminal
    "_on_idle",
    "_tick_timer",
    "_run_timer",
    "process_messages",
    "_dispatch_message",
    "set_text",  # tfexam's status texts (status_bar.py)
    "catch_up",  # a run tab's log read (run_pane.py)
    "show",
)


def thread_names(pid: int, scratch: Path) -> dict[int, str]:
    out = scratch / "threads.txt"
    out.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR2)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if out.exists() and out.read_text().endswith("\n"):
            break
        time.sleep(0.1)
    names = {}
    for line in out.read_text().splitlines():
        tid, _, name = line.partition(" ")
        names[int(tid)] = name
    return names


def profile_window(pid: int, seconds: float, scratch: Path, top: int) -> dict[str, Any]:
    stats_path = scratch / "main.prof"
    stats_path.unlink(missing_ok=True)
    names = thread_names(pid, scratch)
    before, threads_before = cpu_seconds(pid), thread_cpu_seconds(pid)
    os.kill(pid, signal.SIGUSR1)
    start = time.monotonic()
    time.sleep(seconds)
    os.kill(pid, signal.SIGUSR1)
    wall = time.monotonic() - start
    after, threads_after = cpu_seconds(pid), thread_cpu_seconds(pid)
    deadline = time.monotonic() + 20
    while not stats_path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # the stats file written whole
    names.update(thread_names(pid, scratch))
    threads = {
        f"{names.get(tid, '?')} ({tid})" if tid != pid else "main (TUI loop)": round(
            100 * (t - threads_before.get(tid, 0.0)) / wall, 3
        )
        for tid, t in threads_after.items()
    }
    engine: dict[str, Any] = {}
    for label in ENGINE_PROFILES:
        path = Path(f"{stats_path}.{label}")
        if path.exists():
            part = pstats.Stats(str(path), stream=io.StringIO())
            listing = io.StringIO()
            part.stream = listing  # type: ignore[attr-defined]
            part.sort_stats("cumulative").print_stats(top)
            engine[label] = {
                "profiled_ms_per_s": round(1000 * part.total_tt / wall, 3),  # type: ignore[attr-defined]
                "profile": listing.getvalue(),
            }
            path.unlink()
    stats = pstats.Stats(str(stats_path), stream=io.StringIO())
    counts: dict[str, float] = {}
    for (file, _line, function), (_cc, ncalls, _tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if function in COUNTED:
            key = f"{function} ({Path(file).parent.name}/{Path(file).name})"
            counts[key] = counts.get(key, 0.0) + ncalls / wall
    listing = io.StringIO()
    stats.stream = listing  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return {
        "process_percent": round(100 * (after - before) / wall, 3),
        "threads_percent": dict(sorted(threads.items(), key=lambda kv: -kv[1])),
        "calls_per_s": {k: round(v, 2) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])},
        "main_profiled_ms_per_s": round(1000 * stats.total_tt / wall, 3),  # type: ignore[attr-defined]
        "profile": listing.getvalue(),
        "engine": engine,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="Each view's window.")
    parser.add_argument("--top", type=int, default=25, help="Functions listed per profile.")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    titles = [q.title for q in find_exam("practice", None).questions]
    results: dict[str, Any] = {"machine": describe_machine()}
    with tempfile.TemporaryDirectory(prefix="tfexam-idle-profile-") as scratch_name:
        scratch = Path(scratch_name)
        os.environ["IDLE_PROFILE_STATS"] = str(scratch / "main.prof")
        os.environ["IDLE_PROFILE_THREADS"] = str(scratch / "threads.txt")
        pycache = scratch / "pycache"
        term, _home, _log = start_idle_session(
            scratch, titles, pycache, [sys.executable, "-c", WRAPPER]
        )
        try:
            for name, key in IDLE_VIEWS:
                term.send(key)
                results[f"{name}_settle"] = wait_quiet(term.pid)
                window = profile_window(term.pid, args.seconds, scratch, args.top)
                results[name] = window
                print(f"== {name}: process {window['process_percent']} % of a core")
                print("threads:", json.dumps(window["threads_percent"], indent=1))
                print("calls a second:", json.dumps(window["calls_per_s"], indent=1))
                print(window["profile"], flush=True)
                for label, part in window["engine"].items():
                    print(f"-- {label}: {part['profiled_ms_per_s']} ms a second (profiled)")
                    print(part["profile"], flush=True)
            results["load_average_at_end"] = os.getloadavg()
        finally:
            term.close()
    for name, _key in IDLE_VIEWS:  # the listings were printed above
        results[name].pop("profile", None)
        for part in results[name]["engine"].values():
            part.pop("profile", None)
    print_json(results, args.json_out)


if __name__ == "__main__":
    main()
