"""A program's output turned into lines as a terminal would show them, kept whole or as a tail.

A carriage return rewrites the current line, like a progress bar does on screen (Keras redraws
its bar with ``\\r`` even when its output is a file), and escape sequences are removed so nothing
from the child can reach our terminal. :class:`LineAssembler` does that for a stream of chunks;
:class:`LogTail` keeps the last lines in bounded memory (the engine's view of every live run);
:class:`LogFollower` reads a run's log file as it grows (the Run window's whole-log tab).
"""

from __future__ import annotations

import codecs
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from simulator.training.terminal_text import hold_back_escape, plain

#: A line longer than this is cut (with "…"): a screen line, not a data dump.
MAX_LINE = 2000
#: What a follower reads at most in one call, so one call never holds the screen for long: about
#: 100,000 lines of Keras output, read and split in about 50 ms.
READ_CHUNK = 8 * 1024 * 1024


class LineAssembler:
    """Feeds on chunks of output; gives back the lines they complete. ``current`` is the line
    still being written (a progress bar being redrawn), as a terminal shows it now."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.current = ""
        self.max_line = max_line
        self._escape = ""

    def feed(self, chunk: str) -> list[str]:
        complete, self._escape = hold_back_escape(self._escape + chunk)
        if complete.endswith("\r"):  # maybe the first half of a CRLF: decide with the next chunk
            complete, self._escape = complete[:-1], "\r" + self._escape
        text = plain(complete).replace("\r\n", "\n")
        pieces = text.split("\n")
        if "\r" not in text:  # most output: plain lines, no redraws (one pass, no loop)
            if len(pieces) == 1:
                self.current = _cut(self.current + text, self.max_line)
                return []
            done = [self.current + pieces[0], *pieces[1:-1]]
            self.current = _cut(pieces[-1], self.max_line)
            if max(map(len, done)) > self.max_line:
                done = [_cut(line, self.max_line) for line in done]
            return done
        done = []
        for index, piece in enumerate(pieces):
            if index > 0:
                done.append(self.current)
                self.current = ""
            if "\r" in piece:
                piece = piece.rsplit("\r", 1)[1]  # the last redraw wins
                self.current = ""
            if piece:
                self.current = _cut(self.current + piece, self.max_line)
        return done


def _cut(line: str, limit: int) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"


class LogTail:
    """The last ``max_lines`` lines of a stream of output, the unfinished one apart."""

    def __init__(self, max_lines: int = 300) -> None:
        self.lines: deque[str] = deque(maxlen=max_lines)
        self.total_lines = 0
        self._assembler = LineAssembler(max_line=400)

    @property
    def current(self) -> str:
        return self._assembler.current

    def feed(self, chunk: str) -> None:
        done = self._assembler.feed(chunk)
        self.lines.extend(done)
        self.total_lines += len(done)

    def tail(self, count: int) -> list[str]:
        """The last ``count`` lines, the unfinished one included."""
        lines = list(self.lines)
        if self.current:
            lines.append(self.current)
        return lines[-count:] if count > 0 else []


@dataclass(frozen=True)
class LogUpdate:
    """What a log file added since the last read: whole lines, and the line being written."""

    lines: list[str]
    current: str
    #: Whether the file holds more than this read took (the next read goes on from there).
    more: bool = False


class LogFollower:
    """Reads a log file from where it left off; a run that prints 10,000 lines a second adds
    about a megabyte a second, so each read takes what is new, up to :data:`READ_CHUNK`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._assembler = LineAssembler()

    def read(self, limit: int = READ_CHUNK) -> LogUpdate:
        try:
            with self.path.open("rb") as stream:
                stream.seek(self.offset)
                data = stream.read(limit + 1)
        except OSError:
            data = b""
        more = len(data) > limit
        data = data[:limit]
        self.offset += len(data)
        lines = self._assembler.feed(self._decoder.decode(data)) if data else []
        return LogUpdate(lines, self._assembler.current, more)
