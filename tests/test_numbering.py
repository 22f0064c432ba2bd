"""Attempts and runs are numbered 1, 2, ... within their session, wherever the candidate reads
them (the Exam and Run windows, the report, the events); the store's global ids stay inside."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from simulator.report.build import build_report
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store
from simulator.tui.exam_window import AttemptsTable
from simulator.tui.run_window import RunsTable
from tests.test_tui_snapshots import record, recorded_run
from tests.tui_helpers import Clock, TuiRig, prompts_prepared, table_rows, text_of
from tests.waiting import wait_on_pilot


def earlier_session(rig: TuiRig, models: dict[str, Path]) -> SessionRecord:
    """A session before the one under test, with three attempts and two runs of its own."""
    earlier = rig.session(name="earlier")
    for minute in (1.0, 2.0, 3.0):
        record(rig, earlier, "basic-model", models["close.h5"], minute, score=4, metric=0.0025)
    for minute in (4.0, 5.0):
        recorded_run(rig, earlier, "basic-model", minute, "Epoch 1/1\n", minutes=0.5,
                     state="finished", exit_code=0, epoch=1, epochs=1, metrics={"loss": 0.1},
                     peak_rss_mb=100.0)  # fmt: skip
    return earlier


async def test_a_new_sessions_first_attempt_and_run_are_number_1_on_screen_and_in_the_report(
    rig: TuiRig, models: dict[str, Path]
) -> None:
    earlier_session(rig, models)
    session = rig.session()
    record(rig, session, "basic-model", models["good.h5"], 2.0, score=5, metric=1.2e-9)
    recorded_run(rig, session, "basic-model", 3.0, "Epoch 1/1\n", minutes=0.5, state="failed",
                 exit_code=1, epoch=1, epochs=1, metrics={"loss": 0.1}, peak_rss_mb=100.0)  # fmt: skip
    [attempt] = rig.store.attempts(session.id)
    [run] = rig.store.runs(session.id)
    assert attempt.id == 4 and run.id == 3, "the store's ids run on across sessions"
    assert attempt.number == 1 and run.number == 1

    app = rig.app(session, clock=Clock(frozen=session.started_at + 10 * 60))
    async with app.run_test(size=(120, 40)) as pilot:
        await prompts_prepared(pilot)
        assert table_rows(app.query_one(AttemptsTable))[0][0] == "★1"
        assert text_of(app.query_one("#attempt-detail")).startswith("#1 graded")
        await pilot.press("v")
        await wait_on_pilot(
            pilot,
            lambda: app.query(RunsTable) and table_rows(app.query_one(RunsTable)),
            "the run window's rows",
        )
        assert table_rows(app.query_one(RunsTable))[0][0] == "1"

    report = build_report(rig.store, rig.store.get_session(session.id), rig.exam).to_json()
    [basic] = [q for q in report["questions"] if q["id"] == "basic-model"]
    assert [a["id"] for a in basic["attempts"]] == [1] and basic["counted_attempt"] == 1
    assert [r["id"] for r in report["runs"]] == [1]


def test_rows_written_before_numbers_existed_are_numbered_per_session_on_open(
    rig: TuiRig, models: dict[str, Path]
) -> None:
    earlier = earlier_session(rig, models)
    later = rig.session()
    record(rig, later, "basic-model", models["good.h5"], 2.0, score=5, metric=1.2e-9)
    rig.store.close()
    with sqlite3.connect(rig.paths.database) as db:  # as a schema-2 store left them
        db.execute("UPDATE attempts SET number=NULL")
        db.execute("UPDATE runs SET number=NULL")
        db.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
    rig.store = Store(rig.paths.database)
    assert [a.number for a in rig.store.attempts(earlier.id)] == [1, 2, 3]
    assert [r.number for r in rig.store.runs(earlier.id)] == [1, 2]
    assert [a.number for a in rig.store.attempts(later.id)] == [1]
    record(rig, later, "basic-model", models["close.h5"], 3.0, score=4, metric=0.0025)
    assert [a.number for a in rig.store.attempts(later.id)] == [1, 2]
