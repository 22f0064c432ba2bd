"""The exam's actions, described once: keys, help text and where each works.

One row per action. The exam screen's and the app's key bindings, the help screen's key list,
the command palette and ``check_action`` (what the footer offers, and when) are all derived from
:data:`EXAM_ACTIONS`, so an action cannot have a key without help, or help for a key that does
nothing. The order of the rows is the order of the footer, the help screen and the palette.

Where an action works is part of its row:

* ``on_app``: on every screen (help, leaving, the palette); otherwise only on the exam screen,
  which Textual's binding chain decides (a dialog or the results screen on top has its own keys).
* ``typed_while_editing``: its keys are letters, which an editor tab types; the action leaves the
  footer while one has focus (the editor's own keys for it take its place).
* ``from_editor``: an editor tab has its own key for it (``CodeEditor``'s bindings, which post
  an ``EditorCommand`` of this name).
* ``while_running``: it does something only until the exam ends; afterwards it is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from textual.binding import Binding

#: How the help screen writes Textual's key names (empty: the key is not listed).
KEY_NAMES = {
    "question_mark": "?", "plus": "+", "minus": "-", "left_square_bracket": "[",
    "right_square_bracket": "]", "inverted_exclamation_mark": "", "cent_sign": "",
    "ctrl+underscore": "ctrl+/", "ctrl+slash": "",
}  # fmt: skip


@dataclass(frozen=True)
class ExamAction:
    """One action: its name (with parameters, as Textual runs it) and everything about it."""

    action: str
    #: The main keys, comma-separated as in a Textual binding.
    keys: str
    #: The footer's label.
    description: str
    #: What it does, for the help screen and the palette (None: not listed, e.g. ``1``-``9``).
    help: str | None = None
    show: bool = False
    key_display: str | None = None
    #: More keys for it (PyCharm's, where the terminal delivers them), never in the footer.
    more_keys: str = ""
    #: Keys that win over any widget's own binding (a priority binding).
    priority_keys: str = ""
    on_app: bool = False
    typed_while_editing: bool = False
    from_editor: bool = False
    while_running: bool = False

    @property
    def name(self) -> str:
        """The action's name without parameters, as ``check_action`` is asked about it."""
        return self.action.split("(", 1)[0]

    def bindings(self) -> Iterator[Binding]:
        yield Binding(self.keys, self.action, self.description, show=self.show,
                      key_display=self.key_display)  # fmt: skip
        if self.priority_keys:
            yield Binding(self.priority_keys, self.action, self.description, show=False,
                          priority=True)  # fmt: skip
        if self.more_keys:
            yield Binding(self.more_keys, self.action, self.description, show=False)

    def key_names(self) -> str:
        """Every key of the action as the help screen lists it (``r, shift+f10``)."""
        names = [name for binding in self.bindings() for name in _key_names(binding)]
        return ", ".join(dict.fromkeys(names))


def _key_names(binding: Binding) -> list[str]:
    keys = binding.key.split(",")
    if binding.key_display and len(keys) == 1:
        return [binding.key_display]
    return [name for key in keys if (name := KEY_NAMES.get(key, key))]


