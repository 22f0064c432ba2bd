"""Human durations such as ``5h``, ``90m``, ``1h30m`` or ``45s``, and how instants are written.

Exam lengths are written the way people say them, in exam files and on the command line alike, so a
single parser keeps both honest and gives the same error message everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import time

_PATTERN = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")


class DurationError(ValueError):
    """A duration that cannot be read; the message says what is accepted."""


#: The longest session: the real exam lasts 5 hours, and a day is plenty for a slow practice run.
MAX_DURATION_S = 24 * 3600


def parse_duration(text: str) -> int:
    """Return the number of seconds in ``text`` (``5h``, ``90m``, ``1h30m``, ``45s``).

    A bare number is refused rather than guessed at: ``--duration 90`` is as likely to mean 90
    minutes as 90 seconds, and a wrong guess costs a session.
    """
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        raise DurationError(
            f"duration {text!r} has no unit: write '{cleaned}m' for minutes or '{cleaned}s' for "
            "seconds"
        )
    match = _PATTERN.match(cleaned)
    if not cleaned or match is None:
        raise DurationError(
            f"cannot read duration {text!r}: use hours, minutes and seconds like "
            "'5h', '90m', '1h30m' or '45s'"
        )
    seconds = int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60 + int(match["s"] or 0)
    if seconds <= 0:
        raise DurationError(f"duration {text!r} must be longer than zero")
    if seconds > MAX_DURATION_S:
        raise DurationError(f"duration {text!r} is longer than a day (24h at most)")
    return seconds


def format_duration(seconds: float) -> str:
    """Format seconds as ``4:59:58`` (or ``-0:00:05`` when past a deadline)."""
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"


def format_short(seconds: float) -> str:
    """Format a length compactly for messages: ``5h``, ``1h30m``, ``45s``."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts) or "0s"


def local_clock(epoch: float, *, seconds: bool = True, now: float | None = None) -> str:
    """A local wall-clock time for messages (``14:05:09``), with the day when it is not today
    (``Sun 22 Nov 02:10:36``), so an end tomorrow is never read as one today."""
    moment = time.localtime(epoch)
    today = time.localtime(time.time() if now is None else now)
    clock = time.strftime("%H:%M:%S" if seconds else "%H:%M", moment)
    if moment[:3] == today[:3]:
        return clock
    return f"{time.strftime('%a %d %b', moment)} {clock}"


def iso_time(epoch: float) -> str:
    """An instant as local ISO-8601 with milliseconds and offset: the JSON outputs' time format."""
    return dt.datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="milliseconds")
