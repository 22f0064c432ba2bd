"""The report's charts as inline SVG, written with the markup builders of :mod:`markup`.

Every attribute value and text is escaped, so the charts are well-formed XML too. Charts are
drawn in their own units (1000 wide) and shown at the page's width; the timeline and the
CPU/memory chart share one time axis, so they line up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from simulator.exam.durations import format_duration
from simulator.exam.metrics import score_label
from simulator.report.charts import Bar, Lane, Mark, timeline_lanes
from simulator.report.markup import (
    SCORE_COLOURS,
    SCORE_INK,
    num,
    score_index,
    tag,
    text,
    title,
)
from simulator.report.records import SAMPLE_SPAN_S, QuestionEntry, Report, RunEntry, Sample
from simulator.training.epochs import wants_log_scale

#: Bar colours by the run's state (the blues never mean a score), and the grading jobs.
RUN_COLOURS = {
    "run-finished": "#4f7fc9",
    "run-running": "#93b4e6",
    "run-stopped": "#a0a4ab",
    "run-failed": "#d0453c",
}
GRADING_COLOUR = "#12a39a"
MARK_COLOURS = {
    "not-gradable": "#e07b00",
    "rejected": "#b3261e",
    "time-warning": "#d98e04",
    "deadline": "#b3261e",
    "end": "#1f2328",
    "submit": "#1f2328",
    "resumed": "#12a39a",
    "crash": "#b3261e",
    "detached": "#8a8f98",
}
#: Share of time with 0, 1, 2, 3+ trainings running.
SHARE_COLOURS = {"0": "#e3e6ea", "1": "#b7cdee", "2": "#6f95d6", "3+": "#2c4f8c"}
#: Different from every bar colour, so that a screenshot tells the charts apart by colour.
CPU_COLOUR = "#2b6cb0"
MEMORY_COLOUR = "#8e5bb5"

# Chart geometry, in the SVG's own units (shown at the page's width, about 1000 px on screen).
WIDTH = 1000.0
LABEL_W = 200.0
RIGHT_W = 52.0
PLOT_X = LABEL_W
PLOT_W = WIDTH - LABEL_W - RIGHT_W
PAD = 5.0
MARK_ROW = 18.0
RUN_ROW = 10.0
GRADE_ROW = 8.0
SESSION_LANE = 36.0
#: Marks of the session lane closer than this are drawn on two levels (a crash and the resume).
COLLIDE_X = 12.0
AXIS_H = 22.0
FONT = 12.0
#: At most this many points per line of the resources chart (averaged when there are more).
MAX_POINTS = 600
#: The most rows of overlapping runs drawn in one lane (further ones share the last row).
MAX_RUN_ROWS = 4


class _Scale:
    """Seconds since the start to x in the plot area."""

    def __init__(self, span: float) -> None:
        self.span = max(span, 1.0)

    def x(self, seconds: float) -> float:
        return PLOT_X + max(0.0, min(seconds, self.span)) / self.span * PLOT_W


def _axis_span(report: Report, lanes: list[Lane]) -> float:
    latest = [report.summary.duration_s, report.summary.time_used_s]
    for lane in lanes:
        latest += [b.end_s for b in lane.bars] + [m.at_s for m in lane.marks]
    return max(latest)


def _pack(bars: list[Bar]) -> list[tuple[Bar, int]]:
    """Each run bar with the row it is drawn in, so that overlapping runs do not hide each other."""
    ends: list[float] = []
    placed = []
    for bar in sorted(bars, key=lambda b: (b.start_s, b.end_s)):
        row = next((i for i, end in enumerate(ends) if end <= bar.start_s), len(ends))
        row = min(row, MAX_RUN_ROWS - 1)
        if row == len(ends):
            ends.append(bar.end_s)
        else:
            ends[row] = max(ends[row], bar.end_s)
        placed.append((bar, row))
    return placed


def timeline_svg(report: Report, lanes: list[Lane] | None = None) -> str:
    """The Gantt chart: a lane per question (runs, grading jobs, scores) and the session's lane."""
    lanes = timeline_lanes(report) if lanes is None else lanes
    scale = _Scale(_axis_span(report, lanes))
    heights = []
    for lane in lanes[:-1]:
        runs = [b for b in lane.bars if b.kind != "grading"]
        rows = 1 + max((row for _, row in _pack(runs)), default=0)
        heights.append(PAD + MARK_ROW + rows * RUN_ROW + GRADE_ROW + PAD)
    heights.append(SESSION_LANE)
    plot_h = sum(heights)
    top = 6.0
    out: list[str] = []
    # Background: stripes, time after the end, the hour grid.
    y = top
    for i, h in enumerate(heights):
        if i % 2 == 0:
            out.append(tag("rect", x=0.0, y=y, width=WIDTH, height=h, fill="#f5f7f9"))
        y += h
    used = report.summary.time_used_s
    if used < scale.span:
        x0 = scale.x(used)
        label = "not used" if report.summary.ended_how != "running" else "still to come"
        out.append(
            tag(
                "rect",
                title(f"{label}: {format_duration(scale.span - used)}"),
                x=x0,
                y=top,
                width=PLOT_X + PLOT_W - x0,
                height=plot_h,
                fill="#e9ebee",
                opacity="0.7",
                class_="unused",
            )
        )
    axis_y = top + plot_h
    out += _axis(scale, top, axis_y)
    # Lanes.
    y = top
    # timeline_lanes gives the questions' lanes in order, then the session's.
    owners: list[QuestionEntry | None] = [*report.questions, None]
    for lane, owner, h in zip(lanes, owners, heights, strict=True):
        out.append(_lane(lane, y, h, scale, owner, top, plot_h))
        y += h
    out.append(tag("line", x1=PLOT_X, y1=top, x2=PLOT_X, y2=axis_y, stroke="#8a8f98"))
    legend, legend_h = _legend(axis_y + AXIS_H + 6)
    out.append(legend)
    height = axis_y + AXIS_H + 6 + legend_h + 4
    return svg(out, WIDTH, height, "Timeline of the session", "chart timeline")


