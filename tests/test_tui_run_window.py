"""The Run tool window, driven through Textual's pilot over real runs of real scripts: one tab per
run with its whole log and charts, the overview, comparing runs, and the window's height."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.css.query import NoMatches
from textual.widgets import ContentSwitcher, Log, Static, TabbedContent

from simulator.storage.records import SessionRecord
from simulator.tui.app import ExamApp
from simulator.tui.preferences import load_preferences
from simulator.tui.run_pane import LogLines, RunLog, RunPane
from simulator.tui.run_window import RunsTable, RunToolWindow
from tests.tui_helpers import (
    TuiRig,
    exam_started,
    screen_lines,
    settled,
    table_rows,
    text_of,
    until,
    wait_until,
)

#: Prints 3000 numbered lines, redraws a progress line with carriage returns and waits there for
#: a file named "go", then ends the line and prints 200 more lines.
LONG_LOG = """
import pathlib, sys, time
for n in range(3000):
    print(f"line {n:05d}")
for step in range(1, 6):
    sys.stdout.write(f"\\rprogress {step}/5 " + "=" * step)
    sys.stdout.flush()
while not pathlib.Path("go").exists():
    time.sleep(0.05)  # the script's own wait for the file, not a test's
print()
for n in range(3000, 3200):
    print(f"line {n:05d}")
"""

#: About 10,000 lines a second for three seconds, then the count of lines printed.
FLOOD = """
import sys, time
start = time.monotonic()
n = 0
while time.monotonic() - start < 3.0:
    target = int((time.monotonic() - start) * 10000)
    while n < target:
        sys.stdout.write(f"line {n:09d} " + "x" * 60 + "\\n")
        n += 1
    sys.stdout.flush()
    time.sleep(0.005)  # the script's own pace (10,000 lines a second), not a test's wait
print(f"printed {n} lines")
"""


def start_script(app: ExamApp, session: SessionRecord, folder: str, source: str) -> int:
    """Start ``source`` as question ``folder``'s starter, as ``r`` would."""
    question = next(q for q in app.exam_screen.questions if q.workspace_folder == folder)
    (session.workspace / folder / question.starter).write_text(source, encoding="utf-8")
    return app.facade.start_run(question.id).id


def shown_pane(app: ExamApp) -> RunPane:
    pane = app.query_one(RunToolWindow).active_pane()
    assert pane is not None, "a run's tab is on show"
    return pane


def holds(condition: Callable[[], object]) -> Callable[[], bool]:
    """``condition`` as a thing to wait for: false while the widgets it reads are still being
    put together."""

    def check() -> bool:
        try:
            return bool(condition())
        except (NoMatches, AssertionError):
            return False

    return check


def log_lines(app: ExamApp) -> list[str]:
    """The lines of the run's log on show (none while its tab is still being put together)."""
    try:
        return list(shown_pane(app).query_one(Log).lines)
    except NoMatches:
        return []


async def stop_every_run(pilot: object, rig: TuiRig, app: ExamApp, session: SessionRecord) -> None:
    for run in rig.store.runs(session.id):
        app.facade.stop_run(run.id)
    await wait_until(
        pilot,  # type: ignore[arg-type]
        lambda: all(r.state != "running" for r in rig.store.runs(session.id)),
        what="every run stopped",
    )


