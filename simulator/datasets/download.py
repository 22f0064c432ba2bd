"""Downloading one file into the cache with ``requests``: streamed, resumable, verified.

The bytes go to ``<file>.part``. A dropped connection is retried with an HTTP ``Range`` request
from the bytes already there (a later ``tfexam prepare`` resumes the same way); a server that
ignores ``Range`` sends the whole file again, which then replaces the part. The complete file is
verified (size and sha256, or size and content) before it gets its final name; a copy that fails
is removed. ``Accept-Encoding: identity`` keeps the bytes on the wire the file's own, so offsets
and checksums mean what they say.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:  # requests costs ~90 ms to import: only `tfexam prepare` pays it
    import requests

from simulator.datasets.cache import (
    ChecksumError,
    DatasetError,
    Verified,
    accepted_sizes,
    install,
    part_path,
)
from simulator.datasets.registry import RemoteFile

DOWNLOAD_CHUNK = 64 * 1024
#: (connect, read) timeouts in seconds.
TIMEOUT = (10.0, 60.0)
#: Tries per URL that end without a single new byte before the next URL is tried.
ATTEMPTS = 3
USER_AGENT = "tfexam (dataset download)"


class NetworkError(DatasetError):
    """No URL of a file could be reached (no network, a firewall, a refused connection)."""


class Reporter(Protocol):
    """Progress of one file: where it starts (bytes already there) and each chunk after."""

    def start(self, remote: RemoteFile, total: int | None, done: int) -> None: ...

    def advance(self, count: int) -> None: ...


class _Silent:
    def start(self, remote: RemoteFile, total: int | None, done: int) -> None:
        pass

    def advance(self, count: int) -> None:
        pass


def download(
    remote: RemoteFile,
    target: Path,
    *,
    urls: Sequence[str] | None = None,
    reporter: Reporter | None = None,
    attempts: int = ATTEMPTS,
    timeout: tuple[float, float] = TIMEOUT,
) -> Verified:
    """Download ``remote`` (from ``urls``, default its own) to ``target`` and verify it."""
    import requests

    reporter = reporter or _Silent()
    target.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(target)
    unreachable: list[str] = []
    failures: list[str] = []
    mismatches: list[str] = []
    with requests.Session() as http:
        http.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
        for url in urls if urls is not None else remote.urls:
            host = urlsplit(url).netloc or url
            fruitless = 0
            reached = False
            while fruitless < attempts:
                before = part.stat().st_size if part.exists() else 0
                try:
                    _fetch(http, url, remote, part, reporter, timeout)
                except requests.HTTPError as error:
                    reached = True
                    failures.append(f"{host}: HTTP {error.response.status_code}")
                    break
                except requests.RequestException as error:
                    after = part.stat().st_size if part.exists() else 0
                    reached = reached or after > before
                    fruitless = 0 if after > before else fruitless + 1
                    if fruitless >= attempts:
                        (failures if reached else unreachable).append(f"{host}: {_why(error)}")
                    continue
                try:
                    return install(remote, part, target)
                except ChecksumError as error:
                    mismatches.append(f"{error} from {host} (the download was removed)")
                    break
    if mismatches:
        raise ChecksumError("; ".join(mismatches))
    if failures:
        raise DatasetError(f"could not download {remote.name}: " + "; ".join(failures))
    raise NetworkError(f"could not reach {', '.join(unreachable) or 'any URL'}")


def _fetch(
    http: requests.Session,
    url: str,
    remote: RemoteFile,
    part: Path,
    reporter: Reporter,
    timeout: tuple[float, float],
) -> None:
    have = part.stat().st_size if part.exists() else 0
    sizes = accepted_sizes(remote)
    if have and sizes and have > max(sizes):
        part.unlink()  # longer than any good copy: start again
        have = 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with http.get(url, headers=headers, stream=True, timeout=timeout) as response:
        if response.status_code == 416 and have:
            return  # nothing left to send: the part is complete (verification decides)
        response.raise_for_status()
        resumed = response.status_code == 206 and _range_start(response) == have
        if not resumed:
            have = 0  # the whole file is coming
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else (remote.size or None)
        reporter.start(remote, total, have)
        with part.open("ab" if resumed else "wb") as out:
            for chunk in response.iter_content(DOWNLOAD_CHUNK):
                out.write(chunk)
                reporter.advance(len(chunk))


def _range_start(response: requests.Response) -> int | None:
    """The first byte of a 206 answer (``Content-Range: bytes 100-199/200``)."""
    value = response.headers.get("Content-Range", "")
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def _why(error: requests.RequestException) -> str:
    import requests

    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "the connection dropped"
    if isinstance(error, requests.ConnectTimeout):
        return "timed out connecting"
    if isinstance(error, requests.ConnectionError):
        text = str(error)
        for marker in ("Connection refused", "Name or service not known", "Temporary failure"):
            if marker in text:
                return marker.lower()
        return "connection failed"
    if isinstance(error, requests.Timeout):
        return "timed out"
    return type(error).__name__
