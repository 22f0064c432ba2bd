"""Turning a program's terminal output into plain text, the way a terminal would show it.

Keras draws its progress bar with carriage returns, backspaces and colour codes even when its
output is a file. Everything shown to the candidate goes through here first, so no escape
sequence from a child ever reaches the TUI's own terminal.
"""

from __future__ import annotations

import re

#: CSI, OSC and two-character escape sequences.
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
#: Control characters other than newline, carriage return and tab.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(text: str) -> str:
    """Remove escape sequences and control characters (keeps \\n, \\r and tabs)."""
    if "\x1b" in text:
        text = ESCAPES.sub("", text)
    return CONTROLS.sub("", text)


def split_segments(text: str) -> list[str]:
    """Split on newlines and carriage returns: each piece is one redraw of a line."""
    return re.split(r"\r\n|\r|\n", text)


def hold_back_escape(text: str) -> tuple[str, str]:
    """Split off an escape sequence cut at the end of a chunk, to prepend to the next chunk."""
    start = text.rfind("\x1b", max(0, len(text) - 64))
    if start < 0:
        return text, ""
    match = ESCAPES.match(text, start)
    if match is not None and match.end() <= len(text):
        return text, ""
    return text[:start], text[start:]
