"""The review's teaching tabs in the TUI (``tfexam review``): What went wrong and Your code.

The sessions are the ones of tests/test_report_mistakes.py, recorded through the real store with
fixed times: (a) an unscaled-pixel image model, (b) a sequence-output time-series model trained 3
epochs while its loss still fell. The shipped practice exam has no explanations or reference
curves of its own yet, so the time-series question is given both here, as ``tfexam calibrate``
and the exam's author would ship them. Snapshots at 80x24 and 120x40 (pytest-textual-snapshot).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Markdown, Static, TabbedContent

from simulator.exam.catalog import find_exam
from simulator.exam.format import Exam
from simulator.logfile import log_to
from simulator.paths import data_paths
from simulator.report.history import build_history
from simulator.report.records import Report
from simulator.session.drills import drill_of_session
from simulator.session.sessions import exam_of
from simulator.storage.records import SessionRecord
from simulator.tui.report_screen import NO_QUESTION_ON_SHOW, REPORT_KEYS, ReportScreen, ReviewApp
from simulator.tui.review_tabs import NO_EXPLANATION, NO_FINDINGS, QuestionReview, ReviewChart
from simulator.tui.screens import ConfirmDialog, HelpKeysTable, HelpScreen, ResultsScreen
from tests.test_report_mistakes import no_mistakes, three_mistakes
from tests.tui_helpers import TuiRig, record_notifications, screen_lines, settled, until, wait_until
from tests.tui_helpers import text_of as text_of_static

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]

EXPLANATION = """\
## Why it works

