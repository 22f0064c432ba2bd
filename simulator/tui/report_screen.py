"""The session report inside the TUI: tabs for the summary, the questions, what went wrong, the
candidate's code beside the reference (once the session is over) and the timeline.

The same records and rich renderables as ``tfexam report`` (simulator.report.text), laid out in
tabs, so the terminal report and the TUI never disagree. ``h`` writes the HTML report next to the
workspace; ``d`` starts a drill of the question on show (after asking), where the app can run one.
Every key is in one table here (:data:`REPORT_KEYS`): the footer's bindings and the
help's rows come from it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from simulator.exam.drills import drill_duration_s
from simulator.exam.durations import format_short
from simulator.report.records import QuestionEntry, Report
from simulator.report.text import (
    advice_panel,
    attempts_tables,
    questions_table,
    resources_panel,
    summary_panel,
    timeline_panel,
)
from simulator.storage.records import SessionRecord
from simulator.tui.preferences import keep_theme
from simulator.tui.review_tabs import (
    CodeReview,
    MistakesView,
    compose_code_review,
    question_pane_id,
)
from simulator.tui.screens import ConfirmDialog, HelpScreen, KeyHelp

log = logging.getLogger("tfexam.tui")

#: The ids of the report's tabs, in their order ("Your code" only once the session is over).
TAB_SUMMARY, TAB_QUESTIONS, TAB_MISTAKES, TAB_CODE, TAB_TIMELINE = (
    "tab-summary", "tab-questions", "tab-mistakes", "tab-code", "tab-timeline",
)  # fmt: skip


@dataclass(frozen=True)
class ReportKey:
    """One key of the report: its binding (the footer) and what it does (the help)."""

    binding: Binding
    help: str


_TABS = Binding.Group("Tab")
_QUESTIONS = Binding.Group("Question")
#: Every key of the report screen, in the footer's order.
REPORT_KEYS: tuple[ReportKey, ...] = (
    ReportKey(Binding("left_square_bracket", "switch_tab(-1)", "Previous tab", key_display="[",
                      group=_TABS), "The report's previous or next tab"),
    ReportKey(Binding("right_square_bracket", "switch_tab(1)", "Next tab", key_display="]",
                      group=_TABS), "The report's previous or next tab"),
    ReportKey(Binding("p", "switch_question(-1)", "Previous question", group=_QUESTIONS),
              "Your code tab: the previous or next question"),
    ReportKey(Binding("n", "switch_question(1)", "Next question", group=_QUESTIONS),
              "Your code tab: the previous or next question"),
    ReportKey(Binding("d", "drill", "Drill it"),
              "Your code tab: drill the question on show (asks first)"),
    ReportKey(Binding("h", "export_html", "Export HTML"),
              "Save the report as one HTML file in the workspace"),
    ReportKey(Binding("question_mark,f1", "help", "Help", key_display="?"), "This list of keys"),
    ReportKey(Binding("escape", "close", "Back"), "Leave the report"),
)  # fmt: skip


def export_html(report: Report, folder: Path) -> Path:
    """Write ``report-<session>.html`` into ``folder``; returns its path."""
    from simulator.report.html import render_html

    target = folder / f"report-{report.summary.session}.html"
    target.write_text(render_html(report), encoding="utf-8")
    return target


#: The name of the worker that prepares a drill: while one runs, the key starts no other.
DRILL_WORKER = "drill-start"
#: What the drill key says on a tab that shows no one question (one line of a toast at 80
#: columns; the Your code tab shows one question at a time, chosen with n and p).
NO_QUESTION_ON_SHOW = "No question on show: see Your code"


def drill_question_text(q: QuestionEntry, exam: str) -> str:
    """The drill key's question: what starts, how long it lasts (the drill's default length)."""
    length = format_short(drill_duration_s(q.category))
    return (
        f"Start a {length} drill of Q{q.number} {q.title} ({exam})? It starts a new timed session."
    )


class ReportScreen(Screen[None]):
    """Summary, Questions, What went wrong, Your code and Timeline tabs; ``h`` exports the HTML
    report, ``d`` starts a drill of the question on show (through ``start_drill``, given the
    question's id, where the app can run a drill)."""

    BINDINGS: ClassVar[list[BindingType]] = [key.binding for key in REPORT_KEYS]

    def __init__(
        self,
        report: Report,
        export_folder: Path,
        on_close: Callable[[], Any] | None = None,
        *,
        start_drill: Callable[[str], Any] | None = None,
    ) -> None:
        super().__init__()
        self.report = report
        self.export_folder = export_folder
        self.on_close = on_close
        self.start_drill = start_drill

    def compose(self) -> ComposeResult:
        r = self.report
        with TabbedContent(id="report-tabs"):
            with TabPane("Summary", id=TAB_SUMMARY), VerticalScroll():
                yield Static(Group(summary_panel(r), advice_panel(r)), classes="report-part")
            with TabPane("Questions", id=TAB_QUESTIONS), VerticalScroll():
                yield Static(Group(questions_table(r), *attempts_tables(r)), classes="report-part")
            with TabPane("What went wrong", id=TAB_MISTAKES):
                yield MistakesView(r, id="mistakes")
            if self.exam_over:
                with TabPane("Your code", id=TAB_CODE):
                    yield from compose_code_review(r, id="code-questions")
            with TabPane("Timeline", id=TAB_TIMELINE), VerticalScroll():
                yield TimelineView(r, classes="report-part")
        yield Footer()

    @property
    def exam_over(self) -> bool:
        """The reference is revealed, and compared, only once the session is over."""
        return self.report.summary.ended_how != "running"

    @property
    def tab_ids(self) -> list[str]:
        return [TAB_SUMMARY, TAB_QUESTIONS, TAB_MISTAKES] + (
            [TAB_CODE] if self.exam_over else []
        ) + [TAB_TIMELINE]  # fmt: skip

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The question keys only on the Your code tab (elsewhere they leave the footer)."""
        if action == "switch_question":
            return self.query_one("#report-tabs", TabbedContent).active == TAB_CODE
        if action == "drill":  # a drill once the session is over, where the app can run one
            return self.start_drill is not None and self.exam_over
        return True

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def _focus_content(self) -> None:
        """Focus what scrolls on the tab on show (arrows and page keys scroll it at once)."""
        pane = self.query_one("#report-tabs", TabbedContent).active_pane
        if pane is None:
            return
        if isinstance(pane.query_one_optional(CodeReview), CodeReview):
            pane = pane.query_one(CodeReview).active_pane or pane
        scrolling = next(iter(pane.query(ScrollableContainer)), None)
        if scrolling is not None:
            scrolling.focus()

    def action_switch_tab(self, step: int) -> None:
        tabs = self.query_one("#report-tabs", TabbedContent)
        tabs.active = _step(self.tab_ids, tabs.active, step)
        self.call_after_refresh(self._focus_content)

    def action_switch_question(self, step: int) -> None:
        questions = self.query_one("#code-questions", CodeReview)
        ids = [str(p.id) for p in questions.query(TabPane)]
        questions.active = _step(ids, questions.active, step)
        self.call_after_refresh(self._focus_content)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.key_help()))

    def key_help(self) -> Iterable[KeyHelp]:
        """Every key of the report, one row per thing it does, then the app's own shown keys
        (``q``: leave) as the footer shows them."""
        rows: dict[str, list[str]] = {}
        for key in REPORT_KEYS:
            rows.setdefault(key.help, []).extend(self._key_names(key.binding))
        for text, keys in rows.items():
            yield KeyHelp(", ".join(keys), text)
        own = {key.binding.action for key in REPORT_KEYS}
        for active in self.active_bindings.values():
            binding = active.binding
            if active.node is self.app and binding.show and binding.action not in own:
                text = binding.tooltip or binding.description
                yield KeyHelp(", ".join(self._key_names(binding)), text)

    def _key_names(self, binding: Binding) -> list[str]:
        """Each key of ``binding`` as the footer writes it (``?, f1``)."""
        first, *others = binding.key.split(",")
        shown = binding.key_display or self.app.get_key_display(Binding(first, ""))
        return [shown, *(self.app.get_key_display(Binding(key, "")) for key in others)]

    def question_on_show(self) -> QuestionEntry | None:
        """The question whose pane the Your code tab shows (None on the other tabs)."""
        if self.query_one("#report-tabs", TabbedContent).active != TAB_CODE:
            return None
        active = self.query_one("#code-questions", CodeReview).active
        return next((q for q in self.report.questions if question_pane_id(q) == active), None)

    def action_drill(self) -> None:
        question = self.question_on_show()
        if question is None:
            self.app.notify(NO_QUESTION_ON_SHOW, title="Drill", timeout=6)
            return
        if any(w.name == DRILL_WORKER and not w.is_finished for w in self.app.workers):
            self.app.notify("A drill is being prepared.", title="Drill", timeout=4)
            return
        start = self.start_drill
        assert start is not None, "check_action offers the key only with a way to start one"

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                start(question.id)

        self.app.push_screen(
            ConfirmDialog(
                "Start a drill?",
                drill_question_text(question, self.report.summary.exam),
                confirm="Start",
            ),
            answered,
        )

    def action_export_html(self) -> None:
        try:
            target = export_html(self.report, self.export_folder)
        except OSError as error:
            self.app.notify(f"could not write the HTML report: {error}", severity="error")
            return
        self.app.notify(f"Wrote {target}", title="HTML report", timeout=8)

    def action_close(self) -> None:
        if self.on_close is not None:
            self.on_close()
        else:
            self.app.pop_screen()


def _step(ids: list[str], current: str, step: int) -> str:
    """The id ``step`` places after ``current`` in ``ids``, round the end."""
    index = ids.index(current) if current in ids else 0
    return ids[(index + step) % len(ids)]


class TimelineView(Static):
    """The timeline and CPU/memory charts, drawn for the widget's own width."""

    def __init__(self, report: Report, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.report = report

    def render(self) -> Group:
        width = max(60, self.size.width)
        return Group(timeline_panel(self.report, width), resources_panel(self.report, width))


class ReviewApp(App["SessionRecord | None"]):
    """``tfexam review``: a finished (or running) session's report, on its own.

    With ``create_drill`` (given a question's id, it creates a drill of it and returns its
    session), the drill key creates one and the app ends with it, for the command to run it
    under the exam screen: this app has no engine, and the exam screen's app-wide keys (leave,
    help, the results) belong to the exam app. The app ends with None otherwise.
    """

    CSS_PATH = "tfexam.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", tooltip="Leave the review")
    ]

    def __init__(
        self,
        report: Report,
        export_folder: Path,
        create_drill: Callable[[str], SessionRecord] | None = None,
    ) -> None:
        super().__init__()
        self.report = report
        self.export_folder = export_folder
        self.create_drill = create_drill
        self.title = f"tfexam review · {report.summary.session}"
        #: Set once the app begins to exit: a drill made afterwards does not replace the result
        #: (the learner left; the drill's session is there for ``tfexam resume``).
        self._leaving = False

    def exit(
        self,
        result: SessionRecord | None = None,
        return_code: int = 0,
        message: RenderableType | None = None,
    ) -> None:
        self._leaving = True
        super().exit(result, return_code, message)

    def on_mount(self) -> None:
        keep_theme(self)
        start = self.start_drill if self.create_drill is not None else None
        self.push_screen(
            ReportScreen(self.report, self.export_folder, on_close=self.exit, start_drill=start)
        )

    def start_drill(self, question_id: str) -> None:
        """Create the drill off the UI's thread (its data takes seconds), then end with it."""
        create = self.create_drill
        assert create is not None
        self.notify("Preparing the drill's workspace...", title="Drill", timeout=4)

        def made() -> None:
            try:
                drill = create(question_id)
            except Exception as error:  # one line for the learner; the traceback in the log
                log.error("the drill could not start", exc_info=error)
                if not self._leaving:
                    self.call_from_thread(
                        self.notify, f"The drill could not start: {error}", severity="error"
                    )
                return
            if not self._leaving:
                self.call_from_thread(self._drill_made, drill)

        self.run_worker(made, name=DRILL_WORKER, thread=True, exit_on_error=False)

    def _drill_made(self, drill: SessionRecord) -> None:
        """On the app's loop: end with the drill, unless the learner left while it was made."""
        if not self._leaving:
            self.exit(drill)
