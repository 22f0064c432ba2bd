"""The editor area, like PyCharm's: the question's prompt in the first tab, then one tab per open
file of the workspace, each a :class:`CodeEditor`.

Nothing is lost here. Ctrl+S writes a file whole (:func:`save_atomically`), so the watcher and a
training never read half of it, and checks its Python syntax first. A tab's unsaved text is kept
in the session store every few seconds (``keep``), so a crash or a kill offers it back on resume;
it is forgotten (``drop``) once saved or thrown away. A file that another program changed is
reloaded in a tab without edits, and a tab with edits asks which to keep (PyCharm's File Cache
Conflict).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.geometry import Region
from textual.message import Message
from textual.widgets import Input, Static, TabbedContent, TabPane, TextArea
from textual.widgets._tabbed_content import ContentTabs
from textual.widgets.text_area import Selection

from simulator.exam.format import Question
from simulator.session.editing import (
    DiskState,
    NotEditableError,
    read_for_editing,
    save_atomically,
    syntax_problem,
)
from simulator.tui.code_editor import CodeEditor, EditorCommand
from simulator.tui.editor_dialogs import (
    GoToLineDialog,
    RecentFilesDialog,
    conflict_dialog,
    save_changes_dialog,
)
from simulator.tui.prompt import PromptView

if TYPE_CHECKING:
    from typing_extensions import Self  # Textual's own dependency: Self for Python 3.10

PROMPT_TAB = "prompt-tab"
#: A dirty tab's label ends with this, as in PyCharm.
DIRTY_MARK = " ●"
#: Commands of an editor tab that the editor area carries out itself.
EDITOR_COMMANDS = frozenset({"save", "close", "find", "go_to_line", "recent"})
#: At most this many files in Recent files.
RECENT_FILES = 15


def file_tab_id(path: Path) -> str:
    return "file-" + hashlib.sha1(str(path).encode(), usedforsecurity=False).hexdigest()[:12]


class EditorArea(Vertical):
    """Tabs: the prompt, then the open files (see the module docstring)."""

    class StatusChanged(Message):
        """What the status bar should say about the editor (the cursor, a save, a syntax
        error); ``editing``: whether a file's tab is on show (else the prompt's)."""

        def __init__(self, text: Text, editing: bool) -> None:
            super().__init__()
            self.text = text
            self.editing = editing

    #: Set while the border title changes: :meth:`refresh` then redraws only the title's row.
    _redraw_title_only = False

    def __init__(
        self,
        workspace: Path,
        questions: Sequence[Question],
        first: Question,
        *,
        keep: Callable[[Path, str], None],
        drop: Callable[[Path], None],
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.workspace = workspace
        self.questions = list(questions)
        self.first = first
        self._keep = keep
        self._drop = drop
        self.recent: list[Path] = []
        #: Files whose conflict dialog is up (asked once until answered).
        self._asking: set[Path] = set()
        #: Each tab's label as last set.
        self._labels: dict[Path, Content] = {}
        #: The open files' editors by path.
        self._open: dict[Path, CodeEditor] = {}

    def compose(self) -> ComposeResult:
        prompt_label = f"{self.first.workspace_folder}/prompt.md"
        with TabbedContent(id="editor-tabs"), TabPane(prompt_label, id=PROMPT_TAB):
            yield PromptView(self.workspace, self.questions, self.first, id="prompt")
        with Horizontal(id="find-bar"):
            yield Static("Find:", id="find-label")
            yield Input(placeholder="text (enter: next, escape: close)", id="find-input")

    def on_mount(self) -> None:
        self.query_one("#find-bar").display = False
        self._show_tab_row()
        self._title()

    # Tabs ---------------------------------------------------------------------------------------

    def label(self, path: Path) -> str:
        """``category1/starter.py``: the file's path in the workspace (or its full path)."""
        try:
            return path.relative_to(self.workspace).as_posix()
        except ValueError:
            return str(path)

    def editors(self) -> list[CodeEditor]:
        """The open files' editors, in the order they were opened (kept here: a query would walk
        every prompt's widgets, twice a second)."""
        return list(self._open.values())

    def editor_for(self, path: Path) -> CodeEditor | None:
        return self._open.get(path)

    def active_editor(self) -> CodeEditor | None:
        tabs = self.query_one(TabbedContent)
        if tabs.active in ("", PROMPT_TAB):
            return None
        try:
            return tabs.get_pane(tabs.active).query_one(CodeEditor)
        except NoMatches:
            return None

    def show_prompt(self, question: Question) -> None:
        """The question's prompt in the first tab, on show."""
        self.query_one(PromptView).show(question)
        tabs = self.query_one(TabbedContent)
        if tabs.active != PROMPT_TAB:
            tabs.active = PROMPT_TAB
        self._label_prompt_tab()
        self._title()

    def _label_prompt_tab(self) -> None:
        """The prompt tab's label names the question's folder. Only while the tab row shows (a
        file is open): a new label lays the whole screen out again, even in a hidden row, and
        without an open file every question switch would pay for it (issue 27)."""
        tabs = self.query_one(TabbedContent)
        if not tabs.get_child_by_type(ContentTabs).display:
            return
        tab = tabs.get_tab(PROMPT_TAB)
        label = f"{self.query_one(PromptView).current.workspace_folder}/prompt.md"
        if tab.label.plain != label:
            tab.label = Content(label)

    def open_file(self, path: Path, text: str | None = None) -> CodeEditor | None:
        """Open ``path`` in a tab (or show its tab) and put the cursor in it. ``text``: the
        tab's text instead of the file's (unsaved changes brought back after a crash). None when
        the file cannot be edited here (the status bar says why)."""
        path = path.resolve()
        existing = self.editor_for(path)
        if existing is not None:
            self._activate(existing)
            return existing
        try:
            saved = read_for_editing(path)
        except FileNotFoundError:  # deleted meanwhile (a restored tab): saving makes it again
            saved = ""
        except NotEditableError as error:
            self._say(Text(str(error), style="yellow"))
            return None
        editor = CodeEditor(
            path, saved, DiskState.of(path), label=self.label(path),
            unsaved=text if text != saved else None,
        )  # fmt: skip
        pane = TabPane(self._tab_label(editor), editor, id=file_tab_id(path))
        self._open[path] = editor
        self._remember(path)
        self.run_worker(self._add_and_show(pane, editor))
        return editor

    async def _add_and_show(self, pane: TabPane, editor: CodeEditor) -> None:
        """Add the tab, and show it once it is mounted (it mounts in the background)."""
        await self.query_one(TabbedContent).add_pane(pane)
        self._activate(editor)

    def _activate(self, editor: CodeEditor) -> None:
        tabs = self.query_one(TabbedContent)
        with contextlib.suppress(NoMatches, ValueError):
            tabs.get_tab(file_tab_id(editor.path))
            tabs.active = file_tab_id(editor.path)
            editor.focus()
            self._remember(editor.path)
            self._title()
            self._say_position(editor)

    def _remember(self, path: Path) -> None:
        self.recent = [path, *(p for p in self.recent if p != path)][:RECENT_FILES]

    def _tab_label(self, editor: CodeEditor) -> Content:
        return Content(editor.label + (DIRTY_MARK if editor.dirty else ""))

    def _relabel(self, editor: CodeEditor) -> None:
        """The tab's label, set only when it changed (a label change lays the tab row out, and
        this runs at every keystroke)."""
        label = self._tab_label(editor)
        if self._labels.get(editor.path) == label:
            return
        self._labels[editor.path] = label
        with contextlib.suppress(NoMatches, ValueError):
            self.query_one(TabbedContent).get_tab(file_tab_id(editor.path)).label = label
        self._title()  # the area's title carries the same dirty mark

    def _title(self) -> None:
        editor = self.active_editor()
        if editor is not None:
            title = editor.label + (DIRTY_MARK if editor.dirty else "")
        else:
            title = f"{self.query_one(PromptView).current.workspace_folder}/prompt.md"
        if self.border_title != title:
            self._redraw_title_only = True
            try:
                self.border_title = title
            finally:
                self._redraw_title_only = False

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Setting ``border_title`` refreshes the whole area, and Textual then draws its every
        line again (25 at 120x40, the largest part of a question switch's drawing, issue 27);
        only the top border row shows the title, so only that row is refreshed for it."""
        if self._redraw_title_only and not regions:
            offset = self.content_offset  # refresh's regions are relative to the content
            regions = (Region(-offset.x, -offset.y, self.outer_size.width, 1),)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    @on(TabbedContent.TabActivated, "#editor-tabs")
    def _on_tab_activated(self) -> None:
        self._title()
        editor = self.active_editor()
        if editor is not None:
            self._say_position(editor)
        else:
            self._say(Text(""))

    @on(TabbedContent.TabActivated)
    @on(TabbedContent.Cleared)
    def _show_tab_row(self) -> None:
        """The tab row shows once a file is open (at 80x24 the prompt needs every row). Its own
        ``display``, not a class on the area: a class restyles every widget below it."""
        row = self.query_one(TabbedContent).query_one(ContentTabs)
        row.display = bool(self.editors())
        self._label_prompt_tab()

    @on(TextArea.Changed)
    def _on_text_changed(self, event: TextArea.Changed) -> None:
        editor = event.text_area
        if isinstance(editor, CodeEditor):
            self._relabel(editor)

    @on(TextArea.SelectionChanged)
    def _on_cursor_moved(self, event: TextArea.SelectionChanged) -> None:
        if isinstance(event.text_area, CodeEditor):
            self._say_position(event.text_area)

    # Saving, closing ----------------------------------------------------------------------------

    def save(self, editor: CodeEditor) -> bool:
        """Write the tab's text to its file (atomically); a Python file's syntax is checked and
        an error shown in the gutter and the status bar, but the file is saved all the same, as
        an editor does."""
        text = editor.text
        problem = syntax_problem(text, editor.label) if editor.path.suffix == ".py" else None
        try:
            disk = save_atomically(editor.path, text)
        except OSError as error:
            self._say(Text(f"{editor.label} was not saved: {error.strerror or error}",
                           style="bold red"))  # fmt: skip
            return False
        editor.mark_saved(text, disk)
        editor.problem = problem
        editor.refresh()
        self._drop(editor.path)
        self._relabel(editor)
        self._title()
        if problem is not None:
            self._say(Text(f"Saved {editor.label}: SyntaxError {problem}", style="bold red"))
            self.app.notify(f"SyntaxError {problem}: python would stop there",
                            title=f"Saved {editor.label}", severity="warning", timeout=6)  # fmt: skip
        else:
            self._say(Text(f"Saved {editor.label}", style="green"))
        return True

    def close(self, editor: CodeEditor, *, ask: bool = True) -> None:
        """Close the tab; with unsaved changes, ask first (save, don't save, cancel)."""
        if ask and editor.dirty:

            def answered(answer: str | None) -> None:
                if answer == "save" and self.save(editor):
                    self.close(editor, ask=False)
                elif answer == "discard":
                    self._drop(editor.path)
                    self.close(editor, ask=False)

            self.app.push_screen(save_changes_dialog(editor.label), answered)
            return
        self._open.pop(editor.path, None)
        self._labels.pop(editor.path, None)
        self.run_worker(self._remove_tab(file_tab_id(editor.path)))

    async def _remove_tab(self, tab_id: str) -> None:
        await self.query_one(TabbedContent).remove_pane(tab_id)
        self._show_tab_row()
        self._title()
        if self.active_editor() is None:
            self._say(Text(""))

    @on(EditorCommand)
    def _on_editor_command(self, message: EditorCommand) -> None:
        """The editor's own commands; the exam's (run, submit, ...) go on up to the app."""
        if message.command not in EDITOR_COMMANDS:
            return
        message.stop()
        editor = message.editor
        if message.command == "save":
            self.save(editor)
        elif message.command == "close":
            self.close(editor)
        elif message.command == "find":
            self.open_find()
        elif message.command == "go_to_line":
            self.app.push_screen(
                GoToLineDialog(editor.document.line_count),
                lambda line: self._go_to(editor, line),
            )
        elif message.command == "recent":
            self.show_recent()

    def show_recent(self) -> None:
        """PyCharm's Recent Files: pick one to open it again."""
        if not self.recent:
            self._say(Text("No files opened yet", style="dim"))
            return
        labels = [self.label(p) for p in self.recent]

        def chosen(label: str | None) -> None:
            if label is not None:
                self.open_file(self.recent[labels.index(label)])

        self.app.push_screen(RecentFilesDialog(labels), chosen)

    def _go_to(self, editor: CodeEditor, line: int | None) -> None:
        if line is None:
            return
        editor.move_cursor((line - 1, 0), center=True)
        editor.focus()

    # Find ---------------------------------------------------------------------------------------

    def open_find(self) -> None:
        bar = self.query_one("#find-bar")
        bar.display = True
        self.query_one("#find-input", Input).focus()

    def close_find(self) -> None:
        self.query_one("#find-bar").display = False
        editor = self.active_editor()
        if editor is not None:
            editor.focus()

    @on(Input.Submitted, "#find-input")
    def _find_next(self, event: Input.Submitted) -> None:
        event.stop()
        editor = self.active_editor()
        needle = event.value
        if editor is None or not needle:
            return
        lines = editor.text.split("\n")
        row, column = editor.selection.end
        found = _find(lines, needle.lower(), row, column)
        if found is None:
            self._say(Text(f"{needle!r} not found in {editor.label}", style="yellow"))
            return
        (r, c) = found
        editor.selection = Selection((r, c), (r, c + len(needle)))
        editor.scroll_cursor_visible(center=True)
        self._say(Text(f"{needle!r} at line {r + 1}", style="dim"))

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", None)
        if key == "escape" and self.query_one("#find-bar").display:
            self.close_find()

    # The disk and the store ---------------------------------------------------------------------

    def check_disk(self) -> None:
        """Compare each open file with the disk: reload a tab without edits; ask for one with."""
        for editor in self.editors():
            disk = DiskState.of(editor.path)
            if disk is None or disk == editor.disk or editor.path in self._asking:
                continue
            try:
                on_disk = read_for_editing(editor.path)
            except NotEditableError:
                continue
            if on_disk == editor.saved_text:
                editor.disk = disk  # touched, or written with the same text
            elif not editor.dirty:
                editor.replace_text(on_disk)
                editor.mark_saved(on_disk, disk)
                self._relabel(editor)
                self._say(Text(f"Reloaded {editor.label}: it changed on disk", style="cyan"))
            else:
                self._ask_conflict(editor, on_disk, disk)

    def _ask_conflict(self, editor: CodeEditor, on_disk: str, disk: DiskState) -> None:
        self._asking.add(editor.path)

        def answered(answer: str | None) -> None:
            self._asking.discard(editor.path)
            if answer == "disk":
                editor.replace_text(on_disk)
                editor.mark_saved(on_disk, disk)
                self._drop(editor.path)
            else:
                editor.disk = disk  # keep mine: the next save replaces the file
            self._relabel(editor)

        self.app.push_screen(conflict_dialog(editor.label), answered)

    def keep_unsaved(self) -> None:
        """Keep each dirty tab's text in the store, where it changed since the last time."""
        for editor in self.editors():
            text = editor.text  # joined from the document's lines on each access
            if text != editor.saved_text and text != editor.kept_text:
                self._keep(editor.path, text)
                editor.kept_text = text

    def unsaved(self) -> list[CodeEditor]:
        return [e for e in self.editors() if e.dirty]

    # Status -------------------------------------------------------------------------------------

    def _say(self, text: Text) -> None:
        self.post_message(self.StatusChanged(text, self.active_editor() is not None))

    def _say_position(self, editor: CodeEditor) -> None:
        row, column = editor.cursor_location
        text = Text(f"{row + 1}:{column + 1}", style="dim")  # the file is in the tab and title
        if editor.problem is not None:
            text.append(f"  SyntaxError {editor.problem}", style="bold red")
        self._say(text)


def _find(lines: list[str], needle: str, row: int, column: int) -> tuple[int, int] | None:
    """The next place ``needle`` (lower case) occurs after (row, column), round the end."""
    order = list(range(row, len(lines))) + list(range(0, row + 1))
    for index, line_number in enumerate(order):
        line = lines[line_number].lower()
        start = column if index == 0 else 0
        if index == len(order) - 1 and line_number == row:
            found = line.find(needle, 0, column + len(needle) - 1)
        else:
            found = line.find(needle, start)
        if found >= 0:
            return line_number, found
    return None
