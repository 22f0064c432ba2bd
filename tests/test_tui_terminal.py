"""``tfexam start`` and ``tfexam resume`` in a real pseudo-terminal, and TensorFlow kept out of the TUI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from simulator.tui.prompt import PREPARE_AFTER_S, PREPARE_EVERY_S
from tests.conftest import FIXTURES, FORMATS_EXAM, REPO, run_cli
from tests.pty_terminal import Terminal

TAB, ENTER = "\t", "\r"


def test_start_opens_the_exam_screen_and_leaving_keeps_the_clock_running(
    tfexam_home: Path, tmp_path: Path
) -> None:
    env = {"TFEXAM_HOME": str(tfexam_home)}
    workspace = tmp_path / "ws"
    terminal = Terminal(
        ["start", "practice", "--workspace", str(workspace), "--duration", "30m"], env=env, cwd=REPO
    )
    try:
        terminal.wait_for("Submit and Test", timeout=120)
        terminal.wait_for("grader ready", timeout=60)
        maps = Path(f"/proc/{terminal.process.pid}/maps")
        if maps.exists():  # Linux: the TUI process has no TensorFlow library mapped
            assert "tensorflow" not in maps.read_text()
        terminal.send("3")
        terminal.wait_for("Q3 CNN on real-world images")
        terminal.send("q")
        terminal.wait_for("Leave the exam?")
        terminal.send(TAB + ENTER)  # from "Stay" to "Leave"
        assert terminal.wait_exit() == 0
        assert "Left the exam: the clock keeps running" in terminal.text
    finally:
        terminal.close()
    status = json.loads(run_cli("status", "--json", env=env).stdout)
    assert status["state"] == "running" and not status["engine_attached"]
    assert 25 * 60 < status["remaining_s"] <= 30 * 60

    again = Terminal(["resume"], env=env, cwd=REPO)
    try:
        again.wait_for("Submit and Test", timeout=60)
        again.send("q")
        again.wait_for("Leave the exam?")
        again.send(TAB + ENTER)
        assert again.wait_exit() == 0
    finally:
        again.close()


PROMPT_HEADING = re.compile(r"Category (\d): ")


def prompt_headings(screen: list[str]) -> list[str]:
    """The prompt headings (``Category 3: ...``) on a screen: one per prompt shown."""
    return [m.group(1) for line in screen for m in PROMPT_HEADING.finditer(line)]


def test_start_shows_one_prompt_at_a_time_on_the_real_screen(
    tfexam_home: Path, tmp_path: Path
) -> None:
    terminal = Terminal(
        ["start", "practice", "--workspace", str(tmp_path / "ws"), "--duration", "30m"],
        env={"TFEXAM_HOME": str(tfexam_home)}, cwd=REPO, size=(120, 40),
    )  # fmt: skip
    try:
        assert prompt_headings(terminal.wait_for_screen("Category 1: ", timeout=120)) == ["1"]
        # Every screen drawn while the other four prompts are prepared in the background.
        prepared_by = PREPARE_AFTER_S + 4 * PREPARE_EVERY_S + 3.0
        screens = terminal.watch_screen(prepared_by)
        assert screens, "the screen kept drawing (countdown) while prompts were prepared"
        assert all(prompt_headings(screen) == ["1"] for screen in screens), "\n".join(
            next(s for s in screens if prompt_headings(s) != ["1"])
        )
        terminal.send("2")
        screen = terminal.wait_for_screen("Category 2: ", timeout=10)
        assert prompt_headings(screen) == ["2"], "\n".join(screen)
        assert any("Q2 Model from a learning dataset" in line for line in screen)
        terminal.send("q")
        terminal.wait_for_screen("Leave the exam?", timeout=10)
        terminal.send(TAB + ENTER)
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()


def test_without_a_terminal_start_runs_headless_and_says_so(
    tfexam_home: Path, tmp_path: Path
) -> None:
    result = run_cli(
        "start", str(FORMATS_EXAM), "--workspace", str(tmp_path / "ws"), "--duration", "2s",
        env={"TFEXAM_HOME": str(tfexam_home)}, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "no terminal here, running headless" in result.stderr
    assert "auto-submitted" in result.stdout


NO_TENSORFLOW = textwrap.dedent(
    """
    import asyncio, json, shutil, sys
    from pathlib import Path
    from simulator.exam.catalog import find_exam
    from simulator.session.engine import Engine
    from simulator.session.facade import SessionFacade
    from simulator.paths import data_paths
    from simulator.session.sessions import NewSession, create_session
    from simulator.storage.store import Store
    from simulator.tui.app import ExamApp
    from simulator.tui.exam_window import QuestionsTable
    from tests.waiting import wait_on_pilot

    model, workspace, exam_dir = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    paths = data_paths()
    store = Store(paths.database)
    exam = find_exam(exam_dir, paths)
    session = create_session(store, NewSession(exam, workspace=workspace, duration_s=600))
    engine = Engine(store, paths, session, exam)
    app = ExamApp(SessionFacade(engine))

    async def main() -> str:
        async with app.run_test(size=(120, 40)) as pilot:
            shutil.copyfile(model, workspace / "series" / "mymodel.h5")
            table = app.query_one(QuestionsTable)

            def graded() -> str:
                cell = str(table.get_row("series")[2])
                return cell if "/5" in cell else ""

            return await wait_on_pilot(pilot, graded, "the series question's score", 120)

    shown = asyncio.run(main())
    engine.close()
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras", "h5py"))
    print(json.dumps({"shown": shown, "heavy": heavy}))
    """
)


def test_the_tui_process_never_imports_tensorflow_even_while_grading(
    tfexam_home: Path, tmp_path: Path
) -> None:
    model = FIXTURES / "keras2" / "lstm_time_major.h5"  # a Keras-2 file: the worker repairs it
    result = subprocess.run(
        [sys.executable, "-c", NO_TENSORFLOW, str(model), str(tmp_path / "ws"), str(FORMATS_EXAM)],
        capture_output=True, text=True, timeout=240, cwd=REPO,
        env={**os.environ, "TFEXAM_HOME": str(tfexam_home)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["shown"].endswith("/5"), report
    assert report["heavy"] == []
