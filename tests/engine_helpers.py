"""Running a real engine in-process against a shared warm grading pool."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from simulator.exam.catalog import find_exam
from simulator.exam.format import Policy
from simulator.grading.pool import GradingPool
from simulator.grading.settings import GradingSettings
from simulator.paths import data_paths
from simulator.session.engine import Engine
from simulator.session.events import SessionEvent
from simulator.session.sessions import NewSession, create_session, record_session
from simulator.session.watcher import WatchTimings
from simulator.storage.records import AttemptRecord, SessionRecord
from simulator.storage.store import Store
from tests.shared_data import copy_workspace
from tests.waiting import wait_until

E = TypeVar("E", bound=SessionEvent)


@contextlib.contextmanager
def worker_held(pool: GradingPool) -> Iterator[None]:
    """Pause the worker that is grading now (SIGSTOP), so what must happen while a grading is
    under way happens then on any machine, however fast or loaded; it goes on afterwards."""
    pid = next(w.pid for w in pool.status() if w.state == "busy" and w.pid is not None)
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


class EngineHarness:
    def __init__(
        self,
        pool: GradingPool,
        workspace: Path,
        duration_s: int = 300,
        policy: Policy | None = None,
        exam: str = "practice",
        template: Path | None = None,
        clock: Callable[[], float] = time.time,
        grading: GradingSettings | None = None,
        background: bool = False,
    ) -> None:
        """``template``: a workspace of the same exam made earlier, copied instead of generating
        the exam's data again (seconds for the practice exam's images). ``clock``: the engine's
        idea of now, for tests that move through a long session in seconds. ``grading``: the
        session's grading settings (default: the pool's). ``background``: only question 1's data
        is written now, the engine writes the rest (as ``tfexam start`` does)."""
        self.paths = data_paths()
        self.store = Store(self.paths.database)
        self.exam = find_exam(exam, self.paths)
        request = NewSession(
            self.exam, workspace=workspace, duration_s=duration_s, policy=policy,
            grading=grading or pool.settings,
        )  # fmt: skip
        if template is not None:
            copy_workspace(template, workspace)
            self.session: SessionRecord = record_session(
                self.store, request, workspace, time.time()
            )
        else:
            self.session = create_session(self.store, request, background=background)
        self.workspace = self.session.workspace
        self.events: list[SessionEvent] = []
        self._cond = threading.Condition()
        self.engine = Engine(
            self.store, self.paths, self.session, self.exam, pool=pool, watch_timings=WatchTimings(),
            clock=clock,
        )  # fmt: skip
        self.engine.subscribe(self._record)

    def _record(self, event: SessionEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def start(self) -> EngineHarness:
        self.engine.start()
        return self

    def question_folder(self, question: str = "basic-model") -> Path:
        return self.workspace / self.exam.question(question).workspace_folder

    def kinds(self) -> list[type[SessionEvent]]:
        with self._cond:
            return [type(e) for e in self.events]

    def wait_for(
        self, predicate: Callable[[list[SessionEvent]], bool], timeout: float = 30.0
    ) -> list[SessionEvent]:
        with self._cond:
            ok = self._cond.wait_for(lambda: predicate(self.events), timeout)
            assert ok, f"timed out; events so far: {[e.KIND for e in self.events]}"
            return list(self.events)

    def wait_for_count(self, kind: type[E], count: int, timeout: float = 30.0) -> list[E]:
        """Wait until ``count`` events of one class arrived; return those."""
        self.wait_for(lambda events: sum(isinstance(e, kind) for e in events) >= count, timeout)
        return self.of(kind)

    def of(self, kind: type[E]) -> list[E]:
        """Every event of one class so far, oldest first."""
        with self._cond:
            return [e for e in self.events if isinstance(e, kind)]

    def last(self, kind: type[E]) -> E:
        """The newest event of one kind: other kinds (a worker getting ready) may come later."""
        return self.of(kind)[-1]

    def wait_idle(self, quiet_s: float = 2.5, timeout: float = 60.0) -> None:
        """Wait until nothing is pending and no event arrived for ``quiet_s`` (a burst is over)."""

        def idle() -> bool:
            with self._cond:
                last = self.events[-1].at if self.events else 0.0
            pending = [a for a in self.attempts() if a.state in ("queued", "grading")]
            return not pending and time.time() - last > quiet_s

        wait_until(idle, timeout, "the engine to become idle", seen=self.kinds)

    def wait_ticks(self, count: int = 2, timeout: float = 30.0) -> None:
        """Wait until the loop finished ``count`` more ticks: the second one began after this call,
        so the engine has looked at its clock as it is now (warnings, the deadline)."""
        start = self.engine.ticks
        wait_until(
            lambda: self.engine.ticks >= start + count, timeout, f"{count} ticks of the engine"
        )

    def attempts(self) -> list[AttemptRecord]:
        return self.store.attempts(self.session.id)

    def close(self) -> None:
        self.engine.close()
        self.store.close()
