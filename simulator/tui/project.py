"""The Project tool window: the workspace as the IDE shows it, with each model file's state.

The tree is rebuilt only when a folder's listing or a model's state changes, and keeps which
folders are open and where the cursor is, so a save every few seconds never makes it jump.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from simulator.exam.format import Exam
from simulator.tui.messages import OpenFileRequested, QuestionChosen

#: Entries listed per folder before "... N more" (image class folders hold hundreds).
MAX_ENTRIES = 40
#: A folder's listing is read again only when its modification time changed, or while that
#: time is this recent: a second change within the file system's timestamp granularity leaves
#: the time as it was, so a listing taken then may already be out of date.
RECENT_CHANGE_NS = 2_000_000_000


@dataclass(frozen=True)
class Entry:
    """A file or folder in the tree; ``question_id`` is the question it belongs to."""

    path: Path
    question_id: str | None
    is_dir: bool


class ProjectTree(Tree[Entry]):
    """Question folders, their files, and the state of each model file."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # PyCharm's Jump to Source; Enter does the same.
        Binding("f4", "select_cursor", "Open", show=False),
    ]

    def __init__(self, workspace: Path, exam: Exam, *, id: str | None = None) -> None:
        super().__init__(Text(workspace.name, style="bold"), data=None, id=id)
        self.workspace = workspace
        self.exam = exam
        self._folders = {q.workspace_folder: q.id for q in exam.questions}
        self._model_states: dict[str, Text] = {}
        self._question_labels: dict[str, Text] = {}
        #: Questions whose data is still being written, in the order it is written.
        self._data_pending: tuple[str, ...] = ()
        self._signature: tuple[object, ...] = ()
        #: Each folder's listing and its modification time when it was read.
        self._listed: dict[str, tuple[int, tuple[tuple[str, bool], ...]]] = {}
        self._following: str | None = None
        self.show_root = True
        self.guide_depth = 2

    def update_states(
        self, model_states: dict[str, Text], question_labels: dict[str, Text]
    ) -> None:
        """New model-file states (by path) and question labels; rebuild if anything changed."""
        self._model_states = model_states
        self._question_labels = question_labels
        self.rescan()

    def show_data_pending(self, pending: tuple[str, ...]) -> None:
        """Mark the folders whose data is not ready yet (the first one is being written)."""
        self._data_pending = pending
        self.rescan()

    def rescan(self) -> None:
        """Re-read the workspace listing (cheap: two levels) and rebuild when it changed."""
        listing = self._listing()
        signature = (
            listing,
            tuple(sorted((k, v.plain) for k, v in self._model_states.items())),
            tuple(sorted((k, v.plain) for k, v in self._question_labels.items())),
            self._data_pending,
        )
        if signature == self._signature:
            return
        self._signature = signature
        self._rebuild(listing)

    def follow(self, question_id: str) -> None:
        """Keep up with the current question: at once when focused, else when focus comes.

        Moving the cursor and opening a folder redraws the whole tree, which costs more than
        the rest of a question switch; nobody sees it while another window has the focus.
        """
        self._following = question_id
        if self.has_focus:
            self.select_question(question_id)

    def on_focus(self) -> None:
        if self._following is not None:
            self.select_question(self._following)

    def select_question(self, question_id: str) -> None:
        for node in self.root.children:
            if node.data is not None and node.data.question_id == question_id and node.data.is_dir:
                node.expand()
                self.move_cursor(node)
                return

    def _listing(self) -> tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]:
        """Each question folder's entries. The screen's tick asks every RESCAN_S: a folder is
        listed again only when its modification time says an entry was added, removed or
        renamed (one ``stat`` instead of a listing, which a slow disk makes costly)."""
        folders: list[tuple[str, tuple[tuple[str, bool], ...]]] = []
        now = time.time_ns()
        for name in sorted(self._folders):
            folder = self.workspace / name
            try:
                changed = folder.stat().st_mtime_ns
            except OSError:
                self._listed.pop(name, None)
                folders.append((name, ()))
                continue
            listed = self._listed.get(name)
            if listed is not None and listed[0] == changed and now - changed > RECENT_CHANGE_NS:
                folders.append((name, listed[1]))
                continue
            try:
                # Whether an entry is a folder comes with the listing (no stat each).
                with os.scandir(folder) as listing:
                    entries = tuple(
                        sorted((e.name, e.is_dir()) for e in listing if not e.name.startswith("."))
                    )
            except OSError:
                entries = ()
            self._listed[name] = (changed, entries)
            folders.append((name, entries))
        return tuple(folders)

    def _rebuild(self, listing: tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]) -> None:
        expanded = {
            node.data.path
            for node in _walk(self.root)
            if node.data is not None and node.is_expanded
        }
        cursor = self.cursor_node.data.path if self.cursor_node and self.cursor_node.data else None
        self.clear()
        self.root.expand()
        restore: TreeNode[Entry] | None = None
        for name, entries in listing:
            question_id = self._folders[name]
            folder = self.workspace / name
            label = Text.assemble(
                (f"{name}/", "bold"), "  ", self._question_labels.get(question_id, Text(""))
            )
            node = self.root.add(label, Entry(folder, question_id, True))
            if question_id in self._data_pending:
                node.add_leaf(_not_ready_label(self._data_pending, question_id))
            if folder in expanded:
                node.expand()
            if folder == cursor:
                restore = node
            for entry_name, is_dir in entries[:MAX_ENTRIES]:
                path = folder / entry_name
                child = self._add_entry(node, path, question_id, is_dir, expanded)
                if path == cursor:
                    restore = child
            if len(entries) > MAX_ENTRIES:
                node.add_leaf(Text(f"… {len(entries) - MAX_ENTRIES} more", style="dim"))
        for extra in sorted(self.workspace.glob("*.md")):
            self.root.add_leaf(extra.name, Entry(extra, None, False))
        if restore is not None:
            self.move_cursor(restore)

    def _add_entry(
        self,
        parent: TreeNode[Entry],
        path: Path,
        question_id: str,
        is_dir: bool,
        expanded: set[Path],
    ) -> TreeNode[Entry]:
        state = self._model_states.get(str(path))
        if is_dir and state is None:
            count = _count(path)
            label = Text.assemble((f"{path.name}/", "bold"), (f"  {count}", "dim"))
            node = parent.add(label, Entry(path, question_id, True))
            for sub in sorted(p for p in _safe_iter(path) if not p.name.startswith("."))[
                :MAX_ENTRIES
            ]:
                sub_count = _count(sub) if sub.is_dir() else ""
                node.add_leaf(
                    Text.assemble(
                        sub.name + ("/" if sub.is_dir() else ""), (f"  {sub_count}", "dim")
                    ),
                    Entry(sub, question_id, sub.is_dir()),
                )
            if path in expanded:
                node.expand()
            return node
        label = Text(path.name + ("/" if is_dir else ""))
        if state is not None:
            label = Text.assemble((label.plain, "bold"), "  ", state)
        return parent.add_leaf(label, Entry(path, question_id, is_dir))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Entry]) -> None:
        node = event.node
        entry = node.data
        if entry is not None and entry.question_id is not None and self.has_focus:
            self.post_message(QuestionChosen(entry.question_id, lambda: self.cursor_node is node))

    def action_select_cursor(self) -> None:
        """Enter on a file opens it in the editor (a click only highlights, as in the IDE)."""
        node = self.cursor_node
        if node is not None and node.data is not None and not node.data.is_dir:
            self.post_message(OpenFileRequested(str(node.data.path)))
            return
        super().action_select_cursor()


def _not_ready_label(pending: tuple[str, ...], question_id: str) -> Text:
    """The line a folder whose data is not ready shows instead of looking empty."""
    if pending.index(question_id) == 0:
        return Text("data: being generated…", style="yellow")
    return Text(f"data: waiting ({pending.index(question_id)} question(s) first)", style="dim")


def _walk(node: TreeNode[Entry]) -> list[TreeNode[Entry]]:
    found = []
    for child in node.children:
        found.append(child)
        found.extend(_walk(child))
    return found


def _safe_iter(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _count(folder: Path) -> str:
    items = _safe_iter(folder)
    dirs = sum(1 for p in items if p.is_dir())
    files = len(items) - dirs
    parts = [f"{dirs} folders" if dirs else "", f"{files} files" if files else ""]
    return ", ".join(p for p in parts if p) or "empty"
