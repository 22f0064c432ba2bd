"""Where tfexam leans on Textual's private code, a change in Textual fails here, by name.

Two places trade Textual's own behaviour for less idle CPU (issue 27, docs/benchmarks.md
"Idle, third round"): ``simulator/tui/terminal_driver.py`` is Textual's Linux input loop with
two changes, and ``simulator/tui/run_pane.LogLines`` overrides private methods of ``Log``.
pyproject.toml pins Textual to the minor version they were written against; a patch release
that changes one of these functions fails this test instead of the exam screen. After reading
the new code (and carrying its changes over), record its fingerprint below.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable

import pytest
from textual.drivers.linux_driver import LinuxDriver
from textual.widget import Widget
from textual.widgets import Log

#: The first 16 hex digits of each function's source's SHA-256, as of Textual 8.2.8.
READ_AGAINST: dict[str, tuple[Callable[..., object], str, str]] = {
    "LinuxDriver.run_input_thread": (
        LinuxDriver.run_input_thread, "d796af6d69db337d", "simulator/tui/terminal_driver.py",
    ),
    "Log._update_size": (Log._update_size, "87b52081c53b310c", "simulator/tui/run_pane.py"),
    "Log._update_maximum_width": (
        Log._update_maximum_width, "831f494927467e58", "simulator/tui/run_pane.py",
    ),
    "Log._process_line": (Log._process_line, "784513415abf0847", "simulator/tui/run_pane.py"),
    "Widget._scroll_update": (
        Widget._scroll_update, "edb9f6257285830d", "simulator/tui/run_pane.py",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(READ_AGAINST))
def test_textuals_private_code_that_tfexam_copies_or_overrides_is_unchanged(name: str) -> None:
    function, recorded, ours = READ_AGAINST[name]
    source = inspect.getsource(function)
    fingerprint = hashlib.sha256(source.encode()).hexdigest()[:16]
    assert fingerprint == recorded, (
        f"Textual's {name} changed: re-read {ours} against it, then record {fingerprint}"
    )
