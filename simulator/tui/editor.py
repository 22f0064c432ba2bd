"""Finding the candidate's editor, as the exam's IDE would open a file.

``$VISUAL`` then ``$EDITOR`` (the Unix convention), else PyCharm's command-line launcher
(``charm``, ``pycharm``) when it is on the PATH. Terminal editors (vim, nano, ...) need the
terminal, so the app suspends itself while they run; graphical ones are started detached.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

#: Editors that open their own window: started detached, the TUI keeps running.
GRAPHICAL_EDITORS = frozenset(
    {
        "charm", "pycharm", "pycharm.sh", "pycharm64", "pycharm-community", "pycharm-professional",
        "idea", "idea.sh", "code", "code-insiders", "codium", "cursor", "subl", "sublime_text",
        "gedit", "gnome-text-editor", "kate", "kwrite", "mousepad", "xed", "pluma", "geany",
        "mate", "bbedit", "zed", "gvim", "mvim", "open", "xdg-open",
    }
)  # fmt: skip
PYCHARM_LAUNCHERS = ("charm", "pycharm", "pycharm.sh", "pycharm-community", "pycharm-professional")


@dataclass(frozen=True)
class EditorCommand:
    """How to open a file: the command line (without the file) and where it came from."""

    argv: tuple[str, ...]
    source: str
    in_terminal: bool

    @property
    def name(self) -> str:
        return Path(self.argv[0]).name

    def command_for(self, path: Path) -> list[str]:
        return [*self.argv, str(path)]


class EditorError(RuntimeError):
    """No editor could be found or started: the message says what to set."""


def find_editor(
    environ: Mapping[str, str], which: Callable[[str], str | None] = shutil.which
) -> EditorCommand | None:
    """The editor to use, or None when neither the environment nor PyCharm offers one."""
    for variable in ("VISUAL", "EDITOR"):
        value = environ.get(variable, "").strip()
        if not value:
            continue
        try:
            argv = tuple(shlex.split(value))
        except ValueError:
            continue
        if argv:
            name = Path(argv[0]).name
            return EditorCommand(argv, f"${variable}", in_terminal=name not in GRAPHICAL_EDITORS)
    for launcher in PYCHARM_LAUNCHERS:
        found = which(launcher)
        if found:
            return EditorCommand((found,), "PyCharm", in_terminal=False)
    return None


def start_detached(editor: EditorCommand, path: Path) -> None:
    """Start a graphical editor with no link to the TUI's terminal."""
    try:
        subprocess.Popen(
            editor.command_for(path),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd=path.parent,
        )
    except OSError as error:
        raise EditorError(f"could not start {editor.name} ({editor.source}): {error}") from None


def run_in_terminal(editor: EditorCommand, path: Path) -> int:
    """Run a terminal editor in the foreground (the caller has suspended the TUI)."""
    try:
        return subprocess.run(editor.command_for(path), cwd=path.parent, check=False).returncode
    except OSError as error:
        raise EditorError(f"could not start {editor.name} ({editor.source}): {error}") from None


NO_EDITOR_HINT = "no editor found: set $VISUAL or $EDITOR (e.g. export EDITOR=nano) or install PyCharm's 'charm' launcher"
