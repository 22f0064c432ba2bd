"""Command conventions that scripts and shells rely on: '-' is stdout, --json is only JSON,
usage errors exit 2, pipes get whole rows, a running session has no verdict yet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.exam.catalog import find_exam
from simulator.paths import data_paths
from simulator.session.sessions import NewSession, record_session
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store
from tests.conftest import REPO, run_cli


def _session(workspace: Path, *, exam_id: str = "practice", finished: bool) -> SessionRecord:
    """A session row of a shipped exam, started a minute ago (a 1-hour session)."""
    store = Store(data_paths().database)
    workspace.mkdir(parents=True, exist_ok=True)
    exam = find_exam(exam_id, None)
    started = time.time() - 60
    session = record_session(store, NewSession(exam, duration_s=3600), workspace, started)
    if finished:
        store.finish_session(session.id, started + 30, "submitted")
    record = store.get_session(session.id)
    store.close()
    return record


def _in_a_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """``tfexam ...`` with standard output in a pipe and no COLUMNS, as `tfexam ... | grep` runs."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=env, cwd=REPO,
    )  # fmt: skip


def test_report_dash_o_writes_to_standard_output(tfexam_home: Path, tmp_path: Path) -> None:
    session = _session(tmp_path / "ws", finished=True)
    stray = REPO / "-"
    assert not stray.exists()
    try:
        done = run_cli("report", session.id, "--format", "json", "-o", "-")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["summary"]["session"] == session.id
        assert not stray.exists(), "'-' means standard output, not a file named '-'"
    finally:
        stray.unlink(missing_ok=True)


def test_history_of_an_unknown_exam_is_a_usage_error(tfexam_home: Path) -> None:
    done = run_cli("history", "--exam", "nope")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "tfexam: usage error: Invalid value for '--exam': no exam called 'nope' (known exams: "
        "classic, classic-2, practice, practice-2) (see 'tfexam history --help')"
    )
    assert run_cli("history", "--exam", "practice").returncode == 0  # known, just no sessions


def test_sessions_shows_a_running_session_as_running_with_time_left(
    tfexam_home: Path, tmp_path: Path
) -> None:
    running = _session(tmp_path / "ws", finished=False)
    text = _in_a_pipe("sessions").stdout
    row = next(line for line in text.splitlines() if running.id in line)
    assert "running, 0:5" in row and "left" in row, row  # 59 minutes and some seconds
    assert "fail" not in row and "pass" not in row, "a running session has no verdict yet"


def test_resume_json_of_a_finished_session_prints_only_json(
    tfexam_home: Path, tmp_path: Path
) -> None:
    finished = _session(tmp_path / "ws", finished=True)
    done = run_cli("resume", finished.id, "--json")
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)  # the whole of stdout is one JSON document
    assert (status["session"], status["state"]) == (finished.id, "submitted")


@pytest.mark.parametrize("command", ["sessions", "history", "status"])
def test_tables_in_a_pipe_keep_whole_rows(tfexam_home: Path, tmp_path: Path, command: str) -> None:
    session = _session(tmp_path / "a-workspace-with-a-long-name" / ("x" * 40), finished=True)
    exam = find_exam("practice", None)
    done = _in_a_pipe(command)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    if command == "status":
        for question in exam.questions:
            row = next(line for line in lines if question.title in line)
            assert "/5" in row, f"the row of {question.title!r} was wrapped: {done.stdout}"
    else:
        row = next(line for line in lines if session.id in line)
        assert "practice" in row.replace(session.id, "") and "%" in row, done.stdout