One value per window: the last LSTM returns its final state only, and `Dense(1)` maps it to the
next value. Train until the validation MAE levels off.
"""
REFERENCE_CURVES = [
    {"epoch": n, "loss": 0.1 / n, "val_loss": 0.11 / n, "mae": 0.1 / n, "val_mae": 0.11 / n}
    for n in range(1, 11)
]


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The session id is made from the local start time."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def practice() -> Exam:
    return find_exam("practice", data_paths())


def with_reference(report: Report, question_id: str) -> Report:
    """``report`` with the test's own explanation and reference curves for ``question_id``, and
    none for the other questions (as an exam of the user's own that ships none)."""
    questions = [
        dataclasses.replace(q, explanation=EXPLANATION, reference_curves=REFERENCE_CURVES)
        if q.id == question_id
        else dataclasses.replace(q, explanation=None, reference_curves=None)
        for q in report.questions
    ]
    return dataclasses.replace(report, questions=questions)


@pytest.fixture
def mistakes_report(tfexam_home: Path, tmp_path: Path, utc: None, practice: Exam) -> Report:
    return with_reference(three_mistakes(tmp_path, practice).report(), "time-series")


def text_of(app: ReviewApp) -> str:
    """The screen as the terminal shows it now."""
    return "\n".join(screen_lines(app))  # type: ignore[arg-type]


def active_tab(app: ReviewApp) -> str:
    return app.screen.query_one("#report-tabs", TabbedContent).active


async def press_until_tab(pilot: Pilot[None], key: str, tab: str) -> None:
    await pilot.press(key)
    await wait_until(pilot, lambda: active_tab(pilot.app) == tab, what=tab)  # type: ignore[arg-type]
    await settled(pilot)


async def test_the_tabs_show_the_findings_and_the_code(
    mistakes_report: Report, tmp_path: Path
) -> None:
    report = mistakes_report
    app = ReviewApp(report, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="the report")
        await press_until_tab(pilot, "]", "tab-questions")
        await press_until_tab(pilot, "]", "tab-mistakes")
        page = text_of(app)
        assert "Q3 CNN on real-world images" in page and "Q5 Time series" in page
        assert "Q1 " not in page, "no heading for a question with no finding"
        mistakes = app.screen.query_one("#mistakes")
        shown = " ".join(text_of_static(w) for w in mistakes.query(Static))
        for q in report.questions:
            for m in q.mistakes:
                assert m.sentence in shown and f"[{m.code}]" in shown
                assert all(line in shown for line in m.evidence)
        # Your code: the question keys work here only, and show in the footer here only.
        assert "Next question" not in page
        await press_until_tab(pilot, "]", "tab-code")
        questions = app.screen.query_one("#code-questions", TabbedContent)
        assert questions.active == "code-q1"
        assert "Next question" in text_of(app) or "Question" in text_of(app)
        await pilot.press("p")
        await wait_until(pilot, lambda: questions.active == "code-q5", what="round to Q5")
        await settled(pilot)
        page = text_of(app)
        assert "--- yours: category5/starter.py" in page
        assert "+++ reference: solution.py" in page
        assert "-        tf.keras.layers.LSTM(16, return_sequences=True)," in page
        pane = app.screen.query_one("#code-q5")
        assert "Your curves beside the reference's" not in page
        await pilot.press("end")  # the question's pane has the focus: its keys scroll it
        await wait_until(pilot, lambda: "Your curves beside" in text_of(app), what="scrolled")
        explanation = pane.query_one(Markdown)
        pane.query_one(QuestionReview).scroll_to_widget(explanation, animate=False, top=True)
        await settled(pilot)
        page = text_of(app)
        assert "Why it works" in page and "One value per window" in page, "as Markdown"
        assert "## Why" not in page
        heading = explanation.children[0]
        assert heading.styles.margin.top == 0, "the explanation starts at its first line"
        charts = pane.query(ReviewChart)
        assert [c.review_chart.title for c in charts] == ["loss", "mae"]
        labels = {s.label for c in charts for s in c.review_chart.series}
        assert {"run 2 loss", "run 2 val_loss", "reference loss", "reference val_loss"} <= labels
        await pilot.press("p")
        await wait_until(pilot, lambda: questions.active == "code-q4", what="Q4")
        await pilot.press("n", "n")
        await wait_until(pilot, lambda: questions.active == "code-q1", what="round to Q1")
        await pilot.press("n", "n")
        await wait_until(pilot, lambda: questions.active == "code-q3", what="Q3")
        await settled(pilot)
        page = text_of(app)
        assert "-    training_datagen = ImageDataGenerator(horizontal_flip=True)" in page
        app.screen.query_one("#code-q3 QuestionReview", QuestionReview).scroll_end(animate=False)
        await settled(pilot)
        page = text_of(app)
        assert NO_EXPLANATION in page
        assert "No reference curves ship with this question." in page
        await press_until_tab(pilot, "]", "tab-timeline")
        await press_until_tab(pilot, "]", "tab-summary")
        await press_until_tab(pilot, "[", "tab-timeline")
        await pilot.press("escape")
        await settled(pilot)
    assert not app.is_running


async def test_a_question_without_a_script_says_so(mistakes_report: Report, tmp_path: Path) -> None:
    app = ReviewApp(mistakes_report, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="the report")
        app.screen.query_one("#report-tabs", TabbedContent).active = "tab-code"
        await settled(pilot)
        page = text_of(app)
        assert "No script of yours to compare" in page
        assert "No run of yours recorded its epochs." in page


async def test_every_key_is_in_the_help(mistakes_report: Report, tmp_path: Path) -> None:
    app = ReviewApp(mistakes_report, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="the report")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        table = app.screen.query_one(HelpKeysTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        keys = {k for k, _ in rows}
        assert {"[, ]", "p, n", "d", "h", "?, f1", "esc", "q"} <= keys, rows
        helped = {text for _, text in rows}
        assert all(key.help in helped for key in REPORT_KEYS)
        assert "Leave the review" in helped
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="closed")


async def test_no_findings_and_no_code_while_running(
    tfexam_home: Path, tmp_path: Path, utc: None, practice: Exam
) -> None:
    running = no_mistakes(tmp_path, practice).report(end=False)
    app = ReviewApp(running, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="the report")
        tabs = app.screen.query_one("#report-tabs", TabbedContent)
        assert not app.screen.query("#code-questions"), "the reference is not revealed yet"
        await press_until_tab(pilot, "[", "tab-timeline")
        await press_until_tab(pilot, "[", "tab-mistakes")
        assert NO_FINDINGS.split(":")[0] in text_of(app)
        assert tabs.active == "tab-mistakes"


# The drill key -----------------------------------------------------------------------------------

DRILL_QUESTION = "Start a 1h30m drill of Q5 Time series (practice)? It starts a new timed session."


def dialog_text(app: App[object]) -> str:
    return " ".join(text_of_static(w) for w in app.screen.query(Static))


async def drill_asked(pilot: Pilot[object]) -> None:
    """On the report: the Your code tab, Q5 on show, then the drill key and its question."""
    screen = pilot.app.screen
    assert isinstance(screen, ReportScreen)
    screen.query_one("#report-tabs", TabbedContent).active = "tab-code"
    await settled(pilot)
    screen.query_one("#code-questions", TabbedContent).active = "code-q5"
    await settled(pilot)
    await pilot.press("d")
    await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the drill's question")
    assert DRILL_QUESTION in dialog_text(pilot.app)


async def test_the_drill_key_asks_first_and_starts_a_drill_of_the_question_on_show(
    tfexam_home: Path, tmp_path: Path, utc: None, practice: Exam
) -> None:
    """``tfexam review``: the key asks; Cancel stays in the review; Start creates the drill (a
    session of the store, of that question) and ends the review with it, for the command to run
    it under the exam screen (``run_tui``, as ``tfexam drill`` does)."""
    seeded = three_mistakes(tmp_path, practice)
    report = seeded.report()
    reviewed = seeded.store.get_session(seeded.session.id)

    go_on = threading.Event()  # the drill is created once the test has pressed d again

    def create_drill(question_id: str) -> SessionRecord:
        assert go_on.wait(60), "the test let the drill be created"
        return drill_of_session(seeded.store, data_paths(), reviewed, question_id)

    app = ReviewApp(report, tmp_path, create_drill)
    async with app.run_test(size=(80, 24)) as pilot:
        said = record_notifications(app)  # type: ignore[arg-type]
        await until(pilot, lambda: isinstance(app.screen, ReportScreen), "the report")
        await pilot.press("d")  # the Summary tab: no question on show
        await until(pilot, lambda: said, "the key's one line")
        assert said == [("Drill", NO_QUESTION_ON_SHOW)]
        assert isinstance(app.screen, ReportScreen)
        await drill_asked(pilot)
        await pilot.click("#cancel")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen), "back in the review")
        assert [s.id for s in seeded.store.list_sessions()] == [reviewed.id], "nothing started"
        assert "d Drill it" in text_of(app), "in the footer"
        await drill_asked(pilot)
        await pilot.click("#confirm")
        await until(pilot, lambda: ("Drill", "Preparing the drill's workspace...") in said, "made")
        await pilot.press("d")  # while it is being prepared: no second drill
        await until(pilot, lambda: ("Drill", "A drill is being prepared.") in said, "said so")
        assert isinstance(app.screen, ReportScreen)
        go_on.set()
        await until(pilot, lambda: not app.is_running, "the review to end with the drill")
    drill = app.return_value
    assert drill is not None
    assert drill.settings.get("drill_question") == "time-series"
    assert drill.deadline - drill.started_at == 5400, "the drill's default length"
    assert drill.workspace.parent == reviewed.workspace.parent, "beside the reviewed workspace"
    assert (drill.workspace / "category5" / "starter.py").is_file()
    assert not (drill.workspace / "category1").exists(), "one question's folder"
    [entry] = [e for e in build_history(seeded.store, {drill.id: exam_of(drill, data_paths())},
                                        [drill]) if e.session == drill.id]  # fmt: skip
    assert entry.kind == "drill"


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """The test process's logging as it was, after a test that logs to a file as tfexam does."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:], root.level = handlers, level


async def test_after_the_exam_the_drill_opens_in_the_same_app(
    rig: TuiRig, logging_restored: None
) -> None:
    """After the end, ``v`` then the drill key: Start shows the drill's exam screen in this app
    (a new session of the store over its own engine), its one question and its countdown; the
    drill's engine logs to the drill's own folder, not to the finished session's log."""
    session = rig.session()
    rig.store.finish_session(session.id, session.started_at + 60, "submitted")
    app = rig.app(rig.store.get_session(session.id))
    first_log = rig.paths.engine_log(session.id)
    log_to(first_log)  # as tfexam start does
    app.log_path = first_log
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, ResultsScreen), "the results")
            await pilot.press("v")
            await until(pilot, lambda: isinstance(app.screen, ReportScreen), "the report")
            await drill_asked(pilot)
            await pilot.press("escape")  # Escape is Cancel
            await until(pilot, lambda: isinstance(app.screen, ReportScreen), "back to the report")
            assert len(rig.store.list_sessions()) == 1
            await drill_asked(pilot)
            await pilot.click("#confirm")
            await until(
                pilot,
                lambda: (
                    app.facade.session_id != session.id
                    and app.screen is app.exam_screen
                    and app.exam_screen.is_mounted
                ),
                "the drill's exam screen",
            )
            drill = rig.store.get_session(app.facade.session_id)
            assert drill.settings.get("drill_question") == "time-series"
            assert [q.id for q in app.exam_screen.questions] == ["time-series"]
            assert len(app.screen_stack) == 2, "the report and the results closed"
            countdown = app.screen.query_one("#countdown", Static)
            await until(pilot, lambda: "left" in text_of_static(countdown), "the countdown")
            assert text_of_static(countdown).startswith("⏱ 1:29:"), text_of_static(countdown)
            assert "category5/prompt.md" in text_of(app) and "category1" not in text_of(app)
            assert app.title.startswith("tfexam · Drill: Time series, from ")
            # The drill's engine runs, with graders of its own (their start ends before the app).
            drilling = app.facade
            await until(
                pilot,
                lambda: (
                    drilling.grading().workers
                    and all(w.state in ("idle", "busy") for w in drilling.grading().workers)
                ),
                "the drill's graders ready",
            )
            await settled(pilot)
            drill_log = rig.paths.engine_log(drill.id)
            await until(
                pilot,
                lambda: (
                    drill_log.is_file()
                    and f"session {drill.id}: engine started" in drill_log.read_text()
                ),
                "the drill's engine log",
            )
            assert f"session {session.id}: engine started" in first_log.read_text()
            assert drill.id not in first_log.read_text(), "no drill line in the first log"
            assert app.log_path == drill_log, "the error dialog's hint names the drill's log"
    finally:
        for drill_facade in app.drills:
            drill_facade.close()


