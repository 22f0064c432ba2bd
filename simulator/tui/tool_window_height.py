"""How tall the bottom tool window is: as the stylesheet says, as the candidate stretched it
(PyCharm's Ctrl+Shift+Up / Down; each window keeps its own height, across sessions), or
maximised over the editor area. No Textual here: the app applies what this works out."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Rows a tool window grows or shrinks by per step, its least height, the rows of the status
#: bar and footer, and the least the editor area keeps beside a stretched window.
STEP_ROWS = 2
MIN_ROWS = 6
CHROME_ROWS = 2
MIN_EDITOR_ROWS = 5


def clamped(rows: int, screen_rows: int) -> int:
    """Between the smallest useful tool window and what leaves the editor area some room."""
    room = screen_rows - CHROME_ROWS - MIN_EDITOR_ROWS
    return max(MIN_ROWS, min(rows, max(MIN_ROWS, room)))


@dataclass
class ToolWindowHeights:
    """The kept heights ("exam", "run": rows) and whether the tool window is maximised."""

    kept: dict[str, int] = field(default_factory=dict)
    maximized: bool = False

    def stretch(self, window: str, now_rows: int, steps: int, screen_rows: int) -> int:
        """Grow (``steps`` > 0) or shrink ``window`` from its current height; the rows kept."""
        self.maximized = False
        self.kept[window] = clamped(now_rows + steps * STEP_ROWS, screen_rows)
        return self.kept[window]

    def height(self, window: str, screen_rows: int) -> int | str | None:
        """The height to give the tool window: ``"1fr"`` maximised, rows where it was
        stretched (fitted to the screen), None for the stylesheet's own."""
        if self.maximized:
            return "1fr"
        rows = self.kept.get(window)
        return None if rows is None else clamped(rows, screen_rows)
