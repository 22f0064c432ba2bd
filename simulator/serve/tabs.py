"""Browser tabs and the one exam: which tab holds it, handing it over, and what the others show.

A session has one engine at a time (the store's liveness claim), so one tab at a time runs the
exam screen's process; every other tab shows a notice (:mod:`simulator.serve.notices`) and takes
the exam over on Enter. The process of a tab ends with its connection (a reload, a closed tab, a
dropped network): the app keeps the unsaved editor texts and ends, and its engine detaches
exactly as after ``q`` in a terminal, so the clock, the attempts, the runs and the texts are in
the store for the next tab, which resumes the same session.

A handover does not wait for the old engine to close (seconds: the graders, the folder watcher):
the next tab's app is drawn as soon as the old app has ended, and its engine starts once the old
one has let the session go (``after_pids``, see :mod:`simulator.cli.serve_tab`). The next process
is started ahead of need (a spare that has done its imports), so a reload is back in about the
time Textual takes to draw. A reload's new connection may also arrive before the old one is seen
closed; it waits :data:`HANDOVER_WAIT_S` for it, and a tab that waits for the exam takes it by
itself when it is free.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path

from aiohttp import WSMsgType, web

from simulator.serve import notices
from simulator.serve.bridge import ExamProcess
from simulator.serve.notices import Notice
from simulator.storage.liveness import engine_is_live
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store

log = logging.getLogger(__name__)

#: Seconds a new tab waits for the tab that holds the exam to let it go (a reload's old page).
HANDOVER_WAIT_S = 1.5
#: The exit code of the tab's process when the session has a live engine elsewhere
#: (``simulator.cli.serve_tab.EXIT_BUSY``; the server does not import the CLI).
EXIT_BUSY = 3
ENTER_KEYS = ("\r", "\n", "\r\n")


class ExamTabs:
    """The tabs connected to one served session, and the one that holds its exam screen."""

    def __init__(
        self,
        store: Store,
        session_id: str,
        command: Sequence[str],
        *,
        log_hint: Path,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.store = store
        self.session_id = session_id
        self.command = list(command)
        self.log_hint = log_hint
        self.environment = environment
        #: Connected tabs, oldest first.
        self.tabs: list[Tab] = []
        self.holder: Tab | None = None
        #: Set while no tab holds the exam.
        self.free = asyncio.Event()
        self.free.set()
        self.stopping = False
        #: Exam processes given to tabs so far (a refused request starts none).
        self.started = 0
        #: The next tab's process, imports done, waiting.
        self.spare: ExamProcess | None = None
        #: Processes whose app has ended and whose engine is closing; the newest one is what
        #: the next engine follows.
        self.ending: list[ExamProcess] = []
        self._handover = asyncio.Lock()
        self._background: set[asyncio.Task[object]] = set()

    def session(self) -> SessionRecord:
        return self.store.get_session(self.session_id)

    async def prepare(self) -> None:
        """Start a spare process (imports done before a tab needs it)."""
        if self.stopping or (self.spare is not None and self.spare.alive):
            return
        spare = ExamProcess(self.command, self.environment)
        await spare.spawn()
        self.spare = spare

    async def _take_spare(self) -> ExamProcess:
        if self.spare is None or not self.spare.alive:
            await self.prepare()
        spare, self.spare = self.spare, None
        assert spare is not None
        return spare

    def _in_background(self, work: Coroutine[object, object, object]) -> None:
        """Run ``work`` on its own; :meth:`stop` waits for it."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def arrive(self, tab: Tab) -> None:
        """A tab connected: give it the exam if no other tab has it, else tell it where it is."""
        self.tabs.append(tab)
        if self.holder is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.free.wait(), HANDOVER_WAIT_S)
        holder = self.holder
        if holder is None:
            await self.take(tab)
        elif holder.closed:  # a reload's old page, still ending its exam screen
            await tab.show(notices.opening(self.session()))
        else:
            await tab.show(notices.elsewhere(self.session()))

    async def take(self, tab: Tab) -> None:
        """Give ``tab`` the exam, ending the exam screen of the tab that has it."""
        async with self._handover:
            if self.stopping or tab.closed or self.holder is tab:
                return
            previous = self.holder
            if previous is not None:
                await previous.release(notices.moved)
            session = self.session()
            ours = sorted(p.pid for p in self.ending if p.alive and p.pid is not None)
            if engine_is_live(session) and session.engine_pid not in ours:
                await tab.show(notices.busy(session))
                return
            self.holder = tab
            self.free.clear()
            self.started += 1
            process = await self._take_spare()
            await tab.open_exam(process, ours)
            # The next spare once this tab is drawn, not competing with its first frame.
            self._in_background(self._prepare_after(process))

    async def _prepare_after(self, process: ExamProcess) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(process.drawing.wait(), 30)
        await self.prepare()

    def ended(self, tab: Tab, process: ExamProcess) -> None:
        """``tab``'s app has ended: the exam is free; the process finishes in the background."""
        if self.holder is tab:
            self.holder = None
            self.free.set()
        self.ending.append(process)

        async def finish() -> None:
            await process.finish()
            self.ending.remove(process)

        self._in_background(finish())

    async def leave(self, tab: Tab) -> None:
        """A tab's connection closed: end its exam screen (the session goes on); the newest tab
        that waits for the exam gets it."""
        with contextlib.suppress(ValueError):
            self.tabs.remove(tab)
        await tab.release(None)
        if self.holder is None and not self.stopping:
            waiting = [t for t in self.tabs if t.notice is not None and t.notice.waits]
            if waiting:
                await self.take(waiting[-1])

    async def stop(self) -> None:
        """The server stops: end the exam screen, say so in every tab, close them, and wait
        until every process has ended (so the session's engine is released)."""
        self.stopping = True
        async with self._handover:
            if self.holder is not None:
                await self.holder.release(None)
        notice = notices.server_stopped(self.session())
        for tab in list(self.tabs):
            await tab.show(notice)
            await tab.close()
        if self.spare is not None:
            await self.spare.end_app()
            self.ending.append(self.spare)
            self._in_background(self.spare.finish())
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)


