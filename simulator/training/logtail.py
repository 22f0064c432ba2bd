"""The last lines of a run's output, as a terminal would show them, in bounded memory.

A run may print thousands of lines a second for hours; only the tail is kept (the whole output
is in the run's log file). A carriage return rewrites the current line, like a progress bar does
on screen, and escape sequences are removed so nothing from the child can reach our terminal.
"""

from __future__ import annotations

from collections import deque

from simulator.training.terminal_text import hold_back_escape, plain

MAX_LINE = 400


class LogTail:
    def __init__(self, max_lines: int = 300) -> None:
        self.lines: deque[str] = deque(maxlen=max_lines)
        self.current = ""
        self.total_lines = 0
        self._escape = ""

    def feed(self, chunk: str) -> None:
        complete, self._escape = hold_back_escape(self._escape + chunk)
        if complete.endswith("\r"):  # maybe the first half of a CRLF: decide with the next chunk
            complete, self._escape = complete[:-1], "\r" + self._escape
        text = plain(complete).replace("\r\n", "\n")
        for index, piece in enumerate(text.split("\n")):
            if index > 0:
                self.lines.append(self.current)
                self.total_lines += 1
                self.current = ""
            if "\r" in piece:
                piece = piece.rsplit("\r", 1)[1]  # the last redraw wins
                self.current = ""
            self.current = (self.current + piece)[:MAX_LINE]

    def tail(self, count: int) -> list[str]:
        """The last ``count`` lines, the unfinished one included."""
        lines = list(self.lines)
        if self.current:
            lines.append(self.current)
        return lines[-count:] if count > 0 else []
