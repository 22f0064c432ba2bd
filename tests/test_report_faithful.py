"""A report says the same thing every time and nothing it was not told: identical bytes across
runs, no closed time that was not, no run credited with a copy, no markup from a model's message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from simulator.exam.catalog import find_exam
from simulator.grading.reasons import ReasonCode
from simulator.paths import data_paths
from simulator.report.build import build_report
from simulator.report.markdown import render_markdown
from simulator.session.sessions import NewSession, record_session
from simulator.storage.records import SystemSample
from simulator.storage.store import Store
from simulator.training.sources import find_source
from tests.conftest import FORMATS_EXAM, REPO
from tests.report_fixtures import STARTED_AT, recorded_session
from tests.waiting import wait_until

EVIL = '<img src=x onerror="alert(1)">'


def _not_gradable(
    store: Store, session_id: str, question: str, minute: float, reason: str, code: ReasonCode
) -> None:
    at = STARTED_AT + minute * 60
    made = store.add_attempt(
        session_id=session_id, question_id=question, source_path="mymodel.h5", blob=None,
        sha256=f"{minute * 7:064.0f}", size=10, origin="watch", saved_at=at, detected_at=at,
        state="queued", queued_at=at, source="local", run_id=None,
    )  # fmt: skip
    store.finish_attempt(
        made.id, state="not-gradable", finished_at=at + 1, message=reason, reason_code=code
    )


def test_the_same_session_gives_byte_identical_reports(tfexam_home: Path, tmp_path: Path) -> None:
    store, session, _exam = recorded_session(tmp_path / "ws")
    # Four more reasons, each seen once: the advice names "the most common", a tie between all
    # five (the fixture's Lambda layer came first).
    for minute, (reason, code) in enumerate(
        (("wrong output shape: (2,) not (1,)", "wrong-shape"),
         ("the model uses a custom layer: Foo", "unknown-layer"),
         ("the file is truncated: 10 of 99 bytes", "file-broken"),
         ("grading took longer than the 120 s limit", "timeout")),
        start=26,
    ):  # fmt: skip
        _not_gradable(store, session.id, "text", minute, reason, code)
    store.close()
    outputs: dict[str, set[str]] = {}
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": "UTC", "SOURCE_DATE_EPOCH": "1800000000"}
        for fmt in ("md", "text", "html", "json"):
            done = subprocess.run(
                [sys.executable, "-m", "simulator", "report", session.id, "--format", fmt, "-o", "-"],
                capture_output=True, text=True, timeout=60, env=env, cwd=REPO,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            outputs.setdefault(fmt, set()).add(done.stdout)
    for fmt, texts in outputs.items():
        assert len(texts) == 1, f"the {fmt} report differs between runs"
    assert "could not be graded (e.g. the model uses a Lambda layer" in next(iter(outputs["md"]))


def test_the_wait_for_the_next_sample_is_not_time_tfexam_was_closed(
    tfexam_home: Path, tmp_path: Path
) -> None:
    store = Store(data_paths().database)
    exam = find_exam(str(FORMATS_EXAM), None)
    (tmp_path / "ws").mkdir()
    t0 = STARTED_AT
    session = record_session(store, NewSession(exam, duration_s=3600), tmp_path / "ws", t0)
    store.add_event(session.id, t0 + 0.5, "session-opened", {"resumed": False})
    for at in (1, 11, 21):  # the engine samples at its first tick and every 10 s
        store.add_system_sample(SystemSample(session.id, t0 + at, 50.0, 4000.0, 16000.0, 0))
    open_now = build_report(store, session, exam, now=t0 + 28)  # 7 s after the last sample
    assert open_now.parallelism.unobserved_share == 0.0
    assert "closed" not in render_markdown(open_now)
    # A minute without samples is a minute tfexam was closed (killed, or the laptop asleep).
    gone = build_report(store, session, exam, now=t0 + 81)
    assert gone.parallelism.unobserved_share == round(60 / 81, 4)
    store.close()


def test_a_copy_made_after_a_run_ended_is_not_that_runs(
    tfexam_home: Path, tmp_path: Path, models: dict[str, Path]
) -> None:
    store = Store(data_paths().database)
    exam = find_exam(str(FORMATS_EXAM), None)
    folder = tmp_path / "ws" / "series"
    folder.mkdir(parents=True)
    session = record_session(store, NewSession(exam, duration_s=3600), tmp_path / "ws", time.time())
    run = store.add_run(session_id=session.id, question_id="series", command=("python", "t.py"),
                        cwd=folder, log_path=folder / "run.log", started_at=time.time())  # fmt: skip
    written = shutil.copyfile(models["good.h5"], folder / "mymodel.h5")  # saved by the run
    ended_at = time.time()
    store.finish_run(run.id, state="finished", ended_at=ended_at, exit_code=0)
    by_run = find_source(store, session.id, "series", written, time.time(), grace_s=10.0)
    assert (by_run.kind, by_run.run_id) == ("run", run.id), "late news of the run's own save"
    # A file's change time is the kernel's clock and cannot be set: the clock must pass the end
    # by more than the slack allowed for the kernel's coarse file times (0.05 s).
    wait_until(lambda: time.time() > ended_at + 0.2, message="the clock to pass the run's end")
    copied = shutil.copy2(models["close.h5"], folder / "mymodel.h5")  # cp -p: an old mtime
    later = find_source(store, session.id, "series", Path(copied), time.time(), grace_s=10.0)
    assert (later.kind, later.run_id) == ("external", None)
    store.close()


def test_the_markdown_report_shows_markup_from_a_model_as_text(
    tfexam_home: Path, tmp_path: Path
) -> None:
    store, session, exam = recorded_session(tmp_path / "ws")
    for minute in (45, 46):  # twice: the advice quotes the reason too
        _not_gradable(
            store, session.id, "text", minute, f"{EVIL}: from the model's config", "load-failed"
        )
    markdown = render_markdown(build_report(store, session, exam, now=STARTED_AT + 4000))
    store.close()
    assert "<img" not in markdown and "onerror" in markdown
    assert '&lt;img src=x onerror="alert(1)"&gt;: from the model' in markdown
