"""Starting an exam leaves either a whole workspace or none: Ctrl+C midway, an odd path."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cli_helpers import HeadlessRun
from tests.conftest import REPO, run_cli


def test_ctrl_c_while_the_workspace_is_made_leaves_nothing_and_the_same_folder_starts(
    tfexam_home: Path, tmp_path: Path
) -> None:
    parent = tmp_path / "exams"
    parent.mkdir()
    workspace = parent / "ws"
    starting = subprocess.Popen(
        [sys.executable, "-m", "simulator", "start", "--workspace", str(workspace), "--headless"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=REPO,
        text=True,
    )  # fmt: skip
    try:
        give_up = time.monotonic() + 60
        while not any(parent.iterdir()) and time.monotonic() < give_up:
            time.sleep(0.01)  # the practice exam's data takes seconds to write
        assert any(parent.iterdir()), "the workspace was never started"
        time.sleep(0.3)
        starting.send_signal(signal.SIGINT)  # Ctrl+C
        starting.wait(timeout=30)
    finally:
        if starting.poll() is None:
            starting.kill()
    assert run_cli("sessions", "--json").stdout.strip() == "[]", "no session was created"
    assert list(parent.iterdir()) == [], "no half-made workspace is left behind"
    again = HeadlessRun("start", "--workspace", str(workspace), "--duration", "5m")
    try:
        opened = again.wait_for("session-opened", timeout=120)[0]
        assert opened["workspace"] == str(workspace)
        assert (workspace / "category1" / "starter.py").is_file()
    finally:
        again.kill()


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
