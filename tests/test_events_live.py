"""Every kind of event comes out of a real engine: real files saved into a real workspace, real
grading workers, a real store.

Four sessions between them produce all the kinds: one taken and submitted (grading, superseding,
runs, a save refused after the end, a worker recycled), one left and resumed on a moved clock
(detach, requeue, warning, deadline), one whose store goes away under the engine (error), and one
whose later questions' data is written in the background, one question's data code failing.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.grading.pool import GradingPool
from simulator.grading.settings import GradingSettings
from simulator.session import events
from simulator.session.engine import Engine
from simulator.session.watcher import WatchTimings
from simulator.storage.store import Store
from tests.conftest import FIXTURES
from tests.engine_helpers import EngineHarness, worker_held


@pytest.fixture(scope="module")
def recycling_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GradingPool]:
    """One worker that retires after two jobs, so a session sees a worker exit and a new one."""
    settings = GradingSettings(workers=1, timeout_s=60, memory_limit_mb=2000, max_jobs_per_worker=2)
    pool = GradingPool(settings, tmp_path_factory.mktemp("pool-logs"), lambda _event: None)
    pool.start()
    assert pool.wait_ready(120)
    yield pool
    pool.close()


def test_a_submitted_session_emits_its_kinds(
    recycling_pool: GradingPool,
    tfexam_home: Path,
    tmp_path: Path,
    practice_template: Path,
    models: dict[str, Path],
) -> None:
    h = EngineHarness(recycling_pool, tmp_path / "ws", template=practice_template).start()
    try:
        target = h.question_folder() / "mymodel.h5"
        target.write_bytes(b"")
        refused = h.wait_for_count(events.AttemptNotGradable, 1)[0]
        assert refused.reason.code == "file-broken"

        shutil.copyfile(models["good.h5"], target)
        graded = h.wait_for_count(events.AttemptGraded, 1)[0]
        assert (graded.attempt.score, graded.question_score) == (5, 5)
        assert h.of(events.ModelDetected)[0].path == target
        assert h.of(events.GradingStarted)[0].attempt.id == graded.attempt.id

        h.engine.submit_and_test("basic-model")  # the same bytes again
        assert h.wait_for_count(events.ModelUnchanged, 1)[0].previous.id == graded.attempt.id
        h.engine.submit_and_test("learning-dataset")  # nothing saved there
        failed = h.wait_for_count(events.SubmitAndTestFailed, 1)[0]
        assert (failed.question_id, failed.reason.code) == ("learning-dataset", "no-model-file")

        # While a grading is under way (the worker's second job, after which it retires), the
        # next save waits, and the one after replaces it before any worker took it.
        shutil.copyfile(models["good.keras"], h.question_folder() / "mymodel.keras")
        h.wait_for_count(events.GradingStarted, 2)
        with worker_held(recycling_pool):
            shutil.copyfile(models["close.h5"], target)
            h.wait_for_count(events.ModelDetected, 3)
            shutil.copyfile(models["poor.h5"], target)
            superseded = h.wait_for_count(events.AttemptSuperseded, 1)[0]
        assert superseded.attempt.state == "superseded"
        exited = h.wait_for_count(events.WorkerExited, 1, timeout=60)[0]
        assert exited.reason.code == "worker-recycled" and not exited.grading_unavailable
        h.wait_for_count(events.WorkerReady, 1, timeout=120)
        h.wait_for_count(events.AttemptGraded, 3, timeout=60)

        folder = h.question_folder("time-series")
        (folder / "hello.py").write_text("print('hello')\n", encoding="utf-8")
        run = h.engine.start_run("time-series", "hello.py")
        assert h.wait_for_count(events.RunStarted, 1)[0].run.id == run.id
        ended = h.wait_for_count(events.RunEnded, 1, timeout=60)[0]
        assert (ended.run.id, ended.exit_code, ended.run.state) == (run.id, 0, "finished")

        # Submit while a grading is under way: the closing waits for it, and a save made
        # meanwhile is recorded as too late.
        shutil.copyfile(models["close.h5"], target)
        h.wait_for_count(events.GradingStarted, 4, timeout=60)
        with worker_held(recycling_pool):
            h.engine.submit()
            h.wait_for_count(events.SubmitRequested, 1)
            late = h.question_folder("learning-dataset") / "mymodel.h5"
            shutil.copyfile(models["good.h5"], late)
            rejected = h.wait_for_count(events.AttemptRejected, 1, timeout=30)[0]
        assert rejected.attempt.reason is not None
        assert rejected.attempt.reason.code == "after-deadline"
        assert h.engine.wait(60)
        submitted = h.last(events.SessionSubmitted)
        assert submitted.reason == "submitted"
        assert submitted.result.questions[0].score == 5  # good.h5 and good.keras, before the end
        revealed = h.last(events.SolutionsRevealed)
        assert len(revealed.files) == len(h.exam.questions)
    finally:
        h.close()


def test_a_left_and_resumed_session_emits_its_kinds(
    recycling_pool: GradingPool,
    tfexam_home: Path,
    tmp_path: Path,
    practice_template: Path,
    models: dict[str, Path],
) -> None:
    now = [0.0]
    h = EngineHarness(
        recycling_pool, tmp_path / "ws", duration_s=3600, template=practice_template,
        clock=lambda: now[0],
    )  # fmt: skip
    now[0] = h.session.started_at + 10  # held still from here on, moved by the test
    h.start()
    try:
        opened = h.wait_for_count(events.SessionOpened, 1)[0]
        assert not opened.resumed and opened.exam_id == "practice"
        shutil.copyfile(models["good.h5"], h.question_folder() / "mymodel.h5")
        h.wait_for_count(events.GradingStarted, 1)
        with worker_held(recycling_pool):
            # Left while the grading is under way: the attempt stays unfinished in the store.
            h.engine.detach()
            detached = h.wait_for_count(events.EngineDetached, 1)[0]
            assert detached.remaining_s == pytest.approx(3590)
            h.engine.close()

            # Back again: the attempt left unfinished is queued again, the clock runs on.
            again = Engine(
                h.store, h.paths, h.store.get_session(h.session.id), h.exam,
                pool=recycling_pool, watch_timings=WatchTimings(), clock=lambda: now[0],
            )  # fmt: skip
            h.engine = again
            again.subscribe(h._record)
            again.start()
            assert h.wait_for_count(events.SessionOpened, 2)[-1].resumed
            requeued = h.wait_for_count(events.AttemptRequeued, 1)[0]
            assert requeued.attempt.question_id == "basic-model"
        now[0] = h.session.deadline - 30
        warning = h.wait_for_count(events.TimeWarning, 1, timeout=10)[0]
        assert warning.minutes_left == 1
        h.wait_for_count(events.AttemptGraded, 1, timeout=90)
        now[0] = h.session.deadline + 1
        assert h.wait_for_count(events.DeadlineReached, 1, timeout=10)[0].pending == 0
        now[0] += 1  # past the closing settle
        assert again.wait(30)
        assert h.last(events.SessionSubmitted).reason == "auto-submitted"
    finally:
        h.close()


def test_an_engine_whose_store_fails_says_so(
    warm_pool: GradingPool, tfexam_home: Path, tmp_path: Path, practice_template: Path
) -> None:
    h = EngineHarness(warm_pool, tmp_path / "ws", template=practice_template)
    store = Store(h.paths.database)  # the engine's own connection, taken away below
    engine = Engine(store, h.paths, h.session, h.exam, pool=warm_pool, watch_timings=WatchTimings())
    engine.subscribe(h._record)
    engine.start()
    try:
        h.wait_for_count(events.SessionOpened, 1)
        store.close()
        failed = h.wait_for_count(events.EngineFailed, 1, timeout=10)[0]
        assert failed.message == "the engine stopped on an internal error (see the log)"
        assert engine.wait(5) and engine.failed
    finally:
        with contextlib.suppress(Exception):
            engine.close()
        h.store.close()


def _exam_with_a_failing_data_question(root: Path) -> Path:
    """The seeded test exam with two more questions: one whose data is fine, one whose fails."""
    exam = root / "seeded"
    shutil.copytree(FIXTURES / "exams" / "seeded", exam)
    for name in ("fine", "broken"):
        shutil.copytree(exam / "constant", exam / name)
    (exam / "broken" / "data.py").write_text(
        "def write_data(folder, seed):\n    raise OSError('the generator ran out of pictures')\n",
        encoding="utf-8",
    )
    toml = (exam / "exam.toml").read_text(encoding="utf-8")
    question = toml[toml.index("[[questions]]") :]
    for category, name in ((2, "fine"), (3, "broken")):
        toml += "\n" + question.replace('id = "constant"', f'id = "{name}"').replace(
            'folder = "constant"', f'folder = "{name}"'
        ).replace("category = 1", f"category = {category}")
    (exam / "exam.toml").write_text(toml, encoding="utf-8")
    return exam


def test_a_session_whose_data_follows_in_the_background_emits_its_kinds(
    warm_pool: GradingPool, tfexam_home: Path, tmp_path: Path
) -> None:
    exam = _exam_with_a_failing_data_question(tmp_path)
    h = EngineHarness(warm_pool, tmp_path / "ws", exam=str(exam), background=True).start()
    try:
        ready = h.wait_for_count(events.QuestionReady, 1, timeout=60)[0]
        assert (ready.question_id, ready.ready, ready.total) == ("fine", 2, 3)
        failed = h.wait_for_count(events.QuestionDataFailed, 1, timeout=60)[0]
        assert failed.question_id == "broken"
        assert failed.message == "OSError: the generator ran out of pictures"
        assert h.engine.data_pending() == ("broken",)
    finally:
        h.close()


def test_the_sessions_cover_every_kind() -> None:
    """The kinds the tests above wait for, so a new kind cannot go untested here."""
    source = Path(__file__).read_text(encoding="utf-8")
    for kind in events.EVENT_TYPES:
        assert f"events.{kind.__name__}" in source, kind.__name__
