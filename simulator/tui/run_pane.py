"""One run's tab in the Run tool window: what it is, its charts and its whole log.

Like a tab of PyCharm's Run window: the run's whole output, scrollable, following new output
unless the candidate scrolled up to read, and a progress bar redrawn with ``\\r`` shown as the
one line a terminal would show. Beside it, the loss and the question's metric per epoch (with
another run of the same question to compare with). The log is read from the run's log file as it
grows (:class:`LogFollower`), a bounded amount per tick, so a run that prints 10,000 lines a
second never holds the screen up.
"""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widgets import Log, Static

from simulator.exam.durations import format_duration
from simulator.training.epochs import device_label
from simulator.training.logtail import LogFollower, LogUpdate
from simulator.training.runs import RunView, exit_label, script_text
from simulator.tui.formatting import format_number
from simulator.tui.status_bar import set_text

#: A backlog larger than this is read in a thread (about 3,000 lines of Keras output).
BACKGROUND_READ_BYTES = 256 * 1024
#: Lines of a run's log kept on screen; older ones stay in the log file (the header says so).
MAX_LOG_LINES = 200_000
STATE_STYLES = {"running": "cyan", "finished": "green", "failed": "bold red", "stopped": "yellow"}


def epoch_text(view: RunView) -> str:
    """``25/200``: the epoch reached of the epochs asked for, whole."""
    epoch, epochs = view.progress.epoch, view.progress.epochs
    if not epoch:  # Keras counts from 1: none finished or started yet
        return ""
    return f"{epoch}/{epochs}" if epochs else str(epoch)


def device_text(view: RunView) -> str:
    """``GPU:0`` or ``CPU`` for what the training saw; empty when tfexam could not tell (the
    report's wording: :func:`device_label`)."""
    return device_label(view.devices) or ""


def state_text(view: RunView) -> Text:
    """``running``, ``exit 0``, ``exit 1``, ``stopped``, ``SIGKILL``: how the run stands or ended."""
    record = view.record
    style = STATE_STYLES.get(record.state, "")
    if record.state == "running":
        return Text("running", style=style)
    if record.state == "stopped":
        return Text("stopped", style=style)
    code = record.exit_code
    if code is None:
        return Text(record.state, style=style)
    return Text(f"exit {code}" if code >= 0 else exit_label(code), style=style)


def tab_label(view: RunView, numbers: dict[str, str]) -> Text:
    """A run's tab: ``Q2 #3 running`` / ``Q2 #1 exit 0`` / ``Q3 #2 SIGKILL``."""
    record = view.record
    return Text.assemble(
        f"{numbers.get(record.question_id, '?')} #{record.number} ", state_text(view)
    )


def header_text(view: RunView, numbers: dict[str, str], other: RunView | None) -> Text:
    """The line above a run's charts and log: its state, time, epoch, device and what it is
    compared with."""
    record = view.record
    text = Text.assemble(
        (f"{numbers.get(record.question_id, '?')} run #{record.number} ", "bold"),
        state_text(view),
        f" · {format_duration(view.elapsed_s)}",
    )
    epoch = epoch_text(view)
    if epoch:
        text.append(f" · epoch {epoch}")
    loss = view.progress.metrics.get("loss")
    if loss is not None:
        text.append(f" · loss {format_number(loss)}")
    device = device_text(view)
    if device:
        text.append(f" · {device}", style="magenta" if device != "CPU" else "dim")
    if other is not None:
        text.append(f" · compared with #{other.record.number} (c: another)", style="dim")
    text.append(f" · {script_text(record.command)}", style="dim")
    return text


def empty_chart_text(view: RunView) -> Text:
    """Why a run has no chart: no epoch finished (yet), or nothing recorded its epochs (a script
    run outside tfexam's Python, or one that never called ``fit()``)."""
    if view.progress.epoch:
        return Text("epochs read from the output only: no per-epoch record to draw", style="dim")
    if view.record.state == "running":
        return Text("no epoch finished yet", style="dim")
    if view.devices is not None:  # the hook saw fit() begin
        return Text("no epoch finished", style="dim")
    return Text("no epochs recorded (fit() never ran)", style="dim")


#: Up to this many lines written at once, the log's width is measured at once (microseconds);
#: a larger batch (a flood, a backlog) is measured in a thread, as Textual's ``Log`` does.
MEASURE_INLINE_LINES = 100


