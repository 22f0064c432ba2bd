"""The Run tool window: every training run with its progress, CPU and memory, the chosen run's
loss per epoch next to the other run of the same question, and its log tail.

Like PyCharm's Run window, plus what a candidate juggling several trainings needs: how many
share the cores, whether memory is about to run out, and which run is which question's.
"""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from simulator.durations import format_duration
from simulator.training.epochs import EpochFigures
from simulator.training.resources import Resources
from simulator.training.runs import RunView, exit_label
from simulator.tui.fitted_table import Cell, ColumnSpec, FittedTable
from simulator.tui.formatting import format_number
from simulator.tui.status_bar import set_text

#: The progress bar's widest and narrowest (it gives way first when the window is narrow).
BAR_WIDTH = 10
BAR_MIN_WIDTH = 3
#: Significant room for a loss value: 4 significant digits in any notation (``5.798e-9``).
LOSS_WIDTH = 8
STATE_STYLES = {"running": "cyan", "finished": "green", "failed": "bold red", "stopped": "yellow"}


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


def epoch_text(view: RunView) -> str:
    """``25/200``: the epoch reached of the epochs asked for, whole."""
    epoch, epochs = view.progress.epoch, view.progress.epochs
    if epoch is None:
        return ""
    return f"{epoch}/{epochs}" if epochs else str(epoch)


def resources_text(resources: Resources) -> Text:
    text = Text(resources.label(), style="dim")
    for warning in resources.warnings():
        text.append("  ⚠ " + warning, style="bold yellow")
    return text


class RunsTable(FittedTable):
    """One row per run, newest first."""

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
            exit_label(record.exit_code),
        ]


def curve_name(figures: tuple[EpochFigures, ...]) -> str:
    """The figure the chart draws: the validation loss where the run has one, else the loss."""
    names = set(figures[-1].logs) if figures else set()
    return "val_loss" if "val_loss" in names else "loss"


def device_text(view: RunView) -> str:
    """``GPU:0`` or ``CPU`` for what the training saw; empty when tfexam could not tell."""
    if view.devices is None:
        return ""
    return ", ".join(view.devices) if view.devices else "CPU"


def curve_label(view: RunView, numbers: dict[str, str]) -> Text:
    """``Run 2 Q4 GPU:0 val_loss 0.69 → 0.41 (best 0.40) · 12/30 epochs``, or why there is no
    curve; the device is what the training saw (a GPU build of TensorFlow, a visible GPU)."""
    record = view.record
    device = device_text(view)
    head = Text(f"Run {record.number} {numbers.get(record.question_id, '?')} ", style="bold")
    if device:
        head.append(f"{device} ", style="magenta" if device != "CPU" else "dim")
    figures = view.epochs
    if not figures:
        progress = view.progress
        loss = progress.metrics.get("loss")
        if progress.epoch is not None:  # read from the output: no per-epoch record to draw
            reached = Text(
                f"epoch {epoch_text(view)}"
                + (f" · loss {format_number(loss)}" if loss is not None else "")
            )
            return head + reached + Text(" · no per-epoch record to draw", style="dim")
        said = "no epochs yet" if record.state == "running" else "no epochs (fit() never ran)"
        return head + Text(said, style="dim")
    name = curve_name(figures)
    values = [f.logs[name] for f in figures if name in f.logs]
    if not values:
        return head + Text("no loss recorded", style="dim")
    best = min(values)
    epochs = figures[-1].epochs
    done = f"{figures[-1].epoch}/{epochs}" if epochs else str(figures[-1].epoch)
    return head + Text(
        f"{name} {format_number(values[0])} → {format_number(values[-1])} "
        f"(best {format_number(best)}) · {done} epochs"
    )


def curve_values(view: RunView) -> list[float]:
    """The chart's heights: the loss on a log scale (a loss falls by orders of magnitude, and
    on a linear scale every epoch after the first few would look the same)."""
    name = curve_name(view.epochs)
    values = [f.logs[name] for f in view.epochs if name in f.logs]
    if values and min(values) > 0:
        return [math.log10(v) for v in values]
    return values


def rival(views: list[RunView], chosen: RunView) -> RunView | None:
    """The newest other run of the same question: the one to compare the chosen run with."""
    return next(
        (v for v in views if v.record.question_id == chosen.record.question_id
         and v.record.id != chosen.record.id),
        None,
    )  # fmt: skip


class CurveRow(Horizontal):
    """One run's loss per epoch: a label and Textual's sparkline (low is good: green)."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="curve-label")
        yield Sparkline([], summary_function=max, classes="curve")

    def show(self, view: RunView | None, numbers: dict[str, str]) -> None:
        self.display = view is not None
        if view is None:
            return
        set_text(self.query_one(".curve-label", Static), curve_label(view, numbers))
        values = curve_values(view)
        sparkline = self.query_one(Sparkline)
        sparkline.display = bool(values)
        if list(sparkline.data or []) != values:
            sparkline.data = values


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
        yield CurveRow(id="curve")
        yield CurveRow(id="rival-curve")
        yield LogTailView(id="run-log")

    def show(self, views: list[RunView], numbers: dict[str, str], resources: Resources) -> None:
        """``numbers``: question id -> ``Q1``..``Q5``, as the Exam window numbers them."""
        set_text(self.query_one("#resources", Static), resources_text(resources))
        table = self.query_one(RunsTable)
        table.show(views, numbers)
        selected = table.selected_run()
        chosen = next((v for v in views if v.record.id == selected), None)
        self.query_one("#curve", CurveRow).show(chosen, numbers)
        self.query_one("#rival-curve", CurveRow).show(
            rival(views, chosen) if chosen is not None else None, numbers
        )
        log_view = self.query_one(LogTailView)
        if chosen is None:
            log_view.lines = ("No runs yet: r starts the selected question's starter file.",)
        else:
            log_view.lines = tuple(chosen.tail) or (f"(no output yet: {chosen.record.log_path})",)

    def selected_run(self) -> int | None:
        return self.query_one(RunsTable).selected_run()
