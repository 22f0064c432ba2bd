"""The exam TUI driven through Textual's pilot, over a real engine, real files and real grading."""

from __future__ import annotations

import os
import re
import shutil
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.widgets import Button, DataTable, Static, TabbedContent

from simulator.exam.durations import format_duration
from simulator.grading.reasons import Reason
from simulator.grading.settings import GradingSettings
from simulator.session import events
from simulator.session.engine import Engine
from simulator.session.facade import SessionFacade
from simulator.session.sessions import NewSession, record_session
from simulator.session.watcher import WatchTimings
from simulator.tui.actions import ACTION_HELP
from simulator.tui.app import ExamApp
from simulator.tui.editor_area import EditorArea
from simulator.tui.exam_window import AttemptsTable, QuestionsTable
from simulator.tui.messages import EngineMessage, ErrorReported, ModelDetectedMessage
from simulator.tui.project import ProjectTree
from simulator.tui.prompt import PromptView
from simulator.tui.screens import (
    ConfirmDialog,
    ErrorDialog,
    HelpScreen,
    ResultsScreen,
    WorkspaceDialog,
)
from tests.shared_data import copy_workspace
from tests.tui_helpers import (
    Clock,
    TuiRig,
    exam_started,
    notifications,
    prompts_prepared,
    record_notifications,
    screen_lines,
    settled,
    table_rows,
    text_of,
    until,
    visible_prompt_panes,
    wait_until,
)
from tests.waiting import wait_until_async


def attempt_rows(app: ExamApp) -> list[list[str]]:
    return table_rows(app.query_one(AttemptsTable))


def question_rows(app: ExamApp) -> list[list[str]]:
    return table_rows(app.query_one(QuestionsTable))


def prompt_title(app: ExamApp) -> str:
    return text_of(app.query_one("#question-title", Static))


async def test_a_model_saved_in_the_workspace_shows_up_graded(
    rig: TuiRig, models: dict[str, Path]
) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        assert question_rows(app)[0][:3] == ["1", "Basic model", "—"]
        shutil.copyfile(models["good.h5"], session.workspace / "category1" / "mymodel.h5")
        await wait_until(pilot, lambda: "5/5" in question_rows(app)[0][2], what="a 5/5 score")
        [row] = attempt_rows(app)
        assert row[2] == "5/5" and row[3].startswith("mse ")
        assert "★" in row[0], "the counted attempt is marked"
        await wait_until(  # gradings close together share one notification, shown a moment later
            pilot,
            lambda: any(t == "Q1 Basic model: graded" for t, _ in notifications(app)),
            what="the graded notification",
        )
        graded = [m for t, m in notifications(app) if t == "Q1 Basic model: graded"]
        assert (
            graded and graded[0].startswith("5/5 mse ") and graded[0].endswith("question score 5/5")
        )
        assert "Score 5/75" in text_of(app.query_one("#total", Static))
        tree = app.query_one(ProjectTree)
        labels = [str(node.label) for node in tree.root.children[0].children]
        assert any(label.startswith("mymodel.h5") and "5/5" in label for label in labels), labels


async def test_a_broken_file_is_listed_as_not_gradable_with_its_reason(
    rig: TuiRig, models: dict[str, Path]
) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        (session.workspace / "category1" / "mymodel.keras").write_bytes(b"not a zip archive at all")
        await wait_until(
            pilot, lambda: question_rows(app)[0][2] == "not gradable", what="not gradable"
        )
        [row] = attempt_rows(app)
        assert row[2] == "—"
        detail = text_of(app.query_one("#attempt-detail", Static))
        assert "not gradable" in detail and "zip" in detail.lower(), detail
        await wait_until(
            pilot,
            lambda: any(t == "Q1 Basic model: not gradable" for t, _ in notifications(app)),
            what="the not-gradable notification",
        )
        assert "Score 0/75" in text_of(app.query_one("#total", Static))


async def test_questions_are_chosen_by_number_key_click_and_project_tree(rig: TuiRig) -> None:
    app = rig.app(rig.session())
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        assert prompt_title(app).startswith("Q1 Basic model")
        await pilot.press("3")
        await until(pilot, lambda: prompt_title(app).startswith("Q3 "), "Q3's prompt")
        assert prompt_title(app).startswith("Q3 ")
        assert app.query_one(QuestionsTable).cursor_row == 2
        prompt = app.query_one(PromptView)
        assert "150" in prompt.prompt_source(prompt.current), "the image question's prompt is shown"
        await pilot.click(QuestionsTable, offset=(5, 5))  # the row of question 5
        await until(pilot, lambda: prompt_title(app).startswith("Q5 "), "Q5's prompt")
        assert prompt_title(app).startswith("Q5 ")
        tree = app.query_one(ProjectTree)
        line = tree.root.children[1].line  # category2/, below category1's open folder
        await pilot.click(ProjectTree, offset=(8, line + 1 - tree.scroll_offset.y))
        await until(pilot, lambda: prompt_title(app).startswith("Q2 "), "Q2's prompt")
        assert prompt_title(app).startswith("Q2 ")
        await pilot.press("down")  # keyboard in the tree: into category2's files, same question
        await until(pilot, lambda: tree.cursor_line == line + 1, "the tree's cursor one down")
        assert prompt_title(app).startswith("Q2 ")


