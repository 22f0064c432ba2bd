"""Whether a session has a live engine: what every command asks before it touches a session.

Read-side code (``tfexam status``, the report, ``submit``) needs this answer without importing the
engine, and the engine needs it to refuse a second claim; both read the heartbeat the engine
writes to the store.
"""

from __future__ import annotations

import os
import time

import psutil

from simulator.storage.records import SessionRecord

#: An engine whose heartbeat is older than this is taken to be gone (crashed or killed).
STALE_ENGINE_S = 10.0


def engine_is_live(session: SessionRecord, now: float | None = None) -> bool:
    """Whether another process's engine is attached to ``session`` right now."""
    if session.engine_pid is None or session.engine_heartbeat is None:
        return False
    if session.engine_pid == os.getpid():
        return False
    fresh = (time.time() if now is None else now) - session.engine_heartbeat < STALE_ENGINE_S
    return fresh and psutil.pid_exists(session.engine_pid)
