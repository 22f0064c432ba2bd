"""One exam-screen process behind one browser tab, spoken to in Textual's web-driver protocol.

The process is started ahead of need (:meth:`ExamProcess.spawn`): it imports the exam screen and
waits. :meth:`ExamProcess.go` then sends it one JSON line (the tab's terminal size, and the pid
of the tab process whose engine it follows, see :mod:`simulator.cli.serve_tab`), and it runs the
app. Taking this second or more of imports out of the way is what makes a reload come back
quickly.

From then on the protocol is Textual's ``WebDriver``'s, as textual-serve's ``AppService`` speaks
it: the process writes the line ``__GANGLION__``; after it, each direction carries packets of one
type byte, a 4-byte big-endian length and the payload. ``D`` is terminal data (the screen one
way, the keys the other), ``M`` a JSON object (``resize``, ``focus``, ``blur``, ``quit`` to the
app; ``exit`` from it once the app has ended). textual-serve's own service closes the browser's
socket when the app exits; a tab here stays open after that (to say why and to offer to come
back), hence this small bridge of its own.

The process gets its own session (``start_new_session``): Ctrl+C in the ``tfexam serve``
terminal reaches the server only, which then ends the tabs' processes in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Sequence

log = logging.getLogger(__name__)

PRELUDE = b"__GANGLION__\n"
#: Lines the process may write before the prelude (a stray warning) before it counts as failed.
PRELUDE_LINES = 10
#: Seconds the app gets to end after ``quit`` (it keeps unsaved texts first); then SIGTERM, and
#: SIGKILL after as long again.
QUIT_TIMEOUT_S = 15.0
#: What the process may say on stderr that is kept (for the tab's "stopped unexpectedly").
ERRORS_KEPT = 64 * 1024

ScreenWriter = Callable[[bytes], Awaitable[None]]


def packet(kind: bytes, payload: bytes) -> bytes:
    """One protocol packet: type byte, big-endian length, payload."""
    return kind + len(payload).to_bytes(4, "big") + payload


class ExamProcess:
    """The exam screen's process for one tab: spawn, go, keys in, screen out, quit."""

    def __init__(self, command: Sequence[str], environment: dict[str, str] | None = None) -> None:
        self.command = list(command)
        self.environment = environment
        self.process: asyncio.subprocess.Process | None = None
        #: Where the screen goes; set by :meth:`go` (a spare process writes nothing before it).
        self.write_screen: ScreenWriter | None = None
        #: What the process wrote on stderr (its failure, if it could not start).
        self.errors = bytearray()
        #: Set when the app drew its first output, and when it has ended (or the process has).
        self.drawing = asyncio.Event()
        self.app_ended = asyncio.Event()
        #: Whether the app said it ended (Textual's ``exit`` meta), as opposed to just stopping.
        self.said_exit = False
        self.went_at: float | None = None
        self._pump: asyncio.Task[None] | None = None
        self._stderr: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def spawn(self) -> None:
        """Start the process; it imports the exam screen and waits for :meth:`go`."""
        environment = dict(os.environ if self.environment is None else self.environment)
        environment.update(
            TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver",
            TEXTUAL_FPS="60",
            TEXTUAL_COLOR_SYSTEM="truecolor",
            TERM_PROGRAM="textual",
        )
        self.process = await asyncio.create_subprocess_exec(
            *self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
        self._stderr = asyncio.create_task(self._read_stderr())
        self._pump = asyncio.create_task(self._read_screen())

    async def go(
        self, write_screen: ScreenWriter, size: tuple[int, int], after_pids: Sequence[int]
    ) -> None:
        """Run the app now, drawing through ``write_screen`` at ``size`` (columns, rows); its
        engine follows those of ``after_pids`` (tab processes still ending)."""
        self.write_screen = write_screen
        self.went_at = time.monotonic()
        line = {"width": size[0], "height": size[1], "after_pids": list(after_pids)}
        await self._send(json.dumps(line).encode("utf-8") + b"\n")

    async def wait(self) -> int:
        """Until the process has ended and its output is read; its exit code."""
        assert self.process is not None and self._pump is not None
        await self._pump
        code = await self.process.wait()
        if self._stderr is not None:
            await self._stderr
        return code

    async def send_keys(self, data: str) -> None:
        await self._send(packet(b"D", data.encode("utf-8")))

    async def send_meta(self, meta: dict[str, object]) -> None:
        await self._send(packet(b"M", json.dumps(meta).encode("utf-8")))

    async def _send(self, data: bytes) -> None:
        stdin = None if self.process is None else self.process.stdin
        if stdin is None or stdin.is_closing():
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            stdin.write(data)
            await stdin.drain()

    async def end_app(self, timeout: float = QUIT_TIMEOUT_S) -> None:
        """Ask the app to quit and wait until it has ended (the process may still be closing
        its engine: :meth:`finish` waits for that)."""
        if self.process is None:
            return
        if self.went_at is None:  # a spare: it ends when its input does
            if self.process.stdin is not None:
                self.process.stdin.close()
            return
        await self.send_meta({"type": "quit"})
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.app_ended.wait(), timeout)

    async def finish(self, timeout: float = QUIT_TIMEOUT_S) -> int | None:
        """Wait for the process to end, forcing it if it does not; its exit code."""
        process = self.process
        if process is None:
            return None
        for force in (None, process.terminate, process.kill):
            if force is not None:
                log.warning("exam screen pid %s did not end: %s", process.pid, force.__name__)
                with contextlib.suppress(ProcessLookupError):
                    force()
            try:
                return await asyncio.wait_for(asyncio.shield(self.wait()), timeout)
            except asyncio.TimeoutError:
                continue
        return process.returncode

    async def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while chunk := await self.process.stderr.read(4096):
            self.errors.extend(chunk[: ERRORS_KEPT - len(self.errors)])

    async def _read_screen(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stdout = self.process.stdout
        try:
            for _ in range(PRELUDE_LINES):
                line = await stdout.readline()
                if line == PRELUDE:
                    break
                if not line:
                    return
            else:
                return
            while True:
                kind = await stdout.readexactly(1)
                size = int.from_bytes(await stdout.readexactly(4), "big")
                payload = await stdout.readexactly(size)
                if kind == b"D" and self.write_screen is not None:
                    self.drawing.set()
                    await self.write_screen(payload)
                elif kind == b"M":
                    self._on_meta(payload)
                # b"P" (packed file deliveries) is not used by the exam app: skipped.
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.app_ended.set()

    def _on_meta(self, payload: bytes) -> None:
        try:
            meta = json.loads(payload)
        except ValueError:
            log.warning("exam screen sent a malformed meta packet")
            return
        if isinstance(meta, dict) and meta.get("type") == "exit":
            self.said_exit = True
            self.app_ended.set()
