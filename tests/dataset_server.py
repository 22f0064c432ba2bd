"""A loopback HTTP file server for the dataset tests (127.0.0.1 only, never the internet).

It serves named byte strings, answers ``Range: bytes=N-`` with 206 (or ignores it when told to),
and can drop the connection after a number of bytes of a file's next answer, so that resuming an
interrupted download can be tested. Every request is recorded with its Range header.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Served:
    files: dict[str, bytes] = field(default_factory=dict)
    #: file name -> bytes to send before dropping the connection (once).
    drop_after: dict[str, int] = field(default_factory=dict)
    ignore_range: bool = False
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    base_url: str = ""

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    served: Served


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        served = self.server.served
        name = self.path.lstrip("/")
        wanted = self.headers.get("Range")
        served.requests.append((name, wanted))
        data = served.files.get(name)
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start = 0
        if wanted and not served.ignore_range:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        cut = served.drop_after.pop(name, None)
        if cut is not None:
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)


@contextmanager
def file_server(files: dict[str, bytes] | None = None) -> Iterator[Served]:
    """Serve ``files`` on 127.0.0.1 at a free port while the block runs."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.served = Served(files=dict(files or {}))
    host, port = server.server_address[:2]
    server.served.base_url = f"http://{host!s}:{port}"
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="dataset-server",
        daemon=True,
    )
    thread.start()
    try:
        yield server.served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def refused_url(name: str) -> str:
    """A loopback URL where nothing listens (connection refused: what "offline" looks like)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"
