"""The Run tool window: an overview of every training run (progress, CPU, memory, exit) and
one tab per run with its charts and its whole log (:mod:`simulator.tui.run_pane`).

Like PyCharm's Run window, plus what a candidate juggling several trainings needs: how many
share the cores, whether memory is about to run out, which run is which question's, and which of
two trainings of the same question is ahead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Static, TabbedContent, TabPane

from simulator.exam.durations import format_duration
from simulator.training.resources import Resources
from simulator.training.runs import RunView, exit_label
from simulator.tui.fitted_table import Cell, ColumnSpec, FittedTable
from simulator.tui.formatting import format_number
from simulator.tui.run_pane import (
    STATE_STYLES,
    LogLines,
    RunPane,
    device_text,
    epoch_text,
    tab_label,
)
from simulator.tui.status_bar import set_text

#: The progress bar's widest and narrowest (it gives way first when the window is narrow).
BAR_WIDTH = 10
BAR_MIN_WIDTH = 3
#: Significant room for a loss value: 4 significant digits in any notation (``5.798e-9``).
LOSS_WIDTH = 8


def progress_bar(view: RunView, width: int = BAR_WIDTH) -> Text:
    """``███████░░░`` from the parsed Keras progress (or the state when there is none)."""
    fraction = 1.0 if view.record.state == "finished" else view.progress.fraction
    if fraction is None or view.progress.epoch is None:
        return Text("starting…" if view.record.state == "running" else "—", style="dim")
    filled = round(fraction * width)
    return Text.assemble(
        ("█" * filled, "green" if view.record.state == "finished" else "cyan"),
        ("░" * (width - filled), "dim"),
    )


def resources_text(resources: Resources) -> Text:
    text = Text(resources.label(), style="dim")
    for warning in resources.warnings():
        text.append("  ⚠ " + warning, style="bold yellow")
    return text


class RunsTable(FittedTable):
    """One row per run, newest first; Device is where its training ran (``CPU``, ``GPU:0``),
    empty until the run's ``fit()`` began."""

    COLUMN_SPECS = (
        ColumnSpec("#", "#", justify="right"),
        ColumnSpec("q", "Q"),
        ColumnSpec("state", "State"),
        ColumnSpec("time", "Time"),
        ColumnSpec("progress", "Progress", flexible=True, minimum=BAR_MIN_WIDTH, maximum=BAR_WIDTH),
        ColumnSpec("epoch", "Epoch", justify="right"),
        ColumnSpec("loss", "Loss", justify="right"),
        ColumnSpec("cpu", "CPU", justify="right"),
        ColumnSpec("rss", "RSS", justify="right"),
        ColumnSpec("device", "Device"),
        ColumnSpec("exit", "Exit", justify="right"),
    )

    def show(self, views: list[RunView], numbers: dict[str, str]) -> None:
        self.fill([(str(v.record.id), self._cells(v, numbers)) for v in views])

    def selected_run(self) -> int | None:
        key = self.cursor_key()
        return int(key) if key is not None else None

    @staticmethod
    def _cells(view: RunView, numbers: dict[str, str]) -> list[Cell]:
        record = view.record
        running = record.state == "running"
        loss = view.progress.metrics.get("loss")
        rss = view.rss_mb if running else record.peak_rss_mb
        return [
            str(record.number),
            numbers.get(record.question_id, "?"),
            Text(record.state, style=STATE_STYLES.get(record.state, "")),
            format_duration(view.elapsed_s),
            lambda width: progress_bar(view, width),
            epoch_text(view),
            format_number(loss, LOSS_WIDTH) if loss is not None else "",
            f"{view.cpu_percent:.0f}%" if running else "",
            f"{rss:.0f}M" if rss else "",
            device_text(view),
            exit_label(record.exit_code),
        ]


def other_runs(views: list[RunView], chosen: RunView) -> list[RunView]:
    """The other runs of the chosen run's question, newest first: what it can be compared with."""
    return [
        v for v in views
        if v.record.question_id == chosen.record.question_id and v.record.id != chosen.record.id
    ]  # fmt: skip


def rival(views: list[RunView], chosen: RunView) -> RunView | None:
    """The newest other run of the same question: the one to compare the chosen run with."""
    others = other_runs(views, chosen)
    return others[0] if others else None


#: The id of the overview tab, and of each run's tab.
OVERVIEW_TAB = "runs-overview"


def run_tab_id(run_id: int) -> str:
    return f"run-tab-{run_id}"


