"""Arithmetic on time intervals: how long N things ran at once, and the longest quiet gap."""

from __future__ import annotations

from collections.abc import Iterable

Interval = tuple[float, float]


def clip(intervals: Iterable[Interval], start: float, end: float) -> list[Interval]:
    """Intervals cut to [start, end]; empty ones dropped."""
    return [(max(a, start), min(b, end)) for a, b in intervals if min(b, end) > max(a, start)]


def concurrency_shares(intervals: Iterable[Interval], start: float, end: float) -> dict[int, float]:
    """Seconds of [start, end] during which exactly k intervals overlapped, for each k seen."""
    points: list[tuple[float, int]] = []
    for a, b in clip(intervals, start, end):
        points += [(a, 1), (b, -1)]
    points.sort()
    seconds: dict[int, float] = {}
    level, last = 0, start
    for at, change in points:
        seconds[level] = seconds.get(level, 0.0) + (at - last)
        level += change
        last = at
    seconds[level] = seconds.get(level, 0.0) + (end - last)
    return {k: v for k, v in seconds.items() if v > 0}


def union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def gaps(busy: Iterable[Interval], start: float, end: float) -> list[Interval]:
    """The parts of [start, end] covered by none of ``busy``."""
    found, cursor = [], start
    for a, b in union(clip(busy, start, end)):
        if a > cursor:
            found.append((cursor, a))
        cursor = max(cursor, b)
    if end > cursor:
        found.append((cursor, end))
    return found
