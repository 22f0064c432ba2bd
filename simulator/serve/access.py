"""Who may use the served exam: the token, the cookie, the Host and the Origin.

The exam screen runs the candidate's training scripts, so whoever reaches it can run code on this
machine as the candidate. textual-serve has no authentication; this is Jupyter's model, applied
to every route by one aiohttp middleware:

- A random token is in the URL that ``tfexam serve`` prints. The first request that carries it
  (``?token=``) gets it back as an HttpOnly, SameSite=Strict cookie and is redirected to the same
  address without it, so the token leaves the address bar and the history. Every request,
  the websocket's included, must then carry the cookie (or the token); both are compared in
  constant time. Without it: 403, before any route runs (so no exam process is started).
- The Host header must name this machine: an IP address, ``localhost``, or the name given to
  ``--host`` (a page of another site whose name was re-pointed at 127.0.0.1, "DNS rebinding",
  sends its own name).
- The websocket's Origin must be this very server (scheme, name and port of the Host header):
  a page of another site cannot open it, even where the browser would send the cookie.
- Refusals are logged (never the token) and answered only after a pause, one refusal at a time,
  so guessing is slow.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp import web

log = logging.getLogger(__name__)

#: Seconds before each refusal is answered; refusals wait their turn, so guesses get at most one
#: answer per this many seconds, however many are sent at once.
REFUSAL_DELAY_S = 1.0
#: Random bytes in a token (Jupyter's is 24).
TOKEN_BYTES = 24
TOKEN_PARAMETER = "token"
#: Headers on every answer: no framing by other sites, no address leaking to other sites.
SAFETY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def host_name(host_header: str) -> str:
    """The name part of a Host header (``[::1]:8000`` -> ``::1``), lower case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass
class AccessGuard:
    """The token check, the Host and Origin checks, and the slow refusals, for one server."""

    token: str
    port: int
    #: Names (besides IP addresses and ``localhost``) a request's Host may carry.
    names: frozenset[str] = frozenset()
    refusal_delay_s: float = REFUSAL_DELAY_S
    refusals: int = 0
    _refusing: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def for_server(
        cls, port: int, names: Iterable[str] = (), token: str | None = None
    ) -> AccessGuard:
        return cls(
            token=token or new_token(),
            port=port,
            names=frozenset(name.lower() for name in names if name),
        )

    @property
    def cookie_name(self) -> str:
        """Per port: browsers share one cookie jar across the ports of a host."""
        return f"tfexam-serve-{self.port}"

    def matches(self, presented: str | None) -> bool:
        if not presented:
            return False
        return hmac.compare_digest(presented.encode("utf-8"), self.token.encode("utf-8"))

    def host_allowed(self, host_header: str | None) -> bool:
        if not host_header:
            return False
        name = host_name(host_header)
        return _is_ip(name) or name == "localhost" or name in self.names

    def origin_allowed(self, request: web.Request) -> bool:
        """The websocket's Origin is this server as the browser reached it."""
        origin = request.headers.get("Origin")
        if not origin:
            return False
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()

    def why_refused(self, request: web.Request) -> str | None:
        """Why ``request`` may not go on, or None."""
        if not self.host_allowed(request.headers.get("Host")):
            return f"Host {request.headers.get('Host')!r} is not this machine"
        if not (
            self.matches(request.cookies.get(self.cookie_name))
            or self.matches(request.query.get(TOKEN_PARAMETER))
        ):
            has = request.cookies.get(self.cookie_name) or request.query.get(TOKEN_PARAMETER)
            return "wrong token" if has else "no token"
        if request.headers.get("Upgrade", "").lower() == "websocket" and not self.origin_allowed(
            request
        ):
            return f"websocket from Origin {request.headers.get('Origin')!r}"
        return None

    async def refuse(self, request: web.Request, why: str) -> web.Response:
        """A 403 after the pause; logged with where it came from (never what was presented)."""
        self.refusals += 1
        log.warning("refused %s %s from %s: %s", request.method, request.path, request.remote, why)
        async with self._refusing:
            await asyncio.sleep(self.refusal_delay_s)
        return web.Response(
            status=403,
            text="403: this address needs the token in the URL that 'tfexam serve' printed.\n",
            headers=SAFETY_HEADERS,
        )

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        why = self.why_refused(request)
        if why is not None:
            return await self.refuse(request, why)
        websocket = request.headers.get("Upgrade", "").lower() == "websocket"
        if TOKEN_PARAMETER in request.query and not websocket:
            # The token becomes the cookie; the address loses it.
            query = {k: v for k, v in request.query.items() if k != TOKEN_PARAMETER}
            location = request.rel_url.with_query(query)
            redirect = web.HTTPFound(str(location), headers=SAFETY_HEADERS)
            redirect.set_cookie(
                self.cookie_name, self.token, httponly=True, samesite="Strict", path="/"
            )
            return redirect
        response = await handler(request)
        if not response.prepared:  # a websocket's headers are sent already
            for name, value in SAFETY_HEADERS.items():
                response.headers.setdefault(name, value)
        return response
