"""Sessions to report on: recorded with fixed times (for snapshots) through the real store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from simulator.exam.catalog import find_exam
from simulator.exam.format import Exam
from simulator.exam.workspace import create_workspace
from simulator.grading.reasons import ReasonCode
from simulator.paths import data_paths
from simulator.session.sessions import NewSession, record_session
from simulator.storage.records import AttemptState, SessionRecord, SystemSample
from simulator.storage.store import Store
from tests.conftest import FORMATS_EXAM

STARTED_AT = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.timezone.utc).timestamp()


def recorded_session(
    workspace: Path, *, submitted: bool = True
) -> tuple[Store, SessionRecord, Exam]:
    """A 1-hour session of the format test exam: two runs (overlapping 5 min), four attempts
    (one not gradable, one external), a crash and a resume, a time warning, samples every 10 s."""
    store = Store(data_paths().database)
    exam = find_exam(str(FORMATS_EXAM), None)
    create_workspace(exam, workspace, exam.seed)
    t0 = STARTED_AT
    session = record_session(
        store, NewSession(exam, workspace=workspace, duration_s=3600), workspace, t0
    )
    store.add_event(session.id, t0 + 1, "session-opened", {"resumed": False})

    def attempt(
        question: str, minute: float, state: AttemptState, *, score: int | None = None,
        metric_name: str | None = None, metric_value: float | None = None,
        message: str | None = None, reason_code: ReasonCode | None = None, source: str = "run",
        run: int | None = None,
    ) -> None:  # fmt: skip
        at = t0 + minute * 60
        made = store.add_attempt(
            session_id=session.id, question_id=question, source_path=str(workspace / question / "mymodel.h5"),
            blob=None, sha256=f"{minute:064.0f}", size=1000, origin="watch", saved_at=at, detected_at=at + 0.1,
            state="queued", queued_at=at + 0.1, source=source, run_id=run,
        )  # fmt: skip
        store.mark_grading(made.id, at + 1.0)
        store.finish_attempt(
            made.id, state=state, finished_at=at + 3.5, score=score, metric_name=metric_name,
            metric_value=metric_value, message=message, reason_code=reason_code,
        )  # fmt: skip

    first = store.add_run(session_id=session.id, question_id="series", command=("python", "-u", "starter.py"),
                          cwd=workspace / "series", log_path=workspace / "run-1.log", started_at=t0 + 300)  # fmt: skip
    store.update_run(
        first.id,
        epoch=10,
        epochs=10,
        metrics={"loss": 0.0812},
        cpu_seconds=540.0,
        peak_rss_mb=700.0,
    )
    store.finish_run(first.id, state="finished", ended_at=t0 + 900, exit_code=0)
    second = store.add_run(session_id=session.id, question_id="text", command=("python", "-u", "starter.py"),
                           cwd=workspace / "text", log_path=workspace / "run-2.log", started_at=t0 + 600)  # fmt: skip
    store.update_run(
        second.id, epoch=2, epochs=15, metrics={"loss": 0.69}, cpu_seconds=800.0, peak_rss_mb=1200.0
    )
    store.finish_run(second.id, state="failed", ended_at=t0 + 1500, exit_code=1)
    attempt("series", 15, "graded", score=3, metric_name="mae", metric_value=0.28, run=first.id)
    attempt("series", 20, "not-gradable", source="local", reason_code="wrong-shape",
            message="wrong input shape: the question expects (30, 1) but the model takes (30,) (batch axis not counted)")  # fmt: skip
    attempt(
        "series", 40, "graded", score=5, metric_name="mae", metric_value=0.09, source="external"
    )
    attempt(
        "text", 25, "not-gradable", reason_code="lambda-layer",
        message="the model uses a Lambda layer | pipes stay in one cell",
    )  # fmt: skip
    for i in range(360):
        busy = 300 <= i * 10 < 1500
        store.add_system_sample(SystemSample(session.id, t0 + i * 10, 85.0 if busy else 12.0,
                                             6000.0 + (3000.0 if busy else 0.0), 16000.0, int(busy)))  # fmt: skip
    store.add_event(session.id, t0 + 1200, "session-opened", {"resumed": True})  # after a kill -9
    store.add_event(session.id, t0 + 1800, "time-warning", {"minutes": 30})
    if submitted:
        store.add_event(session.id, t0 + 3000, "submit-requested", {"pending": 0})
        store.add_event(session.id, t0 + 3001, "session-submitted", {"reason": "submitted"})
        store.finish_session(session.id, t0 + 3001, "submitted")
    return store, store.get_session(session.id), exam
