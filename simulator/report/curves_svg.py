"""The candidate's curves beside the reference's: one chart per figure (the loss, the question's
metric) and side, training in blue and validation in orange, as the runs table draws them.

The two charts of a pair share their value axis (and its log scale, where the values span more
than a factor of 100), so that the same height means the same value on both sides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simulator.report.markup import num, tag, text
from simulator.report.svg import LOSS_COLOUR, VAL_LOSS_COLOUR, svg, text_width
from simulator.training.epochs import wants_log_scale

Curves = Sequence[dict[str, float]]

WIDTH = 460.0
HEIGHT = 190.0
LEFT = 58.0
RIGHT = 12.0
TOP = 26.0
BOTTOM = 34.0
FONT = 12.0
INK = "#1f2328"
MUTED = "#57606a"
GRID = "#e3e7eb"


def figure_names(metric: str, *sides: Curves | None) -> list[str]:
    """What to draw: the loss, and the question's metric where either side logged it (else the
    first other figure both sides logged)."""
    logged = [set().union(*(e.keys() for e in side)) for side in sides if side]
    if not logged:
        return []
    every = set().union(*logged)
    names = ["loss"] if "loss" in every else []
    if metric in every:
        names.append(metric)
    else:
        shared = set.intersection(*logged) - {"epoch", "loss", "learning_rate", "lr"}
        others = sorted(n for n in shared if not n.startswith("val_"))
        names += others[:1]
    return names


def value_range(name: str, *sides: Curves | None) -> tuple[float, float, bool]:
    """The shared value axis of ``name`` (training and validation) over both sides."""
    values = [
        v
        for side in sides
        if side
        for epoch in side
        for key in (name, f"val_{name}")
        if (v := epoch.get(key)) is not None
    ]
    if not values:
        return 0.0, 1.0, False
    log = wants_log_scale(values)
    scaled = [math.log10(v) for v in values] if log else values
    return min(scaled), max(scaled), log


def curve_chart(
    heading: str, name: str, curves: Curves, value_axis: tuple[float, float, bool]
) -> str:
    """One chart: ``name`` and ``val_name`` per epoch of ``curves``."""
    low, high, log = value_axis
    if high <= low:
        low, high = low - 0.5, high + 0.5
    epochs = [int(e["epoch"]) for e in curves if "epoch" in e]
    first, last = (min(epochs), max(epochs)) if epochs else (1, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(epoch: float) -> float:
        return LEFT + plot_w * ((epoch - first) / (last - first) if last > first else 0.5)

    def y(value: float) -> float:
        v = math.log10(value) if log else value
        return TOP + plot_h * (1 - (v - low) / (high - low))

    out = [
        tag("text", text(heading), x=4.0, y=16.0, class_="curve-title", fill=INK),
        tag("rect", x=LEFT, y=TOP, width=plot_w, height=plot_h, fill="none", stroke=GRID),
    ]
    for value in (low, (low + high) / 2, high):
        shown = 10**value if log else value
        out.append(tag("line", x1=LEFT, x2=LEFT + plot_w, y1=y(shown), y2=y(shown), stroke=GRID))
        out.append(tag("text", text(f"{shown:.3g}"), x=LEFT - 4, y=y(shown) + 4,
                       text_anchor="end", fill=MUTED, class_="tick"))  # fmt: skip
    for epoch in sorted({first, last, (first + last) // 2}):
        out.append(tag("text", text(str(epoch)), x=x(epoch), y=TOP + plot_h + 14,
                       text_anchor="middle", fill=MUTED, class_="tick"))  # fmt: skip
    axis = f"epoch · {name}" + (" (log scale)" if log else "")
    out.append(tag("text", text(axis), x=LEFT + plot_w / 2, y=HEIGHT - 4,
                   text_anchor="middle", fill=MUTED, class_="axis-name"))  # fmt: skip
    drawn = []
    for key, colour in ((name, LOSS_COLOUR), (f"val_{name}", VAL_LOSS_COLOUR)):
        points = [(e["epoch"], e[key]) for e in curves if key in e and "epoch" in e]
        if log:
            points = [(ep, v) for ep, v in points if v > 0]
        if not points:
            continue
        drawn.append((key, colour))
        if len(points) == 1:
            out.append(tag("circle", cx=x(points[0][0]), cy=y(points[0][1]), r=2.5, fill=colour))
        else:
            out.append(tag("polyline", points=" ".join(f"{num(x(e))},{num(y(v))}" for e, v in points),
                           fill="none", stroke=colour, stroke_width=1.8, class_=key))  # fmt: skip
    legend_x = WIDTH - RIGHT
    for key, colour in reversed(drawn):
        label_w = text_width(key, FONT)
        out.append(tag("text", text(key), x=legend_x, y=16.0, text_anchor="end", fill=INK,
                       class_="legend-label"))  # fmt: skip
        out.append(tag("line", x1=legend_x - label_w - 24, x2=legend_x - label_w - 8,
                       y1=12.0, y2=12.0, stroke=colour, stroke_width=2.5))  # fmt: skip
        legend_x -= label_w + 36
    label = f"{heading}: {name} per epoch, epochs {first}-{last}"
    return svg(out, WIDTH, HEIGHT, label, "chart curves")