async def test_a_new_runs_tab_shows_its_whole_log_and_follows_it_unless_scrolled_up(
    rig: TuiRig,
) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            run_id = start_script(app, session, "category1", LONG_LOG)
            await wait_until(
                pilot,
                lambda: (
                    app.query_one(RunToolWindow).selected_run() == run_id
                    and len(log_lines(app)) == 3000
                ),
                timeout=60,
                what="the new run's tab with its 3000 lines",
            )
            lines = log_lines(app)
            assert lines[0] == "line 00000" and lines[-1] == "line 02999", "the whole log"
            live = shown_pane(app).query_one(".live-line", Static)
            assert text_of(live) == "progress 5/5 =====", "the last redraw of a \\r line only"
            assert not any("\r" in line or "progress" in line for line in lines)

            log = shown_pane(app).query_one(Log)
            assert log.is_vertical_scroll_end, "it follows the output"
            log.scroll_to(y=100, animate=False)
            await until(pilot, lambda: log.scroll_offset.y == 100, "the log scrolled up")
            (session.workspace / "category1" / "go").touch()
            await wait_until(pilot, lambda: len(log_lines(app)) == 3201, what="the last lines")
            assert log.scroll_offset.y == 100, "scrolled up to read: the view stays where it is"
            log.scroll_end(animate=False, immediate=True)
            assert log.is_vertical_scroll_end
        finally:
            await stop_every_run(pilot, rig, app, session)


async def test_a_flood_of_output_is_shown_whole_while_keys_still_work(rig: TuiRig) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            run_id = start_script(app, session, "category1", FLOOD)
            await wait_until(
                pilot,
                lambda: (
                    app.query_one(RunToolWindow).selected_run() == run_id
                    and len(log_lines(app)) > 2000
                ),
                timeout=60,
                what="the flood on screen",
            )
            for key, title in (("2", "Q2"), ("1", "Q1"), ("3", "Q3")):  # during the flood
                await pilot.press(key)
                assert text_of(app.query_one("#question-title", Static)).startswith(title)
            await wait_until(
                pilot,
                lambda: rig.store.get_run(run_id).state != "running",
                timeout=60,
                what="the flood ends",
            )
            await wait_until(
                pilot,
                lambda: log_lines(app)[-1].startswith("printed "),
                what="every line read",
            )
            lines = log_lines(app)
            printed = int(lines[-1].split()[1])
            assert printed > 15_000, "about 10,000 lines a second"
            assert len(lines) == printed + 1, "no line lost"
            assert lines[printed - 1].startswith(f"line {printed - 1:09d}")
        finally:
            await stop_every_run(pilot, rig, app, session)


def record_ended_run(rig: TuiRig, session: SessionRecord, number: int, losses: list[float]) -> int:
    """A finished run of question 2 with the epochs the run hook records."""
    import json

    folder = session.workspace / "category2"
    log_path = rig.paths.logs_dir(session.id) / f"run-{number}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(f"run {number}\n", encoding="utf-8")
    log_path.with_suffix(".epochs.jsonl").write_text(
        "".join(
            json.dumps({"epoch": n, "epochs": len(losses), "logs": {"loss": v, "accuracy": 1 - v}})
            + "\n"
            for n, v in enumerate(losses, start=1)
        )
    )
    started = session.started_at + 60 * number
    run = rig.store.add_run(
        session_id=session.id, question_id="learning-dataset", command=(sys.executable, "-u", "s.py"),
        cwd=folder, log_path=log_path, started_at=started,
    )  # fmt: skip
    rig.store.finish_run(run.id, state="finished", ended_at=started + 30, exit_code=0)
    return run.id


