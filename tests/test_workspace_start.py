"""Starting an exam leaves either a whole workspace or none (Ctrl+C midway, an odd path), and
the data written after it opened survives Ctrl+C or kill -9 of tfexam: resume finishes it."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from simulator.session import dataprep
from simulator.session.dataprep import WRITER_MODULE, DataPreparer, Prepared, write_staged
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


#: A second question whose data (written in the background) is held by the first writer that
#: reaches it, while the file ``hold`` is next to it; a later writer goes straight through.
FIRST_WRITER_HELD = """\
import os
import time
from pathlib import Path

HERE = Path(__file__).parent


def write_data(folder: Path, seed: int) -> None:
    (folder / "half.txt").write_text("half written", encoding="utf-8")
    if (HERE / "hold").exists() and not (HERE / "entered").exists():
        (HERE / "entered").write_text(str(os.getpid()), encoding="utf-8")
        while (HERE / "hold").exists():  # held until the test lets go
            time.sleep(0.02)  # a poll of the hold file in the exam's own code, not a test's wait
    (folder / "target.txt").write_text("2.0\\n", encoding="utf-8")
"""


def _exam_with_a_held_second_question(tmp_path: Path) -> Path:
    exam = tmp_path / "seeded"
    shutil.copytree(FIXTURES / "exams" / "seeded", exam)
    shutil.copytree(exam / "constant", exam / "later")
    (exam / "later" / "data.py").write_text(FIRST_WRITER_HELD, encoding="utf-8")
    toml = (exam / "exam.toml").read_text(encoding="utf-8")
    first = toml[toml.index("[[questions]]") :]  # the same question again, in its own folder
    later = first.replace('"constant"', '"later"')
    (exam / "exam.toml").write_text(f"{toml}\n{later}", encoding="utf-8")
    (exam / "later" / "hold").touch()
    return exam


def test_kill_9_while_the_data_is_written_stops_the_writer_and_resume_at_once_finishes(
    tfexam_home: Path, tmp_path: Path
) -> None:
    exam = _exam_with_a_held_second_question(tmp_path)
    workspace = tmp_path / "ws"
    old_writer: psutil.Process | None = None
    starting = HeadlessRun("start", str(exam), "--workspace", str(workspace), "--duration", "30m")
    try:
        entered = exam / "later" / "entered"
        wait_until(entered.exists, timeout=120, message="the background writer to begin")
        old_writer = psutil.Process(int(wait_until(entered.read_text, message="its pid")))
        starting.process.kill()  # kill -9: no chance to stop the writer
        starting.finish()
        resumed = HeadlessRun("resume")  # at once, whatever the old writer is doing
        try:
            ready = resumed.wait_for("question-ready", timeout=120)
            assert (ready[-1]["ready"], ready[-1]["total"]) == (2, 2)
            wait_until(
                lambda: not old_writer.is_running() or old_writer.status() == "zombie",
                timeout=30,
                message="the old writer to stop with the tfexam that started it",
            )
        finally:
            resumed.kill()
    finally:
        (exam / "later" / "hold").unlink()
        starting.kill()
        if old_writer is not None and old_writer.is_running():
            old_writer.kill()
    assert (workspace / "later" / "target.txt").read_text() == "2.0\n"
    assert (workspace / "later" / "half.txt").read_text() == "half written"
    assert not (workspace / ".tfexam-data").exists(), "no half-written data is left"


class _Lines(logging.Handler):
    """The lines logged while attached (pytest's log capture is off in this project)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_a_writer_still_holding_the_lock_is_stopped_and_the_new_one_writes_the_data(
    tmp_path: Path,
) -> None:
    exam = _exam_with_a_held_second_question(tmp_path)
    workspace = tmp_path / "ws"
    (workspace / "later").mkdir(parents=True)
    logs = tmp_path / "logs"
    # A writer whose tfexam is gone but which still runs (its parent here is the test: alive).
    stale = subprocess.Popen(
        [sys.executable, "-m", WRITER_MODULE, "--lock", str(logs / "data.lock"), str(exam),
         str(workspace), "11", "later"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, cwd=REPO,
    )  # fmt: skip
    done: list[Prepared] = []
    preparer = DataPreparer(exam, workspace, 11, ["later"], logs / "data.log", done.append)
    try:
        wait_until((exam / "later" / "entered").exists, message="the stale writer to begin")
        said = _Lines()
        logging.getLogger("tfexam.dataprep").addHandler(said)
        try:
            preparer.start()
        finally:
            logging.getLogger("tfexam.dataprep").removeHandler(said)
        wait_until(lambda: done, timeout=60, message="the new writer to finish")
        assert stale.poll() is not None, "the stale writer was stopped before the new one wrote"
    finally:
        preparer.close()
        if stale.poll() is None:
            stale.kill()
        stale.wait()
    assert [(p.question_id, p.error) for p in done] == [("later", None)]
    assert (workspace / "later" / "target.txt").read_text() == "2.0\n"
    assert not (workspace / ".tfexam-data").exists()
    assert said.lines == [
        f"stopped the data writer (pid {stale.pid}) left running by a tfexam that was stopped"
    ]


def test_a_writer_that_cannot_get_the_lock_says_why_for_each_question_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    exam = _exam_with_a_held_second_question(tmp_path)
    (exam / "later" / "hold").unlink()
    workspace = tmp_path / "ws"
    (workspace / "later").mkdir(parents=True)
    lock = tmp_path / "logs" / "data.lock"
    lock.parent.mkdir()
    monkeypatch.setattr(dataprep, "STALE_WRITER_WAIT_S", 0.2)
    with lock.open("w", encoding="utf-8") as held:  # a writer that is not ours to stop
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242\n")
        held.flush()
        code = dataprep.main(["--lock", str(lock), str(exam), str(workspace), "11", "later"])
    assert code == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {
            "question": "later",
            "seconds": 0.0,
            "error": "another data writer (pid 4242) still writes this workspace's data; the "
            "questions stay pending and are written at the next tfexam resume",
        }
    ]
    assert list((workspace / "later").iterdir()) == []


def test_a_question_data_folder_is_replaced_whole_never_merged(tmp_path: Path) -> None:
    folder = tmp_path / "category3"
    (folder / "images" / "old-only").mkdir(parents=True)
    (folder / "starter.py").write_text("mine", encoding="utf-8")

    def data(staging: Path) -> None:
        (staging / "images" / "cats").mkdir(parents=True)
        (staging / "images" / "cats" / "1.png").write_bytes(b"png")

    write_staged(data, folder, tmp_path / ".tfexam-data" / "category3.1-ab")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "images", "images/cats", "images/cats/1.png", "starter.py",
    ]  # fmt: skip
    assert list((tmp_path / ".tfexam-data").iterdir()) == [], "nothing set aside is left"


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
