"""The exam TUI's main-thread CPU per question switch, in-process (issue 27: goal under 15 ms).

Run:  .venv/bin/python benchmarks/switch_cpu.py [--presses 150] [--sizes 120x40,80x24]
      [--profile] [--renders] [--json-out FILE]
      (also ``benchmarks/tui_bench.py --only switch-cpu``)

The exam app runs under Textual's pilot (headless, no terminal) over a real engine and a practice
session made as ``tfexam start practice`` makes it, in a temporary TFEXAM_HOME. Once the screen
is settled (every prompt prepared, the questions' data written, the grader ready), keys 1..5 are
pressed in turn, each followed by two presses of a key bound to nothing (``z``); each press is
timed as the main thread's CPU time (``time.thread_time``) from just before the key is posted
until the app is idle again with the screen updated (``pilot.press`` then ``pilot.pause``). The
figure is the median of (a switch + the key after it) minus twice the median of the second
do-nothing key, with the screen's once-a-second tick paused meanwhile: that takes out the pilot's own work (it visits every widget to know the app is
idle) and what any key costs (the binding lookup), and still counts work a switch leaves for
after its frame. Other threads (the engine, the grading pool's reader) are not counted, only the
main thread, whose work delays the next key.

``--profile`` prints where a switch's time goes (cProfile over four extra rounds of switches; the
pilot's own work is in it, and profiled times are several times the real ones); ``--renders``
the lines drawn per switch (by ``render_lines``), by widget class.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from machine import describe_machine, print_json  # benchmarks/machine.py, beside this script

#: The keys of a round: every question in turn (the practice exam has five).
SWITCH_KEYS = ("1", "2", "3", "4", "5")
#: A key bound to nothing on the exam screen: what any key press costs.
NOOP_KEY = "z"
DEFAULT_SIZES = ((120, 40), (80, 24))
SETTLE_TIMEOUT_S = 300.0


def parse_size(text: str) -> tuple[int, int]:
    width, height = text.lower().split("x")
    return int(width), int(height)


def new_app(home: Path) -> Any:
    """The exam app over a fresh practice session in ``home`` (its engine is the app's)."""
    os.environ["TFEXAM_HOME"] = str(home)
    from simulator.cli.common import grading_settings
    from simulator.exam.catalog import find_exam
    from simulator.paths import data_paths
    from simulator.session.facade import SessionFacade
    from simulator.session.sessions import NewSession, create_session, engine_of
    from simulator.storage.store import Store
    from simulator.tui.app import ExamApp

    paths = data_paths()
    store = Store(paths.database)
    exam = find_exam("practice", paths)
    request = NewSession(
        exam=exam, workspace=home / "ws", duration_s=3 * 3600, grading=grading_settings()
    )
    session = create_session(store, request, background=True)
    return ExamApp(SessionFacade(engine_of(store, paths, session)))


async def settle(pilot: Any) -> None:
    """Wait until nothing of the start is left running: prompts, data, grader, engine ticks."""
    from simulator.tui.prompt import PromptView

    app = pilot.app
    engine = app.facade._engine

    def settled() -> bool:
        screen = app.exam_screen
        return (
            screen.is_mounted
            and screen.query_one(PromptView).prepared
            and engine.ticks > 0
            and not engine.data_pending()
            and any(status.state == "idle" for status in engine.pool.status())
        )

    give_up = time.monotonic() + SETTLE_TIMEOUT_S
    while not settled():
        if time.monotonic() > give_up:
            raise SystemExit(
                f"the exam screen did not settle in {SETTLE_TIMEOUT_S:g} s: prompts prepared "
                f"{app.exam_screen.query_one(PromptView).prepared}, engine ticks {engine.ticks}, "
                f"data pending {engine.data_pending()}, graders {engine.pool.status()}"
            )
        await pilot.pause(0.1)
    await pilot.pause()
    await pilot.wait_for_animation()
    await pilot.pause()


async def press_cpu(pilot: Any, key: str) -> float:
    """The main thread's CPU seconds for ``key``, until the app is idle and the screen drawn."""
    start = time.thread_time()
    await pilot.press(key)
    await pilot.pause()
    return time.thread_time() - start


@contextmanager
def render_counter() -> Iterator[Counter[str]]:
    """Count the lines drawn by ``render_lines``, by widget class."""
    from textual.widget import Widget
    from textual.widgets import DataTable, Tree

    counts: Counter[str] = Counter()
    patched: list[tuple[type, Callable[..., Any]]] = []
    for cls in (Widget, DataTable, Tree):
        original = cls.__dict__["render_lines"]

        def counting(self: Any, crop: Any, _original: Callable[..., Any] = original) -> Any:
            counts[f"{type(self).__name__} (lines)"] += crop.height
            counts["all (lines)"] += crop.height
            return _original(self, crop)

        patched.append((cls, original))
        cls.render_lines = counting  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        for cls, original in patched:
            cls.render_lines = original  # type: ignore[method-assign]


async def measure(
    size: tuple[int, int], presses: int, profile: bool, renders: bool
) -> dict[str, Any]:
    home_before = os.environ.get("TFEXAM_HOME")
    with tempfile.TemporaryDirectory(prefix="tfexam-switch-cpu-") as home_name:
        app = new_app(Path(home_name))
        result: dict[str, Any] = {"size": f"{size[0]}x{size[1]}", "presses": presses}
        try:
            async with app.run_test(size=size) as pilot:
                await settle(pilot)
                # The screen's once-a-second tick (countdown, graders, runs) would fall into
                # one press in a few, at random: it is paused while the keys are measured.
                app.exam_screen._ticker.pause()
                switches: list[float] = []
                after: list[float] = []
                noops: list[float] = []
                await press_cpu(pilot, "1")  # start from question 1, counted nowhere
                for index in range(presses):
                    key = SWITCH_KEYS[(index + 1) % len(SWITCH_KEYS)]
                    switches.append(await press_cpu(pilot, key))
                    after.append(await press_cpu(pilot, NOOP_KEY))
                    noops.append(await press_cpu(pilot, NOOP_KEY))
                switch_ms = statistics.median(switches) * 1000
                noop_ms = statistics.median(noops) * 1000
                # The switch and the key after it, less two do-nothing keys: work that a switch
                # left for later (a callback after the next frame) is counted too.
                pairs = [s + a for s, a in zip(switches, after, strict=True)]
                pair_ms = statistics.median(pairs) * 1000
                result.update(
                    net_ms=round(pair_ms - 2 * noop_ms, 2),
                    switch_ms_median=round(switch_ms, 2),
                    noop_ms_median=round(noop_ms, 2),
                    switch_less_noop_ms=round(switch_ms - noop_ms, 2),
                    switch_ms_p90=round(sorted(switches)[int(0.9 * len(switches))] * 1000, 2),
                )
                if renders:
                    with render_counter() as counts:
                        for key in SWITCH_KEYS:
                            await press_cpu(pilot, key)
                    result["renders_per_switch"] = {
                        name: round(count / len(SWITCH_KEYS), 1)
                        for name, count in counts.most_common()
                    }
                if profile:
                    profiler = cProfile.Profile()
                    for _round in range(4):
                        for key in SWITCH_KEYS:
                            profiler.enable()
                            await press_cpu(pilot, key)
                            profiler.disable()
                    out = io.StringIO()
                    stats = pstats.Stats(profiler, stream=out)
                    stats.sort_stats("cumulative").print_stats(45)
                    stats.sort_stats("tottime").print_stats(30)
                    result["profile"] = out.getvalue()
        finally:
            engine = app.facade._engine
            engine.runs.close(stop_runs=True)
            engine.close()
            if home_before is None:
                os.environ.pop("TFEXAM_HOME", None)
            else:
                os.environ["TFEXAM_HOME"] = home_before
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=150, help="Switches per size (default 150).")
    parser.add_argument(
        "--sizes", default=",".join(f"{w}x{h}" for w, h in DEFAULT_SIZES),
        help="Terminal sizes, comma-separated (default 120x40,80x24).",
    )  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="Print a cProfile of switches.")
    parser.add_argument("--renders", action="store_true", help="Count the lines drawn.")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    results = run(args.presses, [parse_size(s) for s in args.sizes.split(",")], args)
    print_json(results, args.json_out)


def run(presses: int, sizes: list[tuple[int, int]], args: Any = None) -> dict[str, Any]:
    """Measure each size; print one line each (the profile too, if asked) and return it all."""
    profile = bool(getattr(args, "profile", False))
    renders = bool(getattr(args, "renders", False))
    results: dict[str, Any] = {
        "machine": describe_machine(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "sizes": [],
    }
    for size in sizes:
        result = asyncio.run(measure(size, presses, profile, renders))
        text = result.pop("profile", None)
        if text:
            print(text, file=sys.stderr)
        results["sizes"].append(result)
        print(
            f"{result['size']}: {result['net_ms']:.1f} ms of main-thread CPU per question switch "
            f"({presses} switches; a switch's press {result['switch_ms_median']:.1f} ms, a key "
            f"that does nothing {result['noop_ms_median']:.1f} ms: medians)",
            flush=True,
        )
        if "renders_per_switch" in result:
            print(f"  drawn per switch: {result['renders_per_switch']}", flush=True)
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


if __name__ == "__main__":
    main()