@pytest.mark.parametrize("resume", [False, True], ids=["start", "resume"])
async def test_only_the_selected_prompt_is_visible_once_the_others_are_prepared(
    rig: TuiRig, resume: bool
) -> None:
    session = rig.session()
    if resume:  # a session left earlier: the app opens it again the same way
        first = rig.app(session)
        async with first.run_test(size=(120, 40)) as pilot:
            await exam_started(pilot)
            first.facade.detach()
        rig.engines[-1].close()
    app = rig.app(rig.store.get_session(session.id))
    async with app.run_test(size=(120, 40)) as pilot:
        await prompts_prepared(pilot)
        assert visible_prompt_panes(app) == ["prompt-basic-model"]
        await pilot.press("2")
        await until(
            pilot,
            lambda: visible_prompt_panes(app) == ["prompt-learning-dataset"],
            "only Q2's prompt on show",
        )
        assert visible_prompt_panes(app) == ["prompt-learning-dataset"]
        assert prompt_title(app).startswith("Q2 ")
        await pilot.press("5")
        await until(pilot, lambda: prompt_title(app).startswith("Q5 "), "Q5's prompt")
        assert len(visible_prompt_panes(app)) == 1 and prompt_title(app).startswith("Q5 ")


async def test_a_question_key_pressed_as_the_screen_opens_is_not_lost(rig: TuiRig) -> None:
    """Start-up leaves work for after the first frame (the engine, the other prompts) and keeps
    the first styles it gave: a number pressed before that is done still shows its question,
    and the rest of the start does not take it back to question 1."""
    app = rig.app(rig.session())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await until(pilot, lambda: prompt_title(app).startswith("Q3 "), "Q3's prompt")
        await exam_started(pilot)
        await prompts_prepared(pilot)
        assert prompt_title(app).startswith("Q3 ")
        assert visible_prompt_panes(app) == [f"prompt-{app.exam_screen.questions[2].id}"]
        assert app.query_one(QuestionsTable).cursor_row == 2


#: A prompt's heading (``# Category 2: ...``) as drawn on the screen.
PROMPT_HEADING = re.compile(r"Category (\d): ")


def prompt_headings(app: ExamApp) -> list[str]:
    """The question numbers of the prompt headings on the screen now: one per prompt in sight."""
    return [m.group(1) for line in screen_lines(app) for m in PROMPT_HEADING.finditer(line)]


def record_frames(app: ExamApp) -> list[tuple[str, list[str]]]:
    """(prompt title, prompt headings) of every frame the exam screen draws from now on."""
    screen = app.exam_screen
    frames: list[tuple[str, list[str]]] = []
    draw = screen._compositor_refresh

    def drawn() -> None:
        draw()
        frames.append((prompt_title(app)[:3].strip(), prompt_headings(app)))

    screen._compositor_refresh = drawn  # type: ignore[method-assign]
    return frames


