"""A run's figures per epoch as charts: the loss and the question's metric, training and
validation, with another run of the same question drawn beside them to see which is ahead.

The figures are the ones the run hook records after every epoch
(:mod:`simulator.training.epochs`), so a ``verbose=0`` training is drawn too. The charts are
``textual-plotext`` widgets (plotext inside Textual): axes, ticks and lines that follow the
window's size, drawn again only when a figure changed. What to draw is worked out here without
any widget (:func:`chart_series`), so it is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual_plotext import PlotextPlot

from simulator.training.epochs import EpochFigures, wants_log_scale
from simulator.training.runs import RunView
from simulator.tui.formatting import format_number

#: Keras' logs that are not a metric of the model (drawn nowhere).
NOT_METRICS = frozenset({"loss", "learning_rate", "lr"})
#: plotext's colour and the Rich style that matches it in the legend.
THIS_RUN = ("cyan", "cyan")
THIS_RUN_VALIDATION = ("orange", "dark_orange")
OTHER_RUN = ("gray", "grey50")
OTHER_RUN_VALIDATION = ("magenta", "magenta")


@dataclass(frozen=True)
class ChartSeries:
    """One line of a chart: its legend label, its epochs and values, its colour."""

    label: str
    epochs: tuple[int, ...]
    values: tuple[float, ...]
    color: str
    legend_style: str


@dataclass(frozen=True)
class Chart:
    """One chart: the figure's name (its title), its lines, and whether the y axis is log."""

    title: str
    series: tuple[ChartSeries, ...]
    log_scale: bool = False

    @property
    def empty(self) -> bool:
        return not any(s.values for s in self.series)


def metric_name(figures: tuple[EpochFigures, ...], preferred: str | None = None) -> str | None:
    """The metric to chart beside the loss: the question's own where the run logs it (Keras
    names ``mae`` either ``mae`` or ``mean_absolute_error``), else the first metric it logs."""
    if not figures:
        return None
    names = [n for n in figures[-1].logs if not n.startswith("val_") and n not in NOT_METRICS]
    if preferred is not None:
        wanted = {preferred, *_ALIASES.get(preferred, ())}
        for name in names:
            if name in wanted:
                return name
    return names[0] if names else None


_ALIASES = {
    "mae": ("mean_absolute_error",),
    "mse": ("mean_squared_error",),
    "accuracy": ("acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy"),
}


def _series(
    figures: tuple[EpochFigures, ...], name: str, label: str, colors: tuple[str, str]
) -> ChartSeries | None:
    points = [(f.epoch, f.logs[name]) for f in figures if name in f.logs]
    if not points:
        return None
    return ChartSeries(
        label,
        tuple(epoch for epoch, _ in points),
        tuple(value for _, value in points),
        colors[0],
        colors[1],
    )


def _chart(view: RunView, other: RunView | None, name: str, log_allowed: bool) -> Chart:
    """``name`` and ``val_<name>`` of the run, and the same of the other run."""
    series: list[ChartSeries] = []
    for run, (train, valid), prefix in (
        (view, (THIS_RUN, THIS_RUN_VALIDATION), ""),
        (other, (OTHER_RUN, OTHER_RUN_VALIDATION), "#"),
    ):
        if run is None:
            continue
        tag = f"#{run.record.number} " if prefix else ""
        for key, colors in ((name, train), (f"val_{name}", valid)):
            line = _series(run.epochs, key, f"{tag}{key}", colors)
            if line is not None:
                series.append(line)
    values = [v for s in series for v in s.values]
    log_scale = log_allowed and wants_log_scale(values)
    return Chart(name, tuple(series), log_scale)


def chart_series(
    view: RunView, other: RunView | None, preferred_metric: str | None = None
) -> tuple[Chart, Chart | None]:
    """The loss chart and the metric chart (None when the run logs no metric) of ``view``,
    with ``other`` (another run of the same question) drawn in grey beside it."""
    loss = _chart(view, other, "loss", log_allowed=True)
    metric = metric_name(view.epochs, preferred_metric)
    if metric is None:
        return loss, None
    return loss, _chart(view, other, metric, log_allowed=False)


def legend(chart: Chart) -> Text:
    """``━ train ━ val ━ #1 train ━ #1 val``: what each colour is, the same in both charts (the
    run's training and validation figures, then the compared run's)."""
    text = Text()
    for series in chart.series:
        run, _, figure = series.label.rpartition(" ")
        if text:
            text.append("  ")
        text.append("━ ", style=series.legend_style)
        text.append(f"{run} {'val' if figure.startswith('val_') else 'train'}".strip())
    return text


def chart_title(chart: Chart) -> str:
    """``loss 0.265 · val 0.295``: the figure and the run's last values (the legend says which
    line is which)."""
    own = [s for s in chart.series if not s.label.startswith("#")]
    parts = [chart.title]
    for series in own:
        name = "val" if series.label.startswith("val_") else ""
        parts.append(f"{name} {format_number(series.values[-1])}".strip())
    return " · ".join([" ".join(parts[:2]), *parts[2:]]) if len(parts) > 1 else parts[0]


class EpochChart(PlotextPlot):
    """One :class:`Chart`, drawn again only when it changed (plotext redraws whole charts)."""

    DEFAULT_CSS = """
    EpochChart {
        width: 1fr;
        height: 1fr;
        min-height: 4;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.chart: Chart | None = None

    def show(self, chart: Chart, title: str | None = None) -> None:
        """Draw ``chart`` under ``title`` (default: the figure and the run's last values)."""
        if chart == self.chart:
            return
        self.chart = chart
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(chart_title(chart) if title is None else title)
        epochs = sorted({e for s in chart.series for e in s.epochs})
        for series in chart.series:
            plt.plot(series.epochs, series.values, color=series.color, marker="braille")
        if epochs:
            plt.xticks(
                [float(tick) for tick in epoch_ticks(epochs)],
                [str(t) for t in epoch_ticks(epochs)],
            )
        plt.yscale("log" if chart.log_scale else "linear")
        self.refresh()


def epoch_ticks(epochs: list[int], most: int = 6) -> list[int]:
    """Whole epochs for the x axis, at most ``most`` of them, first and last included."""
    first, last = epochs[0], epochs[-1]
    if last - first + 1 <= most:
        return list(range(first, last + 1))
    step = max(1, round((last - first) / (most - 1)))
    ticks = list(range(first, last, step))
    if last - ticks[-1] < step / 2:
        ticks[-1] = last
    else:
        ticks.append(last)
    return ticks
