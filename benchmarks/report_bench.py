"""Benchmark the session report on a long, busy session against the goal of docs/benchmarks.md.

Run:  .venv/bin/python benchmarks/report_bench.py [--attempts 200] [--runs 10] [--repeats 5]
                                                  [--json-out FILE] [--html FILE] [--screenshot PNG]

Records a five-hour session of the practice exam in a temporary TFEXAM_HOME through the real
store, as the engine records one: ``--attempts`` attempts spread over the five questions (scores
climbing, some not gradable, some superseded, from training runs, local saves and downloads),
``--runs`` training runs (some overlapping, one failed, one stopped), a system sample every 10 s,
time warnings, a crash and a resume, a detach, and the submission 8 minutes before the deadline.
Then times, ``--repeats`` times each, what ``tfexam report`` does: ``build_report`` (read the store,
compute every figure), ``render_html`` and ``render_text``. Goal (issue: the session report): the
three together under 2 s for 200 attempts and 10 runs.

Prints a table and a JSON document (also written to --json-out). ``--html`` keeps the HTML report;
``--screenshot`` opens it in headless chromium and saves a PNG of the whole page, which is how
docs/images/report-sample.png is made:

    .venv/bin/python benchmarks/report_bench.py --attempts 60 --runs 8 --repeats 1 \\
        --screenshot docs/images/report-sample.png --screenshot-height 1960
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from machine import describe_machine, print_json  # benchmarks/machine.py, beside this script
from rich.console import Console
from rich.table import Table

STARTED_AT = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.timezone.utc).timestamp()
DURATION_S = 5 * 3600
SUBMITTED_S = DURATION_S - 8 * 60
#: How long each question is worked on, in hours since the start: candidates go in order.
WORK = {
    "basic-model": (0.05, 0.6),
    "learning-dataset": (0.3, 1.6),
    "image-classification": (1.0, 3.4),
    "text-classification": (1.8, 4.2),
    "time-series": (2.6, 4.85),
}
#: Each question's metric at the first graded save and at the last: where the candidate got to.
REACH = {
    "basic-model": (5.0, 5e-4),
    "learning-dataset": (0.55, 0.885),
    "image-classification": (0.45, 0.83),
    "text-classification": (0.6, 0.8),
    "time-series": (0.12, 0.045),
}
REASONS = [
    "wrong input shape: the question expects (28, 28) but the model takes (28, 28, 1) "
    "(batch axis not counted)",
    "wrong output shape: the question expects (10,) but the model gives (1,)",
    "the file is not a Keras model: truncated HDF5 file (the save was still being written)",
    "unknown layer 'CustomAttention': models with custom layers cannot be graded",
]


def machine() -> dict[str, Any]:
    return {
        **describe_machine(),
    }


def record_session(home: Path, attempts: int, runs: int, seed: int = 7) -> dict[str, Any]:
    """Write the session into the store under ``home``; returns its id and what was written."""
    from simulator.exam.catalog import find_exam
    from simulator.paths import DataPaths
    from simulator.session.sessions import NewSession
    from simulator.session.sessions import record_session as record_row
    from simulator.storage.records import RunState, SystemSample
    from simulator.storage.store import Store

    rng = random.Random(seed)
    paths = DataPaths(home)
    paths.root.mkdir(parents=True, exist_ok=True)
    store = Store(paths.database)
    exam = find_exam("practice", paths)
    # Where a candidate would have it (nothing is written there: the report only names it).
    workspace = Path("/home/candidate/tfexam-practice")
    t0 = STARTED_AT
    session = record_row(
        store, NewSession(exam, workspace=workspace, duration_s=DURATION_S), workspace, t0
    )
    store.add_event(session.id, t0 + 1, "session-opened", {"resumed": False})

    # Training runs: on the questions that need training, spread over their working time.
    trained = ["learning-dataset", "image-classification", "text-classification", "time-series"]
    run_spans: list[tuple[int, str, float, float]] = []
    for i in range(runs):
        trained_id = trained[i % len(trained)]
        first, last = WORK[trained_id]
        start = rng.uniform(first, last - 0.3) * 3600
        length = rng.uniform(8, 40) * 60
        state: RunState = "failed" if i == 1 else "stopped" if i == 6 else "finished"
        if state == "failed":
            length = rng.uniform(1, 4) * 60
        run = store.add_run(
            session_id=session.id, question_id=trained_id, command=("python", "-u", "starter.py"),
            cwd=workspace / trained_id, log_path=home / f"run-{i}.log", started_at=t0 + start,
        )  # fmt: skip
        epochs = 15
        done = epochs if state == "finished" else rng.randint(1, epochs - 1)
        store.update_run(run.id, epoch=done, epochs=epochs,
                         metrics={"accuracy": round(rng.uniform(0.6, 0.95), 4), "loss": 0.31},
                         cpu_seconds=length * 1.7, peak_rss_mb=rng.uniform(600, 2400))  # fmt: skip
        store.finish_run(run.id, state=state, ended_at=t0 + start + length,
                         exit_code={"finished": 0, "failed": 1, "stopped": -15}[state])  # fmt: skip
        run_spans.append((run.id, trained_id, start, start + length))

    # Attempts: more for the heavier questions, scores climbing over each question's time.
    weights = {q.id: q.weight for q in exam.questions}
    shares = {q: weights[q] + 2 for q in WORK}
    total_share = sum(shares.values())
    counts = {q: max(1, round(attempts * s / total_share)) for q, s in shares.items()}
    counts["time-series"] += attempts - sum(counts.values())
    for question_id, count in counts.items():
        question = exam.question(question_id)
        first, last = WORK[question_id]
        times = sorted(rng.uniform(first, last) * 3600 for _ in range(count))
        for n, at_s in enumerate(times):
            at = t0 + at_s
            writer = next(
                (r for r in run_spans if r[1] == question_id and r[2] <= at_s <= r[3] + 30), None
            )
            source = "run" if writer else rng.choice(["local", "local", "external"])
            made = store.add_attempt(
                session_id=session.id, question_id=question_id,
                source_path=str(workspace / question.workspace_folder / "mymodel.h5"), blob=None,
                sha256=hashlib.sha256(f"{question_id}{n}".encode()).hexdigest(), size=120_000,
                origin="watch", saved_at=at, detected_at=at + 0.1, state="queued",
                queued_at=at + 0.1, source=source, run_id=writer[0] if writer else None,
            )  # fmt: skip
            roll = rng.random()
            if roll < 0.08:
                store.finish_attempt(made.id, state="superseded", finished_at=at + 0.2)
                continue
            store.mark_grading(made.id, at + 0.3)
            finished = at + 0.3 + rng.uniform(0.4, 6.0)
            if roll < 0.17:
                store.finish_attempt(made.id, state="not-gradable", finished_at=finished,
                                     message=rng.choice(REASONS))  # fmt: skip
                continue
            first_value, last_value = REACH[question_id]
            progress = min(1.0, ((n + 1) / count) ** 0.8 * rng.uniform(0.85, 1.05))
            value = first_value * (last_value / first_value) ** progress
            store.finish_attempt(
                made.id, state="graded", finished_at=finished, score=question.scoring.score(value),
                metric_name=question.scoring.metric, metric_value=value,
                timings={"load_s": 0.2, "evaluate_s": 0.3},
            )  # fmt: skip

    # The machine every 10 s: busier with every training running.
    crash_s, detached_s, back_s = 2.2 * 3600, 3.0 * 3600, 3.1 * 3600
    for at_s in range(5, SUBMITTED_S, 10):
        if detached_s < at_s < back_s:
            continue  # tfexam was closed: no samples
        running = sum(1 for r in run_spans if r[2] <= at_s <= r[3])
        cpu = min(100.0, 6 + 48 * running + rng.uniform(-4, 4) + (10 if rng.random() < 0.1 else 0))
        memory = 3100 + 1450 * running + rng.uniform(-80, 80)
        store.add_system_sample(SystemSample(session.id, t0 + at_s, max(cpu, 0.5), memory,
                                             16_000.0, running))  # fmt: skip

    # The session's own events.
    store.add_event(session.id, t0 + crash_s, "session-opened", {"resumed": True})  # a kill -9
    store.add_event(session.id, t0 + detached_s, "engine-detached", {})
    store.add_event(session.id, t0 + back_s, "session-opened", {"resumed": True})
    for minutes in (60, 30, 10, 1):  # the engine's WARNING_MINUTES
        if DURATION_S - minutes * 60 < SUBMITTED_S:
            store.add_event(session.id, t0 + DURATION_S - minutes * 60, "time-warning",
                            {"minutes": minutes, "remaining_s": minutes * 60.0})  # fmt: skip
    store.add_event(session.id, t0 + SUBMITTED_S - 1, "submit-requested", {"pending": 0})
    store.add_event(session.id, t0 + SUBMITTED_S, "session-submitted", {"reason": "submitted"})
    store.finish_session(session.id, t0 + SUBMITTED_S, "submitted")
    store.close()
    return {"session": session.id, "attempts": attempts, "runs": runs}


def measure(home: Path, session_id: str, repeats: int) -> tuple[dict[str, Any], str]:
    """Seconds of each step of ``tfexam report`` (fresh store handle each time, as the CLI)."""
    from simulator.paths import DataPaths
    from simulator.report.build import build_report
    from simulator.report.html import render_html
    from simulator.report.text import render_text
    from simulator.session.sessions import exam_of
    from simulator.storage.store import Store

    steps: dict[str, list[float]] = {"build_report": [], "render_html": [], "render_text": []}
    totals: list[float] = []
    html = ""
    sizes: dict[str, int] = {}
    for _ in range(repeats):
        started = time.perf_counter()
        store = Store(DataPaths(home).database)
        session = store.get_session(session_id)
        exam = exam_of(session, DataPaths(home))
        report = build_report(store, session, exam, now=session.deadline + 60)
        built = time.perf_counter()
        html = render_html(report)
        drawn = time.perf_counter()
        terminal = render_text(report, width=120)
        done = time.perf_counter()
        store.close()
        steps["build_report"].append(built - started)
        steps["render_html"].append(drawn - built)
        steps["render_text"].append(done - drawn)
        totals.append(done - started)
        sizes = {"html_bytes": len(html.encode()), "text_bytes": len(terminal.encode()),
                 "samples": len(report.samples), "attempts": sum(len(q.attempts) for q in report.questions),
                 "runs": len(report.runs), "events": len(report.events)}  # fmt: skip
    results: dict[str, Any] = {
        step: {"median_s": statistics.median(v), "max_s": max(v)} for step, v in steps.items()
    }
    results["total"] = {"median_s": statistics.median(totals), "max_s": max(totals),
                        "first_s": totals[0]}  # fmt: skip
    results["sizes"] = sizes
    return results, html


def screenshot(html: Path, png: Path, width: int = 1200, height: int = 5000) -> None:
    """The top ``height`` pixels of the page in headless chromium, without the white below the
    last drawn row; saved with a 256-colour palette (a third of the size, looks the same)."""
    from PIL import Image, ImageChops

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("--screenshot needs chromium (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="tfexam-chromium-") as profile:
        raw = Path(profile) / "page.png"
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
             f"--user-data-dir={profile}", f"--screenshot={raw}",
             f"--window-size={width},{height}", html.resolve().as_uri()],
            check=True, capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        with Image.open(raw) as image:
            page = image.convert("RGB")
    blank = Image.new("RGB", page.size, (255, 255, 255))
    box = ImageChops.difference(page, blank).getbbox()
    bottom = min(page.height, (box[3] if box else page.height) + 24)
    png.parent.mkdir(parents=True, exist_ok=True)
    page.crop((0, 0, width, bottom)).quantize(256).save(png, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--html", type=Path, help="keep the HTML report here")
    parser.add_argument("--screenshot", type=Path, help="save a PNG of the HTML report here")
    parser.add_argument("--screenshot-height", type=int, default=5000, help="pixels (width 1200)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tfexam-report-bench-") as scratch:
        home = Path(scratch) / "home"
        os.environ["TFEXAM_HOME"] = str(home)
        os.environ["TZ"] = "UTC"  # the same times in the report on every machine
        time.tzset()
        started = time.perf_counter()
        recorded = record_session(home, args.attempts, args.runs)
        recorded["record_s"] = time.perf_counter() - started
        timings, html = measure(home, recorded["session"], args.repeats)
        if args.html or args.screenshot:
            page = args.html or Path(scratch) / "report.html"
            page.write_text(html, encoding="utf-8")
            if args.screenshot:
                screenshot(page, args.screenshot, height=args.screenshot_height)

    results = {"machine": machine(), "session": recorded, "timings": timings}
    console = Console()
    console.print(f"machine: {results['machine']}")
    table = Table(title=f"tfexam report: 5 h session, {args.attempts} attempts, {args.runs} runs, "
                        f"{timings['sizes']['samples']} samples ({args.repeats} repeats)")  # fmt: skip
    for name in ("step", "median ms", "max ms"):
        table.add_column(name, justify="left" if name == "step" else "right")
    for step in ("build_report", "render_html", "render_text", "total"):
        numbers = timings[step]
        table.add_row(step, f"{numbers['median_s'] * 1000:.1f}", f"{numbers['max_s'] * 1000:.1f}")
    console.print(table)
    console.print(f"HTML {timings['sizes']['html_bytes'] / 1024:.0f} KiB; goal: total < 2000 ms")
    print_json(results, args.json_out)


if __name__ == "__main__":
    main()