def mixed_frames(frames: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Frames whose prompt area shows another question's heading than the title above it."""
    return [(title, headings) for title, headings in frames if headings not in ([], [title[1:]])]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_question_chosen_as_soon_as_the_screen_is_up_shows_its_own_prompt(
    rig: TuiRig, size: tuple[int, int]
) -> None:
    """Chosen before its prompt was prepared in the background: the prompt under the header is
    always the header's question (never the one before), then, once rendered, it alone is in
    sight, through a resize of the terminal and the tool window."""
    app = rig.app(rig.session())
    async with app.run_test(size=size) as pilot:
        frames = record_frames(app)
        await pilot.press("2")
        await wait_until_async(
            lambda: prompt_headings(app) == ["2"] or mixed_frames(frames),
            message="Q2's prompt in sight", seen=lambda: frames[-3:], pause=pilot.pause,
        )  # fmt: skip
        assert not mixed_frames(frames), mixed_frames(frames)[:3]
        assert prompt_headings(app) == ["2"] and prompt_title(app).startswith("Q2 ")
        assert visible_prompt_panes(app) == ["prompt-learning-dataset"]
        await pilot.press("4", "3")  # quicker than the background: each rendered on demand
        await until(pilot, lambda: prompt_headings(app) == ["3"], "Q3's prompt in sight")
        for width, height in ((200, 50), (80, 24), (120, 40)):
            await pilot.resize_terminal(width, height)
            await settled(pilot)
            assert prompt_headings(app) == ["3"], (width, height)
            assert visible_prompt_panes(app) == ["prompt-image-classification"], (width, height)
        stack = app.exam_screen.query_one("#prompts")
        height = stack.size.height
        await pilot.press("plus")  # a taller tool window: a shorter prompt area
        await until(pilot, lambda: stack.size.height != height, "a shorter prompt area")
        await settled(pilot)
        assert prompt_headings(app) == ["3"]
        assert visible_prompt_panes(app) == ["prompt-image-classification"]
        await prompts_prepared(pilot)
        await pilot.press("1")
        await until(pilot, lambda: prompt_headings(app) == ["1"], "Q1's prompt in sight")
        assert visible_prompt_panes(app) == ["prompt-basic-model"]
        assert frames and not mixed_frames(frames), mixed_frames(frames)[:3]


async def test_submit_and_test_grades_now_and_says_when_there_is_nothing(
    rig: TuiRig, models: dict[str, Path]
) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        await pilot.press("t")
        await pilot.pause()  # only the key's own messages: not a round trip through the engine
        [(title, message)] = notifications(app)
        assert title == "Q1 Basic model: Submit and Test"
        assert message.startswith("no model to submit: there is no mymodel.h5 in category1/ yet")
        shutil.copyfile(models["good.h5"], session.workspace / "category1" / "mymodel.h5")
        await wait_until(pilot, lambda: "5/5" in question_rows(app)[0][2])
        await pilot.click("#submit-and-test")
        await wait_until(
            pilot,
            lambda: any("not graded again" in m for _, m in notifications(app)),
            what="the unchanged-file message",
        )
        assert len(attempt_rows(app)) == 1


async def test_submit_and_test_regrades_a_file_that_was_not_gradable(
    rig: TuiRig, models: dict[str, Path]
) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        shutil.copyfile(models["lambda.keras"], session.workspace / "category1" / "mymodel.keras")
        await wait_until(pilot, lambda: question_rows(app)[0][2] == "not gradable")
        assert "Lambda" in text_of(app.query_one("#attempt-detail", Static))
        await pilot.press("t")
        await wait_until(pilot, lambda: len(attempt_rows(app)) == 2, what="a second attempt")
        await wait_until(pilot, lambda: all(r[3] != "queued" for r in attempt_rows(app)))
        assert "Submit and Test" in text_of(app.query_one("#attempt-detail", Static))


def fake_launcher(folder: Path, name: str) -> Path:
    """An executable named like PyCharm's launcher that records what it was asked to open."""
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / f"{name}.args"
    script = folder / name
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return record


async def test_o_opens_the_starter_in_pycharm_when_no_editor_is_set(
    rig: TuiRig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = fake_launcher(tmp_path / "bin", "charm")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    session = rig.session()
    app = rig.app(session)
    shown = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "o")
        await wait_until(
            pilot, lambda: record.exists() and record.read_text().strip(), what="charm started"
        )
        await until(pilot, lambda: any(t == "Edit" for t, _ in shown), "a notice")
        assert record.read_text().strip() == str(session.workspace / "category2" / "starter.py")
        assert ("Edit", "Opened starter.py in charm") in shown


async def test_the_external_editor_without_any_editor_says_what_to_set(
    rig: TuiRig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    app = rig.app(rig.session())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await wait_until(pilot, lambda: any(t == "Edit" for t, _ in notifications(app)))
        [message] = [m for t, m in notifications(app) if t == "Edit"]
        assert "set $VISUAL or $EDITOR" in message and "category1/starter.py" in message


async def test_the_external_editor_can_be_made_the_default_for_e(
    rig: TuiRig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tfexam_home: Path
) -> None:
    record = fake_launcher(tmp_path / "bin", "charm")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    (tfexam_home / "config.toml").write_text('editor = "external"\n', encoding="utf-8")
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("#edit")
        await wait_until(pilot, record.exists, what="the external editor started")
        assert record.read_text().strip() == str(session.workspace / "category1" / "starter.py")
        assert not app.query_one(EditorArea).editors(), "no tab: the file is in PyCharm"


async def test_workspace_dialog_shows_and_copies_the_path(rig: TuiRig) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, WorkspaceDialog), "the dialog")
        assert isinstance(app.screen, WorkspaceDialog)
        assert app.screen.query_one("#workspace-path").value == str(session.workspace)  # type: ignore[attr-defined]
        await pilot.press("c")
        await until(pilot, lambda: not isinstance(app.screen, WorkspaceDialog), "it closed")
        assert app.clipboard == str(session.workspace)
        assert not isinstance(app.screen, WorkspaceDialog)


async def test_submit_and_end_exam_asks_first_then_shows_the_results(
    rig: TuiRig, models: dict[str, Path]
) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        shutil.copyfile(models["good.h5"], session.workspace / "category1" / "mymodel.h5")
        await wait_until(pilot, lambda: "5/5" in question_rows(app)[0][2])
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        assert isinstance(app.screen, ConfirmDialog)
        assert "1 of 5 questions are graded" in text_of(app.screen.query(".dialog-message").first())
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmDialog), "it closed")
        assert not isinstance(app.screen, ConfirmDialog)
        assert rig.store.get_session(session.id).state == "running"
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.click("#confirm")
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen), what="results")
        results = app.screen
        assert "Exam submitted" in text_of(results.query_one("#results-title", Static))
        total = text_of(results.query_one("#results-total", Static))
        assert "FAIL" in total and "5 of 75 points (6.7%)" in total
        rows = table_rows(results.query_one("#results-table", DataTable))
        assert rows[0][1:4] == ["Basic model", "1", "5/5"] and rows[1][3] == "0/5"
        assert f"tfexam report {session.id}" in text_of(results.query_one("#results-note", Static))
        assert rig.store.get_session(session.id).state == "submitted"
        await pilot.press("q")
    assert app.return_value == "ended"