class Tab:
    """One browser connection: its terminal size, its exam process if it holds the exam."""

    def __init__(self, hub: ExamTabs, websocket: web.WebSocketResponse, size: tuple[int, int]):
        self.hub = hub
        self.websocket = websocket
        self.width, self.height = size
        self.process: ExamProcess | None = None
        self.notice: Notice | None = None
        self._watcher: asyncio.Task[None] | None = None

    @property
    def closed(self) -> bool:
        return self.websocket.closed

    async def run(self) -> None:
        """Relay the browser's messages until it goes away."""
        try:
            await self.hub.arrive(self)
            async for message in self.websocket:
                if message.type == WSMsgType.TEXT:
                    await self._on_message(message.data)
        finally:
            await self.hub.leave(self)

    async def _on_message(self, data: str) -> None:
        try:
            envelope = json.loads(data)
            kind = envelope[0]
        except (ValueError, IndexError, KeyError, TypeError):
            return
        process = self.process
        if kind == "stdin" and len(envelope) > 1 and isinstance(envelope[1], str):
            if process is not None:
                await process.send_keys(envelope[1])
            elif self.notice is not None and self.notice.enter and envelope[1] in ENTER_KEYS:
                await self.hub.take(self)
        elif kind == "resize" and len(envelope) > 1 and isinstance(envelope[1], dict):
            with contextlib.suppress(KeyError, TypeError, ValueError):
                self.width = max(1, int(envelope[1]["width"]))
                self.height = max(1, int(envelope[1]["height"]))
            if process is not None:
                await process.send_meta(
                    {"type": "resize", "width": self.width, "height": self.height}
                )
            elif self.notice is not None:
                await self.show(self.notice)
        elif kind == "ping" and len(envelope) > 1:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.websocket.send_json(["pong", envelope[1]])
        elif kind in ("focus", "blur") and process is not None:
            await process.send_meta({"type": kind})

    async def write_screen(self, data: bytes) -> None:
        if not self.websocket.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.websocket.send_bytes(data)

    async def open_exam(self, process: ExamProcess, following: Sequence[int]) -> None:
        self.notice = None
        self.process = process
        await process.go(self.write_screen, (self.width, self.height), following)
        self._watcher = asyncio.create_task(self._watch(process))

    async def _watch(self, process: ExamProcess) -> None:
        """The app ended by itself (left, finished, failed): say so in the tab."""
        await process.app_ended.wait()
        if self.process is not process:  # released by us: whoever released it says what next
            return
        self.process = None
        process.write_screen = None
        self.hub.ended(self, process)
        if process.said_exit:  # the app's own end; its engine is still closing
            await self.show(notices.left(self.hub.session()))
        code = await process.wait()
        if (code == 0 and process.said_exit) or self.process is not None:
            return
        if code == EXIT_BUSY:
            await self.show(notices.busy(self.hub.session()))
            return
        said = process.errors.decode("utf-8", "replace").strip().splitlines()
        log.warning("the exam screen ended with exit code %s: %s", code, said[-1] if said else "")
        await self.show(notices.failed(code, said[-1] if said else "", str(self.hub.log_hint)))

    async def release(self, then: Callable[[SessionRecord], Notice] | None) -> None:
        """End this tab's app (if any); ``then(session)`` is the notice to show after."""
        process, self.process = self.process, None
        if process is not None:
            await process.end_app()
            process.write_screen = None
            self.hub.ended(self, process)
        if then is not None:
            await self.show(then(self.hub.session()))

    async def show(self, notice: Notice) -> None:
        self.notice = notice
        await self.write_screen(notice.draw(self.width, self.height))

    async def close(self) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.websocket.close()
