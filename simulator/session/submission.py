"""Submitting a session from outside its engine (``tfexam submit`` in another terminal).

A session with a live engine is asked to submit through the store's flag, which the engine polls
every tick; the caller waits while it grades what is pending and freezes the scores. A session
nobody is running is finalized here, exactly as its engine would have done.
"""

from __future__ import annotations

import time

from simulator.grading.settings import GRADING_SLACK_S, GradingSettings
from simulator.paths import DataPaths
from simulator.session.sessions import finalize_if_due
from simulator.storage.liveness import engine_is_live
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store

#: How often the store is read while a live engine finishes the submission (seconds).
POLL_S = 0.1


class SubmitTimeoutError(RuntimeError):
    """The live engine did not finish the submission within its grading limit."""


def submit_session(store: Store, paths: DataPaths, session: SessionRecord) -> SessionRecord:
    """End a running ``session`` now (a submitted one is returned as it is); the session as it
    stands afterwards, submitted."""
    if session.state != "running":
        return session
    if engine_is_live(session):
        store.request_submit(session.id, time.time())
        return _wait_until_submitted(store, session)
    return finalize_if_due(store, paths, session, submit=True)


def _wait_until_submitted(store: Store, session: SessionRecord) -> SessionRecord:
    grading = GradingSettings.from_dict(session.settings.get("grading", {}))
    # The engine closes by its grading limit; then it finalizes and writes the end.
    give_up = time.monotonic() + grading.grading_limit_s() + GRADING_SLACK_S
    while time.monotonic() < give_up:
        current = store.get_session(session.id)
        if current.state == "submitted":
            return current
        time.sleep(POLL_S)
    raise SubmitTimeoutError(
        "the running tfexam did not finish the submission in time; try 'tfexam status' again"
    )