async def test_the_countdown_reaching_zero_shows_the_results(rig: TuiRig) -> None:
    session = rig.session(duration_s=3)
    app = rig.app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen), what="results")
        assert "Time is up" in text_of(app.screen.query_one("#results-title", Static))
        assert any(t == "Auto-submit" for t, _ in notifications(app))
        assert rig.store.get_session(session.id).end_reason == "auto-submitted"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ResultsScreen), "the exam")
        # The countdown says so at its next tick (once a second).
        await until(
            pilot,
            lambda: "exam over" in text_of(app.query_one("#countdown", Static)),
            "the countdown to say the exam is over",
        )
        await pilot.press("t")  # disabled once the exam is over
        await pilot.pause()  # the key's messages handled: nothing else is to come
        assert not any("Submit and Test" in t for t, _ in notifications(app))


@pytest.mark.parametrize(
    ("remaining_s", "level"), [(3 * 3600, "-calm"), (29 * 60, "-warning"), (9 * 60, "-danger")]
)
async def test_countdown_colour_changes_in_the_last_30_and_10_minutes(
    rig: TuiRig, remaining_s: int, level: str
) -> None:
    session = rig.session(duration_s=5 * 3600)
    clock = Clock(frozen=session.deadline - remaining_s)
    app = rig.app(session, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await exam_started(pilot)
        countdown = app.query_one("#countdown", Static)
        await until(pilot, lambda: "left" in text_of(countdown), "the countdown")
        assert countdown.has_class(level)
        assert text_of(countdown) == f"⏱ {format_duration(remaining_s)} left"


async def test_the_countdown_ticks_each_second_and_changes_colour_as_the_time_runs_out(
    rig: TuiRig,
) -> None:
    """The status bar is touched only where its text or colour changed: the seconds still go
    down, and the colour follows the clock across the 30-minute mark in the same screen."""
    session = rig.session(duration_s=5 * 3600)
    clock = Clock(frozen=session.deadline - (30 * 60 + 2))
    app = rig.app(session, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await exam_started(pilot)
        countdown = app.query_one("#countdown", Static)
        await until(pilot, lambda: text_of(countdown) == "⏱ 0:30:02 left", "the countdown")
        assert countdown.has_class("-calm") and not countdown.has_class("-warning")
        clock.frozen = session.deadline - (30 * 60 + 1)
        await until(pilot, lambda: text_of(countdown) == "⏱ 0:30:01 left", "a second less")
        assert countdown.has_class("-calm")
        clock.frozen = session.deadline - 29 * 60
        await until(pilot, lambda: text_of(countdown) == "⏱ 0:29:00 left", "past the 30 minutes")
        assert countdown.has_class("-warning") and not countdown.has_class("-calm")


async def test_time_warnings_are_notified(rig: TuiRig) -> None:
    session = rig.session(duration_s=5 * 3600)
    clock = Clock(offset=5 * 3600 - 29 * 60)
    app = rig.app(session, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: any(t == "30 minutes left" for t, _ in notifications(app)))
        clock.offset = 5 * 3600 - 50
        await wait_until(pilot, lambda: any(t == "1 minute left" for t, _ in notifications(app)))
        assert not any(t == "60 minutes left" for t, _ in notifications(app)), "only the nearest"


async def test_help_lists_every_key_once_and_scrolls_on_a_short_terminal(rig: TuiRig) -> None:
    app = rig.app(rig.session())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-keys", DataTable)
        rows = table_rows(table)
        listed = list(app.screen.keys)
        for row, item in zip(rows, listed, strict=True):  # shown whole, or shortened with "…"
            assert row[0] == item.keys
            assert row[1] == item.action or (
                row[1].endswith("…") and item.action.startswith(row[1][:-1].rstrip())
            ), row
        assert any(row[1].endswith("…") for row in rows), "80 columns: the long ones shortened"
        actions = [item.action for item in listed]
        assert len(actions) == len(set(actions)), "each action once"
        keys = {item.action: item.keys for item in listed}
        assert keys[ACTION_HELP["request_quit"]] == "q, ctrl+q, ctrl+c"
        assert keys[ACTION_HELP["help"]] == "?, f1"
        assert keys[ACTION_HELP["restart_run"]] == "shift+r, ctrl+f5"
        for action in ACTION_HELP.values():
            assert action in actions
        assert {"1-5", "ctrl+p, ctrl+shift+a", "enter, f4", "ctrl+t", "ctrl+f12"} <= {
            r[0] for r in rows
        }, "the editor's own keys for the exam's actions are listed too"
        assert table.max_scroll_y > 0, "at 80x24 the list is longer than the box"
        await pilot.press(*["pagedown"] * 8)
        await pilot.wait_for_animation()
        await until(pilot, lambda: table.scroll_y == table.max_scroll_y, "the list at its end")
        assert table.scroll_y == table.max_scroll_y, "the list scrolls to its last key"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen), "it closed")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_runs_exam_actions(rig: TuiRig) -> None:
    app = rig.app(rig.session())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"workspace folder")
        found = app.screen.query_one(CommandList)
        await until(
            pilot,
            lambda: (  # one match: enter then picks it
                found.option_count == 1 and "orkspace" in str(found.get_option_at_index(0).prompt)
            ),
            "the workspace command found",
        )
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, WorkspaceDialog), "the dialog")
        assert isinstance(app.screen, WorkspaceDialog)


