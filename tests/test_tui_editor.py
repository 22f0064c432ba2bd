"""Editor tabs driven through Textual's pilot over a real engine and real files: open, type,
save, close, files changed on disk, unsaved text kept for after a crash, keys while typing."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static, TabbedContent

from simulator.tui.app import ExamApp
from simulator.tui.code_editor import CodeEditor
from simulator.tui.editor_area import EditorArea
from simulator.tui.editor_dialogs import ChoiceDialog, GoToLineDialog, RecentFilesDialog
from simulator.tui.project import ProjectTree
from tests.tui_helpers import (
    TuiRig,
    notifications,
    screen_lines,
    settled,
    text_of,
    until,
    wait_until,
)


def editor(app: ExamApp) -> CodeEditor:
    found = app.query_one(EditorArea).active_editor()
    assert found is not None, "a file's tab is on show"
    return found


def tab_labels(app: ExamApp) -> list[str]:
    tabs = app.query_one("#editor-tabs", TabbedContent)
    return [str(tab.label) for tab in tabs.query("ContentTab")]


def status(app: ExamApp) -> str:
    return text_of(app.query_one("#editor-status", Static))


async def open_starter(pilot: object, app: ExamApp) -> CodeEditor:
    await pilot.press("e")  # type: ignore[attr-defined]
    await wait_until(
        pilot,  # type: ignore[arg-type]
        lambda: isinstance(app.focused, CodeEditor),
        what="the starter's tab, the cursor in it",
    )
    return editor(app)


async def test_a_file_opened_from_the_project_tree_is_edited_and_saved_whole(
    rig: TuiRig,
) -> None:
    session = rig.session()
    starter = session.workspace / "category1" / "starter.py"
    original = starter.read_text(encoding="utf-8")
    starter.chmod(0o640)
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(ProjectTree)
        tree.focus()
        category1 = next(n for n in tree.root.children if "category1" in str(n.label))
        category1.expand()
        await until(pilot, lambda: category1.children, "category1's files listed")
        await settled(pilot)  # the tree's lines laid out
        starter_node = next(n for n in category1.children if str(n.label) == "starter.py")
        tree.move_cursor(starter_node)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.focused, CodeEditor))
        code = editor(app)
        assert code.path == starter.resolve() and code.text == original
        assert tab_labels(app) == ["category1/prompt.md", "category1/starter.py"]
        assert code.language == "python" and code.show_line_numbers

        await pilot.press("x", "=", "1")
        await until(pilot, lambda: tab_labels(app)[1].endswith("●"), "the tab marked changed")
        assert code.dirty and tab_labels(app)[1] == "category1/starter.py ●"
        assert starter.read_text(encoding="utf-8") == original, "nothing written before ctrl+s"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not code.dirty, "the save")
        await until(pilot, lambda: "Saved" in status(app), "the save's note")
        assert starter.read_text(encoding="utf-8") == code.text == "x=1" + original
        assert not code.dirty and tab_labels(app)[1] == "category1/starter.py"
        assert starter.stat().st_mode & 0o777 == 0o640, "the file keeps its permissions"
        assert not [p for p in starter.parent.iterdir() if p.name.endswith(".tfexam-save")]
        assert "Saved category1/starter.py" in status(app)


async def test_single_letter_keys_are_typed_while_the_editor_has_focus(rig: TuiRig) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        code = await open_starter(pilot, app)
        code.move_cursor((0, 0))
        await pilot.press(*"tqr1svx?e")
        await until(
            pilot, lambda: code.document.get_line(0).startswith("tqr1svx?e"), "the letters typed"
        )
        await settled(pilot)  # whatever else the keys did (nothing, below) has happened
        assert code.document.get_line(0).startswith("tqr1svx?e")
        assert app.screen is app.screen_stack[0], "no dialog: q and s were typed"
        assert not rig.store.runs(session.id), "r was typed, not a run"
        assert app.exam_screen.current.id == "basic-model", "1 was typed, not a question switch"
        assert not any("Submit and Test" in t for t, _ in notifications(app))
        footer = screen_lines(app)[-1]
        assert "^s Save" in footer and "shift+f10 Run" in footer and "^t Submit and Test" in footer
        assert " t Submit" not in footer and "e Edit" not in footer, "the letters leave the footer"
        await pilot.press("ctrl+c")  # copies in the editor, as in PyCharm
        await settled(pilot)  # a quit question would be up by now
        assert app.screen is app.screen_stack[0], "ctrl+c in the editor is not quit"
        await pilot.press("escape")  # leaves the editor: letters are keys again
        await until(pilot, lambda: not isinstance(app.focused, CodeEditor), "the editor left")
        assert not isinstance(app.focused, CodeEditor)
        await pilot.press("2")
        await until(pilot, lambda: app.exam_screen.current.id == "learning-dataset", "Q2")
        assert app.exam_screen.current.id == "learning-dataset"


async def test_closing_a_tab_with_unsaved_changes_asks_first(rig: TuiRig) -> None:
    session = rig.session()
    starter = session.workspace / "category1" / "starter.py"
    original = starter.read_text(encoding="utf-8")
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_starter(pilot, app)
        await pilot.press("a")
        await pilot.press("ctrl+f4")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the question")
        assert isinstance(app.screen, ChoiceDialog)
        assert "Save changes to category1/starter.py?" in text_of(
            app.screen.query_one(".dialog-title")
        )
        await pilot.click("#choice-cancel")
        await until(pilot, lambda: app.screen is app.screen_stack[0], "the question closed")
        assert editor(app).dirty, "cancel: the tab stays, with its changes"
        await pilot.press("ctrl+f4")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the question")
        await pilot.click("#choice-discard")
        await until(pilot, lambda: tab_labels(app) == ["category1/prompt.md"], "the tab closed")
        assert app.query_one(EditorArea).active_editor() is None
        assert tab_labels(app) == ["category1/prompt.md"]
        assert starter.read_text(encoding="utf-8") == original, "don't save: the file as it was"
        await open_starter(pilot, app)
        await pilot.press("escape")  # focus elsewhere: ctrl+f4 still closes the tab on show
        await pilot.press("ctrl+f4")
        await until(pilot, lambda: tab_labels(app) == ["category1/prompt.md"], "the tab closed")
        await settled(pilot)  # no question comes up
        assert tab_labels(app) == ["category1/prompt.md"], "no changes: closed without asking"


async def test_a_file_changed_on_disk_reloads_or_asks_when_the_tab_has_edits(
    rig: TuiRig,
) -> None:
    session = rig.session()
    starter = session.workspace / "category1" / "starter.py"
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        code = await open_starter(pilot, app)
        starter.write_text("print('from another editor')\n", encoding="utf-8")
        await wait_until(
            pilot, lambda: code.text == "print('from another editor')\n",
            what="the tab reloaded",
        )  # fmt: skip
        assert not code.dirty
        await pilot.press("end", "#")
        starter.write_text("print('changed again')\n", encoding="utf-8")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert "changed on disk" in text_of(app.screen.query_one(".dialog-title"))
        looks = [0]
        area = app.query_one(EditorArea)
        real_check = area.check_disk

        def counted() -> None:
            looks[0] += 1
            real_check()

        area.check_disk = counted  # type: ignore[method-assign]
        await pilot.click("#choice-mine")
        await until(pilot, lambda: looks[0] >= 2, "two more looks at the disk")
        assert app.screen is app.screen_stack[0], "asked once, not at every look at the disk"
        assert code.text.startswith("print('from another editor')#") and code.dirty
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not code.dirty, "the save")
        assert starter.read_text(encoding="utf-8") == code.text, "keep mine: the save wins"
        await pilot.press("end", "!")
        starter.write_text("print('third')\n", encoding="utf-8")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.click("#choice-disk")
        await until(pilot, lambda: code.text == "print('third')\n", "the disk's text")
        assert code.text == "print('third')\n" and not code.dirty


async def test_unsaved_text_is_kept_and_offered_back_when_the_session_is_opened_again(
    rig: TuiRig,
) -> None:
    session = rig.session()
    starter = session.workspace / "category2" / "starter.py"
    original = starter.read_text(encoding="utf-8")
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        code = await open_starter(pilot, app)
        code.move_cursor((0, 0))
        await pilot.press(*"# my work in progress", "enter")
        await wait_until(
            pilot,
            lambda: any(
                b.text.startswith("# my work in progress\n") for b in rig.store.buffers(session.id)
            ),
            what="the unsaved text kept in the store",
        )
        [kept] = rig.store.buffers(session.id)
        assert kept.path == starter.resolve() and kept.text.startswith("# my work in progress\n")
        # The app goes away without saving or leaving (as a kill would take it).

    again = rig.app(rig.store.get_session(session.id))
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(again.screen, ChoiceDialog))
        message = text_of(again.screen.query_one(".dialog-message"))
        assert "category2/starter.py" in message
        await pilot.click("#choice-restore")
        await wait_until(
            pilot, lambda: isinstance(again.focused, CodeEditor),
            what="the restored tab",
        )  # fmt: skip
        restored = editor(again)
        assert restored.text == kept.text and restored.dirty
        assert starter.read_text(encoding="utf-8") == original, "restored, not saved"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not restored.dirty, "the save")
        await until(pilot, lambda: not rig.store.buffers(session.id), "the kept text dropped")
        assert starter.read_text(encoding="utf-8") == kept.text
        assert not rig.store.buffers(session.id), "saved: nothing left to offer"


async def test_a_syntax_error_is_shown_on_save_in_the_status_bar_and_the_gutter(
    rig: TuiRig,
) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        code = await open_starter(pilot, app)
        code.move_cursor((2, 0))
        await pilot.press(*"def broken(:", "enter")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: code.problem is not None, "the syntax error found")
        assert code.problem is not None and code.problem.line == 3
        assert "SyntaxError line 3" in status(app)
        code.scroll_home(animate=False)
        await until(pilot, lambda: code.scroll_y == 0, "the top of the file")
        await settled(pilot)  # drawn there
        assert code.render_line(2).text.lstrip().startswith("3● def broken(:"), "line 3 marked"
        assert code.render_line(1).text.lstrip().startswith("2  "), "not line 2"
        code.move_cursor((2, 0))
        await pilot.press("ctrl+k")  # delete the broken line
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not code.dirty, "the save")
        await until(pilot, lambda: code.problem is None, "the mark cleared")
        assert code.problem is None and "SyntaxError" not in status(app)


async def test_editor_keys_comment_indent_go_to_line_and_recent_files(rig: TuiRig) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        code = await open_starter(pilot, app)
        code.load_text("def f():\nreturn 1\n")
        code.move_cursor((0, 8))
        await pilot.press("enter", *"x = 1")
        assert code.document.get_line(1) == "    x = 1", "one level deeper after a colon"
        await pilot.press("enter", *"y")
        assert code.document.get_line(2) == "    y", "the same indentation"
        await pilot.press("ctrl+underscore")  # ctrl+/ as terminals send it
        assert code.document.get_line(2) == "    # y"
        await pilot.press("ctrl+underscore")
        assert code.document.get_line(2) == "    y"
        await pilot.press("ctrl+g")
        await until(pilot, lambda: isinstance(app.screen, GoToLineDialog), "go to line")
        assert isinstance(app.screen, GoToLineDialog)
        await pilot.press("4", "enter")
        await until(pilot, lambda: code.cursor_location == (3, 0), "the cursor on line 4")
        assert code.cursor_location == (3, 0)
        await pilot.press("escape", "2", "e")  # question 2's starter: a second file
        await wait_until(pilot, lambda: editor(app).path.parent.name == "category2")
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, RecentFilesDialog), "recent files")
        assert isinstance(app.screen, RecentFilesDialog)
        assert app.screen.labels == ["category2/starter.py", "category1/starter.py"]
        await pilot.press("down", "enter")
        await until(pilot, lambda: editor(app).path.parent.name == "category1", "category1's tab")
        assert editor(app).path.parent.name == "category1"


async def test_shift_f10_in_a_question_script_saves_and_runs_that_script(
    rig: TuiRig, tmp_path: Path
) -> None:
    session = rig.session()
    folder = session.workspace / "category1"
    script = folder / "train_v2.py"
    script.write_text("print('first version')\n", encoding="utf-8")
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            app.query_one(EditorArea).open_file(script)
            await wait_until(pilot, lambda: isinstance(app.focused, CodeEditor))
            code = editor(app)
            code.load_text("print('edited, not saved yet')\n")
            await pilot.press("shift+f10")
            await wait_until(pilot, lambda: bool(rig.store.runs(session.id)))
            [run] = rig.store.runs(session.id)
            assert run.command[-1] == "train_v2.py" and run.question_id == "basic-model"
            assert script.read_text(encoding="utf-8") == "print('edited, not saved yet')\n"
            await wait_until(
                pilot, lambda: rig.store.get_run(run.id).state != "running", timeout=60
            )
            assert "edited, not saved yet" in run.log_path.read_text(encoding="utf-8")
        finally:
            for run in rig.store.runs(session.id):
                app.facade.stop_run(run.id)


async def test_escape_in_a_tool_window_goes_back_to_the_editor(rig: TuiRig) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        code = await open_starter(pilot, app)
        await pilot.press("escape")  # out of the editor
        app.query_one("#questions").focus()
        await until(pilot, lambda: app.focused is app.query_one("#questions"), "the questions")
        await pilot.press("escape")
        await until(pilot, lambda: app.focused is code, "the editor focused")
        assert app.focused is code, "escape in the Exam window: back to the editor tab"