async def test_enter_opens_a_runs_tab_c_compares_it_with_each_other_run_and_brackets_step(
    rig: TuiRig,
) -> None:
    session = rig.session()
    ids = [record_ended_run(rig, session, n, [0.9 - 0.1 * n, 0.5 - 0.1 * n]) for n in (1, 2, 3)]
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v")
        window = app.query_one(RunToolWindow)
        await until(
            pilot, lambda: len(table_rows(app.query_one(RunsTable))) == 3, "the runs listed"
        )
        assert window.active_pane() is None, "the overview first"
        assert [row[0] for row in table_rows(app.query_one(RunsTable))] == ["3", "2", "1"]

        def header() -> str:
            return text_of(shown_pane(app).query_one(".run-header", Static))

        def compared() -> list[str]:
            chart = shown_pane(app).query_one(".loss-chart")
            return [s.label for s in chart.chart.series]  # type: ignore[attr-defined]

        await pilot.press("enter")  # the newest run
        await until(pilot, holds(lambda: "compared with #2" in header()), "run #3's tab, compared")
        assert window.selected_run() == ids[2]

        assert "compared with #2" in header(), "the newest other run of the question"
        assert compared() == ["loss", "#2 loss"]
        seen = []
        for _ in range(3):
            before = compared()
            await pilot.press("c")
            await until(pilot, holds(lambda b=before: compared() != b), "another run compared")
            seen.append(compared())
        assert seen == [["loss", "#1 loss"], ["loss"], ["loss", "#2 loss"]]
        await pilot.press("left_square_bracket")  # [: the tab before, run 2's
        await until(
            pilot, holds(lambda: window.selected_run() == ids[1] and "#3" in header()), "#2's tab"
        )
        assert window.selected_run() == ids[1] and "compared with #3" in header()
        await pilot.press("right_square_bracket", "right_square_bracket")  # ] ]: past the last
        await until(pilot, lambda: window.active_pane() is None, "the overview")
        assert window.active_pane() is None, "round to the overview"
        tabs = app.query_one("#run-tabs", TabbedContent)
        assert [str(tabs.get_tab(f"run-tab-{i}").label) for i in ids] == [
            "Q2 #1 exit 0",
            "Q2 #2 exit 0",
            "Q2 #3 exit 0",
        ]


async def test_the_tool_window_stretches_shrinks_maximises_and_keeps_its_height(
    rig: TuiRig,
) -> None:
    session = rig.session()
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await exam_started(pilot)
        switcher = app.query_one(ContentSwitcher)
        exam_rows = switcher.outer_size.height
        await pilot.press("v")
        await until(
            pilot, lambda: switcher.outer_size.height != exam_rows, "the Run window's height"
        )
        await settled(pilot)
        run_rows = switcher.outer_size.height
        assert run_rows > exam_rows, "the Run window is taller by default: charts and a log"
        await pilot.press("ctrl+shift+up", "ctrl+shift+up")
        await until(pilot, lambda: switcher.outer_size.height == run_rows + 4, "two rows more")
        assert switcher.outer_size.height == run_rows + 4
        await pilot.press("minus")
        await until(pilot, lambda: switcher.outer_size.height == run_rows + 2, "a row less")
        await until(pilot, lambda: load_preferences().tool_window_heights, "the height kept")
        assert switcher.outer_size.height == run_rows + 2
        assert load_preferences().tool_window_heights == {"run": run_rows + 2}
        await pilot.press("m")
        await until(pilot, lambda: switcher.outer_size.height == 40 - 2, "maximised")
        assert not app.query_one("#top").display
        assert switcher.outer_size.height == 40 - 2, "all but the status bar and the footer"
        await pilot.press("m")
        await until(pilot, lambda: switcher.outer_size.height == run_rows + 2, "back")
        assert app.query_one("#top").display and switcher.outer_size.height == run_rows + 2
        for _ in range(30):  # never more than leaves the editor area its least rows
            await pilot.press("plus")
        await settled(pilot)  # every key handled and laid out
        assert app.query_one("#top").outer_size.height >= 5
        await pilot.press("v")
        await until(pilot, lambda: switcher.outer_size.height == exam_rows, "the Exam window")
        assert switcher.outer_size.height == exam_rows, "the Exam window keeps its own height"

    again = rig.app(rig.session())
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.press("v")
        await until(
            pilot,
            lambda: (
                again.query_one(ContentSwitcher).outer_size.height
                == load_preferences().tool_window_heights["run"]
            ),
            "the kept height",
        )
        kept = load_preferences().tool_window_heights["run"]
        assert again.query_one(ContentSwitcher).outer_size.height == kept, "kept for next time"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_run_tab_without_recorded_epochs_says_why_there_is_no_chart(
    rig: TuiRig, size: tuple[int, int], tmp_path: Path
) -> None:
    session = rig.session()
    log_path = tmp_path / "run.log"
    log_path.write_text("hello\n", encoding="utf-8")
    run = rig.store.add_run(
        session_id=session.id, question_id="basic-model", command=("python", "-u", "x.py"),
        cwd=session.workspace, log_path=log_path, started_at=session.started_at,
    )  # fmt: skip
    rig.store.finish_run(run.id, state="failed", ended_at=session.started_at + 5, exit_code=1)
    app = rig.app(session)
    async with app.run_test(size=size) as pilot:
        await pilot.press("v")
        # Enter opens the run on the overview's cursor: once the run is listed (at load 10 an
        # Enter pressed with the "v" came before the list and opened nothing).
        await until(pilot, lambda: len(table_rows(app.query_one(RunsTable))) == 1, "the run")
        await pilot.press("enter")
        await until(
            pilot,
            holds(lambda: list(shown_pane(app).query_one(RunLog).query_one(Log).lines)),
            "the run's tab with its log",
        )
        await settled(pilot)
        pane = shown_pane(app)
        assert text_of(pane.query_one(".chart-note", Static)) == (
            "no epochs recorded (fit() never ran)"
        )
        assert not pane.query_one(".chart-row").display
        assert list(pane.query_one(RunLog).query_one(Log).lines) == ["hello"]