async def test_quitting_asks_and_says_the_clock_keeps_running_then_resume_brings_it_back(
    rig: TuiRig, models: dict[str, Path]
) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        shutil.copyfile(models["close.h5"], session.workspace / "category1" / "mymodel.h5")
        await wait_until(pilot, lambda: "4/5" in question_rows(app)[0][2])
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        assert isinstance(app.screen, ConfirmDialog)
        message = text_of(app.screen.query(".dialog-message").first())
        assert "clock keeps running" in message and f"tfexam resume {session.id}" in message
        await pilot.click("#cancel")  # Stay
        await until(pilot, lambda: not isinstance(app.screen, ConfirmDialog), "it closed")
        assert app.is_running and not isinstance(app.screen, ConfirmDialog)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.click("#confirm")  # Leave
        await wait_until_async(lambda: app.return_value is not None, message="the app to end")
    assert app.return_value == "detached"
    rig.engines[-1].close()
    assert rig.store.get_session(session.id).state == "running"
    again = rig.app(rig.store.get_session(session.id))
    async with again.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        assert "4/5" in question_rows(again)[0][2]
        assert attempt_rows(again)[0][2] == "4/5"


async def test_quitting_as_engine_events_arrive_exits_cleanly_without_handling_them(
    rig: TuiRig,
) -> None:
    """The engine runs on its own thread until the app has gone: a grading worker that becomes
    ready (or stops) just as the candidate leaves must not reach the closing screens (handled,
    it posts dialogs and redraws into an app whose screens are being taken down: "No screens on
    stack"). The events are announced on another thread, through the engine's own subscriber
    path, at the moment the app begins to exit."""
    session = rig.session()
    app = rig.app(session)
    engine = rig.engines[-1]
    after_exit: list[str] = []
    leaving = threading.Event()

    def seen(message: Message) -> None:
        if leaving.is_set() and isinstance(message, (EngineMessage, ErrorReported)):
            after_exit.append(type(message).__name__)

    def announce_as_the_app_exits() -> None:
        stamp = {"at": time.time(), "session_id": session.id}
        for event in (
            events.WorkerReady(**stamp, pid=os.getpid(), warm_s=0.1),
            events.WorkerExited(
                **stamp, pid=os.getpid(), reason=Reason("worker-unavailable", "no worker")
            ),
            events.EngineFailed(**stamp, message="stopped"),
        ):
            engine._announce(event)

    async with app.run_test(size=(120, 40), message_hook=seen) as pilot:
        await exam_started(pilot)
        exit_app = app.exit

        def exit_then_events(*args: Any, **kwargs: Any) -> None:
            exit_app(*args, **kwargs)
            leaving.set()
            thread = threading.Thread(target=announce_as_the_app_exits)
            thread.start()
            thread.join()  # queued on the app's loop before it goes on exiting

        app.exit = exit_then_events  # type: ignore[method-assign]
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.click("#confirm")  # Leave
        await wait_until_async(lambda: app.return_value is not None, message="the app to end")
    assert app.return_value == "detached" and app.return_code == 0
    assert after_exit == [], "engine events reached the exam screen while the app exited"
    assert rig.store.get_session(session.id).state == "running"


async def test_an_engine_that_cannot_start_gives_an_error_dialog_not_a_crash(
    rig: TuiRig,
) -> None:
    session = rig.session()
    rig.store.claim_engine(session.id, os.getppid(), time.time())  # "another tfexam" holds it
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorDialog))
        dialog = app.screen
        assert "already open in another tfexam" in " ".join(
            text_of(w) for w in dialog.query(".dialog-message")
        )
        await pilot.click("#ok")
        await until(pilot, lambda: not isinstance(app.screen, ErrorDialog), "it closed")
        assert app.is_running and not isinstance(app.screen, ErrorDialog)


async def test_a_too_small_terminal_gets_a_message_instead_of_the_layout(rig: TuiRig) -> None:
    app = rig.app(rig.session())
    async with app.run_test(size=(70, 20)) as pilot:
        await until(pilot, lambda: app.exam_screen.is_mounted, "the exam screen")
        message = app.query_one("#too-small", Static)
        await until(pilot, lambda: "It is 70x20" in text_of(message), "the message")
        assert message.display and not app.query_one("#main").display
        assert "It is 70x20; tfexam needs at least 80x24" in text_of(message)
        assert "left" in text_of(app.query_one("#countdown", Static)), "the clock stays"
        await pilot.resize_terminal(75, 22)
        await until(pilot, lambda: "It is 75x22;" in text_of(message), "the new size")
        assert "It is 75x22;" in text_of(message), "the size now, not the one before"
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: not message.display, "the layout back")
        assert app.query_one("#main").display and not message.display


