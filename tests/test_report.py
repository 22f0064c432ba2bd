"""The session report: numbers from real and recorded sessions, the JSON schema, text and Markdown."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from syrupy.assertion import SnapshotAssertion

import simulator.report
from simulator.report.build import build_report
from simulator.report.markdown import render_markdown
from simulator.report.text import render_text
from simulator.session import events
from simulator.session.scoring import exam_result
from simulator.storage.store import Store
from tests.cli_helpers import HeadlessRun
from tests.conftest import FIXTURES, FORMATS_EXAM, run_cli
from tests.report_fixtures import STARTED_AT, recorded_session

SCHEMA = json.loads((Path(simulator.report.__file__).parent / "schema.json").read_text())


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_recorded_session_figures(tfexam_home: Path, tmp_path: Path, utc: None) -> None:
    store, session, exam = recorded_session(tmp_path / "ws")
    report = build_report(store, session, exam, now=STARTED_AT + 4000)
    jsonschema.validate(report.to_json(), SCHEMA)
    s = report.summary
    assert (s.ended_how, s.time_used_s, s.duration_s) == ("submitted", 3001.0, 3600.0)
    assert (s.engine_sessions, s.crashes, s.attempts, s.runs) == (2, 1, 4, 2)
    series, text = report.questions
    assert (series.score, series.counted_attempt, series.best_value) == (5, 3, 0.09), "policy last"
    assert (series.first_gradable_s, series.first_to_best_s, series.not_gradable) == (
        900.0,
        1500.0,
        1,
    )
    assert series.external == 1 and text.score == 0 and text.not_gradable == 1
    assert s.points == sum(q.points for q in report.questions)
    assert s.points == exam_result(exam, store.attempts(session.id), "last").points
    shares = report.parallelism.shares
    assert shares == {
        "0": round(1801 / 3001, 4),
        "1": round(900 / 3001, 4),
        "2": round(300 / 3001, 4),
        "3+": 0.0,
    }
    assert report.parallelism.average_cpu_percent == pytest.approx(
        (120 * 85 + 240 * 12) / 360, abs=0.05
    )
    # Idle: no run and CPU under 25 % from 0:00 to 0:05 and from 0:25 to the end.
    assert report.parallelism.longest_idle_gap_s == pytest.approx(3001 - 1500)
    assert report.parallelism.longest_idle_gap_start_s == pytest.approx(1500)
    kinds = [e.kind for e in report.events]
    assert kinds == ["crash", "resumed", "time-warning", "submit", "end"]
    assert report.questions[0].reference_value is None, "the format exam declares no reference"
    assert any("Q2 (Text classification) scored 0" in line for line in report.advice)
    assert any("stopped without leaving 1 time" in line for line in report.advice)


def test_advice_for_refused_saves_follows_the_reason_codes(
    tfexam_home: Path, tmp_path: Path, utc: None
) -> None:
    """The most frequent code picks the remedy, whatever words its sentence uses; a tie goes to
    the code seen first, so the same session always gets the same advice."""
    store, session, exam = recorded_session(tmp_path / "ws")
    for minute, code, message in (
        (26, "timeout", "grading took longer than the 120 s limit"),
        (27, "lambda-layer", "refused by the exam's rule"),
        (28, "timeout", "grading took longer than the 120 s limit"),
    ):
        at = STARTED_AT + minute * 60
        made = store.add_attempt(
            session_id=session.id, question_id="text", source_path=str(tmp_path / "m.h5"),
            blob=None, sha256=f"{minute:064d}", size=1, origin="watch", saved_at=at,
            detected_at=at, state="queued", queued_at=at,
        )  # fmt: skip
        store.finish_attempt(
            made.id, state="not-gradable", finished_at=at + 1, message=message, reason_code=code
        )
    report = build_report(store, session, exam, now=STARTED_AT + 4000)
    jsonschema.validate(report.to_json(), SCHEMA)
    refused = [line for line in report.advice if "saves of" in line]
    assert refused == [
        "4 saves of Q2 (Text classification) could not be graded (e.g. the model uses a Lambda "
        "layer | pipes stay in one cell): use built-in layers: Lambda layers are not allowed."
    ]  # lambda-layer twice, timeout twice: the one seen first wins
    codes = [a.reason_code for a in report.questions[1].attempts]
    assert codes == ["lambda-layer", "timeout", "lambda-layer", "timeout"]


def test_text_report_matches_the_snapshot(
    tfexam_home: Path, tmp_path: Path, utc: None, snapshot: SnapshotAssertion
) -> None:
    store, session, exam = recorded_session(tmp_path / "ws")
    report = build_report(store, session, exam, now=STARTED_AT + 4000)
    assert render_text(report, width=100, color=False) == snapshot


def test_markdown_report_has_the_tables_and_escapes_cells(
    tfexam_home: Path, tmp_path: Path, utc: None
) -> None:
    store, session, exam = recorded_session(tmp_path / "ws")
    markdown = render_markdown(build_report(store, session, exam, now=STARTED_AT + 4000))
    assert markdown.startswith("# Format test exam: session formats-20261121-090000\n")
    assert "| 1 | Time series window | 5 | 5/5 | mae 0.09 | 0:15:00 | 0:25:00 | 3 | 1 |" in markdown
    assert "Lambda layer \\| pipes stay in one cell" in markdown
    assert "| 2 | text | 0:10:00 | 0:25:00 | failed (1) | 2/15 | - | 800 | 1200 MB |" in markdown


def test_reference_metrics_appear_only_once_the_session_is_over(
    tfexam_home: Path, tmp_path: Path
) -> None:
    from simulator.exam.catalog import find_exam
    from simulator.paths import data_paths
    from simulator.session.sessions import NewSession, record_session

    store = Store(data_paths().database)
    exam = find_exam("practice", None)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    session = record_session(
        store, NewSession(exam, workspace=workspace, duration_s=600), workspace, time.time()
    )
    running = build_report(store, session, exam)
    assert all(q.reference_value is None for q in running.questions)
    store.finish_session(session.id, time.time(), "submitted")
    over = build_report(store, store.get_session(session.id), exam)
    assert [q.reference_score for q in over.questions] == [5, 5, 5, 5, 5]
    assert over.questions[1].reference_value == pytest.approx(0.9223)


@pytest.fixture
def crashed_and_resumed(tfexam_home: Path, tmp_path: Path) -> Path:
    """A real headless session: a model graded, tfexam killed with -9, resumed, auto-submitted."""
    workspace = tmp_path / "ws"
    first = HeadlessRun(
        "start", str(FORMATS_EXAM), "--workspace", str(workspace), "--duration", "20s"
    )
    try:
        first.wait_for("worker-ready", timeout=90)
        shutil.copyfile(
            FIXTURES / "keras2" / "lstm_time_major.h5", workspace / "series" / "mymodel.h5"
        )
        first.wait_for("attempt-graded", timeout=90)
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(10)
    finally:
        first.kill()
    second = HeadlessRun("resume")
    try:
        second.wait_for("session-submitted", timeout=120)
        assert second.finish(60) == 0
    finally:
        second.kill()
    return workspace


def test_report_of_a_crashed_and_resumed_real_session(
    crashed_and_resumed: Path, tfexam_home: Path
) -> None:
    done = run_cli("report", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    jsonschema.validate(report, SCHEMA)
    summary = report["summary"]
    assert (summary["ended_how"], summary["engine_sessions"], summary["crashes"]) == (
        "auto-submitted",
        2,
        1,
    )
    assert summary["time_used_s"] == pytest.approx(20.0, abs=0.01)
    kinds = [e["kind"] for e in report["events"]]
    assert kinds.index("crash") + 1 == kinds.index("resumed") and kinds[-1] == "end"
    series = report["questions"][0]
    assert (
        series["attempts"][0]["state"] == "graded" and series["attempts"][0]["source"] == "external"
    )
    assert series["score"] == series["attempts"][0]["score"]
    assert report["samples"], "the machine was sampled"
    text = run_cli("report")
    assert text.returncode == 0 and "tfexam opened 2 time(s) (1 after a crash)" in text.stdout
    history = json.loads(run_cli("history", "--json").stdout)
    assert [h["state"] for h in history] == ["submitted"] and history[0]["categories"][
        "5"
    ] == series["score"]


def test_report_of_a_real_session_with_parallel_runs(
    warm_pool: object, tfexam_home: Path, tmp_path: Path
) -> None:
    from tests.engine_helpers import EngineHarness
    from tests.training_scripts import SERIES, TEXT, write

    harness = EngineHarness(warm_pool, tmp_path / "ws", exam=str(FORMATS_EXAM), duration_s=600)  # type: ignore[arg-type]
    try:
        harness.start()
        series, text = harness.question_folder("series"), harness.question_folder("text")
        harness.engine.start_run("series", write(series, "train.py", SERIES, epochs=60))
        harness.engine.start_run("text", write(text, "train.py", TEXT, epochs=40, verbose=2))
        harness.wait_for_count(events.RunEnded, 2, timeout=120)
        harness.wait_for_count(events.AttemptGraded, 2, timeout=60)
        harness.engine.submit()
        harness.wait_for_count(events.SessionSubmitted, 1, timeout=60)
        session = harness.store.get_session(harness.session.id)
        report = build_report(harness.store, session, harness.exam)
        first, second = harness.store.runs(session.id)
        attempts = harness.attempts()
    finally:
        harness.close()
    jsonschema.validate(report.to_json(), SCHEMA)
    assert first.ended_at is not None and second.ended_at is not None
    overlap = min(first.ended_at, second.ended_at) - max(first.started_at, second.started_at)
    used = report.summary.time_used_s
    assert overlap > 0, "the two trainings ran at the same time"
    assert report.parallelism.shares["2"] == pytest.approx(overlap / used, abs=2e-4)
    assert sum(report.parallelism.shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert [a.source for q in report.questions for a in q.attempts] == ["run", "run"]
    assert report.summary.points == exam_result(harness.exam, attempts, "last").points
    assert [r.state for r in report.runs] == ["finished", "finished"]
