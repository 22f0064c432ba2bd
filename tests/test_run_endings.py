"""A run that ends while tfexam is closed keeps its exit code (or killing signal) and its real
end time: its launcher records them with no tfexam process alive, and resume shows them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from simulator.report.build import build_report
from simulator.report.markdown import render_markdown
from simulator.training.runs import exit_label, exit_status_path
from simulator.tui.run_window import RunsTable
from tests.conftest import REPO
from tests.tui_helpers import TuiRig, prompts_prepared, table_rows
from tests.waiting import wait_on_pilot, wait_until

# The two runs take 1.5 s of their own, so that they end after the tfexam that started them is
# gone: the scenario, not a wait of the test's.
EXITS_3 = "print('Epoch 1/3', flush=True)\nimport time; time.sleep(1.5)\nprint('Epoch 2/3')\nraise SystemExit(3)\n"
KILLED = "import os, signal, time\nprint('Epoch 1/60', flush=True)\ntime.sleep(1.5)\nos.kill(os.getpid(), signal.SIGKILL)\n"

#: A tfexam that starts two runs, then is gone (no exit handlers, nothing waits for the runs).
START_AND_VANISH = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from simulator.paths import data_paths
    from simulator.storage.store import Store
    from simulator.training.runs import RunManager

    session_id, workspace = sys.argv[1], Path(sys.argv[2])
    paths = data_paths()
    manager = RunManager(Store(paths.database), session_id, paths.logs_dir(session_id) / "runs")
    runs = [
        manager.launch("basic-model", workspace / "category1", "exits.py"),
        manager.launch("learning-dataset", workspace / "category2", "killed.py"),
    ]
    print(json.dumps([str(r.log_path) for r in runs]), flush=True)
    os._exit(0)
    """
)


def test_exit_labels_name_the_signal() -> None:
    assert [exit_label(c) for c in (None, 0, 3, -9, -15)] == ["", "0", "3", "SIGKILL", "SIGTERM"]


async def test_runs_that_end_while_tfexam_is_closed_keep_their_exit_and_end_time(
    rig: TuiRig,
) -> None:
    session = rig.session()
    (session.workspace / "category1" / "exits.py").write_text(EXITS_3)
    (session.workspace / "category2" / "killed.py").write_text(KILLED)
    started = subprocess.run(
        [sys.executable, "-c", START_AND_VANISH, session.id, str(session.workspace)],
        capture_output=True, text=True, timeout=60, cwd=REPO, env=dict(os.environ),
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    logs = [Path(p) for p in json.loads(started.stdout)]
    wait_until(
        lambda: all(exit_status_path(log).exists() for log in logs),
        message="the launchers to record the runs' ends",
    )
    ended = {
        log: json.loads(exit_status_path(log).read_text())["ended_at"] for log in logs
    }  # fmt: skip
    # Resume clearly later than the ends, so the two times cannot be confused.
    wait_until(lambda: time.time() > max(ended.values()) + 1.0, message="a second past the ends")
    resumed_at = time.time()

    app = rig.app(rig.store.get_session(session.id))
    async with app.run_test(size=(120, 40)) as pilot:
        await prompts_prepared(pilot)
        await wait_on_pilot(
            pilot,
            lambda: all(r.state != "running" for r in rig.store.runs(session.id)),
            "every run read as ended",
        )
        await pilot.press("v")
        await wait_on_pilot(
            pilot,
            lambda: app.query(RunsTable) and len(table_rows(app.query_one(RunsTable))) == 2,
            "the run window with both runs",
        )
        rows = {row[1]: row for row in table_rows(app.query_one(RunsTable))}
        assert rows["Q1"][2] == "failed" and rows["Q1"][-1] == "3", rows
        assert rows["Q2"][2] == "failed" and rows["Q2"][-1] == "SIGKILL", rows
        assert rows["Q1"][5] == "2/3", "the progress written meanwhile is read from the log"

    runs = {r.question_id: r for r in rig.store.runs(session.id)}
    assert runs["basic-model"].exit_code == 3 and runs["learning-dataset"].exit_code == -9
    for run in runs.values():
        assert run.ended_at == pytest.approx(ended[run.log_path], abs=0.01)
        assert run.ended_at is not None and run.ended_at < resumed_at - 0.5
    report = build_report(rig.store, rig.store.get_session(session.id), rig.exam)
    assert sorted(r.exit_code for r in report.runs if r.exit_code is not None) == [-9, 3]
    markdown = render_markdown(report)
    assert "(SIGKILL)" in markdown and "(3)" in markdown


def test_a_runs_end_is_noticed_at_once_not_at_the_monitors_next_poll(
    rig: TuiRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The monitor reads output every POLL_S, but a run's end wakes it: with the next poll an
    hour away, a run that ends is still recorded as ended (with its output) straight away."""
    from simulator.training import runs
    from simulator.training.runs import RunManager

    monkeypatch.setattr(runs, "POLL_S", 3600.0)
    session = rig.session()
    (session.workspace / "category1" / "quick.py").write_text("print('done', flush=True)\n")
    manager = RunManager(rig.store, session.id, rig.paths.logs_dir(session.id) / "runs")
    manager.start()
    try:
        run = manager.launch("basic-model", session.workspace / "category1", "quick.py")
        ended = wait_until(
            lambda: (record := rig.store.get_run(run.id)).state != "running" and record,
            30,
            "the run's end, long before the next poll",
        )
        assert (ended.state, ended.exit_code) == ("finished", 0)
        view = next(v for v in manager.views() if v.record.id == run.id)
        assert view.tail == ["done"], "its output read to the end"
    finally:
        manager.close(stop_runs=True)