async def test_a_maximised_window_keeps_the_countdown_and_the_keys_on_screen(rig: TuiRig) -> None:
    app = rig.app(rig.session())
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        app.query_one(QuestionsTable).focus()
        app.screen.action_maximize()  # the command palette's "Maximize"
        await until(pilot, lambda: not app.query_one(ProjectTree).region.area, "the others hidden")
        assert app.screen.maximized is not None
        shown = {type(w).__name__ for w in app.screen._compositor.visible_widgets}
        assert {"StatusBar", "Footer"} <= shown, shown
        countdown = app.query_one("#countdown", Static)
        assert countdown.region.height == 1 and "left" in text_of(countdown)
        assert not app.query_one(ProjectTree).region.area, "the other windows are hidden"


async def test_pycharms_tool_window_keys_show_hide_and_name_every_action(rig: TuiRig) -> None:
    app = rig.app(rig.session())
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        switcher = app.query_one("#tool-windows")
        prompt_height = app.query_one(PromptView).region.height
        await pilot.press("alt+4")
        await until(pilot, lambda: app.focused is app.query_one("#runs"), "the runs focused")
        assert switcher.current == "run-window" and app.focused is app.query_one("#runs")
        await pilot.press("shift+escape")
        await until(pilot, lambda: not switcher.display, "the tool windows hidden")
        await settled(pilot)  # the layout that gives the room away
        assert not switcher.display and isinstance(app.focused, ProjectTree)
        assert app.query_one(PromptView).region.height > prompt_height + 5, "the room goes to it"
        await pilot.press("v")
        await until(pilot, lambda: switcher.display, "the tool windows back")
        assert switcher.display
        await pilot.press("alt+1")
        assert isinstance(app.focused, ProjectTree)
        keys = {item.action: item.keys for item in app.key_help()}
        assert keys["Run the selected question's starter file as a training run"] == "r, shift+f10"
        assert keys["Stop the selected run (Ctrl+C to the script, then kill)"] == "x, ctrl+f2"
        palette = "Command palette: every action by name (PyCharm's Find Action)"
        assert keys[palette] == "ctrl+p, ctrl+shift+a"
        await pilot.press("ctrl+shift+a")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, CommandPalette), "it closed")
        await pilot.press("ctrl+p")  # Textual's own key still opens it
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        assert type(app.screen).__name__ == "CommandPalette"


async def test_buttons_are_clickable(rig: TuiRig) -> None:
    app = rig.app(rig.session())
    async with app.run_test(size=(80, 24)) as pilot:
        await exam_started(pilot)
        assert app.query_one("#submit-and-test", Button).display
        await pilot.click("#submit-and-test")
        await wait_until(
            pilot, lambda: any("no model to submit" in m for _, m in notifications(app))
        )


async def test_results_screen_opens_the_report_and_exports_html(rig: TuiRig) -> None:
    from simulator.tui.report_screen import ReportScreen

    session = rig.session()
    rig.store.finish_session(session.id, session.started_at + 60, "submitted")
    app = rig.app(rig.store.get_session(session.id))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen), what="results")
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen), "the report")
        assert isinstance(app.screen, ReportScreen)
        await pilot.click("#report-tabs Tab#--content-tab-tab-timeline")
        tabs = app.screen.query_one("#report-tabs", TabbedContent)
        await until(pilot, lambda: tabs.active == "tab-timeline", "the timeline tab")
        await pilot.press("h")
        exported = session.workspace / f"report-{session.id}.html"
        await until(
            pilot,
            lambda: exported.exists() and "</html>" in exported.read_text(encoding="utf-8"),
            "the HTML file written",
        )
        assert exported.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ResultsScreen), "the results")
        assert isinstance(app.screen, ResultsScreen)


async def test_review_app_shows_the_report_in_tabs(tfexam_home: Path, tmp_path: Path) -> None:
    from simulator.report.build import build_report
    from simulator.tui.report_screen import ReviewApp
    from tests.report_fixtures import STARTED_AT, recorded_session

    store, session, exam = recorded_session(tmp_path / "ws")
    report = build_report(store, session, exam, now=STARTED_AT + 4000)
    app = ReviewApp(report, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.screen.query("#report-tabs"), "the report's tabs")
        tabs = app.screen.query_one("#report-tabs")
        shown = {
            "tab-summary": "FAIL",
            "tab-questions": "Saved&#160;at",
            "tab-timeline": "Trainings",
        }
        for tab, text in shown.items():
            tabs.active = tab  # type: ignore[attr-defined]
            await until(pilot, lambda t=text: t in app.export_screenshot(), f"{text!r} shown")
            assert text in app.export_screenshot(), f"{text!r} on the {tab} tab"
        await pilot.press("escape")
        await wait_until_async(
            lambda: app.return_value is not None or not app.is_running, message="the app to end"
        )
    assert not app.is_running


