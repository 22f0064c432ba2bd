"""Benchmark the exam screen in a browser tab (``tfexam serve``) against docs/benchmarks.md's goals.

Run:  .venv/bin/python benchmarks/serve_bench.py [--presses 40] [--reloads 5] [--json-out FILE]
      .venv/bin/python benchmarks/serve_bench.py --screenshots docs/images

``tfexam serve practice --port 0`` runs as a user runs it (TFEXAM_HOME in a temporary folder), and
a headless Chromium (Debian's, driven by Playwright) opens its URL at 1280x800. What the tab shows
is read from the websocket's binary frames fed into a VT emulator (tests/browser_tab.py). Measures:

1. URL opened -> the app's first output drawn in the page (the page's ``-first-byte``), and -> the
   exam screen complete ("Submit and Test" on it); then each reload -> the exam screen back;
2. key -> screen: keys 1-5 pressed in turn (0.3-0.6 s after the last update showed), time from the
   key's dispatch until a frame received by this process makes the header show that question
   (so it includes the browser's hop to Playwright, a few ms); first with no load, then while two
   Keras trainings run (benchmarks/tui_bench.py's, one per core).

``--screenshots DIR`` instead saves the exam screen at 1280x800 and 1920x1080 as
``DIR/browser-<w>x<h>.png``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from machine import print_json  # noqa: E402  (benchmarks/machine.py, beside this script)
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from tui_bench import machine, summary, two_trainers, wait_until_training  # noqa: E402

from tests.browser_tab import MISSING, BrowserTab, Served, launch  # noqa: E402

TITLES = [
    "Basic model",
    "Model from a learning dataset",
    "CNN on real-world images",
    "NLP text classification",
    "Time series",
]
READING_GAP_S = (0.3, 0.6)
GOALS = {"first_frame_s": 2.0, "key_p95_s": 0.150}


def header(number: int) -> str:
    return f"Q{number} {TITLES[number - 1]}"


def press_keys(tab: BrowserTab, presses: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    current = next((n for n in range(1, 6) if header(n) in tab.text), 1)
    latencies: list[float] = []
    misses = 0
    for _ in range(presses):
        number = current % len(TITLES) + 1
        needle = header(number)
        pressed = time.monotonic()
        tab.page.keyboard.press(str(number))
        while needle not in tab.text:
            if time.monotonic() - pressed > 5:
                misses += 1
                break
            tab.page.wait_for_timeout(2)  # Playwright delivers the frames while it waits
        latencies.append(time.monotonic() - pressed)
        current = number
        tab.page.wait_for_timeout(1000 * rng.uniform(*READING_GAP_S))
    return {**summary(latencies), "misses": misses}


def measure(presses: int, reloads: int, scratch: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {"machine": machine()}
    served = Served(["practice", "--workspace", str(scratch / "ws")], home=scratch / "home")
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            tab = BrowserTab(browser.new_context(viewport={"width": 1280, "height": 800}))
            started = time.monotonic()
            first_byte = tab.open(served.url)
            tab.wait_for("Submit and Test")
            results["first_open"] = {
                "first_output_s": first_byte,
                "exam_screen_s": time.monotonic() - started,
            }
            tab.wait_for("grader ready", timeout=240)
            back: list[float] = []
            for _ in range(reloads):
                started = time.monotonic()
                tab.page.reload()
                tab.wait_for("grader", timeout=60)  # the status bar: the app, not a notice
                tab.wait_for("Submit and Test", timeout=60)
                back.append(time.monotonic() - started)
            results["reload_exam_screen"] = summary(back)
            tab.wait_for("grader ready", timeout=240)
            tab.focus()
            results["keys_idle"] = press_keys(tab, presses, seed=0)
            trainers = two_trainers(scratch / "pycache")
            try:
                wait_until_training(trainers)
                results["keys_two_trainings"] = press_keys(tab, presses, seed=1)
                results["training_samples_per_s"] = [
                    round(sum(t.speeds) / len(t.speeds)) if t.speeds else None for t in trainers
                ]
            finally:
                for trainer in trainers:
                    trainer.stop()
            browser.close()
    finally:
        served.stop()
    return results


def screenshots(folder: Path, scratch: Path) -> None:
    from playwright.sync_api import sync_playwright

    served = Served(
        ["practice", "--workspace", str(scratch / "tfexam-practice")], home=scratch / "home"
    )
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for width, height in ((1280, 800), (1920, 1080)):
                context = browser.new_context(viewport={"width": width, "height": height})
                tab = BrowserTab(context)
                tab.open(served.url)
                tab.wait_for("grader ready", timeout=240)
                tab.page.wait_for_timeout(500)  # the fade-in of the terminal (0.3 s)
                target = folder / f"browser-{width}x{height}.png"
                tab.page.screenshot(path=str(target))
                print(f"saved {target}")
                context.close()
            browser.close()
    finally:
        served.stop()


def report(results: dict[str, Any]) -> None:
    console = Console()
    table = Table(title="tfexam serve in headless Chromium (1280x800)")
    table.add_column("measure")
    table.add_column("median", justify="right")
    table.add_column("p95", justify="right")
    table.add_column("goal", justify="right")
    first = results["first_open"]
    table.add_row("URL opened -> first output", f"{first['first_output_s'] * 1000:.0f} ms", "", "")
    table.add_row(
        "URL opened -> exam screen",
        f"{first['exam_screen_s'] * 1000:.0f} ms",
        "",
        f"< {GOALS['first_frame_s']:.0f} s",
    )
    reload = results["reload_exam_screen"]
    table.add_row(
        "reload -> exam screen back",
        f"{reload['median_s'] * 1000:.0f} ms",
        f"{reload['p95_s'] * 1000:.0f} ms",
        "< 2 s",
    )
    for key, label in (("keys_idle", "key -> screen"), ("keys_two_trainings", "... 2 trainings")):
        keys = results[key]
        table.add_row(
            f"{label} ({keys['n']} keys, {keys['misses']} missed)",
            f"{keys['median_s'] * 1000:.0f} ms",
            f"{keys['p95_s'] * 1000:.0f} ms",
            f"p95 < {GOALS['key_p95_s'] * 1000:.0f} ms",
        )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--reloads", type=int, default=5)
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--screenshots", type=Path, metavar="DIR")
    args = parser.parse_args()
    if MISSING:
        sys.exit(f"serve_bench: {MISSING}")
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as scratch:
        if args.screenshots:
            screenshots(args.screenshots, Path(scratch))
            return
        results = measure(args.presses, args.reloads, Path(scratch))
    print_json(results, args.json_out)
    report(results)


if __name__ == "__main__":
    main()