async def test_run_window_starts_two_runs_shows_their_progress_and_stops_one(rig: TuiRig) -> None:
    from tests.training_scripts import SERIES, write

    session = rig.session()
    for folder in ("category1", "category2"):  # endless trainings, stopped by the test
        write(session.workspace / folder, "starter.py", SERIES, epochs=100_000, verbose=2)
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1", "r")
        await until(pilot, lambda: rig.store.runs(session.id), "Q1's run")
        await pilot.press("2", "r")
        table = app.query_one(RunsTable)
        assert app.query_one("#run-window").display, "starting a run shows the Run window"
        await until(pilot, lambda: len(rig.store.runs(session.id)) == 2, "Q2's run")
        newest = max(r.id for r in rig.store.runs(session.id))
        await until(pilot, lambda: app.query_one(RunToolWindow).selected_run() == newest, "its tab")
        await wait_until(pilot, lambda: any(line.startswith("Epoch") for line in log_lines(app)))
        app.query_one(RunToolWindow).open_overview()  # the overview is brought up to date
        table.focus()

        def states() -> list[list[str]]:
            return table_rows(table)

        # Epochs come from the run's output, CPU from the run monitor's samples (its first
        # needs two readings of the process): each on its own clock, so both are waited for.
        await wait_until(
            pilot,
            lambda: (
                len(states()) == 2 and all("/" in row[5] and row[7] != "0%" for row in states())
            ),
            timeout=90,
            what="two runs with parsed epochs and a CPU sample",
        )
        assert [row[1] for row in states()] == ["Q2", "Q1"], "newest first"
        assert all(row[2] == "running" for row in states())
        await pilot.press("down")  # run #1 (category1)
        await pilot.press("x")
        await wait_until(pilot, lambda: states()[1][2] == "stopped", what="stopped")
        assert states()[0][2] == "running", "the other run goes on"
        assert "2 runs" not in text_of(app.query_one("#runs-status", Static))
        await pilot.press("up", "x")
        await wait_until(pilot, lambda: states()[0][2] == "stopped")
        await pilot.press("v")
        await until(pilot, lambda: not app.query_one("#run-window").display, "the Exam window")
        assert not app.query_one("#run-window").display and app.query_one("#exam").display


