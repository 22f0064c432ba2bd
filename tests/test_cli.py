"""The tfexam command as a user runs it: subprocesses, real files, real workers, no stdin."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from simulator.paths import data_paths
from simulator.storage.store import Store
from tests.cli_helpers import HeadlessRun, signalled_command
from tests.conftest import REPO, run_cli
from tests.models import slow_model


@pytest.fixture
def home(tfexam_home: Path) -> Path:
    return tfexam_home


def status(*args: str) -> dict[str, Any]:
    done = run_cli("status", *args, "--json")
    assert done.returncode == 0, done.stderr
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def test_exams_lists_and_shows_the_practice_exam(home: Path) -> None:
    listed = run_cli("exams", "--json")
    assert listed.returncode == 0
    exams = {e["id"]: e for e in json.loads(listed.stdout)}
    assert exams["practice"]["valid"] and exams["practice"]["duration_s"] == 5 * 3600
    shown = json.loads(run_cli("exams", "show", "practice", "--json").stdout)
    question = shown["questions"][0]
    assert question["category"] == 1
    assert question["interface"] == {
        "input_shape": [1],
        "output_shape": [1],
        "output": "regression",
        "sequence_output": False,  # only time series may answer with a sequence
    }
    assert shown["pass_mark"] == 90 and shown["policy"] in ("best", "last")
    # In a pipe (80 columns) the ids other commands take are shown whole.
    text = run_cli("exams", "show", "practice", env={"COLUMNS": "80"}).stdout
    for q in shown["questions"]:
        assert re.search(rf"^\s+{re.escape(q['id'])}\s*$", text, re.MULTILINE), (q["id"], text)
    assert max(len(line) for line in text.splitlines()[2:]) <= 80


def test_errors_are_one_line_with_the_documented_exit_codes(home: Path) -> None:
    unknown = run_cli("start", "no-such-exam", "--headless")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        "tfexam: error: no exam called 'no-such-exam' (known exams: classic, classic-2, practice, "
        "practice-2)"
    )
    assert "Traceback" not in unknown.stderr
    bad_duration = run_cli("start", "--duration", "soon", "--headless")
    assert bad_duration.returncode == 2
    assert bad_duration.stderr.strip() == (
        "tfexam: usage error: Invalid value for '--duration': cannot read duration 'soon': use "
        "hours, minutes and seconds like '5h', '90m', '1h30m' or '45s' (see 'tfexam start --help')"
    )
    bare = run_cli("start", "--duration", "90", "--headless")
    assert bare.returncode == 2
    assert "duration '90' has no unit: write '90m' for minutes or '90s' for seconds" in bare.stderr
    for limit in (["--grading-timeout", "-5"], ["--memory-limit", "0"], ["--workers", "0"]):
        refused = run_cli("start", "--headless", *limit)
        assert refused.returncode == 2, limit
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert refused.stderr.startswith(f"tfexam: usage error: Invalid value for '{limit[0]}'")
    missing = run_cli("grade", "no-such-model.h5", "--exam", "practice", "--question", "1")
    assert (missing.returncode, missing.stderr.strip()) == (
        1, "tfexam: error: no model at no-such-model.h5"
    )  # fmt: skip
    assert run_cli("sessions", "--json").stdout.strip() == "[]"  # no refused start made one
    bare = run_cli()  # plain `tfexam`: the help page, not an error line
    assert "Usage: tfexam [OPTIONS] COMMAND" in bare.stdout + bare.stderr
    assert "usage error" not in bare.stderr and "start" in bare.stdout + bare.stderr
    no_session = run_cli("status")
    assert no_session.returncode == 1
    assert (
        no_session.stderr.strip() == "tfexam: error: no sessions yet: start one with 'tfexam start'"
    )


def test_start_headless_grades_a_save_and_auto_submits_at_the_deadline(
    home: Path, tmp_path: Path, models: dict[str, Path]
) -> None:
    workspace = tmp_path / "exam"
    run = HeadlessRun("start", "practice", "--workspace", str(workspace), "--duration", "12s")
    try:
        opened = run.wait_for("session-opened")[0]
        assert opened["workspace"] == str(workspace.resolve())
        assert sorted(p.name for p in (workspace / "category1").iterdir()) == [
            "prompt.md",
            "starter.py",
        ]
        shutil.copyfile(models["good.h5"], workspace / "category1" / "mymodel.h5")
        graded = run.wait_for("attempt-graded")[0]
        assert graded["score"] == 5 and graded["metric"]["name"] == "mse"
        assert set(graded["timings"]) >= {"load_s", "evaluate_s", "run_s"}
        submitted = run.wait_for("session-submitted", timeout=40)[0]
        assert submitted["reason"] == "auto-submitted"
        assert run.finish() == 0
    finally:
        run.kill()
    # A 12-second session is shorter than every warning mark (60, 30, 10, 1 minutes): none.
    assert [e["event"] for e in run.events].count("time-warning") == 0
    assert all("at" in e and e["at"].startswith("20") for e in run.events)
    final = status()
    assert final["state"] == "submitted" and final["remaining_s"] == 0
    basic = next(q for q in final["questions"] if q["id"] == "basic-model")
    assert basic["score"] == 5 and final["total"]["points"] == 5 * basic["weight"]
    assert final["total"]["passed"] is False  # the other questions were never submitted: 0 each


def test_status_json_has_the_documented_fields(home: Path, tmp_path: Path) -> None:
    run = HeadlessRun("start", "--workspace", str(tmp_path / "ws"), "--duration", "10m")
    try:
        run.wait_for("session-opened")
        report = status()
    finally:
        run.kill()
    assert set(report) >= {
        "session",
        "exam",
        "state",
        "started_at",
        "deadline",
        "remaining_s",
        "workspace",
        "seed",
        "questions",
        "total",
    }
    assert report["state"] == "running" and 500 < report["remaining_s"] <= 600
    question = report["questions"][0]
    assert set(question) >= {"id", "category", "weight", "state", "score", "metric", "attempts"}
    assert question["state"] == "not-attempted" and question["metric"] == {
        "name": "mse",
        "value": None,
    }
    assert set(report["total"]) >= {"points", "max_points", "percent", "passed"}
    assert report["engine_attached"] is True
    # The engine is gone (killed): the text says so, and the id is shown whole in a pipe.
    text = run_cli("status", env={"COLUMNS": "80"}).stdout
    assert (
        "no tfexam is watching this session: the clock runs on; saves are graded when you run "
        f"'tfexam resume {report['session']}'"
    ) in " ".join(text.split())
    listed = run_cli("sessions", env={"COLUMNS": "80"}).stdout
    assert re.search(rf"^ ?{re.escape(report['session'])}\s", listed, re.MULTILINE), listed


def test_submit_from_a_second_terminal_ends_a_running_session(
    home: Path, tmp_path: Path, models: dict[str, Path]
) -> None:
    workspace = tmp_path / "ws"
    run = HeadlessRun("start", "--workspace", str(workspace), "--duration", "1h")
    try:
        run.wait_for("worker-ready")
        shutil.copyfile(models["close.h5"], workspace / "category1" / "mymodel.h5")
        run.wait_for("attempt-graded")
        started = time.monotonic()
        done = run_cli("submit", "--json")
        elapsed = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["state"] == "submitted" and report["end_reason"] == "submitted"
        assert report["questions"][0]["score"] == 4
        assert run.finish(timeout=10) == 0
        assert elapsed < 5  # starting the command and reading the result included
        store = Store(data_paths().database)
        record = store.find_session(report["session"])
        requested = store.submit_requested_at(record.id)
        store.close()
        assert requested is not None and record.ended_at is not None
        assert record.ended_at - requested < 2.0  # the promise: finalized within 2 s
    finally:
        run.kill()
    again = status()
    assert again["state"] == "submitted"


def test_kill_9_mid_grading_then_resume_loses_nothing_and_keeps_the_deadline(
    home: Path, tmp_path: Path, models: dict[str, Path]
) -> None:
    workspace = tmp_path / "ws"
    run = HeadlessRun(
        "start", "--workspace", str(workspace), "--duration", "30m", "--grading-timeout", "60"
    )
    try:
        run.wait_for("worker-ready")
        before = status()
        slow_model(workspace / "category1" / "mymodel.h5", steps=3000)  # a few seconds to grade
        started = run.wait_for("grading-started")[0]
        os.kill(run.process.pid, signal.SIGKILL)
        run.process.wait()
    finally:
        run.kill()
    crashed = status()
    assert crashed["questions"][0]["pending"] == 1  # recorded before the crash, not yet graded
    assert crashed["deadline"] == before["deadline"]
    resumed = HeadlessRun("resume")
    try:
        opened = resumed.wait_for("session-opened")[0]
        assert opened["resumed"] is True
        assert opened["remaining_s"] < before["remaining_s"]  # the clock kept running
        requeued = resumed.wait_for("attempt-requeued")[0]
        assert requeued["attempt"] == started["attempt"]
        finished = resumed.wait_for("attempt-graded", timeout=90)[0]
        assert finished["attempt"] == started["attempt"]
        shutil.copyfile(models["good.h5"], workspace / "category1" / "mymodel.h5")
        resumed.wait_for("attempt-graded", count=2)
    finally:
        run_cli("submit")
        resumed.kill()
    final = status()
    assert final["deadline"] == before["deadline"]
    assert final["questions"][0]["attempts"] == 2 and final["questions"][0]["score"] == 5


def test_resume_refuses_a_session_that_is_open_elsewhere(home: Path, tmp_path: Path) -> None:
    run = HeadlessRun("start", "--workspace", str(tmp_path / "ws"), "--duration", "10m")
    try:
        run.wait_for("session-opened")  # the session is claimed before it opens
        second = run_cli("resume", "--headless")
        assert second.returncode == 1
        assert "is already open in another tfexam (pid" in second.stderr
    finally:
        run.kill()


def test_grade_one_file_outside_a_session(home: Path, models: dict[str, Path]) -> None:
    good = run_cli(
        "grade", str(models["good.h5"]), "--exam", "practice", "--question", "1", "--json"
    )
    assert good.returncode == 0, good.stderr
    result = json.loads(good.stdout)
    assert (result["state"], result["score"]) == ("graded", 5)
    wrong = run_cli(
        "grade", str(models["wrong_input.h5"]), "--exam", "practice", "--question", "basic-model"
    )
    assert wrong.returncode == 1
    assert (
        "not gradable: wrong input shape: the question expects (1,) but the model takes (2,)"
        in wrong.stdout
    )
    assert wrong.stderr == ""
    slow = run_cli(
        "grade", str(models["slow.h5"]), "--exam", "practice", "--question", "1",
        "--grading-timeout", "1",
    )  # fmt: skip
    assert slow.returncode == 1
    assert slow.stdout.strip() == (
        "Basic model: not gradable: grading took longer than the 1 s limit (the model is too slow or "
        "hangs)"
    )
    assert slow.stderr == ""  # the pool's own account goes to the log, not the terminal


def test_the_tests_never_use_the_real_home() -> None:
    """Every test, and every tfexam it starts, has a temporary home unless it says otherwise
    (conftest's ``no_real_home``): the user's own sessions are never read or written."""
    real = Path(platformdirs.user_data_dir("tfexam", appauthor=False)).resolve()
    assert os.environ.get("TFEXAM_HOME"), "TFEXAM_HOME is set for the whole run"
    assert data_paths().root != real


def test_grade_stopped_by_sigterm_mid_grading_leaves_no_scratch_folder(
    home: Path, tmp_path: Path, models: dict[str, Path]
) -> None:
    """SIGTERM ends ``tfexam grade`` as Ctrl+C does: the worker in the middle of a job (about
    3 s a forward pass) is stopped and its scratch folder removed, and it says so in one line."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    code, last = signalled_command(
        ["grade", str(models["slow.h5"]), "--exam", "practice", "--question", "1"],
        signal.SIGTERM, temporary, lambda: list(temporary.glob("tfexam-grad*")),
        "the grading job's scratch folder",
    )  # fmt: skip
    assert code == 128 + signal.SIGTERM
    assert last == "tfexam grade: stopped by SIGTERM; nothing is left behind"
    assert list(temporary.glob("tfexam-*")) == [], "no scratch folder is left"


def test_the_cli_process_never_imports_tensorflow(home: Path) -> None:
    """The CLI, the engine, the exam screen and the notebook export (whose Colab cells name
    tensorflow and keras only as text) load none of TensorFlow, Keras or h5py."""
    probe = (
        "import sys, simulator.cli, simulator.session.engine, simulator.session.sessions, simulator.session.status,"
        " simulator.colab.notebook, simulator.tui.app;"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'tensorflow', 'keras', 'h5py'});"
        "print(heavy)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.strip() == "[]"