# Snapshots ---------------------------------------------------------------------------------------


def show_tab(tab: str, question: str | None = None, end: bool = False):  # type: ignore[no-untyped-def]
    """On the report: ``tab``, there ``question``'s pane, scrolled to its end where ``end``."""

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ReportScreen), what="report")
        pilot.app.screen.query_one("#report-tabs", TabbedContent).active = tab
        if question is not None:
            pilot.app.screen.query_one("#code-questions", TabbedContent).active = question
            await settled(pilot)
            if end:
                review = pilot.app.screen.query_one(f"#{question} QuestionReview", QuestionReview)
                review.scroll_end(animate=False)
        await settled(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_what_went_wrong_tab(  # type: ignore[no-untyped-def]
    mistakes_report: Report, tmp_path: Path, snap_compare, size: tuple[int, int]
) -> None:
    app = ReviewApp(mistakes_report, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=show_tab("tab-mistakes"))


@pytest.mark.parametrize("size", SIZES)
def test_your_code_tab(  # type: ignore[no-untyped-def]
    mistakes_report: Report, tmp_path: Path, snap_compare, size: tuple[int, int]
) -> None:
    app = ReviewApp(mistakes_report, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=show_tab("tab-code", "code-q5"))


@pytest.mark.parametrize("size", SIZES)
def test_your_code_tab_explanation_and_curves(  # type: ignore[no-untyped-def]
    mistakes_report: Report, tmp_path: Path, snap_compare, size: tuple[int, int]
) -> None:
    app = ReviewApp(mistakes_report, tmp_path)
    run_before = show_tab("tab-code", "code-q5", end=True)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
