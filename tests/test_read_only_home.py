"""A TFEXAM_HOME that cannot be written (a read-only mount, a shared or backed-up copy): the
commands that only read still work; the others refuse it in one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.exam.catalog import find_exam
from simulator.paths import data_paths
from simulator.session.sessions import NewSession, record_session
from simulator.storage.store import Store
from tests.conftest import REPO


def _read_only_mount_works(folder: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c",
         f"mount --bind '{folder}' '{folder}' && mount -o remount,bind,ro '{folder}' '{folder}'"],
        capture_output=True, timeout=30,
    )  # fmt: skip
    return probe.returncode == 0


def _on_read_only_home(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``tfexam ARGS`` with TFEXAM_HOME mounted read-only (in a private mount namespace)."""
    command = " ".join(f"'{a}'" for a in (sys.executable, "-m", "simulator", *args))
    return subprocess.run(
        ["unshare", "-m", "sh", "-c",
         f"mount --bind '{home}' '{home}' && mount -o remount,bind,ro '{home}' '{home}' && "
         f"exec {command}"],
        capture_output=True, text=True, timeout=60, cwd=REPO, stdin=subprocess.DEVNULL,
        env={**os.environ, "TFEXAM_HOME": str(home)},
    )  # fmt: skip


def test_read_commands_work_on_a_read_only_home(tfexam_home: Path, tmp_path: Path) -> None:
    store = Store(data_paths().database)
    (tmp_path / "ws").mkdir()
    exam = find_exam("practice", None)
    session = record_session(store, NewSession(exam, duration_s=3600), tmp_path / "ws", time.time())
    store.close()
    if not _read_only_mount_works(tfexam_home):
        pytest.skip("no private read-only mounts here (unshare -m needs privileges)")
    status = _on_read_only_home(tfexam_home, "status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["session"] == session.id
    assert status.stderr == (
        f"tfexam: TFEXAM_HOME {tfexam_home} is not writable: showing what is stored, changing "
        "nothing\n"
    )
    for command in (["sessions", "--json"], ["report", "--format", "json"], ["history"]):
        done = _on_read_only_home(tfexam_home, *command)
        assert done.returncode == 0, (command, done.stderr)
        assert "Traceback" not in done.stderr
    doctor = _on_read_only_home(tfexam_home, "doctor")
    assert doctor.returncode == 0, doctor.stderr
    assert doctor.stdout.startswith(f"The store {tfexam_home}/tfexam.db is sound"), doctor.stdout
    notebook = _on_read_only_home(
        tfexam_home, "notebook", "basic-model", "-o", str(tmp_path / "q1.ipynb")
    )
    assert notebook.returncode == 0, notebook.stderr
    assert (tmp_path / "q1.ipynb").is_file()
    assert notebook.stderr == (
        f"tfexam: TFEXAM_HOME {tfexam_home} is not writable: the export is not recorded, so the "
        "report will not count this Colab training\n"
    )
    start = _on_read_only_home(
        tfexam_home, "start", "--headless", "--workspace", str(tmp_path / "n")
    )
    assert (start.returncode, start.stderr) == (1, (
        f"tfexam: error: TFEXAM_HOME {tfexam_home} is not writable: this command must record to "
        "it (set TFEXAM_HOME to a folder you can write to)\n"
    ))  # fmt: skip
    assert not (tmp_path / "n").exists()


def test_grade_works_on_a_read_only_home(tfexam_home: Path, models: dict[str, Path]) -> None:
    Store(data_paths().database).close()
    if not _read_only_mount_works(tfexam_home):
        pytest.skip("no private read-only mounts here (unshare -m needs privileges)")
    graded = _on_read_only_home(
        tfexam_home, "grade", str(models["good.h5"]), "--exam", "practice", "--question", "1",
        "--json",
    )  # fmt: skip
    assert graded.returncode == 0, graded.stderr
    assert json.loads(graded.stdout)["score"] == 5
    assert (
        f"tfexam: TFEXAM_HOME {tfexam_home} is not writable: grading without keeping its log\n"
        in graded.stderr
    )
    assert "Traceback" not in graded.stderr and "OSError" not in graded.stderr
