"""Starting an exam leaves either a whole workspace or none: Ctrl+C midway, an odd path."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import psutil

from tests.cli_helpers import HeadlessRun
from tests.conftest import FIXTURES, REPO, run_cli
from tests.waiting import wait_until

#: Question 1's data, held while the file ``hold`` is next to it: the start is then exactly in
#: the middle of making the workspace (question 1's data is the one part written before the
#: screen opens; the rest follows in the background).
HELD_DATA = """\
import time
from pathlib import Path

HERE = Path(__file__).parent


def write_data(folder: Path, seed: int) -> None:
    (folder / "half.txt").write_text("half written", encoding="utf-8")
    if (HERE / "hold").exists():
        (HERE / "entered").touch()
        while (HERE / "hold").exists():  # held until the test lets go (it never does here)
            time.sleep(0.02)  # a poll of the hold file in the exam's own code, not a test's wait
    (folder / "target.txt").write_text("1.0\\n", encoding="utf-8")
"""


def test_ctrl_c_while_the_workspace_is_made_leaves_nothing_and_the_same_folder_starts(
    tfexam_home: Path, tmp_path: Path
) -> None:
    exam = tmp_path / "seeded"  # an exam folder is named as its id
    shutil.copytree(FIXTURES / "exams" / "seeded", exam)
    (exam / "constant" / "data.py").write_text(HELD_DATA, encoding="utf-8")
    (exam / "constant" / "hold").touch()
    parent = tmp_path / "exams"
    parent.mkdir()
    workspace = parent / "ws"
    starting = subprocess.Popen(
        [sys.executable, "-m", "simulator", "start", str(exam), "--workspace", str(workspace),
         "--headless"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=REPO,
        text=True,
    )  # fmt: skip
    try:
        wait_until((exam / "constant" / "entered").exists, message="the data to be started")
        assert any(parent.iterdir()), "the workspace is being made"
        starting.send_signal(signal.SIGINT)  # Ctrl+C
        starting.wait(timeout=30)
    finally:
        if starting.poll() is None:
            starting.kill()
    assert run_cli("sessions", "--json").stdout.strip() == "[]", "no session was created"
    assert list(parent.iterdir()) == [], "no half-made workspace is left behind"
    (exam / "constant" / "hold").unlink()
    again = HeadlessRun("start", str(exam), "--workspace", str(workspace), "--duration", "5m")
    try:
        opened = again.wait_for("session-opened", timeout=120)[0]
        assert opened["workspace"] == str(workspace)
        assert (workspace / "constant" / "target.txt").read_text() == "1.0\n"
    finally:
        again.kill()


def _data_writers(workspace: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "simulator.session.dataprep" in cmdline and str(workspace) in cmdline:
            found.append(process)
    return found


def test_ctrl_c_while_the_data_is_written_in_the_background_stops_the_writer_and_resume_finishes(
    tfexam_home: Path, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    starting = HeadlessRun("start", "--workspace", str(workspace), "--duration", "30m")
    try:
        starting.wait_for("session-opened", timeout=120)
        wait_until(
            lambda: _data_writers(workspace), message="questions 2-5 written in the background"
        )
        starting.process.send_signal(signal.SIGINT)  # Ctrl+C
        assert starting.finish(timeout=60) == 0
    finally:
        starting.kill()
    assert _data_writers(workspace) == [], "the background writer stops with tfexam"
    ready_before = sum(e["event"] == "question-ready" for e in starting.events)
    assert ready_before < 4, "Ctrl+C came while data was still being written"
    resumed = HeadlessRun("resume")
    try:
        ready = resumed.wait_for("question-ready", count=4 - ready_before, timeout=240)
        assert ready[-1]["ready"] == ready[-1]["total"] == 5
    finally:
        resumed.kill()
    assert not (workspace / ".tfexam-data").exists(), "no half-written data is left"


def test_a_workspace_path_that_is_not_utf8_is_refused_in_one_line_before_anything_is_made(
    tfexam_home: Path, tmp_path: Path
) -> None:
    workspace = os.fsencode(tmp_path) + b"/ws-\xff"
    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"simulator", b"start", b"--workspace", workspace,
         b"--headless"],
        capture_output=True, timeout=60, stdin=subprocess.DEVNULL, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.decode() == (
        f"tfexam: error: the workspace path {tmp_path}/ws-\\xff is not valid UTF-8: choose a "
        "folder whose name is UTF-8\n"
    )
    assert not os.path.lexists(workspace)
    assert run_cli("sessions", "--json").stdout.strip() == "[]"
