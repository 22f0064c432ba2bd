"""The exam opens at once: question 1 is ready at the start, the others' data follows in the
background, in question order, and a question's starter cannot run before its folder is complete."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from simulator.exam.catalog import find_exam
from simulator.grading.pool import GradingPool
from simulator.paths import data_paths
from simulator.session.dataprep import QuestionNotReadyError, pending_questions
from simulator.session.engine import Engine
from simulator.session.events import QuestionReady, SessionEvent, SessionOpened
from simulator.session.sessions import NewSession, create_session
from simulator.session.watcher import WatchTimings
from simulator.storage.store import Store
from tests.question_helpers import file_hashes


class Recorder:
    def __init__(self) -> None:
        self.events: list[SessionEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: SessionEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def ready(self) -> list[QuestionReady]:
        with self._cond:
            return [e for e in self.events if isinstance(e, QuestionReady)]

    def wait_ready(self, count: int, timeout: float = 180.0) -> list[QuestionReady]:
        with self._cond:
            ok = self._cond.wait_for(
                lambda: sum(isinstance(e, QuestionReady) for e in self.events) >= count, timeout
            )
        assert ok, f"only {[e.question_id for e in self.ready()]} ready"
        return self.ready()


def test_data_follows_in_the_background_and_a_resume_finishes_it(
    warm_pool: GradingPool, tfexam_home: Path, tmp_path: Path, practice_template: Path
) -> None:
    paths = data_paths()
    store = Store(paths.database)
    exam = find_exam("practice", paths)
    session = create_session(
        store,
        NewSession(exam, workspace=tmp_path / "ws", grading=warm_pool.settings, seed=exam.seed),
        background=True,
    )
    later = [q.id for q in exam.questions[1:]]
    assert pending_questions(store, session) == later
    for question in exam.questions[1:]:
        # The prompt and the starter are there at once; the data is not, not even in part.
        folder = session.workspace / question.workspace_folder
        assert sorted(p.name for p in folder.iterdir()) == ["prompt.md", "starter.py"]

    recorder = Recorder()
    engine = Engine(store, paths, session, exam, pool=warm_pool, watch_timings=WatchTimings())
    engine.subscribe(recorder)
    engine.start()
    try:
        with pytest.raises(QuestionNotReadyError, match=r"^category5/ is not ready yet: its data"):
            engine.start_run("time-series")
        first = recorder.wait_ready(1)[0]
        assert first.question_id == later[0] and (first.ready, first.total) == (2, 5)
        assert isinstance(recorder.events[0], SessionOpened)
    finally:
        engine.detach()
        engine.wait(10)
        engine.close()
    done = file_hashes(session.workspace / exam.questions[1].workspace_folder)
    assert done == file_hashes(practice_template / exam.questions[1].workspace_folder)

    # A new engine on the same session writes only what was not finished, still in order.
    left = pending_questions(store, store.get_session(session.id))
    assert left == later[1:]
    resumed_recorder = Recorder()
    resumed = Engine(
        store, paths, store.get_session(session.id), exam, pool=warm_pool,
        watch_timings=WatchTimings(),
    )  # fmt: skip
    resumed.subscribe(resumed_recorder)
    resumed.start()
    try:
        ready = resumed_recorder.wait_ready(len(left))
        assert [e.question_id for e in ready] == left
        assert ready[-1].ready == ready[-1].total == 5
        assert resumed.data_pending() == ()
        run = resumed.start_run("time-series")  # complete now: the starter may run
        resumed.stop_run(run.id)
    finally:
        resumed.detach()
        resumed.wait(10)
        resumed.close()
    # Every folder is what a workspace written in one go holds, byte for byte.
    template, written = file_hashes(practice_template), file_hashes(session.workspace)
    assert {name: written.get(name) for name in template} == template
    assert not (session.workspace / ".tfexam-data").exists()
    assert pending_questions(store, store.get_session(session.id)) == []