EXAM_ACTIONS: tuple[ExamAction, ...] = (
    ExamAction("submit_and_test", "t", "Submit and Test", show=True,
               help="Submit and Test: grade the selected question's model file now",
               typed_while_editing=True, from_editor=True, while_running=True),
    ExamAction("edit", "e", "Edit", show=True, typed_while_editing=True,
               help="Open the question's starter file in an editor tab (cursor in it)"),
    ExamAction("open_external", "o", "External editor", typed_while_editing=True,
               help="Open the question's starter (or the Project file) in your own editor"),
    ExamAction("recent_files", "ctrl+e", "Recent files",
               help="Recent files: the files opened in tabs, newest first"),
    # The editor tab on show, also while another window has the focus (as in PyCharm).
    ExamAction("save_file", "ctrl+s", "Save", help="Save the editor tab on show"),
    ExamAction("close_file", "ctrl+f4", "Close tab",
               help="Close the editor tab on show (asks when it has unsaved changes)"),
    ExamAction("focus_editor", "escape", "To the editor",
               help="From a tool window back to the editor"),
    ExamAction("workspace", "w", "Folder", show=True, typed_while_editing=True,
               help="Show the workspace folder's path (to copy or open in an IDE)"),
    ExamAction("run", "r", "Run", show=True, more_keys="shift+f10",
               help="Run the selected question's starter file as a training run",
               typed_while_editing=True, from_editor=True, while_running=True),
    ExamAction("toggle_tool_window", "v", "Run/Exam", show=True, typed_while_editing=True,
               help="Switch the bottom tool window between Exam and Run"),
    ExamAction("stop_run", "x", "Stop run", more_keys="ctrl+f2", while_running=True,
               help="Stop the selected run (Ctrl+C to the script, then kill)"),
    ExamAction("restart_run", "R", "Restart run", key_display="shift+r", more_keys="ctrl+f5",
               help="Restart the selected run (a new run of the same script)",
               while_running=True),
    ExamAction("compare_runs", "c", "Compare", typed_while_editing=True,
               help="In a run's tab: compare its charts with another run of the question"),
    ExamAction("run_tab(-1)", "left_square_bracket", "Previous run tab",
               typed_while_editing=True,
               help="The Run window's previous tab (All runs, then each run in order)"),
    ExamAction("run_tab(1)", "right_square_bracket", "Next run tab", typed_while_editing=True,
               help="The Run window's next tab"),
    ExamAction("stretch_tool_window(1)", "plus,ctrl+shift+up", "Taller",
               typed_while_editing=True,
               help="Make the bottom tool window taller (kept for next time)"),
    ExamAction("stretch_tool_window(-1)", "minus,ctrl+shift+down", "Shorter",
               typed_while_editing=True,
               help="Make the bottom tool window shorter (kept for next time)"),
    ExamAction("maximize_tool_window", "m", "Maximise", typed_while_editing=True,
               help="Maximise the bottom tool window, or restore it"),
    ExamAction("submit_exam", "s", "End exam", show=True, help="Submit and End Exam (asks first)",
               typed_while_editing=True, from_editor=True, while_running=True),
    # Terminals send Alt+1 / Alt+4 as ESC 1 / ESC 4, which Textual reads as macOS' Option
    # characters ¡ and ¢: both names are bound.
    ExamAction("project", "alt+1,inverted_exclamation_mark", "Project",
               help="Go to the Project window (PyCharm's Alt+1)"),
    ExamAction("run_window", "alt+4,cent_sign", "Run window",
               help="Show the Run window (PyCharm's Alt+4)"),
    ExamAction("hide_tool_window", "shift+escape", "Hide tool window",
               help="Hide the bottom tool window, or show it again (more room for the prompt)"),
    ExamAction("help", "question_mark,f1", "Help", show=True, key_display="?",
               help="This list of keys", on_app=True, typed_while_editing=True,
               from_editor=True),
    # ctrl+c is not a priority: in an editor tab it copies, as in PyCharm; ctrl+q always quits.
    ExamAction("request_quit", "q", "Quit", show=True, priority_keys="ctrl+q",
               more_keys="ctrl+c", help="Leave tfexam (asks first; the clock keeps running)",
               on_app=True, typed_while_editing=True, from_editor=True),
    # Not "command_palette" itself: Textual adds its ctrl+p only when no binding has it.
    ExamAction("find_action", "ctrl+shift+a", "Find action", on_app=True),
    *(
        ExamAction(f"select_question({n})", str(n), f"Question {n}", typed_while_editing=True)
        for n in range(1, 10)
    ),
)  # fmt: skip

#: What each listed action does, by action (``run_tab(1)``): the help screen's and the palette's.
ACTION_HELP: dict[str, str] = {a.action: a.help for a in EXAM_ACTIONS if a.help is not None}
#: Each action's row by its name without parameters (what ``check_action`` is asked about).
BY_NAME: dict[str, ExamAction] = {a.name: a for a in EXAM_ACTIONS}


def screen_bindings() -> list[Binding]:
    """The exam screen's bindings: its own actions, in the table's order."""
    return [b for a in EXAM_ACTIONS if not a.on_app for b in a.bindings()]


def app_bindings() -> list[Binding]:
    """The app's bindings: the actions that work on every screen."""
    return [b for a in EXAM_ACTIONS if a.on_app for b in a.bindings()]


def allowed(action: str, *, editing: bool, exam_over: bool) -> bool:
    """Whether an action is offered now: not a typed letter's while an editor tab has focus,
    not one that needs a running exam once it ended. Actions not in the table: always."""
    row = BY_NAME.get(action)
    if row is None:
        return True
    if row.typed_while_editing and editing:
        return False
    return not (row.while_running and exam_over)


def listed_actions() -> Iterable[ExamAction]:
    """The actions with help, as the help screen lists them: the footer's first."""
    helped = [a for a in EXAM_ACTIONS if a.help is not None]
    return sorted(helped, key=lambda a: not a.show)  # a stable sort: the table's order otherwise


def keys_by_action(bindings: Iterable[object], helped: dict[str, str]) -> dict[str, str]:
    """A widget's own keys per helped action (an editor tab's): the shown keys first, each
    key once, in the order of the bindings."""
    keys: dict[str, list[str]] = {}
    shown_first = sorted((b for b in bindings if isinstance(b, Binding)), key=lambda b: not b.show)
    for binding in shown_first:
        if binding.action in helped:
            keys.setdefault(binding.action, []).extend(_key_names(binding))
    return {action: ", ".join(dict.fromkeys(names)) for action, names in keys.items()}