async def test_the_run_window_says_which_device_each_run_trained_on(
    rig: TuiRig, tmp_path: Path
) -> None:
    """The run hook records the GPUs fit() saw; the overview and the run's tab show them."""
    session = rig.session()
    for number, (question, devices) in enumerate(
        [("basic-model", []), ("learning-dataset", ["GPU:0"]), ("time-series", None)], start=1
    ):
        log_path = tmp_path / f"run-{number}.log"
        log_path.write_text("Epoch 1/1\n", encoding="utf-8")
        if devices is not None:  # as the hook writes it when fit() begins
            (tmp_path / f"run-{number}.epochs.jsonl").write_text(
                json.dumps({"devices": devices, "at": session.started_at}) + "\n"
            )
        run = rig.store.add_run(
            session_id=session.id, question_id=question, command=("python", "-u", "x.py"),
            cwd=session.workspace, log_path=log_path, started_at=session.started_at,
        )  # fmt: skip
        rig.store.finish_run(run.id, state="finished", ended_at=session.started_at + 5, exit_code=0)
    app = rig.app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v")
        table = app.query_one(RunsTable)
        await until(pilot, lambda: len(table_rows(table)) == 3, "the three runs")
        await settled(pilot)
        shown = "\n".join(screen_lines(app))
        assert "Device" in shown, "the overview's column"
        rows = {row[1]: row for row in table_rows(table)}
        device = [spec.key for spec in RunsTable.COLUMN_SPECS].index("device")
        assert [rows[q][device] for q in ("Q1", "Q2", "Q5")] == ["CPU", "GPU:0", ""], (
            "CPU, the GPU, and nothing where fit() never began"
        )
        first = min(r.id for r in rig.store.runs(session.id))  # Q1's, on the CPU
        app.query_one(RunToolWindow).open_run(first)
        await until(pilot, holds(lambda: shown_pane(app).run_id == first), "Q1's run tab")
        await settled(pilot)
        header = next(line for line in screen_lines(app) if "Q1 run #1" in line)
        assert " · CPU · " in header, header


class LogApp(App[None]):
    """A run's log lines alone, 40 columns by 6 rows."""

    CSS = "LogLines { width: 40; height: 6; }"

    def compose(self) -> ComposeResult:
        yield LogLines()


async def test_a_growing_log_follows_its_end_and_widens_without_a_layout_per_write() -> None:
    """New lines show at the bottom at once, a wide line widens the log (it scrolls sideways to
    it) and the bar appears when the lines outgrow the window, all without laying the screen
    out again for every write (what made an open run tab cost 3-4 % of a core)."""
    app = LogApp()
    async with app.run_test(size=(60, 10)) as pilot:
        log = app.query_one(LogLines)
        layouts = 0
        layout = app.screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            nonlocal layouts
            layouts += 1
            layout(*args, **kwargs)

        app.screen._refresh_layout = counted  # type: ignore[method-assign]
        log.write_lines(["line 1", "line 2"])
        await until(pilot, lambda: "line 2" in "\n".join(screen_lines(app)), "the lines drawn")
        for n in range(3, 9):
            log.write_lines([f"line {n}"])
            await until(
                pilot, lambda n=n: f"line {n}" in "\n".join(screen_lines(app)), f"line {n} drawn"
            )
            assert log.is_vertical_scroll_end, "it follows the output"
        assert log.virtual_size.height == 8 and log.show_vertical_scrollbar
        assert layouts <= 1, "one layout at most: when the scrollbar appeared"
        log.write_lines(["x" * 70])
        await until(pilot, lambda: log.virtual_size.width == 70, "the log as wide as its line")
        assert log.show_horizontal_scrollbar

        def wide_line_ends_with(end: str) -> bool:
            return any(line[:40].rstrip().endswith(end) for line in screen_lines(app))

        await until(pilot, lambda: wide_line_ends_with("…"), "the wide line cut with '…'")
        log.scroll_to(x=log.max_scroll_x, animate=False, immediate=True)
        await until(pilot, lambda: wide_line_ends_with("x"), "scrolled sideways to its end")