def _tick_step(span: float) -> float:
    for step in (10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800):
        if span / step <= 8:
            return float(step)
    return 21600.0


def _tick_label(seconds: float, step: float) -> str:
    if step < 60:
        return format_duration(seconds)
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours}:{rest // 60:02d}"


def _axis(scale: _Scale, top: float, axis_y: float, grid: bool = True) -> list[str]:
    step = _tick_step(scale.span)
    out = [tag("line", x1=PLOT_X, y1=axis_y, x2=PLOT_X + PLOT_W, y2=axis_y, stroke="#8a8f98")]
    half = step / 2
    t = 0.0
    while t <= scale.span + 1e-6:
        x = scale.x(t)
        major = abs(t / step - round(t / step)) < 1e-9
        if major and grid:
            out.append(tag("line", x1=x, y1=top, x2=x, y2=axis_y, stroke="#d5d9de", class_="grid"))
        if major:
            out.append(tag("line", x1=x, y1=axis_y, x2=x, y2=axis_y + 5, stroke="#8a8f98"))
            out.append(
                tag(
                    "text",
                    text(_tick_label(t, step)),
                    x=x,
                    y=axis_y + 17,
                    text_anchor="middle",
                    class_="tick",
                )
            )
        else:
            out.append(tag("line", x1=x, y1=axis_y, x2=x, y2=axis_y + 3, stroke="#8a8f98"))
        t += half
    out.append(
        tag(
            "text",
            text("time since the start (h:mm)" if step >= 60 else "time since the start"),
            x=8.0,
            y=axis_y + 17,
            class_="axis-name",
        )
    )
    return out


def _lane(
    lane: Lane,
    y: float,
    h: float,
    scale: _Scale,
    question: QuestionEntry | None,
    top: float,
    plot_h: float,
) -> str:
    out = [
        tag(
            "text",
            [title(lane.label), text(clip_text(lane.label, FONT, LABEL_W - 14))],
            x=8.0,
            y=y + (MARK_ROW + PAD if question else h / 2) + 4,
            class_="lane-label",
        )
    ]
    if question is not None:
        out.append(
            tag(
                "text",
                text(score_label(question.score)),
                x=WIDTH - 8,
                y=y + PAD + MARK_ROW + 4,
                text_anchor="end",
                fill=SCORE_COLOURS[score_index(question.score)],
                class_="lane-score",
            )
        )
        placed = _pack([b for b in lane.bars if b.kind != "grading"])
        rows = 1 + max((row for _, row in placed), default=0)
        for bar, row in placed:
            out.append(_bar(bar, y + PAD + MARK_ROW + row * RUN_ROW + 1, RUN_ROW - 2, scale))
        grading_y = y + PAD + MARK_ROW + rows * RUN_ROW + 2
        for bar in lane.bars:
            if bar.kind == "grading":
                out.append(_bar(bar, grading_y, GRADE_ROW - 3, scale))
        mark_y = y + PAD + MARK_ROW / 2
        for mark in lane.marks:
            out.append(_mark(mark, scale.x(mark.at_s), mark_y, top, plot_h))
    else:
        last = [-COLLIDE_X, -COLLIDE_X]
        for mark in sorted(lane.marks, key=lambda m: m.at_s):
            x = scale.x(mark.at_s)
            level = 1 if x - last[0] < COLLIDE_X and x - last[1] >= COLLIDE_X else 0
            last[level] = x
            out.append(_mark(mark, x, y + h / 2 + (7 if level else -7), top, plot_h))
    return tag("g", out, class_="lane" if question else "lane session")


def _bar(bar: Bar, y: float, h: float, scale: _Scale) -> str:
    x0, x1 = scale.x(bar.start_s), scale.x(bar.end_s)
    colour = GRADING_COLOUR if bar.kind == "grading" else RUN_COLOURS.get(bar.kind, "#8a8f98")
    state = bar.kind.removeprefix("run-")
    tip = f"{bar.label}: {state}, {format_duration(bar.start_s)}–{format_duration(bar.end_s)}"
    return tag(
        "rect",
        title(tip),
        x=x0,
        y=y,
        width=max(x1 - x0, 2.0),
        height=h,
        rx="1.5",
        fill=colour,
        class_=f"bar {bar.kind}",
    )


def _mark(mark: Mark, x: float, y: float, top: float, plot_h: float) -> str:
    tip = title(f"{format_duration(mark.at_s)} {mark.label}")
    kind = mark.kind
    if kind.startswith("score-"):
        score = score_index(int(kind.removeprefix("score-")))
        shape = [
            tag("circle", cx=x, cy=y, r="8", fill=SCORE_COLOURS[score], stroke="#fff"),
            tag(
                "text",
                str(score),
                x=x,
                y=y + 3.6,
                text_anchor="middle",
                fill=SCORE_INK[score],
                class_="digit",
            ),
        ]
    else:
        shape = _symbol(kind, x, y, MARK_COLOURS.get(kind, "#8a8f98"))
        if kind in ("deadline", "end"):
            shape.insert(
                0,
                tag(
                    "line",
                    x1=x,
                    y1=top,
                    x2=x,
                    y2=top + plot_h,
                    stroke=MARK_COLOURS[kind],
                    stroke_dasharray="4 3" if kind == "deadline" else None,
                    class_="rule",
                ),
            )
    return tag("g", [tip, *shape], class_=f"mark {kind}")


def _symbol(kind: str, x: float, y: float, colour: str) -> list[str]:
    """A small shape for a non-score mark (legend and lanes alike)."""
    if kind in ("not-gradable", "rejected"):
        a, b = (num(x - 4.5), num(y - 4.5)), (num(x + 4.5), num(y + 4.5))
        d = f"M{a[0]},{a[1]}L{b[0]},{b[1]}M{a[0]},{b[1]}L{b[0]},{a[1]}"
        return [tag("path", d=d, stroke=colour, stroke_width="2.6", stroke_linecap="round")]
    if kind == "time-warning":
        pts = f"{num(x - 6)},{num(y - 5)} {num(x + 6)},{num(y - 5)} {num(x)},{num(y + 6)}"
        return [tag("polygon", points=pts, fill=colour)]
    if kind in ("deadline", "end", "submit"):
        return [tag("rect", x=x - 5, y=y - 5, width=10.0, height=10.0, fill=colour)]
    if kind == "resumed":
        pts = f"{num(x - 4)},{num(y - 6)} {num(x + 6)},{num(y)} {num(x - 4)},{num(y + 6)}"
        return [tag("polygon", points=pts, fill=colour)]
    if kind == "crash":
        pts = (
            f"{num(x + 2)},{num(y - 8)} {num(x - 5)},{num(y + 1)} {num(x)},{num(y + 1)} "
            f"{num(x - 2)},{num(y + 8)} {num(x + 5)},{num(y - 1)} {num(x)},{num(y - 1)}"
        )
        return [tag("polygon", points=pts, fill=colour)]
    if kind == "detached":
        return [
            tag("rect", x=x - 4, y=y - 5, width=3.0, height=10.0, fill=colour),
            tag("rect", x=x + 1, y=y - 5, width=3.0, height=10.0, fill=colour),
        ]
    return [tag("circle", cx=x, cy=y, r="3.5", fill=colour)]


def _legend(y: float) -> tuple[str, float]:
    """The key, in rows that wrap at the chart's width; returns the markup and its height."""

    def swatch(colour: str, x: float, cy: float) -> list[str]:
        return [tag("rect", x=x, y=cy - 4, width=18.0, height=8.0, rx="1.5", fill=colour)]

    names = {
        "run-finished": "run finished",
        "run-running": "run running",
        "run-stopped": "run stopped",
        "run-failed": "run failed",
    }
    entries: list[tuple[str, str]] = [(k, v) for k, v in names.items()]
    entries += [
        ("grading", "grading"),
        ("scores", "score 0–5"),
        ("not-gradable", "not gradable"),
        ("rejected", "too late"),
        ("time-warning", "time warning"),
        ("deadline", "deadline"),
        ("end", "end"),
        ("resumed", "resumed"),
        ("crash", "crash"),
        ("detached", "left tfexam"),
    ]
    row_h = 18.0
    x, cy = 8.0, y + row_h / 2
    out: list[str] = []
    for kind, label in entries:
        if kind in RUN_COLOURS or kind == "grading":
            shape_w = 18.0
        elif kind == "scores":
            shape_w = 6 * 15.0
        else:
            shape_w = 12.0
        w = shape_w + 5 + text_width(label, 11) + 16
        if x + w > WIDTH and x > 8:
            x, cy = 8.0, cy + row_h
        if kind in RUN_COLOURS:
            shape = swatch(RUN_COLOURS[kind], x, cy)
        elif kind == "grading":
            shape = swatch(GRADING_COLOUR, x, cy)
        elif kind == "scores":
            shape = []
            for score, colour in enumerate(SCORE_COLOURS):
                cx = x + 6 + score * 15
                shape += [
                    tag("circle", cx=cx, cy=cy, r="6", fill=colour),
                    tag(
                        "text",
                        str(score),
                        x=cx,
                        y=cy + 3,
                        text_anchor="middle",
                        fill=SCORE_INK[score],
                        class_="digit",
                    ),
                ]
        else:
            shape = _symbol(kind, x + 6, cy, MARK_COLOURS[kind])
        out.append(
            tag(
                "g",
                [
                    *shape,
                    tag("text", text(label), x=x + shape_w + 5, y=cy + 4, class_="legend-label"),
                ],
                class_="legend-item",
            )
        )
        x += w
    return tag("g", out, class_="legend"), cy + row_h / 2 - y


def shares_svg(report: Report) -> str:
    """One bar: the share of the session with 0, 1, 2 and 3 or more trainings running."""
    out: list[str] = []
    x = PLOT_X
    height = 26.0
    out.append(
        tag(
            "text",
            text("trainings running"),
            x=PLOT_X - 8,
            y=17.0,
            text_anchor="end",
            class_="axis-name",
        )
    )
    for key, share in report.parallelism.shares.items():
        w = share * PLOT_W
        if w <= 0:
            continue
        label = next(
            (t for t in (f"{key} running: {share:.0%}", f"{key}: {share:.0%}", "")
             if text_width(t, 11) + 6 < w),
            "",
        )  # fmt: skip
        dark = key in ("2", "3+")
        out.append(
            tag(
                "g",
                [
                    title(f"{key} running: {share:.1%} of the session"),
                    tag(
                        "rect",
                        x=x,
                        y=2.0,
                        width=w,
                        height=height - 4,
                        fill=SHARE_COLOURS.get(key, "#8a8f98"),
                    ),
                    tag(
                        "text",
                        text(label),
                        x=x + w / 2,
                        y=17.0,
                        text_anchor="middle",
                        fill="#fff" if dark else "#1f2328",
                        class_="share-label",
                    )
                    if label
                    else "",
                ],
                class_=f"share share-{key.replace('+', 'plus')}",
            )
        )
        x += w
    return svg(
        out,
        WIDTH,
        height,
        "Share of the session with 0, 1, 2, 3+ trainings running",
        "chart shares",
    )


def _series(
    samples: list[Sample], value: str, span: float, max_points: int = MAX_POINTS
) -> list[list[tuple[float, float]]]:
    """(time, value) lines, averaged into at most ``max_points`` buckets and cut where no
    samples were taken (tfexam was closed)."""
    points = [(s.at_s, float(getattr(s, value))) for s in samples]
    width = 0.0
    if len(points) > max_points:
        width = max(span, 1.0) / max_points
        buckets: dict[int, list[tuple[float, float]]] = {}
        for at, v in points:
            buckets.setdefault(int(at / width), []).append((at, v))
        points = [
            (sum(a for a, _ in group) / len(group), sum(v for _, v in group) / len(group))
            for _, group in sorted(buckets.items())
        ]
    limit = max(4 * SAMPLE_SPAN_S, 2.5 * width)
    lines: list[list[tuple[float, float]]] = []
    for at, v in points:
        if lines and at - lines[-1][-1][0] <= limit:
            lines[-1].append((at, v))
        else:
            lines.append([(at, v)])
    return lines


def _area(
    lines: list[list[tuple[float, float]]],
    scale: _Scale,
    y0: float,
    h: float,
    top: float,
    colour: str,
    kind: str,
) -> list[str]:
    out = []
    for line in lines:
        if len(line) == 1:
            line = [
                (line[0][0] - SAMPLE_SPAN_S / 2, line[0][1]),
                (line[0][0] + SAMPLE_SPAN_S / 2, line[0][1]),
            ]
        coords = [(scale.x(at), y0 - min(max(v / top, 0.0), 1.0) * h) for at, v in line]
        path = " ".join(f"{num(x)},{num(y)}" for x, y in coords)
        base_l, base_r = num(coords[0][0]), num(coords[-1][0])
        out.append(
            tag(
                "path",
                d=f"M{base_l},{num(y0)} L{path} L{base_r},{num(y0)} Z",
                fill=colour,
                fill_opacity="0.28",
                class_=f"area {kind}",
            )
        )
        out.append(
            tag(
                "path",
                d=f"M{path}",
                fill="none",
                stroke=colour,
                stroke_width="1.4",
                stroke_linejoin="round",
                class_=f"line {kind}",
            )
        )
    return out


def resources_svg(report: Report) -> str:
    """CPU % and memory used over the session, on the timeline's time axis."""
    samples = report.samples
    span = _axis_span(report, timeline_lanes(report))
    scale = _Scale(span)
    total = max((s.memory_total_mb for s in samples), default=1.0) or 1.0
    panel_h, gap, top = 90.0, 18.0, 8.0
    out: list[str] = []
    panels = [
        ("cpu", "CPU", "cpu_percent", 100.0, CPU_COLOUR, ["0%", "50%", "100%"]),
        (
            "memory",
            "Memory",
            "memory_used_mb",
            total,
            MEMORY_COLOUR,
            ["0", f"{total / 2048:.1f} GB", f"{total / 1024:.1f} GB"],
        ),
    ]
    y = top
    for kind, name, field, ceiling, colour, ticks in panels:
        base = y + panel_h
        out.append(
            tag(
                "rect",
                x=PLOT_X,
                y=y,
                width=PLOT_W,
                height=panel_h,
                fill="#f8f9fb",
                stroke="#d5d9de",
            )
        )
        for i, label in enumerate(ticks):
            ty = base - i * panel_h / 2
            if i > 0:
                out.append(
                    tag(
                        "line",
                        x1=PLOT_X,
                        y1=ty,
                        x2=PLOT_X + PLOT_W,
                        y2=ty,
                        stroke="#e1e4e8",
                        class_="grid",
                    )
                )
            out.append(
                tag("text", text(label), x=PLOT_X - 6, y=ty + 4, text_anchor="end", class_="tick")
            )
        out.append(tag("text", text(name), x=8.0, y=y + panel_h / 2 + 4, class_="lane-label"))
        out += _area(_series(samples, field, span), scale, base, panel_h, ceiling, colour, kind)
        y = base + gap
    axis_y = y - gap
    out += _axis(scale, top, axis_y, grid=False)  # the panels draw their own grid
    return svg(
        out, WIDTH, axis_y + AXIS_H + 4, "CPU and memory over the session", "chart resources"
    )


# A run's loss per epoch -----------------------------------------------------------------------

LOSS_COLOUR = "#2b6cb0"
VAL_LOSS_COLOUR = "#d9572b"
CURVE_W = 160.0
CURVE_H = 36.0


def loss_curve_svg(run: RunEntry) -> str:
    """A small chart of a run's loss per epoch (blue) and validation loss (orange), for the
    report's table of training runs; empty when nothing recorded the epochs."""
    series = [
        (colour, [(e.epoch, value) for e in run.losses if (value := getattr(e, name)) is not None])
        for name, colour in (("loss", LOSS_COLOUR), ("val_loss", VAL_LOSS_COLOUR))
    ]
    values = [v for _, points in series for _, v in points]
    epochs = [e.epoch for e in run.losses]
    if not values or not epochs:
        return ""
    log = wants_log_scale(values)
    scaled = [math.log10(v) if log else v for v in values]
    low, high = min(scaled), max(scaled)
    first, last = min(epochs), max(epochs)

    def point(epoch: int, value: float) -> str:
        y_value = math.log10(value) if log else value
        x = PAD + (CURVE_W - 2 * PAD) * ((epoch - first) / (last - first) if last > first else 0.5)
        y = PAD + (CURVE_H - 2 * PAD) * (
            1 - ((y_value - low) / (high - low) if high > low else 0.5)
        )
        return f"{num(x)},{num(y)}"

    lines = []
    for colour, points in series:
        if len(points) == 1:
            x, y = point(*points[0]).split(",")
            lines.append(tag("circle", cx=x, cy=y, r=2.0, fill=colour))
        elif points:
            lines.append(tag("polyline", points=" ".join(point(e, v) for e, v in points),
                             fill="none", stroke=colour, stroke_width=1.5))  # fmt: skip
    losses = [v for _, v in series[0][1]] or values
    label = f"run {run.id}: loss {losses[0]:.4g} → {losses[-1]:.4g} over {len(epochs)} epochs" + (
        " (log scale)" if log else ""
    )
    return svg(lines, CURVE_W, CURVE_H, label, "chart curve")


def svg(content: Iterable[str], width: float, height: float, label: str, class_: str) -> str:
    """A scalable chart: drawn in a ``width`` x ``height`` box, shown at the page's width."""
    return tag(
        "svg",
        [title(label), *content],
        viewBox=f"0 0 {num(width)} {num(height)}",
        role="img",
        class_=class_,
        preserveAspectRatio="xMinYMin meet",
    )


def text_width(value: str, size: float) -> float:
    """About how wide ``value`` is drawn in a sans-serif font of ``size`` px (no font metrics)."""
    return len(value) * size * 0.56


def clip_text(value: str, size: float, width: float) -> str:
    """``value`` cut with an ellipsis so that it fits ``width``."""
    if text_width(value, size) <= width:
        return value
    keep = max(1, int(width / (size * 0.56)) - 1)
    return value[:keep].rstrip() + "…"
