"""The editor tabs in the real ``tfexam`` on a pseudo-terminal: keys as a terminal sends them,
the screen as a VT emulator shows it, files and the session store as they are on disk."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tests.conftest import REPO
from tests.pty_terminal import Terminal

ENTER, TAB = "\r", "\t"
CTRL_G, CTRL_S = "\x07", "\x13"
ALT_1 = "\x1b1"
DOWN, END = "\x1b[B", "\x1b[F"
SHIFT_F10 = "\x1b[21;2~"


def start(tfexam_home: Path, workspace: Path, size: tuple[int, int] = (120, 40)) -> Terminal:
    return Terminal(
        ["start", "practice", "--workspace", str(workspace), "--duration", "1h"],
        env={"TFEXAM_HOME": str(tfexam_home)}, cwd=REPO, size=size,
    )  # fmt: skip


def line_number(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.strip() == text)


def test_question_1_taken_without_leaving_tfexam(tfexam_home: Path, tmp_path: Path) -> None:
    """Open the starter from the Project tree, type the missing lines, save, run, and see the
    run's model graded 5/5, all in the exam screen."""
    workspace = tmp_path / "ws"
    terminal = start(tfexam_home, workspace)
    starter = workspace / "category1" / "starter.py"
    try:
        terminal.wait_for("grader ready", timeout=120)
        terminal.send(ALT_1)  # PyCharm's Project window, on the question's folder, open
        terminal.wait_for_screen("└ starter.py", timeout=10)
        for key in (DOWN, DOWN):  # prompt.md, starter.py
            terminal.send(key)
            terminal.watch_screen(0.3)
        terminal.send(ENTER)  # open it
        terminal.wait_for_screen(" 1  # ====", timeout=20)  # the file, with line numbers
        summary = line_number(starter, "model.summary()")
        terminal.send(CTRL_G)
        terminal.wait_for_screen("Go to line", timeout=10)
        terminal.send(f"{summary}{ENTER}")
        terminal.wait_until_gone("Go to line", timeout=10)
        for key in (END, ENTER):  # a new line after model.summary(), indented as it is
            terminal.send(key)
            terminal.watch_screen(0.3)
        # Enter keeps the indentation: the lines are typed without it, as in PyCharm.
        terminal.send(
            "model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.05), "
            f'loss="mean_squared_error"){ENTER}'
            "model.fit(xs, ys, epochs=500, verbose=0)"
        )
        terminal.wait_for_screen("epochs=500, verbose=0)", timeout=10)
        terminal.send(CTRL_S)
        terminal.wait_for_screen("Saved category1/starter.py", timeout=10)
        assert "    model.fit(xs, ys, epochs=500, verbose=0)\n" in starter.read_text()
        terminal.send(SHIFT_F10)
        terminal.wait_for_screen("Q1 #1 exit 0", timeout=180)  # the run's tab: it finished
        terminal.wait_for_screen("category1/  5/5", timeout=120)  # graded, in the Project tree
    finally:
        terminal.close()


def test_e_opens_the_starter_in_a_tab_and_what_is_typed_is_saved(
    tfexam_home: Path, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    terminal = start(tfexam_home, workspace, size=(80, 24))
    try:
        terminal.wait_for("Submit and Test", timeout=120)
        terminal.send("2")
        terminal.wait_for_screen("Category 2: ", timeout=20)  # question 2's prompt is shown
        terminal.send("e")
        terminal.wait_for_screen("category2/starter.py", timeout=20)
        terminal.send("# typed in tfexam" + ENTER)  # the cursor is in the editor at once
        terminal.wait_for_screen("category2/starter.py ●", timeout=10)
        terminal.send(CTRL_S)
        terminal.wait_for_screen("Saved", timeout=10)
        text = (workspace / "category2" / "starter.py").read_text(encoding="utf-8")
        assert text.startswith("# typed in tfexam\n")
    finally:
        terminal.close()


def kept_buffers(home: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(f"file:{home / 'tfexam.db'}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute("SELECT path, text FROM buffers").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        db.close()


def test_unsaved_text_survives_a_kill_9_and_is_restored_on_resume(
    tfexam_home: Path, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    starter = workspace / "category1" / "starter.py"
    terminal = start(tfexam_home, workspace)
    try:
        terminal.wait_for("Submit and Test", timeout=120)
        terminal.send("e")
        terminal.wait_for_screen("category1/starter.py", timeout=20)
        terminal.send("# not saved before the crash" + ENTER)
        terminal.wait_for_screen("starter.py ●", timeout=10)
        give_up = time.monotonic() + 20
        while not any("# not saved before the crash" in text for _, text in kept_buffers(
            tfexam_home
        )):  # fmt: skip
            assert time.monotonic() < give_up, "the unsaved text was never kept"
            terminal.read(0.2)
    finally:
        terminal.close()  # kill -9 of the whole process group: no goodbye
    original = starter.read_text(encoding="utf-8")
    assert "# not saved before the crash" not in original

    again = Terminal(["resume"], env={"TFEXAM_HOME": str(tfexam_home)}, cwd=REPO)
    try:
        again.wait_for_screen("Restore unsaved changes?", timeout=120)
        again.send(ENTER)  # Restore (focused first)
        again.wait_for_screen("# not saved before the crash", timeout=20)
        again.wait_for_screen("category1/starter.py ●", timeout=10)
        assert starter.read_text(encoding="utf-8") == original, "restored, not written"
    finally:
        again.close()