class RunToolWindow(Vertical):
    """PyCharm's Run tool window: an overview tab of every run (with the machine's cores and
    memory), then one tab per run with its charts and whole log, the newest run's tab chosen."""

    def __init__(self, *, id: str | None = None, metrics: dict[str, str] | None = None) -> None:
        """``metrics``: each question's metric, charted beside the loss where a run logs it."""
        super().__init__(id=id)
        self.metrics = metrics or {}
        #: Run id -> the run it is compared with (None: with none); absent: the newest other.
        self._compare: dict[int, int | None] = {}
        #: Each run's tab label as last set; a run is here once its tab was added.
        self._labels: dict[int, Text] = {}
        self._views: list[RunView] = []
        self._numbers: dict[str, str] = {}
        #: The run whose tab `open_run` asked for before the tab was mounted.
        self._wanted: int | None = None
        # Kept at hand: the screen's tick updates them every second while the window shows.
        self._tabs = TabbedContent(id="run-tabs")
        self._resources = Static("", id="resources")
        self._table = RunsTable(id="runs")
        #: Each run's tab content, by run id (tabs are added, never removed).
        self._panes: dict[int, RunPane] = {}
        #: The machine's cores and memory as of the last update.
        self._machine: Resources | None = None

    def compose(self) -> ComposeResult:
        with self._tabs, TabPane("All runs", id=OVERVIEW_TAB):
            yield self._resources
            yield self._table

    def show(self, views: list[RunView], numbers: dict[str, str], resources: Resources) -> None:
        """``numbers``: question id -> ``Q1``..``Q5``, as the Exam window numbers them."""
        self._views = views
        self._numbers = numbers
        self._machine = resources
        tabs = self._tabs
        for view in reversed(views):  # oldest first: tabs run left to right in order of start
            tab_id = run_tab_id(view.record.id)
            label = tab_label(view, numbers)
            if view.record.id not in self._labels:  # added once (it mounts in the background)
                pane = self._panes[view.record.id] = RunPane(view)
                added = tabs.add_pane(TabPane(Content.from_rich_text(label), pane, id=tab_id))
                self.run_worker(self._open_when_added(added, view.record.id))
                self._labels[view.record.id] = label
            elif self._labels[view.record.id] != label:
                with contextlib.suppress(NoMatches, ValueError):  # not mounted yet: next time
                    tabs.get_tab(tab_id).label = Content.from_rich_text(label)
                    self._labels[view.record.id] = label
        self._show_active()

    def _show_overview(self) -> None:
        """The overview's table and the machine's line, as of the last update. Only while the
        overview is on show: a hidden widget that changes (the Time column does every second)
        makes Textual arrange the whole screen again to find where everything is."""
        if self._machine is not None:
            set_text(self._resources, resources_text(self._machine))
        self._table.show(self._views, self._numbers)

    @on(TabbedContent.TabActivated)
    def _show_active(self) -> None:
        """Bring the tab on show up to date: at every update, and at once when chosen."""
        if self._tabs.active in ("", OVERVIEW_TAB):
            self._show_overview()
            return
        pane = self.active_pane()
        chosen = self._view_of(pane)
        if pane is not None and chosen is not None and pane.is_mounted:
            question = chosen.record.question_id
            pane.show(chosen, self.compared_with(chosen), self._numbers, self.metrics.get(question))

    def _active_view(self) -> RunView | None:
        """The run whose tab is on show (None on the overview)."""
        return self._view_of(self.active_pane())

    def _view_of(self, pane: RunPane | None) -> RunView | None:
        return next((v for v in self._views if pane and v.record.id == pane.run_id), None)

    def active_pane(self) -> RunPane | None:
        """The run tab on show (None on the overview)."""
        active = self._tabs.active
        if active in ("", OVERVIEW_TAB):
            return None
        return next(
            (pane for run_id, pane in self._panes.items() if run_tab_id(run_id) == active), None
        )

    def compared_with(self, view: RunView) -> RunView | None:
        choice = self._compare.get(view.record.id, -1)
        if choice == -1:
            return rival(self._views, view)
        return next((v for v in self._views if v.record.id == choice), None)

    def compare_next(self) -> RunView | None:
        """Compare the run on show with the next other run of its question (then with none)."""
        view = self._active_view()
        if view is None:
            return None
        choices: list[int | None] = [v.record.id for v in other_runs(self._views, view)]
        choices.append(None)
        current = self.compared_with(view)
        now = current.record.id if current is not None else None
        following = choices[(choices.index(now) + 1) % len(choices)] if now in choices else None
        self._compare[view.record.id] = following
        return self.compared_with(view)

    def open_run(self, run_id: int) -> None:
        """Show a run's tab; a new run's tab is shown once it is mounted (see `show`)."""
        self._wanted = None if self._activate(run_tab_id(run_id)) else run_id

    async def _open_when_added(self, added: Awaitable[None], run_id: int) -> None:
        """Wait for a new run's tab to be mounted; show it if `open_run` asked for it."""
        await added
        if self._wanted == run_id:
            self._wanted = None
            self._activate(run_tab_id(run_id))

    def _activate(self, tab_id: str) -> bool:
        """Show the tab, if both its pane and its tab are mounted (they are, one after the
        other, after ``add_pane``)."""
        tabs = self._tabs
        try:
            tabs.get_tab(tab_id)
            tabs.get_pane(tab_id)
        except (NoMatches, ValueError):
            return False
        tabs.active = tab_id
        with contextlib.suppress(NoMatches):  # its log (the overview: its table), once there
            pane = tabs.get_pane(tab_id)
            (
                pane.query_one(RunsTable) if tab_id == OVERVIEW_TAB else pane.query_one(LogLines)
            ).focus()
        return True

    def step_tab(self, step: int) -> None:
        """The next (``step`` 1) or previous (-1) tab, round the ends."""
        tabs = self._tabs
        order = [OVERVIEW_TAB] + [
            run_tab_id(v.record.id) for v in reversed(self._views)
        ]  # fmt: skip
        here = order.index(tabs.active) if tabs.active in order else 0
        self._activate(order[(here + step) % len(order)])

    def open_overview(self) -> None:
        self._tabs.active = OVERVIEW_TAB
        self._show_overview()

    def selected_run(self) -> int | None:
        """The run on show in its tab, else the one under the overview's cursor."""
        pane = self.active_pane()
        if pane is not None:
            return pane.run_id
        return self._table.selected_run()
