"""The web server of ``tfexam serve``: the page, its static files, the tabs' websocket.

It reuses textual-serve's browser side (its page script ``textual.js``, xterm.js and fonts) and
its protocol, with a page, routes and connection handling of its own: every route sits behind
:class:`~simulator.serve.access.AccessGuard`; the page names this server as the browser reached
it (so an SSH tunnel to another local port works) and loads nothing from other sites; a
connection runs the exam screen of the one served session (:class:`~simulator.serve.tabs.ExamTabs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import ipaddress
import logging
import signal
import socket
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import textual_serve
from aiohttp import web

from simulator.serve.access import TOKEN_PARAMETER, AccessGuard
from simulator.serve.tabs import ExamTabs, Tab
from simulator.storage.store import Store

log = logging.getLogger(__name__)

#: textual-serve's browser side: textual.js (xterm.js and its addons), xterm.css, Roboto Mono.
STATIC = Path(textual_serve.__file__).resolve().parent / "static"
HERE = Path(__file__).resolve().parent
#: Only this server's scripts, styles, fonts and socket; no framing (see access.SAFETY_HEADERS).
#: textual.js injects its styles as <style> elements, hence 'unsafe-inline' for styles only.
CONTENT_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
#: The websocket's keep-alive: a connection silent for twice this is taken as dropped.
HEARTBEAT_S = 15.0
#: Terminal size until the browser says (its fit of the window comes in the socket's URL).
DEFAULT_SIZE = (80, 24)
#: Host values that mean "every interface".
ALL_INTERFACES = ("0.0.0.0", "::", "")


def _int(value: str | None, default: int, low: int = 1, high: int = 1000) -> int:
    try:
        return min(high, max(low, int(value or "")))
    except ValueError:
        return default


@dataclass
class ServedExam:
    """What to serve: one session of the store, its exam screen's command, the page's title."""

    store: Store
    session_id: str
    command: Sequence[str]
    title: str
    log_hint: Path
    environment: dict[str, str] | None = None


class ExamServer:
    """``tfexam serve``'s server: bind, start, stop."""

    def __init__(self, served: ServedExam, *, host: str, listening: socket.socket) -> None:
        """``listening``: from :func:`bind` (bound first, so a busy port costs no session)."""
        self.served = served
        self.host = host
        self.socket = listening
        self.port: int = self.socket.getsockname()[1]
        names = [] if host in ALL_INTERFACES else [host]
        if host in ALL_INTERFACES or not _is_loopback(host):
            names += [socket.gethostname(), socket.getfqdn()]
        self.guard = AccessGuard.for_server(self.port, names)
        self.tabs: ExamTabs | None = None
        self._runner: web.AppRunner | None = None
        self._page = string.Template((HERE / "page.html").read_text(encoding="utf-8"))
        self._script = (HERE / "page.js").read_bytes()

    def url(self, host: str | None = None) -> str:
        """The address to open, with the token (``host``: the name to put in it)."""
        name = host or (self.host if self.host not in ALL_INTERFACES else socket.gethostname())
        if ":" in name:
            name = f"[{name}]"
        return f"http://{name}:{self.port}/?{TOKEN_PARAMETER}={self.guard.token}"

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard.middleware])
        app.router.add_get("/", self.page)
        app.router.add_get("/tfexam.js", self.script)
        app.router.add_get("/ws", self.websocket)
        # No folder listings, no links followed out of the folder; aiohttp refuses paths that
        # resolve outside it (.., encoded or not).
        app.router.add_static("/static", STATIC, show_index=False, follow_symlinks=False)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def start(self) -> None:
        served = self.served
        self.tabs = ExamTabs(
            served.store,
            served.session_id,
            served.command,
            log_hint=served.log_hint,
            environment=served.environment,
        )
        self._runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.SockSite(self._runner, self.socket, shutdown_timeout=5.0).start()
        await self.tabs.prepare()  # the first tab's process, imports done before it connects

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _on_shutdown(self, app: web.Application) -> None:
        if self.tabs is not None:
            await self.tabs.stop()

    # Routes -------------------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        # The Host header passed the guard: the socket is addressed as the browser reached us.
        font_size = _int(request.query.get("fontsize"), 16, 6, 64)
        body = self._page.substitute(
            title=html.escape(self.served.title),
            static="/static/",
            websocket=html.escape(f"ws://{request.host}/ws"),
            font_size=font_size,
        )
        return web.Response(
            text=body,
            content_type="text/html",
            headers={"Content-Security-Policy": CONTENT_POLICY},
        )

    async def script(self, request: web.Request) -> web.Response:
        return web.Response(body=self._script, content_type="text/javascript")

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        assert self.tabs is not None
        size = (
            _int(request.query.get("width"), DEFAULT_SIZE[0]),
            _int(request.query.get("height"), DEFAULT_SIZE[1]),
        )
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=1024 * 1024)
        await websocket.prepare(request)
        await Tab(self.tabs, websocket, size).run()
        return websocket


def _is_loopback(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: any free port); OSError says why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, reuse_port=False, backlog=64)


def serve_until_stopped(server: ExamServer, announce: Callable[[], None]) -> None:
    """Run ``server`` until Ctrl+C or SIGTERM; ``announce`` once it accepts connections."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await server.start()
            announce()
            await stop.wait()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(ValueError, RuntimeError):
                    loop.remove_signal_handler(sig)
            await server.stop()

    asyncio.run(main())
