"""The bottom tool window: the Exam window or the Run window, as PyCharm's tool windows.

:class:`ToolWindows` owns which of the two shows, its title, whether it is hidden, its height as
the candidate stretched it (kept across sessions in the preferences file) and maximising it over
the editor area. The height policy itself is :mod:`simulator.tui.tool_window_height`'s.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import ContentSwitcher

from simulator.tui.exam_window import ExamToolWindow
from simulator.tui.preferences import load_preferences, save_preferences
from simulator.tui.run_window import RunToolWindow
from simulator.tui.tool_window_height import ToolWindowHeights

EXAM = "exam"
RUNS = "run-window"


class ToolWindows(ContentSwitcher):
    """The Exam and Run tool windows in one place below the editor area."""

    def __init__(self, *, metrics: dict[str, str], covers: str, id: str | None = None) -> None:
        """``metrics``: each question's metric (the Run window's charts); ``covers``: the
        selector of the editor area, hidden while the tool window is maximised."""
        super().__init__(initial=EXAM, id=id)
        self._metrics = metrics
        self._covers = covers
        #: Each window's height as the candidate last stretched it, and maximised or not.
        self._heights = ToolWindowHeights(dict(load_preferences().tool_window_heights))

    def compose(self) -> ComposeResult:
        yield ExamToolWindow(id=EXAM)
        yield RunToolWindow(id=RUNS, metrics=self._metrics)

    def on_mount(self) -> None:
        self._show_title()
        self.apply_height()

    @property
    def showing_runs(self) -> bool:
        return self.current == RUNS

    @property
    def maximized(self) -> bool:
        return self._heights.maximized

    def show_window(self, name: str) -> None:
        """Show the tool window (``EXAM`` or ``RUNS``), at that window's own height."""
        self.display = True
        if self.current == name:
            return
        self.current = name
        self.set_class(name == RUNS, "-runs")
        self._show_title()
        self.apply_height()

    def toggle_hidden(self) -> None:
        """PyCharm's Shift+Esc: the tool window goes and the editor area takes its room (a
        hidden window is not maximised when it comes back); again brings it back."""
        self.display = not self.display
        if not self.display:
            self._heights.maximized = False
            self.apply_height()

    def stretch(self, steps: int) -> None:
        """PyCharm's Ctrl+Shift+Up / Down: a step taller or shorter, kept for next time."""
        self.display = True
        name = self._window_key()
        rows = self._heights.stretch(name, self.outer_size.height, steps, self.screen.size.height)
        save_preferences(load_preferences().with_tool_window_height(name, rows))
        self.apply_height()

    def toggle_maximized(self) -> None:
        """The tool window takes the whole editor area, or gives it back."""
        self.display = True
        self._heights.maximized = not self._heights.maximized
        self.apply_height()

    def apply_height(self) -> None:
        """The height the policy gives the window on show, for the screen's size now."""
        self.screen.query_one(self._covers).display = not (self.maximized and self.display)
        self.styles.height = self._heights.height(self._window_key(), self.screen.size.height)

    def _window_key(self) -> str:
        return "run" if self.showing_runs else "exam"

    def _show_title(self) -> None:
        self.border_title = "Run" if self.showing_runs else "Exam"
        self.border_subtitle = (
            "v: Exam · +/-: size · m: maximise" if self.showing_runs else "v: Run"
        )
