"""A question's training script as a monitored run outside any engine (``tfexam train``).

The same :class:`~simulator.training.runs.RunManager` as in an exam session starts the script in
its own process group, reads its output and samples its CPU and memory into the store, so the
report sees a training started from a second terminal like one started in the TUI.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from simulator.exam.format import Question
from simulator.paths import DataPaths
from simulator.session.dataprep import QuestionNotReadyError, pending_questions
from simulator.session.engine import not_ready_text
from simulator.session.sessions import exam_of
from simulator.storage.records import RunRecord, SessionRecord
from simulator.storage.store import Store, StoreError
from simulator.training.runs import RunManager, RunView

#: How often a follower looks at the run (seconds).
FOLLOW_INTERVAL_S = 0.5


class SessionOverError(StoreError):
    """The session was submitted: there is nothing left to train for."""


@dataclass
class MonitoredTraining:
    """One run started by :func:`start_training`; :meth:`close` ends its monitoring."""

    store: Store
    manager: RunManager
    question: Question
    run: RunRecord

    def view(self) -> RunView:
        """What the run looks like now (progress, CPU, memory, the output's tail)."""
        return next(v for v in self.manager.views() if v.record.id == self.run.id)

    def stop(self) -> None:
        """Stop the run (SIGINT, then a kill if it lingers); safe from a signal handler."""
        self.manager.stop(self.run.id)

    def follow(self, on_view: Callable[[RunView], None]) -> RunView:
        """Call ``on_view`` with the run's view until it is no longer running; the last view."""
        while True:
            view = self.view()
            on_view(view)
            if view.record.state != "running":
                return view
            time.sleep(FOLLOW_INTERVAL_S)

    def close(self) -> None:
        self.manager.close()

    def final(self) -> RunRecord:
        """The run as the store has it after the end."""
        return self.store.get_run(self.run.id)


def start_training(
    store: Store,
    paths: DataPaths,
    session: SessionRecord,
    question_key: str,
    *,
    script: str | None = None,
    python: str | None = None,
) -> MonitoredTraining:
    """Start ``script`` (default: the question's starter) in the question's folder of a running
    ``session``, with ``python`` (default: the session's, else this one)."""
    if session.state == "submitted":
        raise SessionOverError(f"session {session.id} is over: nothing to train for")
    exam = exam_of(session, paths)
    question = exam.question(question_key)
    pending = tuple(pending_questions(store, session))
    if question.id in pending:
        raise QuestionNotReadyError(not_ready_text(exam, pending, question.id))
    manager = RunManager(
        store, session.id, paths.logs_dir(session.id) / "runs",
        python=python or session.settings.get("python"),
    )  # fmt: skip
    manager.start()
    try:
        run = manager.launch(
            question.id, session.workspace / question.workspace_folder, script or question.starter
        )
    except BaseException:
        manager.close()
        raise
    return MonitoredTraining(store, manager, question, run)