async def test_graders_that_cannot_start_are_an_error_dialog(rig: TuiRig, tmp_path: Path) -> None:
    """A worker that never gets ready (here: 0.3 s allowed to import TensorFlow) makes the pool
    give up with ``worker-unavailable``: the one worker exit worth a dialog."""
    workspace = tmp_path / "ws"
    copy_workspace(rig.template, workspace)
    grading = GradingSettings(workers=1, startup_timeout_s=0.3)
    request = NewSession(rig.exam, workspace=workspace, duration_s=600, grading=grading)
    session = record_session(rig.store, request, workspace, time.time())
    engine = Engine(rig.store, rig.paths, session, rig.exam, watch_timings=WatchTimings())
    rig.engines.append(engine)
    seen: list[events.WorkerExited] = []
    engine.subscribe(lambda e: seen.append(e) if isinstance(e, events.WorkerExited) else None)
    app = ExamApp(SessionFacade(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorDialog), timeout=60)
        title = " ".join(text_of(w) for w in app.screen.query(".dialog-title"))
        assert "Grading is not available" in title
        assert seen and all(e.reason.code == "worker-unavailable" for e in seen)
        await until(pilot, lambda: len(seen) >= 2, "the pool to try again")  # and say so again
        await settled(pilot)  # still one dialog, not one per try
        assert len(app.screen_stack) == 2


async def test_a_flood_of_attempt_updates_is_coalesced(rig: TuiRig) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        refreshes = [0]
        exam_screen = app.exam_screen
        real_refresh = exam_screen.refresh_view

        def counted() -> None:
            refreshes[0] += 1
            real_refresh()

        exam_screen.refresh_view = counted  # type: ignore[method-assign]
        attempt = rig.store.add_attempt(
            session_id=session.id, question_id="basic-model", source_path="m.h5", blob=None,
            sha256="0" * 64, size=1, origin="watch", saved_at=time.time(),
            detected_at=time.time(), state="queued",
        )  # fmt: skip
        event = events.ModelDetected(
            at=time.time(), session_id=session.id, attempt=attempt, path=Path("m.h5")
        )
        for _ in range(100):
            exam_screen.post_message(ModelDetectedMessage(event))
        await pilot.pause()  # every message posted above handled
        assert 1 <= refreshes[0] <= 5, refreshes[0]


async def test_the_chosen_theme_is_kept_for_the_next_session(
    rig: TuiRig, tfexam_home: Path
) -> None:
    from simulator.tui.preferences import preferences_path

    app = rig.app(rig.session())
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme != "nord"
        app.theme = "nord"  # what the palette's "Change theme" does
        await until(
            pilot,
            lambda: preferences_path().exists() and "nord" in preferences_path().read_text(),
            "the theme kept",
        )
    assert preferences_path().parent == tfexam_home
    assert 'theme = "nord"' in preferences_path().read_text()
    rig.engines[-1].close()
    again = rig.app(rig.session(name="next"))
    async with again.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        assert again.theme == "nord"


async def test_an_unreadable_preferences_file_is_ignored(rig: TuiRig) -> None:
    from simulator.tui.preferences import preferences_path

    preferences_path().write_text("theme = [not toml")
    app = rig.app(rig.session())
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        assert app.theme == "textual-dark" and not isinstance(app.screen, ErrorDialog)
        app.theme = "gruvbox"
        await until(pilot, lambda: "gruvbox" in preferences_path().read_text(), "the theme kept")
    assert 'theme = "gruvbox"' in preferences_path().read_text()


async def test_after_the_exam_ended_the_footer_offers_only_what_still_works(rig: TuiRig) -> None:
    session = rig.session()
    rig.store.finish_session(session.id, time.time(), "submitted")
    app = rig.app(rig.store.get_session(session.id))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen))
        await pilot.press("escape")  # back to the exam screen
        await until(pilot, lambda: app.screen.query("FooterKey"), "the exam screen's footer")
        await settled(pilot)
        offered = {str(key.description) for key in app.screen.query("FooterKey")}
        assert "Quit" in offered and "Help" in offered, offered
        assert not offered & {"Submit and Test", "Run", "End exam"}, offered


async def test_several_gradings_at_once_share_one_notification(
    rig: TuiRig, models: dict[str, Path]
) -> None:
    from simulator.tui.messages import AttemptGradedMessage

    session = rig.session()
    app = rig.app(session)
    graded: list[events.AttemptGraded] = []
    app.facade.subscribe(
        lambda e: graded.append(e) if isinstance(e, events.AttemptGraded) else None
    )
    # Recorded as they are made: a toast lasts seconds, and at load 12 one expired before the
    # test looked (a stability run of issue 23).
    shown = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        shutil.copyfile(models["good.h5"], session.workspace / "category1" / "mymodel.h5")
        await wait_until(pilot, lambda: bool(graded), what="a real grading")
        await until(pilot, lambda: shown, "the grading's notification")
        assert [t for t, _ in shown] == ["Q1 Basic model: graded"], "one alone"
        shown.clear()
        for _ in range(4):  # a burst, as after a resume grading what was saved meanwhile
            app.exam_screen.post_message(AttemptGradedMessage(graded[0]))
        await until(pilot, lambda: shown, "the burst's notification")
        await settled(pilot)  # nothing more is to come from the burst
        assert [t for t, _ in shown] == ["4 gradings"], shown
        assert shown[-1][1].count("Q1 Basic model: 5/5") == 4


