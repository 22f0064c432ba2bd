"""Shapes shared by the text and HTML charts: lanes of a Gantt chart and downsampled series."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.exam.metrics import score_label
from simulator.report.records import Report

SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Bar:
    start_s: float
    end_s: float
    kind: str  # run-finished, run-failed, run-stopped, run-running, grading
    label: str


@dataclass(frozen=True)
class Mark:
    at_s: float
    kind: str  # score-0..5, not-gradable, rejected, time-warning, deadline, end, resumed, crash
    label: str


@dataclass(frozen=True)
class Lane:
    """One row of the timeline: a question (its runs, grading jobs, attempts) or the session."""

    label: str
    bars: list[Bar]
    marks: list[Mark]


def timeline_lanes(report: Report) -> list[Lane]:
    end = report.summary.time_used_s
    lanes = []
    for q in report.questions:
        bars = [
            Bar(
                r.start_s, r.end_s if r.end_s is not None else end, f"run-{r.state}", f"run #{r.id}"
            )
            for r in report.runs
            if r.question == q.id
        ]
        bars += [
            Bar(
                g.start_s,
                g.end_s if g.end_s is not None else end,
                "grading",
                f"attempt #{g.attempt}",
            )
            for g in report.grading
            if g.question == q.id and g.start_s is not None
        ]
        marks = []
        for a in q.attempts:
            if a.state == "graded" and a.score is not None:
                marks.append(Mark(a.at_s, f"score-{a.score}", f"#{a.id}: {score_label(a.score)}"))
            elif a.state == "not-gradable":
                marks.append(Mark(a.at_s, "not-gradable", f"#{a.id}: not gradable"))
            elif a.state == "rejected-after-deadline":
                marks.append(Mark(a.at_s, "rejected", f"#{a.id}: too late"))
        lanes.append(Lane(f"Q{q.number} {q.title}", bars, marks))
    session_marks = [Mark(e.at_s, e.kind, e.label) for e in report.events]
    lanes.append(Lane("Session", [], session_marks))
    return lanes


def downsample(
    values: list[tuple[float, float]], start: float, end: float, buckets: int
) -> list[float | None]:
    """Average of the values falling in each of ``buckets`` equal slices of [start, end]."""
    sums = [0.0] * buckets
    counts = [0] * buckets
    span = max(end - start, 1e-9)
    for at, value in values:
        index = min(buckets - 1, max(0, int((at - start) / span * buckets)))
        sums[index] += value
        counts[index] += 1
    return [sums[i] / counts[i] if counts[i] else None for i in range(buckets)]


def sparkline(values: list[float | None], top: float) -> str:
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        else:
            level = min(
                len(SPARKS) - 1, max(0, int(value / max(top, 1e-9) * (len(SPARKS) - 1) + 0.5))
            )
            out.append(SPARKS[level])
    return "".join(out)
