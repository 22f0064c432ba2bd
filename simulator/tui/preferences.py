"""The candidate's screen preferences (the theme, the tool windows' heights), kept across
sessions in a small file.

The file is ``config.toml`` in the user's config folder (``platformdirs``), or in
``$TFEXAM_HOME`` when that is set, so a throwaway home keeps everything of its own. A file that
cannot be read is ignored (defaults apply) and rewritten at the next change: a preference is
never worth an error dialog.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from simulator.paths import HOME_ENV

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from textual.app import App
    from textual.theme import Theme

log = logging.getLogger("tfexam.preferences")

FILE_NAME = "config.toml"


#: The tool windows whose height is kept (the Exam and the Run tool window).
TOOL_WINDOWS = ("exam", "run")


@dataclass(frozen=True)
class Preferences:
    theme: str | None = None
    #: Rows a tool window was stretched or shrunk to (PyCharm keeps each one's height).
    tool_window_heights: dict[str, int] = field(default_factory=dict)
    #: ``editor = "external"``: e and Enter open files in the candidate's own editor ($VISUAL,
    #: $EDITOR, PyCharm) instead of a tab (o always does).
    external_editor: bool = False

    def with_theme(self, theme: str) -> Preferences:
        return replace(self, theme=theme)

    def with_tool_window_height(self, window: str, rows: int) -> Preferences:
        return replace(self, tool_window_heights={**self.tool_window_heights, window: rows})


def preferences_path() -> Path:
    override = os.environ.get(HOME_ENV)
    folder = (
        Path(override).expanduser()
        if override
        else Path(platformdirs.user_config_dir("tfexam", appauthor=False))
    )
    return folder / FILE_NAME


def load_preferences(path: Path | None = None) -> Preferences:
    path = path or preferences_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Preferences()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        log.warning("ignoring %s: %s", path, error)
        return Preferences()
    theme = data.get("theme")
    heights = data.get("tool_windows")
    return Preferences(
        theme=theme if isinstance(theme, str) else None,
        external_editor=data.get("editor") == "external",
        tool_window_heights={
            name: rows
            for name, rows in (heights.items() if isinstance(heights, dict) else ())
            if name in TOOL_WINDOWS and isinstance(rows, int) and not isinstance(rows, bool)
            and rows > 0
        },
    )  # fmt: skip


def save_preferences(preferences: Preferences, path: Path | None = None) -> None:
    """Write the file whole (a temporary file, then a rename: never half-written)."""
    path = path or preferences_path()
    lines = ["# tfexam's screen preferences, written when you change them.\n"]
    if preferences.theme is not None:
        lines.append(f"theme = {_toml_string(preferences.theme)}\n")
    if preferences.external_editor:
        lines.append('editor = "external"\n')
    if preferences.tool_window_heights:
        lines.append("\n[tool_windows]  # rows, as last stretched (ctrl+shift+up/down)\n")
        for name, rows in sorted(preferences.tool_window_heights.items()):
            lines.append(f"{name} = {int(rows)}\n")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".tmp")
        partial.write_text("".join(lines), encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        log.warning("could not save %s: %s", path, error)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def keep_theme(app: App[Any]) -> None:
    """Apply the saved theme to ``app``, then save the theme each time the candidate picks one
    (the command palette's "Change theme"). Call from ``on_mount``."""
    saved = load_preferences().theme
    if saved is not None and saved in app.available_themes:
        app.theme = saved

    def remember(theme: Theme) -> None:
        preferences = load_preferences()
        if preferences.theme != theme.name:
            save_preferences(preferences.with_theme(theme.name))

    app.theme_changed_signal.subscribe(app, remember)