class LogLines(Log):
    """Textual's ``Log``, where a line wider than the window ends in "…" at its right edge
    instead of being cut mid-number (it scrolls sideways to read the rest), and new lines cost
    only their own drawing.

    Textual's ``Log`` declares its virtual size (its lines and widest line) a layout reactive
    and measures each write's width in a thread worker: every line a run printed laid the whole
    screen out again (about 170 widgets; 3-4 % of a core with a run's tab on show and one line a
    second, against issue 27's idle budget of 0.5 %). The log's place on screen never depends
    on how much it holds, so here a new virtual size updates only the log's scrollbars and
    scroll limits (:meth:`watch_virtual_size`); a scrollbar that appears still lays it out."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)

    def _update_size(self, updates: int, lines: list[str]) -> None:  # type: ignore[override]
        if len(lines) > MEASURE_INLINE_LINES:
            super()._update_size(updates, lines)  # a thread worker
        elif lines:
            width = max(cell_len(self._process_line(line)) for line in lines)
            self._update_maximum_width(updates, width)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        index = self.scroll_offset.y + y
        lines = self.lines
        width = self.scrollable_content_region.width
        if index >= len(lines) or width < 2:
            return strip
        if cell_len(lines[index].expandtabs()) > self.scroll_offset.x + width:
            cut = strip.crop(0, width - 1)
            segments = list(cut)
            style = segments[-1].style if segments else None
            return Strip.join([cut, Strip([Segment("…", style)], 1)])
        return strip


class RunLog(Vertical):
    """A run's whole log: finished lines in Textual's ``Log`` (it follows new lines only while
    scrolled to the end), and the line being redrawn below it, as a terminal shows it."""

    def __init__(self, log_path: Path, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="run-log")
        self.follower = LogFollower(log_path)
        self.lines_dropped = 0
        self._reading = False
        # Kept at hand: the tab on show catches up with the file every second.
        self._lines = LogLines(max_lines=MAX_LOG_LINES, classes="run-log-lines")
        self._live = Static("", classes="live-line")

    def compose(self) -> ComposeResult:
        yield self._lines
        yield self._live

    def catch_up(self) -> None:
        """Show what the log file added since the last call: at most one read's worth (the rest
        comes with the next tick), and a large backlog (a finished run's tab opened for the first
        time) is read in a thread, so switching to the tab is never held up by the file."""
        if self._reading:
            return
        try:
            backlog = self.follower.path.stat().st_size - self.follower.offset
        except OSError:
            backlog = 0
        if backlog > BACKGROUND_READ_BYTES:
            self._reading = True
            self._live.display = True
            set_text(self._live,
                     Text(f"reading the log ({backlog / 2**20:.1f} MB)…", style="dim"))  # fmt: skip
            self.run_worker(self._read_in_background, thread=True, exit_on_error=False)
            return
        self._show(self.follower.read())

    def _read_in_background(self) -> None:
        update = self.follower.read()
        self.app.call_from_thread(self._show, update)

    def _show(self, update: LogUpdate) -> None:
        self._reading = False
        if not self.is_attached or not self.is_running:
            return  # the tab (or the app) closed while the log was read
        log = self._lines
        if update.lines:
            before = log.line_count + len(update.lines)
            log.write_lines(update.lines)
            self.lines_dropped += max(0, before - log.line_count)
        live = self._live
        live.display = bool(update.current)
        set_text(live, Text(update.current, no_wrap=True, overflow="ellipsis"))


class RunPane(Vertical):
    """The content of one run's tab."""

    def __init__(self, view: RunView, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="run-pane")
        self.run_id = view.record.id
        self.log_path = view.record.log_path

    def compose(self) -> ComposeResult:
        # plotext is imported with the first run's tab, not before the exam screen's first frame.
        from simulator.tui.run_chart import EpochChart

        # Kept at hand: the tab on show is brought up to date every second.
        self._header = Static("", classes="run-header")
        self._note = Static("", classes="chart-note")
        self._legend = Static("", classes="legend")
        self._chart_row = Horizontal(classes="chart-row")
        self._loss_chart = EpochChart(classes="chart-box loss-chart")
        self._metric_chart = EpochChart(classes="chart-box metric-chart")
        self._log = RunLog(self.log_path)
        yield self._header
        with Horizontal(classes="run-body"):
            with Vertical(classes="run-charts"):
                yield self._note
                yield self._legend
                with self._chart_row:
                    yield self._loss_chart
                    yield self._metric_chart
            yield self._log

    def show(
        self,
        view: RunView,
        other: RunView | None,
        numbers: dict[str, str],
        preferred_metric: str | None,
    ) -> None:
        if not self.children:  # the tab was added and is not put together yet
            return
        header = header_text(view, numbers, other)
        log = self._log
        log.catch_up()
        if log.lines_dropped:
            header.append(
                f" · the first {log.lines_dropped} lines are in {self.log_path}", style="yellow"
            )
        set_text(self._header, header)
        from simulator.tui.run_chart import chart_series, legend

        loss, metric = chart_series(view, other, preferred_metric)
        note = self._note
        note.display = loss.empty
        self._legend.display = not loss.empty
        self._chart_row.display = not loss.empty
        if loss.empty:
            set_text(note, empty_chart_text(view))
            return
        set_text(self._legend, legend(loss))
        self._loss_chart.show(loss)
        metric_chart = self._metric_chart
        metric_chart.set_class(metric is None or metric.empty, "-empty")
        if metric is not None and not metric.empty:
            metric_chart.show(metric)
