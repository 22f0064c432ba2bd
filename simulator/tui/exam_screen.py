"""The exam screen: Project, editor area, the bottom tool windows and the status bar.

The screen owns everything about one running exam: its widgets, its key bindings (derived from
:mod:`simulator.tui.actions`), what its actions do, and the engine's events. The engine runs in
its own thread and calls our subscriber for every event; the subscriber only posts the event's
Textual message to this screen (thread-safe, one message class per event class), so every widget
is touched from the app's loop alone, and each kind has its own ``@on`` handler. Everything shown
is read back from the session store (:func:`simulator.tui.view_model.build_exam_view`), the same
source ``tfexam status`` uses. A dialog or the results screen on top has its own keys: Textual's
binding chain keeps this screen's actions to this screen.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SuspendNotSupported, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import Resize, ScreenResume
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from simulator.exam.durations import format_duration
from simulator.exam.format import Question
from simulator.exam.metrics import score_label
from simulator.session import events
from simulator.session.facade import SessionFacade
from simulator.training.resources import Resources
from simulator.training.runs import exit_text, script_text
from simulator.tui import actions, messages
from simulator.tui.code_editor import CodeEditor, EditorCommand
from simulator.tui.editor import (
    NO_EDITOR_HINT,
    EditorError,
    find_editor,
    run_in_terminal,
    start_detached,
)
from simulator.tui.editor_area import EditorArea
from simulator.tui.editor_dialogs import restore_dialog
from simulator.tui.exam_window import ExamToolWindow, QuestionsTable, question_status_text
from simulator.tui.formatting import format_number
from simulator.tui.messages import ErrorReported, OpenFileRequested, QuestionChosen, engine_message
from simulator.tui.preferences import load_preferences
from simulator.tui.project import ProjectTree
from simulator.tui.prompt import PromptView
from simulator.tui.run_window import RunToolWindow
from simulator.tui.screens import ConfirmDialog, ResultsScreen, WorkspaceDialog
from simulator.tui.status_bar import StatusBar
from simulator.tui.tool_windows import EXAM, RUNS, ToolWindows
from simulator.tui.view_model import ExamView, build_exam_view

#: The smallest terminal the layout is made for.
MIN_SIZE = (80, 24)
#: The countdown shows seconds: one tick a second is the least that keeps it true, and each tick
#: costs CPU that training could use (issue 27's idle budget).
TICK_S = 1.0
RESCAN_S = 2.0
#: How often an editor tab's unsaved text is kept in the session store (what a crash can lose).
KEEP_UNSAVED_S = 3.0
#: Grading results arriving within this long of each other share one notification.
COALESCE_S = 0.6


class ExamScreen(Screen[None]):
    """The mock exam, PyCharm-style: Project, prompt, Exam / Run tool window and a status bar."""

    BINDINGS: ClassVar[list[BindingType]] = list(actions.screen_bindings())

    def __init__(
        self,
        facade: SessionFacade,
        resources: Callable[[int], Resources],
        *,
        ask_to_restore: bool = True,
    ) -> None:
        """``resources``: how the cores and memory are measured (given ``n`` running runs).
        ``ask_to_restore``: whether unsaved texts kept from before are offered back with a
        question (after a crash) or simply reopened in their tabs (a browser tab's reload)."""
        super().__init__()
        self.facade = facade
        self.ask_to_restore = ask_to_restore
        self.measure_resources = resources
        self.exam = facade.exam
        self.session = facade.session()
        self.questions = list(self.exam.questions)
        self._numbers = {q.id: f"Q{n}" for n, q in enumerate(self.questions, start=1)}
        self.current: Question = self.questions[0]
        self.view_model: ExamView | None = None
        self._ended_label: str | None = None
        self._last_rescan = 0.0
        self._last_kept = 0.0
        self._results_shown = False
        self._refresh_pending = False
        self._grading_unavailable_said = False
        self._was_over = False
        #: Grading results waiting to be shown together: (question label, text, gradable).
        self._grading_news: list[tuple[str, str, bool]] = []
        #: Whether the engine's events are still for this screen: false from the moment the app
        #: begins to exit or the screen is taken down (:meth:`stop_listening`), since the engine
        #: runs on until the app has gone and its events would reach a screen being closed.
        self._listening = False
        #: Whether the screen was shown before (see :meth:`_keep_styles_on_first_resume`).
        self._resumed = False

    # Layout -------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="main"):
            with Horizontal(id="top"):
                yield ProjectTree(self.session.workspace, self.exam, id="project")
                yield EditorArea(
                    self.session.workspace,
                    self.questions,
                    self.current,
                    keep=self.facade.keep_unsaved,
                    drop=self.facade.drop_unsaved,
                    id="editor-area",
                )
            # Kept at hand: the tick asks it which window is on show every second, and a
            # query for it walks every prompt's widgets first.
            self._tool_windows = ToolWindows(
                metrics={q.id: q.scoring.metric for q in self.questions},
                covers="#top",
                id="tool-windows",
            )
            yield self._tool_windows
        yield Static("", id="too-small")
        # A child of the screen, not of #main: it stays when a window is maximised.
        yield StatusBar(id="status-bar")
        yield Footer()

    def on_mount(self) -> None:
        # Kept at hand for the hot paths (a key, an engine event, the tick): no DOM searches.
        self._project = self.query_one("#project", ProjectTree)
        self._editor_area = self.query_one(EditorArea)
        self._exam_window = self.query_one(ExamToolWindow)
        self._questions_table = self.query_one(QuestionsTable)
        self._status_bar = self.query_one(StatusBar)
        self._run_window = self.query_one(RunToolWindow)
        self._project.border_title = "Project"
        self._exam_window.plan = self.facade.plan_line()
        self._listening = True
        self.facade.subscribe(self._on_engine_event)
        self.refresh_view()
        # The question current by then: a key pressed during the first frame must win.
        self.call_after_refresh(lambda: self._show_question(self.current))
        self._tick()
        self._ticker = self.set_interval(TICK_S, self._tick)
        self.query_one("#questions").focus()
        if self.session.state == "submitted":
            self.call_after_refresh(self._show_results)
        else:
            self.call_after_refresh(self._offer_unsaved)
        # The engine starts once the first frame is on screen: its start (grading workers, the
        # data writer, the folder watcher) holds the GIL for ~0.4 s that the first frame needs.
        self.call_after_refresh(self._start_engine)

    @on(ScreenResume)
    def _keep_styles_on_first_resume(self, event: ScreenResume) -> None:
        """The first time the screen is shown, its widgets were styled a moment ago as they were
        mounted: Textual's restyling of the whole screen on every resume is then work done twice
        (a tenth of the CPU to the first frame). Later resumes (back from a dialog, the report,
        after a theme change) restyle as Textual does."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def retire(self) -> None:
        """Another session's exam screen took this one's place (a drill started from the report):
        stop the ticks and the events of this session's engine, which is released."""
        self._ticker.stop()
        self.stop_listening()

    def stop_listening(self) -> None:
        """No more engine events or ticks for this screen: the app is exiting, or the screen is
        taken down. Called on the app's loop before the screens go, so that no event handled
        afterwards reaches for a screen or a widget that is no longer there."""
        if self._listening:
            self._listening = False
            self.facade.unsubscribe(self._on_engine_event)

    def on_unmount(self) -> None:
        self.stop_listening()

    @property
    def tool_windows(self) -> ToolWindows:
        return self._tool_windows

    def _offer_unsaved(self) -> None:
        """Tabs' texts kept from before a crash or a kill, that differ from their files: offer
        them back (restore in tabs, unsaved) or throw them away."""
        area = self.query_one(EditorArea)
        offered = []
        for buffer in self.facade.unsaved_buffers():
            try:
                on_disk = buffer.path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                on_disk = None
            if on_disk == buffer.text:
                self.facade.drop_unsaved(buffer.path)
            else:
                offered.append(buffer)
        if not offered:
            return
        if not self.ask_to_restore:
            for buffer in offered:
                area.open_file(buffer.path, text=buffer.text)
            return

        def answered(answer: str | None) -> None:
            for buffer in offered:
                if answer == "restore":
                    area.open_file(buffer.path, text=buffer.text)
                else:
                    self.facade.drop_unsaved(buffer.path)

        self.app.push_screen(restore_dialog([area.label(b.path) for b in offered]), answered)

    def _start_engine(self) -> None:
        self.run_worker(self.facade.start, name="engine-start", thread=True, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if self._exam_screen_gone():
            return  # e.g. the engine's start cut short by leaving: nothing to say any more
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            what = (
                "starting the exam engine"
                if event.worker.name == "engine-start"
                else event.worker.name or "a background task"
            )
            self.post_message(
                ErrorReported("Something went wrong", f"{what} failed: {error}", error)
            )

    def on_resize(self, event: Resize) -> None:
        width, height = event.size
        self.call_after_refresh(self.tool_windows.apply_height)  # kept heights fit the new size
        self.query_one("#too-small", Static).update(
            Text.assemble(
                ("This terminal is too small for the exam screen.\n\n", "bold"),
                f"It is {width}x{height}; tfexam needs at least {MIN_SIZE[0]}x{MIN_SIZE[1]}.\n"
                "Enlarge the window or make the font smaller.\n\n",
                (
                    "The exam keeps running: saved models are still graded.",
                    "dim",
                ),
            )
        )

    # Engine events ------------------------------------------------------------------------------

    def _on_engine_event(self, event: events.SessionEvent) -> None:
        """Called on the engine's thread: hand over to the app's loop, never touch widgets.
        Nothing once the screen stopped listening (an event announced while it unsubscribed)."""
        if self._listening:
            self.post_message(engine_message(event))

    @on(messages.SessionOpenedMessage)
    @on(messages.ModelDetectedMessage)
    @on(messages.GradingStartedMessage)
    @on(messages.AttemptSupersededMessage)
    @on(messages.AttemptRequeuedMessage)
    def _on_attempts_changed(self) -> None:
        self._refresh_soon()

    @on(messages.AttemptGradedMessage)
    def _on_attempt_graded(self, message: messages.AttemptGradedMessage) -> None:
        self._refresh_soon()
        event = message.event
        attempt = event.attempt
        shown = (
            f" {attempt.metric_name} {format_number(attempt.metric_value)}"
            if attempt.metric_name and attempt.metric_value is not None
            else ""
        )
        self.notify_grading(
            self._question_label(event.question_id),
            f"{score_label(attempt.score)}{shown}; question score {score_label(event.question_score)}",
        )

    @on(messages.AttemptNotGradableMessage)
    def _on_attempt_not_gradable(self, message: messages.AttemptNotGradableMessage) -> None:
        self._refresh_soon()
        event = message.event
        self.notify_grading(
            self._question_label(event.question_id), event.reason.text, gradable=False
        )

    @on(messages.AttemptRejectedMessage)
    def _on_attempt_rejected(self, message: messages.AttemptRejectedMessage) -> None:
        self._refresh_soon()
        self.notify(
            "saved after the exam ended: recorded, not graded",
            title=self._question_label(message.event.question_id),
            severity="warning",
        )

    @on(messages.SubmitAndTestFailedMessage)
    def _on_submit_and_test_failed(self, message: messages.SubmitAndTestFailedMessage) -> None:
        event = message.event
        self.notify(
            event.reason.text,
            title=f"{self._question_label(event.question_id)}: Submit and Test",
            severity="warning",
        )

    @on(messages.ModelUnchangedMessage)
    def _on_model_unchanged(self, message: messages.ModelUnchangedMessage) -> None:
        previous = message.event.previous
        if previous.state in ("graded", "not-gradable"):
            self.notify(
                f"same file as attempt #{previous.number}, not graded again",
                title=self._question_label(previous.question_id),
                timeout=4,
            )

    @on(messages.TimeWarningMessage)
    def _on_time_warning(self, message: messages.TimeWarningMessage) -> None:
        event = message.event
        minutes = event.minutes_left
        self.notify(
            f"{format_duration(event.remaining_s)} left. Save a model for every question.",
            title=f"{minutes} minute{'s' if minutes != 1 else ''} left",
            severity="error" if minutes <= 10 else "warning",
            timeout=15,
        )

    @on(messages.DeadlineReachedMessage)
    def _on_deadline_reached(self) -> None:
        self._ended_label = "time is up"
        self.notify(
            "Time is up: the exam is being submitted automatically.",
            title="Auto-submit",
            severity="error",
            timeout=15,
        )

    @on(messages.SubmitRequestedMessage)
    def _on_submit_requested(self) -> None:
        self._ended_label = "submitting"
        self.notify("Grading what was saved, then the exam ends.", title="Submitting")

    @on(messages.SessionSubmittedMessage)
    def _on_session_submitted(self) -> None:
        if self._exam_screen_gone():
            return
        self.session = self.facade.session()
        self.refresh_view()
        self._ended_label = "exam over"
        self._show_results()

    @on(messages.SolutionsRevealedMessage)
    def _on_solutions_revealed(self) -> None:
        if not self._exam_screen_gone():
            self.query_one("#project", ProjectTree).rescan()

    @on(messages.RunStartedMessage)
    def _on_run_started(self, message: messages.RunStartedMessage) -> None:
        """A new run's tab is chosen as it starts, as in PyCharm's Run window."""
        if not self._exam_screen_gone():
            self._show_runs(message.event.run.id)

    @on(messages.RunEndedMessage)
    def _on_run_ended(self, message: messages.RunEndedMessage) -> None:
        run = message.event.run
        code = run.exit_code
        self.notify(
            f"run #{run.number} {run.state}"
            + (f" ({exit_text(code)})" if code not in (None, 0) else ""),
            title=f"{self._question_label(run.question_id)}: training",
            severity="error" if run.state == "failed" else "information",
            timeout=8 if run.state == "failed" else 4,
        )

    @on(messages.SessionOpenedMessage)
    @on(messages.QuestionReadyMessage)
    @on(messages.QuestionDataFailedMessage)
    def _on_question_data(self) -> None:
        """The Project tree marks the folders whose data is still being written."""
        if self._exam_screen_gone():
            return
        self.query_one("#project", ProjectTree).show_data_pending(self.facade.data_pending())

    @on(messages.EngineFailedMessage)
    def _on_engine_failed(self, message: messages.EngineFailedMessage) -> None:
        if self._exam_screen_gone():
            return
        self.post_message(ErrorReported("The exam engine stopped", message.event.message))

    @on(messages.WorkerExitedMessage)
    def _on_worker_exited(self, message: messages.WorkerExitedMessage) -> None:
        """A worker that retires or crashed is replaced by the pool; one that cannot start at
        all means nothing can be graded: said once, in a dialog."""
        if self._exam_screen_gone():
            return
        if message.event.grading_unavailable and not self._grading_unavailable_said:
            self._grading_unavailable_said = True
            self.post_message(ErrorReported("Grading is not available", message.event.reason.text))

    def notify_grading(self, question: str, text: str, *, gradable: bool = True) -> None:
        """Results of several gradings in a moment become one notification, not a stack of
        toasts over the header (a resume or a burst of saves grades many at once)."""
        if not self._grading_news:
            self.set_timer(COALESCE_S, self._show_grading_news)
        self._grading_news.append((question, text, gradable))

    def _show_grading_news(self) -> None:
        news, self._grading_news = self._grading_news, []
        if not news:
            return
        warn = not all(gradable for _q, _t, gradable in news)
        severity: SeverityLevel = "warning" if warn else "information"
        timeout = 10 if warn else 5
        if len(news) == 1:
            question, text, gradable = news[0]
            title = f"{question}: graded" if gradable else f"{question}: not gradable"
            self.notify(text, title=title, severity=severity, timeout=timeout)
            return
        lines = [
            f"{question}: {text if gradable else 'not gradable: ' + text}"
            for question, text, gradable in news
        ]
        self.notify("\n".join(lines), title=f"{len(news)} gradings", severity=severity,
                    timeout=timeout)  # fmt: skip

    def _exam_screen_gone(self) -> bool:
        """Whether the exam screen was taken down (the app is closing): an engine event can
        still arrive then, since the engine runs on until the app has gone."""
        return not self._listening or not self.is_attached or not self._exam_window.is_attached

    def _refresh_soon(self) -> None:
        """One :meth:`refresh_view` for a burst of engine events: a save brings two or three
        (detected, grading, graded) and a resume many; each would read the store and update the
        tables and the Project tree again. The refresh runs after the messages already queued."""
        if self._refresh_pending:
            return
        self._refresh_pending = True

        def refresh() -> None:
            self._refresh_pending = False
            self.refresh_view()

        self.call_later(refresh)

    def refresh_view(self) -> None:
        """Read the attempts again and update every widget that shows them (nothing once the
        exam screen is gone)."""
        if self._exam_screen_gone():
            return
        self.view_model = view = build_exam_view(self.exam, self.facade.snapshot())
        self._exam_window.show(view, self.current.id)
        self._status_bar.show_total(view.total_label)
        files = {
            path: Text(label.text, style=label.style) for path, label in view.file_states.items()
        }
        labels = {r.question_id: question_status_text(r) for r in view.questions}
        self._project.update_states(files, labels)

    def _tick(self) -> None:
        """Once a second: the countdown, the graders, the runs, a look at the workspace (each
        widget is only touched where what it shows changed)."""
        if not self.app.is_running or not self._listening:
            return
        try:
            self._update_clock_and_resources()
        except NoMatches:
            return  # the screen is being torn down (quitting): nothing left to update

    def _update_clock_and_resources(self) -> None:
        now = self.facade.clock()
        remaining = self.session.deadline - now
        ended = self._ended_label
        if ended is None and self.session.state == "submitted":
            ended = "exam over"
        elif ended is None and remaining <= 0:
            ended = "time is up"
        status_bar = self._status_bar
        status_bar.show_countdown(remaining, ended)
        if self.exam_over() != self._was_over:  # the footer drops what no longer works
            self._was_over = self.exam_over()
            self.refresh_bindings()
        grading = self.facade.grading()
        status_bar.show_graders(list(grading.workers), grading.queued_jobs)
        resources = self.measure_resources(self.facade.running_runs())
        status_bar.show_runs(resources)
        if self.tool_windows.showing_runs:
            self._run_window.show(self.facade.runs(), self._numbers, resources)
        if time.monotonic() - self._last_rescan >= RESCAN_S:
            self._last_rescan = time.monotonic()
            self._project.rescan()
        area = self._editor_area
        area.check_disk()
        if time.monotonic() - self._last_kept >= KEEP_UNSAVED_S:
            self._last_kept = time.monotonic()
            area.keep_unsaved()

    # Questions ----------------------------------------------------------------------------------

    @on(QuestionChosen)
    def _on_question_chosen(self, message: QuestionChosen) -> None:
        if message.still_current():
            self.select_question(message.question_id)

    def select_question(self, question_id: str) -> None:
        question = self.exam.questions_by_id[question_id]
        if question is self.current:
            return
        self.current = question
        self._show_question(question)

    def _show_question(self, question: Question) -> None:
        self._editor_area.show_prompt(question)
        if self.view_model is not None:
            self._exam_window.show(self.view_model, question.id)
        self._questions_table.select_question(question.id)
        self._project.follow(question.id)

    def _question_label(self, question_id: str) -> str:
        question = self.exam.questions_by_id.get(question_id)
        if question is None:
            return "Exam"
        return f"Q{self.questions.index(question) + 1} {question.title}"

    # Actions ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """As the action table says: while an editor tab has focus its letters are typed (their
        actions leave the footer, the editor's own keys for them take their place); once the
        exam ended, what can do nothing is hidden from the footer (not just dimmed). Under a
        dialog the screen's footer still shows: it offers only the app's keys then."""
        if not self.is_active and action in actions.BY_NAME:
            return False
        editing = isinstance(self.focused, CodeEditor)
        return actions.allowed(action, editing=editing, exam_over=self.exam_over())

    def exam_over(self) -> bool:
        return self._ended_label is not None or self.session.state == "submitted"

    def system_commands(self) -> Iterable[SystemCommand]:
        """The command palette's entries for the exam: every listed action, every question."""
        for row in actions.EXAM_ACTIONS:
            if row.help is None or (row.while_running and self.exam_over()):
                continue
            title = row.help.split(":")[0].split(" (")[0]
            target = self.app if row.on_app else self
            yield SystemCommand(title, row.help, partial(target.run_action, row.action))
        for number, question in enumerate(self.questions, start=1):
            yield SystemCommand(
                f"Question {number}: {question.title}",
                f"Show {question.workspace_folder}/",
                lambda n=number: self.action_select_question(n),
            )

    def action_select_question(self, number: int) -> None:
        if 1 <= number <= len(self.questions):
            self.select_question(self.questions[number - 1].id)

    def question_in_focus(self) -> Question:
        """The question an action is for: the one whose folder holds the file in the editor tab
        on show, else the selected one."""
        editor = self.query_one(EditorArea).active_editor()
        if editor is not None:
            for question in self.questions:
                folder = (self.session.workspace / question.workspace_folder).resolve()
                if editor.path.parent == folder:
                    return question
        return self.current

    def action_submit_and_test(self) -> None:
        question = self.question_in_focus()
        folder = self.session.workspace / question.workspace_folder
        names = (*question.model_files, *question.savedmodel_dirs)
        if not any((folder / name).exists() for name in names):
            # Said at once, here: no "Grading…" for a file that is not there.
            self.notify(
                f"no model to submit: there is no {question.model_files[0]} in "
                f"{question.workspace_folder}/ yet. Save your model there, then Submit and Test.",
                title=f"{self._question_label(question.id)}: Submit and Test",
                severity="warning",
            )
            return
        self.facade.submit_and_test(question.id)
        self.notify(
            f"Grading {question.workspace_folder}/{question.model_files[0]}…",
            title=f"{self._question_label(question.id)}: Submit and Test",
            timeout=3,
        )

    def action_edit(self) -> None:
        """The question's starter in an editor tab, the cursor in it (or, where the candidate
        chose so in config.toml, in their own editor)."""
        self.open_file(
            self.session.workspace / self.current.workspace_folder / self.current.starter
        )

    def open_file(self, path: Path) -> None:
        """A file in an editor tab, or in the candidate's own editor where config.toml says so."""
        if load_preferences().external_editor:
            self.open_in_editor(path)
        else:
            self.query_one(EditorArea).open_file(path)

    def action_open_external(self) -> None:
        """``o``: the Project window's file (when it has focus) or the question's starter, in the
        candidate's own editor ($VISUAL, $EDITOR, PyCharm)."""
        tree = self.query_one("#project", ProjectTree)
        entry = tree.cursor_node.data if tree.has_focus and tree.cursor_node else None
        if entry is not None and not entry.is_dir:
            self.open_in_editor(entry.path)
            return
        folder = self.session.workspace / self.current.workspace_folder
        self.open_in_editor(folder / self.current.starter)

    def action_recent_files(self) -> None:
        self.query_one(EditorArea).show_recent()

    def action_save_file(self) -> None:
        area = self.query_one(EditorArea)
        editor = area.active_editor()
        if editor is not None:
            area.save(editor)

    def action_close_file(self) -> None:
        area = self.query_one(EditorArea)
        editor = area.active_editor()
        if editor is not None:
            area.close(editor)

    def action_focus_editor(self) -> None:
        """PyCharm's Escape in a tool window: back to the editor (the tab on show)."""
        area = self.query_one(EditorArea)
        editor = area.active_editor()
        if editor is not None:
            editor.focus()
        else:
            self.query_one(PromptView).focus_prompt()

    @on(OpenFileRequested)
    def _on_open_file(self, message: OpenFileRequested) -> None:
        self.open_file(Path(message.path))

    @on(EditorCommand)
    def _on_editor_command(self, message: EditorCommand) -> None:
        """The exam screen's actions from an editor tab's modifier keys (its letters are typed;
        ``check_action`` takes the letters' bindings out of the footer while typing). The app's
        own (help, quit) go on up to the app."""
        row = actions.BY_NAME.get(message.command)
        if row is None or not row.from_editor or row.on_app:
            return
        message.stop()
        if actions.allowed(row.name, editing=False, exam_over=self.exam_over()):
            getattr(self, f"action_{row.name}")()

    @on(EditorArea.StatusChanged)
    def _on_editor_status(self, message: EditorArea.StatusChanged) -> None:
        status_bar = self.query_one(StatusBar)
        status_bar.set_class(message.editing, "-editing")
        status_bar.show_editor(message.text)

    def open_in_editor(self, path: Path) -> None:
        editor = find_editor(os.environ)
        if editor is None:
            self.notify(
                f"{NO_EDITOR_HINT}. The file is {path}",
                title="Edit",
                severity="warning",
                timeout=10,
            )
            return
        try:
            if not editor.in_terminal:
                start_detached(editor, path)
                self.notify(f"Opened {path.name} in {editor.name}", title="Edit", timeout=3)
                return
            with self.app.suspend():
                run_in_terminal(editor, path)
        except SuspendNotSupported:
            self.notify(
                f"This terminal cannot hand over to {editor.name}; open {path} yourself.",
                title="Edit",
                severity="warning",
            )
        except EditorError as error:
            self.notify(str(error), title="Edit", severity="error")

    # Training runs and the tool windows ---------------------------------------------------------

    def action_run(self) -> None:
        """Run the question's script as a training run: the Python file in the editor tab on
        show when it is one of the question's own (saved first, as PyCharm does), else the
        question's starter (saved first where a tab has unsaved changes to it)."""
        question = self.question_in_focus()
        area = self.query_one(EditorArea)
        folder = (self.session.workspace / question.workspace_folder).resolve()
        editor = area.active_editor()
        script = question.starter
        if editor is not None and editor.path.parent == folder and editor.path.suffix == ".py":
            script = editor.path.name
        else:
            editor = area.editor_for(folder / script)
        if editor is not None and editor.dirty and not area.save(editor):
            return
        running = [
            v for v in self.facade.runs()
            if v.record.question_id == question.id and v.record.state == "running"
        ]  # fmt: skip
        if not running:
            self._start_run(question, script)
            return
        newest = running[0]
        epoch = newest.progress.epoch
        where = f", epoch {epoch}/{newest.progress.epochs or '?'}" if epoch is not None else ""
        self.app.push_screen(
            ConfirmDialog(
                f"Start another run of {self._question_label(question.id)}?",
                f"Run #{newest.record.number} of this question is still training "
                f"({format_duration(newest.elapsed_s)}{where}). A second run shares the cores "
                "with it, so both train slower.",
                confirm="Start another run",
                cancel="Keep one",
            ),
            lambda confirmed: self._start_run(question, script) if confirmed else None,
        )

    def _start_run(self, question: Question, script: str) -> None:
        try:
            run = self.facade.start_run(question.id, script)
        except (OSError, RuntimeError, ValueError) as error:
            self.notify(str(error), title="Run", severity="error")
            return
        self.notify(
            f"run #{run.number}: {script_text(run.command)} in {question.workspace_folder}/",
            title=f"{self._question_label(question.id)}: training",
            timeout=4,
        )
        self._show_runs(run.id)

    def action_toggle_tool_window(self) -> None:
        windows = self.tool_windows
        if not windows.display:
            windows.display = True
        elif windows.showing_runs:
            windows.show_window(EXAM)
            self.query_one("#questions").focus()
        else:
            self._show_runs()

    def action_project(self) -> None:
        self.query_one(ProjectTree).focus()

    def action_run_window(self) -> None:
        self._show_runs()

    def action_hide_tool_window(self) -> None:
        """PyCharm's Shift+Esc: the tool window goes, the editor area takes its room; again
        (or Alt+4, v) brings it back."""
        windows = self.tool_windows
        windows.toggle_hidden()
        if not windows.display:
            self.query_one(ProjectTree).focus()

    def action_stretch_tool_window(self, steps: int) -> None:
        """PyCharm's Ctrl+Shift+Up / Down: the tool window grows or shrinks by a step, and keeps
        that height (across sessions, in the preferences file)."""
        self.tool_windows.stretch(steps)

    def action_maximize_tool_window(self) -> None:
        self.tool_windows.toggle_maximized()

    def _show_runs(self, run_id: int | None = None) -> None:
        """Show the Run window (on ``run_id``'s tab where given) and bring it up to date."""
        self.tool_windows.show_window(RUNS)
        window = self.query_one(RunToolWindow)
        resources = self.measure_resources(self.facade.running_runs())
        window.show(self.facade.runs(), self._numbers, resources)
        if run_id is not None:
            window.open_run(run_id)  # focuses its log (focusing the overview would undo it)
        elif window.active_pane() is None:
            self.query_one("#runs").focus()

    @on(DataTable.RowSelected, "#runs")
    def _on_run_row_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter on a run in the overview opens its tab."""
        key = event.row_key.value
        if key is not None:
            self.query_one(RunToolWindow).open_run(int(key))

    def action_run_tab(self, step: int) -> None:
        """The Run window's tabs in turn, ``[`` and ``]`` (clicking a tab works too)."""
        if not self.tool_windows.showing_runs:
            self._show_runs()
        self.query_one(RunToolWindow).step_tab(step)

    def action_compare_runs(self) -> None:
        window = self.query_one(RunToolWindow)
        if not self.tool_windows.showing_runs or window.active_pane() is None:
            self.notify("open a run's tab first (v, then enter on a run)", title="Compare",
                        severity="warning", timeout=4)  # fmt: skip
            return
        other = window.compare_next()
        self._show_runs()
        self.notify(
            f"compared with run #{other.record.number}" if other else "compared with no other run",
            title="Compare", timeout=2,
        )  # fmt: skip

    def _selected_run(self) -> int | None:
        if not self.tool_windows.showing_runs:
            self._show_runs()
        return self.query_one(RunToolWindow).selected_run()

    def action_stop_run(self) -> None:
        run_id = self._selected_run()
        if run_id is None:
            self.notify("no run selected", title="Stop", severity="warning")
            return
        self.facade.stop_run(run_id)
        number = self.facade.run_number(run_id)
        self.notify(f"stopping run #{number}…", title="Stop", timeout=3)

    def action_restart_run(self) -> None:
        run_id = self._selected_run()
        if run_id is None:
            self.notify("no run selected", title="Restart", severity="warning")
            return
        old = self.facade.run_number(run_id)
        run = self.facade.restart_run(run_id)
        self.notify(f"run #{run.number} started again from run #{old}", title="Restart", timeout=3)
        self._show_runs(run.id)

    # The workspace, the end ---------------------------------------------------------------------

    def action_workspace(self) -> None:
        self.app.push_screen(WorkspaceDialog(str(self.session.workspace)))

    def action_submit_exam(self) -> None:
        view = self.view_model
        graded = sum(1 for r in view.questions if r.state == "graded") if view else 0
        pending = sum(r.pending for r in view.questions) if view else 0
        total = view.total_label if view else ""
        waiting = (
            f" {pending} model(s) still being graded will be finished first." if pending else ""
        )
        remaining = format_duration(max(0.0, self.session.deadline - self.facade.clock()))
        self.app.push_screen(
            ConfirmDialog(
                "Submit and end the exam?",
                f"{graded} of {len(self.questions)} questions are graded, score {total}, with "
                f"{remaining} left. Scores become final and no later save is graded.{waiting}",
                confirm="Submit and End Exam",
            ),
            self._on_submit_answer,
        )

    def _on_submit_answer(self, confirmed: bool | None) -> None:
        if confirmed:
            self.facade.submit()
            self._ended_label = "submitting"

    def leaving_note(self) -> str:
        """What stays behind when the candidate leaves now: unsaved tabs (kept in the store
        first, whatever happens next) and training runs that go on."""
        area = self.query_one(EditorArea)
        area.keep_unsaved()  # whatever happens next, the store has the tabs' texts
        unsaved = [editor.label for editor in area.unsaved()]
        note = (
            f"\nNot saved yet (kept, and offered back when you resume): {', '.join(unsaved)}"
            if unsaved
            else ""
        )
        running = self.facade.running_runs()
        if not running:
            return note
        verb = "keeps" if running == 1 else "keep"
        return (
            f"\n{running} training run{'s' if running != 1 else ''} {verb} going meanwhile, "
            "writing to its log." + note
        )

    def _show_results(self) -> None:
        if self._results_shown or self.view_model is None:
            return
        self._results_shown = True
        self.refresh_view()
        assert self.view_model is not None
        how = {
            "auto-submitted": "Time is up: the exam was submitted automatically",
            "submitted": "Exam submitted",
        }.get(self.session.end_reason or "", "Exam over")
        note = (
            "Each question's reference solution is now in its folder as reference_solution.py.\n"
            "v: the session report (timeline, every attempt, advice) · h: save it as HTML\n"
            f"Later: tfexam report {self.session.id} (or tfexam review for these tabs)\n"
            "escape: the exam screen again · q: leave"
        )
        self.app.push_screen(
            ResultsScreen(self.view_model, how, self.session.id, self.facade.policy, note)
        )

    @on(Button.Pressed, "#submit-and-test")
    def _on_submit_and_test_button(self) -> None:
        self.action_submit_and_test()

    @on(Button.Pressed, "#edit")
    def _on_edit_button(self) -> None:
        self.action_edit()
