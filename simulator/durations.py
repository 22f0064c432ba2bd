"""Human durations such as ``5h``, ``90m``, ``1h30m`` or ``45s``.

Exam lengths are written the way people say them, in exam files and on the command line alike, so a
single parser keeps both honest and gives the same error message everywhere.
"""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")


class DurationError(ValueError):
    """A duration that cannot be read; the message says what is accepted."""


def parse_duration(text: str) -> int:
    """Return the number of seconds in ``text`` (``5h``, ``90m``, ``1h30m``, ``45s``, ``300``)."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        seconds = int(cleaned)
    else:
        match = _PATTERN.match(cleaned)
        if not cleaned or match is None:
            raise DurationError(
                f"cannot read duration {text!r}: use hours, minutes and seconds like "
                "'5h', '90m', '1h30m' or '45s'"
            )
        seconds = int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60 + int(match["s"] or 0)
    if seconds <= 0:
        raise DurationError(f"duration {text!r} must be longer than zero")
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
