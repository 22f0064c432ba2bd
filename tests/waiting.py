"""Waiting for the thing a test is about, never for a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable

#: Generous: a loaded 2-core CI machine can be many times slower than a quiet one.
DEFAULT_TIMEOUT = 60.0
#: How often the condition is looked at again; short next to any wait that matters.
POLL_INTERVAL = 0.02


def wait_until(
    condition: Callable[[], object], *, timeout: float = DEFAULT_TIMEOUT, message: str = ""
) -> None:
    """Return as soon as ``condition()`` is true; fail with ``message`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for: {message or condition}")
        time.sleep(POLL_INTERVAL)