async def test_a_second_run_of_a_question_asks_first_and_a_new_run_is_selected(
    rig: TuiRig,
) -> None:
    from simulator.tui.run_window import RunsTable, RunToolWindow
    from tests.training_scripts import SERIES, write

    session = rig.session()
    write(session.workspace / "category1", "starter.py", SERIES, epochs=100_000, verbose=2)
    write(session.workspace / "category2", "starter.py", SERIES, epochs=100_000, verbose=2)
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        # Each run's RunStarted also chooses its tab; it comes from the engine's thread, after
        # the run is in the store. Subscribed after the screen: once this sees the event, the
        # screen's message is posted, and ``settled`` lets it be handled.
        started: list[int] = []
        app.facade.subscribe(
            lambda e: started.append(e.run.id) if isinstance(e, events.RunStarted) else None
        )
        try:
            await pilot.press("1", "r")
            await until(pilot, lambda: len(rig.store.runs(session.id)) == 1, "Q1's run")
            await pilot.press("2", "r")
            await until(pilot, lambda: len(rig.store.runs(session.id)) == 2, "Q2's run")
            await until(pilot, lambda: len(started) == 2, "both runs' RunStarted events")
            await settled(pilot)  # its tab shown
            window = app.query_one(RunToolWindow)
            assert window.selected_run() == max(r.id for r in rig.store.runs(session.id)), (
                "Q2's new run"
            )
            window.open_overview()
            table = app.query_one(RunsTable)
            table.focus()
            await pilot.press("down")  # the user looks at Q1's run #1
            await until(
                pilot, lambda: table_rows(table)[table.cursor_row][:2] == ["1", "Q1"], "run #1"
            )
            assert table_rows(table)[table.cursor_row][:2] == ["1", "Q1"]
            await pilot.press("1", "r")
            await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
            assert isinstance(app.screen, ConfirmDialog), "Q1 is training: ask first"
            message = text_of(app.screen.query(".dialog-message").first())
            assert "Run #1 of this question is still training" in message
            await pilot.click("#cancel")
            await until(pilot, lambda: not isinstance(app.screen, ConfirmDialog), "it closed")
            assert len(rig.store.runs(session.id)) == 2
            await pilot.press("r")
            await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
            await pilot.click("#confirm")
            await until(
                pilot,
                lambda: (
                    len(rig.store.runs(session.id)) == 3
                    and table_rows(table)[table.cursor_row][:2] == ["3", "Q1"]
                ),
                "the new run selected",
            )
            await until(pilot, lambda: len(started) == 3, "the new run's RunStarted event")
            await settled(pilot)
            assert len(rig.store.runs(session.id)) == 3
            assert table_rows(table)[table.cursor_row][:2] == ["3", "Q1"], "the new run"
            newest = max(run.id for run in rig.store.runs(session.id))
            assert window.selected_run() == newest, "and its tab is on show"
        finally:
            for run in rig.store.runs(session.id):
                app.facade.stop_run(run.id)
            await wait_until(
                pilot,
                lambda: all(r.state != "running" for r in rig.store.runs(session.id)),
            )


async def test_the_first_screen_shows_this_machines_training_estimate_when_there_is_one(
    rig: TuiRig,
) -> None:
    from simulator.training.estimate import Estimate, Machine, QuestionEstimate, save_estimate

    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        await settled(pilot)
        shown = [line.strip(" │") for line in screen_lines(app)]
        at = shown.index("No attempts yet: save the model in the question's folder.")
        assert shown[at + 1] == "", "no estimate made on this machine: no plan line"

    def question(qid: str, alone_s: float, colab: bool) -> QuestionEstimate:
        return QuestionEstimate(qid, 1, qid, 30.0, alone_s=alone_s, colab=colab,
                                together_s={2: alone_s, 3: alone_s * 1.5})  # fmt: skip

    save_estimate(rig.paths, Estimate(
        "practice", 5 * 3600, Machine.this(), time.time(),
        (question("basic-model", 120, False), question("image-classification", 2000, True),
         question("time-series", 360, False)), 95.0,
    ))  # fmt: skip
    app = rig.app(rig.session())
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        await settled(pilot)
        made = time.strftime("%Y-%m-%d")
        plan = (
            f"Training estimate for this machine ({made}): "
            "Colab for image-classification (~33 min); the rest ~8 min in turn."
        )
        shown = [line.strip(" │") for line in screen_lines(app)]
        at = shown.index("No attempts yet: save the model in the question's folder.")
        assert shown[at + 1] == plan, "the plan, whole, on the line below"
