"""The session report inside the TUI: tabs for the summary, the questions and the timeline.

The same rich renderables as ``tfexam report`` (simulator.report.text), laid out in tabs, so the
terminal report and the TUI never disagree. ``h`` writes the HTML report next to the workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from simulator.report.records import Report
from simulator.report.text import (
    advice_panel,
    attempts_tables,
    questions_table,
    resources_panel,
    summary_panel,
    timeline_panel,
)
from simulator.tui.preferences import keep_theme


def export_html(report: Report, folder: Path) -> Path:
    """Write ``report-<session>.html`` into ``folder``; returns its path."""
    from simulator.report.html import render_html

    target = folder / f"report-{report.summary.session}.html"
    target.write_text(render_html(report), encoding="utf-8")
    return target


class ReportScreen(Screen[None]):
    """Summary, Questions and Timeline tabs; ``h`` exports the HTML report."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h", "export_html", "Export HTML"),
        Binding("escape", "close", "Back"),
    ]

    def __init__(
        self, report: Report, export_folder: Path, on_close: Callable[[], Any] | None = None
    ) -> None:
        super().__init__()
        self.report = report
        self.export_folder = export_folder
        self.on_close = on_close

    def compose(self) -> ComposeResult:
        r = self.report
        with TabbedContent(id="report-tabs"):
            with TabPane("Summary", id="tab-summary"), VerticalScroll():
                yield Static(Group(summary_panel(r), advice_panel(r)), classes="report-part")
            with TabPane("Questions", id="tab-questions"), VerticalScroll():
                yield Static(Group(questions_table(r), *attempts_tables(r)), classes="report-part")
            with TabPane("Timeline", id="tab-timeline"), VerticalScroll():
                yield TimelineView(r, classes="report-part")
        yield Footer()

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


class TimelineView(Static):
    """The timeline and CPU/memory charts, drawn for the widget's own width."""

    def __init__(self, report: Report, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.report = report

    def render(self) -> Group:
        width = max(60, self.size.width)
        return Group(timeline_panel(self.report, width), resources_panel(self.report, width))


class ReviewApp(App[None]):
    """``tfexam review``: a finished (or running) session's report, on its own."""

    CSS_PATH = "tfexam.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self, report: Report, export_folder: Path) -> None:
        super().__init__()
        self.report = report
        self.export_folder = export_folder
        self.title = f"tfexam review · {report.summary.session}"

    def on_mount(self) -> None:
        keep_theme(self)
        self.push_screen(ReportScreen(self.report, self.export_folder, on_close=self.exit))
