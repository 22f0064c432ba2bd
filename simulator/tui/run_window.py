"""The Run tool window: every training run with its progress, CPU and memory, and a log tail.

Like PyCharm's Run window, plus what a candidate juggling several trainings needs: how many
share the cores, whether memory is about to run out, and which run is which question's.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import DataTable, Static

from simulator.durations import format_duration
from simulator.training.resources import Resources
from simulator.training.runs import RunView
from simulator.tui.exam_window import cursor_row_key
from simulator.tui.status_bar import set_text

BAR_WIDTH = 10
STATE_STYLES = {"running": "cyan", "finished": "green", "failed": "bold red", "stopped": "yellow"}


def progress_bar(view: RunView) -> Text:
    """``███████░░░ e7/10`` from the parsed Keras progress (or the state when there is none)."""
    fraction = 1.0 if view.record.state == "finished" else view.progress.fraction
    epoch = view.progress.epoch
    if fraction is None or epoch is None:
        return Text("starting…" if view.record.state == "running" else "—", style="dim")
    filled = round(fraction * BAR_WIDTH)
    return Text.assemble(
        ("█" * filled, "green" if view.record.state == "finished" else "cyan"),
        ("░" * (BAR_WIDTH - filled), "dim"),
        f" e{epoch}/{view.progress.epochs}",
    )


def resources_text(resources: Resources) -> Text:
    text = Text(resources.label(), style="dim")
    for warning in resources.warnings():
        text.append("  ⚠ " + warning, style="bold yellow")
    return text


class RunsTable(DataTable[Text | str]):
    """One row per run, newest first."""

    COLUMNS = (
        ("#", 3), ("Q", 2), ("State", 8), ("Time", 7), ("Progress", 17), ("Loss", 6),
        ("CPU", 4), ("RSS", 6), ("Exit", 4),
    )  # fmt: skip

    def on_mount(self) -> None:
        self.cursor_type = "row"
        for label, width in self.COLUMNS:
            self.add_column(label, key=label.lower(), width=width)

    def show(self, views: list[RunView], numbers: dict[str, str]) -> None:
        keys = [str(v.record.id) for v in views]
        if keys != [k.value for k in self.rows]:
            selected = self.selected_run()
            self.clear()
            for view in views:
                self.add_row(*self._cells(view, numbers), key=str(view.record.id))
            if selected is not None and str(selected) in keys:
                self.move_cursor(row=keys.index(str(selected)))
            return
        for view in views:
            for (label, _width), value in zip(
                self.COLUMNS, self._cells(view, numbers), strict=True
            ):
                self.update_cell(str(view.record.id), label.lower(), value)

    def selected_run(self) -> int | None:
        key = cursor_row_key(self)
        return int(key) if key is not None else None

    @staticmethod
    def _cells(view: RunView, numbers: dict[str, str]) -> list[Text | str]:
        record = view.record
        running = record.state == "running"
        loss = view.progress.metrics.get("loss")
        return [
            Text(str(record.id), justify="right"),
            numbers.get(record.question_id, "?"),
            Text(record.state, style=STATE_STYLES.get(record.state, "")),
            format_duration(view.elapsed_s),
            progress_bar(view),
            f"{loss:.4g}" if loss is not None else "",
            Text(f"{view.cpu_percent:.0f}%" if running else "", justify="right"),
            Text(
                f"{view.rss_mb:.0f}M"
                if running
                else f"{record.peak_rss_mb:.0f}M"
                if record.peak_rss_mb
                else "",
                justify="right",
            ),
            Text("" if record.exit_code is None else str(record.exit_code), justify="right"),
        ]


class LogTailView(Widget):
    """The last lines of a run's output: as many as fit, chosen when drawn (never stale)."""

    lines: reactive[tuple[str, ...]] = reactive(())

    def render(self) -> Text:
        height = max(1, self.size.height)
        return Text("\n".join(self.lines[-height:]), no_wrap=True, overflow="ellipsis")


class RunToolWindow(Vertical):
    """The resource strip, the runs, and the chosen run's last lines of output."""

    def compose(self) -> ComposeResult:
        yield Static("", id="resources")
        yield RunsTable(id="runs")
        yield LogTailView(id="run-log")

    def show(self, views: list[RunView], numbers: dict[str, str], resources: Resources) -> None:
        """``numbers``: question id -> ``Q1``..``Q5``, as the Exam window numbers them."""
        set_text(self.query_one("#resources", Static), resources_text(resources))
        table = self.query_one(RunsTable)
        table.show(views, numbers)
        selected = table.selected_run()
        chosen = next((v for v in views if v.record.id == selected), None)
        log_view = self.query_one(LogTailView)
        if chosen is None:
            log_view.lines = ("No runs yet: r starts the selected question's starter file.",)
        else:
            log_view.lines = tuple(chosen.tail) or (f"(no output yet: {chosen.record.log_path})",)

    def selected_run(self) -> int | None:
        return self.query_one(RunsTable).selected_run()
