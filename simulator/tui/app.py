"""The exam app: what is app-wide around the exam screen, over a running session's facade.

The exam itself (its widgets, keys and the engine's events) is :class:`ExamScreen`, the app's
first screen. The app keeps what every screen shares: the theme and stylesheet, the facade, the
keys that work everywhere (help, leaving, the palette: from :mod:`simulator.tui.actions`), the
report, and the one error handler.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import RenderableType
from textual import on
from textual.app import App
from textual.binding import BindingType
from textual.driver import Driver
from textual.geometry import Size
from textual.screen import Screen

from simulator.exam.durations import format_duration, local_clock
from simulator.logfile import log_to
from simulator.session.facade import SessionFacade
from simulator.training.resources import Resources, measure
from simulator.tui import actions
from simulator.tui.code_editor import CodeEditor, EditorCommand
from simulator.tui.exam_screen import MIN_SIZE, ExamScreen
from simulator.tui.messages import ErrorReported
from simulator.tui.preferences import keep_theme
from simulator.tui.screens import ConfirmDialog, ErrorDialog, HelpScreen, KeyHelp

if TYPE_CHECKING:
    from simulator.report.records import Report

log = logging.getLogger("tfexam.tui")

#: When to first freeze the heap (after the prompts are prepared), and how often again.
HEAP_SETTLE_AFTER_S = 4.0
HEAP_SETTLE_EVERY_S = 120.0


class ExamApp(App[str]):
    """The mock exam, PyCharm-style (see :class:`ExamScreen`).

    The app returns ``"detached"`` when the candidate leaves a running exam (its clock keeps
    going) and ``"ended"`` when they leave after the exam was submitted.
    """

    CSS_PATH = "tfexam.tcss"
    #: The palette's "Maximize" shows one window; the countdown and the keys stay on screen.
    ALLOW_IN_MAXIMIZED_VIEW = "Footer, StatusBar"
    TITLE = "tfexam"
    # Textual annotates these as "ClassVar[...] | None", which mypy takes for instance variables.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-too-narrow"),
        (MIN_SIZE[0], "-narrow"),
        (120, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-too-short"),
        (MIN_SIZE[1], "-short"),
        (36, "-tall"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = list(actions.app_bindings())
    #: Unsaved texts kept from before are offered back with a question (after a crash); a view
    #: that reopens routinely (a browser tab's reload) reopens them without one.
    ASK_TO_RESTORE_UNSAVED: ClassVar[bool] = True
    #: Whether the report's drill key may start a drill here (a browser tab shows the one session
    #: its server runs, so it may not).
    OFFERS_DRILLS: ClassVar[bool] = True

    def __init__(
        self,
        facade: SessionFacade,
        *,
        log_path: Path | None = None,
        resources: Callable[[int], Resources] = measure,
    ) -> None:
        super().__init__()
        self.measure_resources = resources
        self.facade = facade
        self.log_path = log_path
        self._exam_screen: ExamScreen | None = None
        #: The drills started from the report here, each over its own engine: whoever runs the
        #: app closes them once it ends (as it closes the first session's engine).
        self.drills: list[SessionFacade] = []
        #: Set by :meth:`exit`: what arrives from other threads from then on (an engine event, a
        #: drill made) is dropped, since the screens are about to go.
        self._leaving = False

    def get_driver_class(self) -> type[Driver]:
        """Textual's choice, except that its Linux terminal driver gives way to one whose input
        thread sleeps while nobody types (:mod:`simulator.tui.terminal_driver`)."""
        driver = super().get_driver_class()
        if driver.__module__ == "textual.drivers.linux_driver" and driver.__name__ == "LinuxDriver":
            from simulator.tui.terminal_driver import QuietLinuxDriver

            return QuietLinuxDriver
        return driver

    def get_default_screen(self) -> ExamScreen:
        """The exam screen is the app's first screen (the stack's bottom)."""
        self._exam_screen = self._new_exam_screen()
        return self._exam_screen

    def _new_exam_screen(self) -> ExamScreen:
        screen = ExamScreen(
            self.facade,
            lambda running: self.measure_resources(running),
            ask_to_restore=self.ASK_TO_RESTORE_UNSAVED,
        )
        # The size classes the screen's first resize would give it, given now: Textual restyles
        # every widget of a screen whose classes change, and doing that once more after the
        # first layout cost a tenth of the CPU to the first frame.
        screen.add_class(*self.breakpoint_classes(self.size), update=False)
        return screen

    def breakpoint_classes(self, size: Size) -> list[str]:
        """The classes Textual's breakpoints give a screen of ``size`` (on each axis, the class
        of the largest breakpoint not above the size)."""
        classes = []
        for breakpoints, extent in (
            (self.HORIZONTAL_BREAKPOINTS or [], size.width),
            (self.VERTICAL_BREAKPOINTS or [], size.height),
        ):
            fitting = [(at, name) for at, name in breakpoints if extent >= at]
            if fitting:
                classes.append(max(fitting)[1])
        return classes

    @property
    def exam_screen(self) -> ExamScreen:
        assert self._exam_screen is not None, "the app runs"
        return self._exam_screen

    def on_mount(self) -> None:
        keep_theme(self)
        self.title = f"tfexam · {self.facade.exam.title}"
        self.set_timer(HEAP_SETTLE_AFTER_S, self._settle_heap)
        self.set_interval(HEAP_SETTLE_EVERY_S, self._settle_heap)

    def _settle_heap(self) -> None:
        """Collect, then freeze what survives, so later full collections skip the widgets.

        A screen of widgets is hundreds of thousands of long-lived objects: left to the cyclic
        collector, every full collection walks them all (150-190 ms here, every few seconds while
        keys are pressed), and a key that arrives then waits. Frozen, a full collection takes
        about 30 ms. Collecting first means nothing already unreachable is frozen with them.
        """
        gc.collect()
        gc.freeze()

    # Keys that work on every screen -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While an editor tab has focus its letters are typed: their actions leave the footer
        (the editor's own keys for them take their place)."""
        if not self.screen_stack:  # the app is closing: no screen, no focus, no action
            return False
        editing = isinstance(self.focused, CodeEditor)
        return actions.allowed(action, editing=editing, exam_over=self.exam_screen.exam_over())

    @on(EditorCommand)
    def _on_editor_command(self, message: EditorCommand) -> None:
        """The app's actions from an editor tab's own keys (f1, ctrl+q)."""
        row = actions.BY_NAME.get(message.command)
        if row is not None and row.on_app and row.from_editor:
            message.stop()
            getattr(self, f"action_{row.name}")()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_help()))

    def key_help(self) -> Iterable[KeyHelp]:
        """One row per action with every key that does it (shown keys first, as in the footer)."""
        yield KeyHelp("1-5", "Show question 1-5 (or click it in the Exam or Project window)")
        yield KeyHelp("↑ ↓ / tab", "Move in a list / move between windows")
        for row in actions.listed_actions():
            assert row.help is not None
            yield KeyHelp(row.key_names(), row.help)
        yield KeyHelp("enter, f4", "In the Project window: open the file in an editor tab")
        yield KeyHelp(
            "ctrl+p, ctrl+shift+a", "Command palette: every action by name (PyCharm's Find Action)"
        )
        # An editor tab types its letters: its own keys, for the exam's actions too.
        editor_keys = actions.keys_by_action(CodeEditor.BINDINGS, CodeEditor.KEY_HELP)
        for action, names in editor_keys.items():
            yield KeyHelp(names, f"In an editor tab: {CodeEditor.KEY_HELP[action]}")

    def action_find_action(self) -> None:
        """PyCharm's Find Action (Ctrl+Shift+A): the command palette."""
        self.action_command_palette()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[Any]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, ExamScreen):
            yield from screen.system_commands()

    # Leaving and the end ------------------------------------------------------------------------

    def exit(
        self,
        result: str | None = None,
        return_code: int = 0,
        message: RenderableType | None = None,
    ) -> None:
        """Textual's exit, after every exam screen stopped listening to its engine: the engines
        run on until whoever ran the app closes them, and an event (a grading worker warm, a
        model graded) that reached a screen while the app closes would reach for screens that
        are no longer there ("No screens on stack")."""
        self._leaving = True
        for screen in self.screen_stack:
            if isinstance(screen, ExamScreen):
                screen.stop_listening()
        super().exit(result, return_code, message)

    def action_request_quit(self) -> None:
        exam = self.exam_screen
        if exam.exam_over() and exam.session.state == "submitted":
            self.exit("ended")
            return
        if isinstance(self.screen, ConfirmDialog):
            return
        session = exam.session
        remaining = session.deadline - self.facade.clock()
        ends = local_clock(session.deadline, seconds=False)
        self.push_screen(
            ConfirmDialog(
                "Leave the exam?",
                f"The clock keeps running while tfexam is closed: {format_duration(max(0.0, remaining))} "
                f"left, the exam ends at {ends}. Models saved meanwhile are graded when you come "
                f"back with: tfexam resume {session.id}" + exam.leaving_note(),
                confirm="Leave",
                cancel="Stay",
            ),
            self._on_quit_answer,
        )

    def _on_quit_answer(self, confirmed: bool | None) -> None:
        if confirmed:
            self.facade.detach()
            self.exit("detached")

    def action_quit_after_end(self) -> None:
        self.exit("ended" if self.exam_screen.session.state == "submitted" else "detached")

    def _build_report(self) -> Report:
        from simulator.report.build import build_report

        return self.facade.report(build_report)

    def action_view_report(self) -> None:
        from simulator.tui.report_screen import ReportScreen

        start_drill = self.start_drill if self.OFFERS_DRILLS else None
        self.push_screen(
            ReportScreen(
                self._build_report(), self.exam_screen.session.workspace, start_drill=start_drill
            )
        )

    def action_export_report(self) -> None:
        from simulator.tui.report_screen import export_html

        try:
            target = export_html(self._build_report(), self.exam_screen.session.workspace)
        except OSError as error:
            self.report_error("The HTML report could not be written", str(error), error)
            return
        self.notify(f"Wrote {target}", title="HTML report", timeout=8)

    # A drill from the report -----------------------------------------------------------------

    def start_drill(self, question_id: str) -> None:
        """Create a drill of ``question_id`` (its data takes seconds: off the UI's thread), then
        show it in this app: a new exam screen over the drill's own engine."""
        from simulator.tui.report_screen import DRILL_WORKER

        self.notify("Preparing the drill's workspace...", title="Drill", timeout=4)

        def create() -> None:
            try:
                drill = self.facade.start_drill(question_id)
            except Exception as error:  # one line for the learner; the traceback in the log
                self.call_from_thread(
                    self.report_error, "The drill could not start", str(error), error
                )
                return
            if self._leaving:  # the candidate left meanwhile: the drill waits for tfexam resume
                drill.close()
                return
            self.call_from_thread(self.call_later, self.show_drill, drill)

        self.run_worker(create, name=DRILL_WORKER, thread=True, exit_on_error=False)

    async def show_drill(self, drill: SessionFacade) -> None:
        """Make ``drill`` the app's session: the finished session's report and results close,
        the drill's exam screen goes over that session's exam screen (the app's first screen,
        which stays, its ticks stopped), and that session's engine is released. An app that logs
        to a session's file (``tfexam start``/``resume``) logs to the drill's from now on, as
        ``tfexam drill`` would."""
        if self._leaving:  # the candidate left while the drill was made: resumed later
            drill.close()
            return
        finished, self.facade = self.facade, drill
        self.drills.append(drill)
        if self.log_path is not None:  # the drill's engine logs to its own session's file
            self.log_path = drill.engine_log
            log_to(self.log_path)
        self.title = f"tfexam · {drill.exam.title}"
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self.exam_screen.retire()
        self._exam_screen = self._new_exam_screen()
        await self.push_screen(self._exam_screen)
        self.run_worker(finished.close, name="close-finished", thread=True, exit_on_error=False)

    # Errors -------------------------------------------------------------------------------------

    def report_error(self, title: str, message: str, error: BaseException | None = None) -> None:
        """The one place where failures become a log entry and an error dialog."""
        if error is not None:
            log.error("%s: %s", title, message, exc_info=error)
        else:
            log.error("%s: %s", title, message)
        hint = f"Details are in {self.log_path}" if self.log_path else None
        if self._leaving or not self.screen_stack:
            return  # the app is closing: the log has it, there is no screen to show it on
        self.push_screen(ErrorDialog(title, message, hint))

    @on(ErrorReported)
    def _on_error_reported(self, message: ErrorReported) -> None:
        self.report_error(message.title, message.message, message.error)
