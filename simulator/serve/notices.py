"""What a tab shows while it does not hold the exam: a few centred lines drawn by the server.

The exam screen is a process per tab; between processes (another tab has the exam, the candidate
left it, the server is stopping) the browser's terminal still shows the last frame. These
notices replace it, in the same terminal, so a tab always says where the exam is and what Enter
does there.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.exam.durations import format_duration, local_clock
from simulator.storage.records import SessionRecord

#: Terminal modes the exam screen turned on, turned off again (mouse reporting, bracketed paste),
#: then: attributes reset, screen cleared, cursor hidden.
_RESET = (
    "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l"
    "\x1b[0m\x1b[2J\x1b[3J\x1b[H\x1b[?25l"
)
_BOLD, _DIM, _PLAIN = "\x1b[1m", "\x1b[2m", "\x1b[0m"


@dataclass(frozen=True)
class Notice:
    """A headline and the lines under it; ``enter`` says what Enter does (None: nothing);
    ``waits``: the tab takes the exam by itself once no other tab has it."""

    headline: str
    lines: tuple[str, ...] = ()
    enter: str | None = None
    waits: bool = False

    def draw(self, width: int, height: int) -> bytes:
        """The terminal output that shows this notice, centred in ``width`` x ``height``."""
        rows = [(_BOLD, self.headline), ("", "")]
        rows += [("", line) for line in self.lines]
        if self.enter:
            rows += [("", ""), (_DIM, f"Press Enter {self.enter}.")]
        top = max(0, (height - len(rows)) // 2)
        out = [_RESET]
        for offset, (style, text) in enumerate(rows):
            text = text[: max(1, width - 2)]
            column = max(0, (width - len(text)) // 2)
            out.append(f"\x1b[{top + offset + 1};{column + 1}H{style}{text}{_PLAIN}")
        return "".join(out).encode("utf-8")


def _time_left(session: SessionRecord) -> str:
    left = format_duration(max(0.0, session.remaining()))
    return f"The clock keeps running: {left} left, the exam ends at {local_clock(session.deadline, seconds=False)}."


def elsewhere(session: SessionRecord) -> Notice:
    return Notice(
        "This exam is open in another tab.",
        (
            f"Session {session.id}: one tab at a time shows the exam screen.",
            "This tab takes it once the other one is closed.",
        ),
        enter="to take it over here now (the other tab lets it go)",
        waits=True,
    )


def opening(session: SessionRecord) -> Notice:
    """A reload: the old page's exam screen is still ending."""
    return Notice(f"Opening the exam screen of session {session.id}…", waits=True)


def moved(session: SessionRecord) -> Notice:
    return Notice(
        "The exam moved to another tab.",
        (_time_left(session),) if session.state != "submitted" else (),
        enter="to take it back here",
    )


def left(session: SessionRecord) -> Notice:
    """After the candidate left the exam screen (q) or its results."""
    if session.state == "submitted":
        return Notice(
            "The exam is over.",
            (f"Its report: tfexam report {session.id}",),
            enter="to see the results again",
        )
    return Notice(
        "You left the exam.",
        (_time_left(session), "Models saved meanwhile are graded when you come back."),
        enter="to come back",
    )


def busy(session: SessionRecord) -> Notice:
    return Notice(
        "This session is open in another tfexam.",
        (
            f"Another program (pid {session.engine_pid}) has session {session.id} open,",
            "in a terminal perhaps: leave it there (q) first.",
        ),
        enter="to try again",
    )


def failed(code: int | None, detail: str, log_hint: str) -> Notice:
    lines = [f"It ended with exit code {code}." if code is not None else "It did not start."]
    if detail:
        lines.append(detail)
    lines.append(f"More in {log_hint}")
    return Notice("The exam screen stopped unexpectedly.", tuple(lines), enter="to open it again")


def server_stopped(session: SessionRecord) -> Notice:
    lines = [] if session.state == "submitted" else [_time_left(session)]
    lines.append(f"Come back with: tfexam serve --session {session.id}")
    return Notice("tfexam serve was stopped.", tuple(lines))
