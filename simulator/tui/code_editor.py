"""One file in an editor tab: Textual's TextArea as a code editor, with PyCharm's habits.

Syntax highlighting (tree-sitter, ``textual[syntax]``), line numbers, undo and redo, four-space
indents, Enter keeps the indentation (one level deeper after a ``:``), Ctrl+/ comments lines out
and in. A syntax error found on save is marked in the gutter. While the editor has focus every
printable key is typed: the exam's actions are on modifier keys here (the same action names as
the app's letters, so the footer shows these keys instead of the letters while typing).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from simulator.session.editing import DiskState, SyntaxProblem, indent_for_next_line, toggle_comment

#: Languages TextArea highlights, by file suffix (others are plain text).
LANGUAGES = {".py": "python", ".md": "markdown", ".json": "json", ".toml": "toml", ".yaml": "yaml",
             ".yml": "yaml", ".sh": "bash"}  # fmt: skip
ERROR_MARK = Style(color="red", bold=True)


class EditorCommand(Message):
    """A key pressed in an editor that the editor area (save, close, find, go to line, recent
    files), the exam screen (run, submit_and_test, submit_exam) or the app (help, request_quit)
    carries out: the latter are the actions marked ``from_editor`` in the action table
    (:mod:`simulator.tui.actions`). ``command`` names it; the editor that asked is ``editor``."""

    def __init__(self, editor: CodeEditor, command: str) -> None:
        super().__init__()
        self.editor = editor
        self.command = command


class CodeEditor(TextArea):
    """The text of one workspace file, with what tfexam knows of it on disk."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "command('save')", "Save"),
        # The exam's actions under the app's own action names: the footer groups keys by action,
        # and the editor's come first while it has focus.
        Binding("shift+f10", "run", "Run"),
        Binding("ctrl+t", "submit_and_test", "Submit and Test"),
        Binding("ctrl+f12", "submit_exam", "End exam"),
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "request_quit", "Quit"),
        Binding("escape", "leave", "Leave editor"),
        Binding("ctrl+f4", "command('close')", "Close tab", show=False),
        Binding("ctrl+e", "command('recent')", "Recent files", show=False),
        Binding("ctrl+f", "command('find')", "Find", show=False),
        Binding("ctrl+g", "command('go_to_line')", "Go to line", show=False),
        # Ctrl+/ arrives as ctrl+underscore in most terminals (the same byte, 0x1f).
        Binding("ctrl+underscore,ctrl+slash", "toggle_comment", "Comment", show=False),
    ]

    #: What each of the editor's keys does, for the help screen.
    KEY_HELP: ClassVar[dict[str, str]] = {
        "command('save')": "save (the whole file at once; Python's syntax checked)",
        "run": "run this file as a training run of its question (saved first)",
        "submit_and_test": "Submit and Test the question of this file",
        "submit_exam": "Submit and End Exam (asks first)",
        "leave": "leave the editor (the letter keys work again)",
        "command('close')": "close the tab (asks when it has unsaved changes)",
        "command('recent')": "recent files",
        "command('find')": "find (enter: the next one)",
        "command('go_to_line')": "go to line",
        "toggle_comment": "comment the lines out, or in again",
    }

    def __init__(
        self, path: Path, text: str, disk: DiskState | None, *, label: str,
        unsaved: str | None = None,
    ) -> None:  # fmt: skip
        """``text``: the file's; ``unsaved``: a text to show instead (changes kept from before a
        crash), dirty from the start."""
        super().__init__(
            text if unsaved is None else unsaved,
            language=None,  # set below, once: see there
            theme="monokai",
            soft_wrap=False,
            tab_behavior="indent",
            show_line_numbers=True,
            classes="code-editor",
        )
        # TextArea builds its document in __init__ and again when the `language` it has just
        # set reaches its watcher: with a language, a file was parsed, its highlight query
        # compiled and its highlights mapped twice (about 70 ms of a 500-line file's opening).
        # Built as plain text first, the language makes one syntax-aware document.
        self.language = LANGUAGES.get(path.suffix.lower())
        self.indent_width = 4
        self.indent_type = "spaces"
        self.match_cursor_bracket = True
        self.path = path
        #: The workspace-relative name shown on its tab (``category1/starter.py``).
        self.label = label
        #: The text as it is in the file (after the last load or save).
        self.saved_text = text
        #: The file as tfexam last read or wrote it: a change by another program shows here.
        self.disk = disk
        #: The text last kept in the session store (None: nothing kept).
        self.kept_text: str | None = unsaved
        #: The syntax error found at the last save, marked in the gutter.
        self.problem: SyntaxProblem | None = None

    @property
    def dirty(self) -> bool:
        return self.text != self.saved_text

    def mark_saved(self, text: str, disk: DiskState | None) -> None:
        self.saved_text = text
        self.disk = disk
        self.kept_text = None

    def replace_text(self, text: str) -> None:
        """Show ``text`` (the file changed on disk), keeping the cursor where it can stay."""
        row, column = self.cursor_location
        self.load_text(text)
        last = max(0, self.document.line_count - 1)
        row = min(row, last)
        self.move_cursor((row, min(column, len(self.document.get_line(row)))))

    # Keys ---------------------------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        """Enter keeps the line's indentation, one level deeper after a ``:``; Escape leaves the
        editor (the exam's letter keys work again)."""
        if event.key == "escape":
            event.stop()
            event.prevent_default()
            self.action_leave()
            return
        if event.key == "enter" and not self.read_only:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            row, column = start
            before = self.document.get_line(row)[:column]
            self.replace("\n" + indent_for_next_line(before), start, end,
                         maintain_selection_offset=False)  # fmt: skip
            return
        await super()._on_key(event)

    def action_command(self, command: str) -> None:
        self.post_message(EditorCommand(self, command))

    def action_run(self) -> None:
        self.post_message(EditorCommand(self, "run"))

    def action_submit_and_test(self) -> None:
        self.post_message(EditorCommand(self, "submit_and_test"))

    def action_submit_exam(self) -> None:
        self.post_message(EditorCommand(self, "submit_exam"))

    def action_help(self) -> None:
        self.post_message(EditorCommand(self, "help"))

    def action_request_quit(self) -> None:
        self.post_message(EditorCommand(self, "request_quit"))

    def action_leave(self) -> None:
        self.screen.focus_next()

    def action_toggle_comment(self) -> None:
        start, end = sorted(self.selection)
        first, last = start[0], end[0]
        if end[0] > start[0] and end[1] == 0:
            last -= 1  # a selection that ends at a line's start does not take that line
        lines = [self.document.get_line(row) for row in range(first, last + 1)]
        changed = toggle_comment(lines)
        if changed == lines:
            return
        end_column = len(self.document.get_line(last))
        self.replace("\n".join(changed), (first, 0), (last, end_column))
        self.selection = Selection((first, 0), (last, len(changed[-1])))

    # The gutter ---------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """The line, with a red ● right after the line number where the syntax error is (in the
        gutter's margin: the number itself is never covered)."""
        strip = super().render_line(y)
        problem = self.problem
        if problem is None or not self.show_line_numbers:
            return strip
        row = self.scroll_offset.y + y
        mark_at = self.gutter_width - 2  # the first of the two cells after the number
        if row != problem.line - 1 or strip.cell_length <= mark_at + 1:
            return strip
        return Strip.join(
            [
                strip.crop(0, mark_at),
                Strip([Segment("●", ERROR_MARK)], 1),
                strip.crop(mark_at + 1, strip.cell_length),
            ]
        )
