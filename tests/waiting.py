"""Waiting for the thing a test is about, never for a fixed time.

A fixed sleep is slow where the machine is quick (it always waits) and flaky where it is loaded
(it is not long enough). These helpers poll a condition instead: they return as soon as it holds,
and give up only after a generous limit, with a message that says what never happened and what
was seen instead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol, TypeVar

T = TypeVar("T")

#: How long a wait may take before the test fails: generous, for a machine at a high load.
TIMEOUT_S = 60.0
#: How often a condition is looked at: short next to anything a test waits for.
POLL_S = 0.02


def _failure(message: str, timeout: float, seen: Callable[[], object] | None) -> AssertionError:
    text = f"timed out after {timeout:g} s waiting for {message}"
    if seen is not None:
        text += f"; seen instead: {seen()!r}"
    return AssertionError(text)


def wait_until(
    condition: Callable[[], T],
    timeout: float = TIMEOUT_S,
    message: str = "the condition",
    *,
    seen: Callable[[], object] | None = None,
) -> T:
    """Poll ``condition`` until it returns something true and return that; fail after ``timeout``.

    ``message`` names what is awaited ("the run to end"); ``seen`` describes the state at the
    time of failure (the events so far), for a failure that explains itself.
    """
    give_up = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > give_up:
            raise _failure(message, timeout, seen)
        time.sleep(POLL_S)


async def wait_until_async(
    condition: Callable[[], T],
    timeout: float = TIMEOUT_S,
    message: str = "the condition",
    *,
    seen: Callable[[], object] | None = None,
    pause: Callable[[], Awaitable[object]] | None = None,
) -> T:
    """:func:`wait_until` for a test that runs in an event loop: the loop runs while it waits.

    ``pause``: how to let the loop run between looks (a Textual pilot's ``pause``); by default a
    short ``asyncio.sleep``.
    """
    give_up = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > give_up:
            raise _failure(message, timeout, seen)
        await (pause() if pause is not None else asyncio.sleep(POLL_S))


def file_appears(path: Path, timeout: float = TIMEOUT_S) -> Path:
    """Wait until ``path`` exists; return it."""
    wait_until(path.exists, timeout, f"{path} to appear")
    return path


class Pausing(Protocol):
    """What a Textual pilot offers here: let the app run for a while."""

    async def pause(self, delay: float | None = None) -> None: ...


async def wait_on_pilot(
    pilot: Pausing,
    condition: Callable[[], T],
    message: str,
    timeout: float = TIMEOUT_S,
    *,
    seen: Callable[[], object] | None = None,
) -> T:
    """:func:`wait_until_async` for an app under a Textual pilot: the app runs between looks."""
    return await wait_until_async(
        condition, timeout, message, seen=seen, pause=lambda: pilot.pause(POLL_S)
    )
