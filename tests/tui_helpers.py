"""Building the exam app over a real engine, a real workspace and a shared warm grading pool.

Generating the practice exam's data takes seconds, so one workspace is made per test run and
copied for each test (a copy is a few milliseconds); the session row is written as
``tfexam start`` writes it, with a clock the test may hold still or move.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable

from simulator.exam.catalog import find_exam
from simulator.exam.format import Exam, Policy
from simulator.grading.pool import GradingPool
from simulator.paths import DataPaths, data_paths
from simulator.session.engine import Engine
from simulator.session.facade import SessionFacade
from simulator.session.sessions import NewSession, record_session
from simulator.session.watcher import WatchTimings
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store
from simulator.tui.app import ExamApp
from simulator.tui.prompt import PromptView
from tests.shared_data import copy_workspace
from tests.waiting import TIMEOUT_S, wait_on_pilot


@dataclass
class Clock:
    """A clock for the engine and the app: real time plus an offset, or frozen at ``frozen``."""

    offset: float = 0.0
    frozen: float | None = None

    def __call__(self) -> float:
        return self.frozen if self.frozen is not None else time.time() + self.offset


@dataclass
class TuiRig:
    """Makes apps over sessions of one exam; closes every engine it made."""

    pool: GradingPool
    template: Path
    root: Path
    exam_id: str = "practice"
    engines: list[Engine] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.paths: DataPaths = data_paths()
        self.store = Store(self.paths.database)
        self.exam: Exam = find_exam(self.exam_id, self.paths)

    def session(
        self,
        *,
        duration_s: int = 3600,
        started_at: float | None = None,
        policy: Policy | None = None,
        name: str = "tfexam-practice",
    ) -> SessionRecord:
        workspace = self.root / f"{len(self.engines)}" / name
        copy_workspace(self.template, workspace)
        request = NewSession(
            self.exam, workspace=workspace, duration_s=duration_s, policy=policy,
            grading=self.pool.settings,
        )  # fmt: skip
        return record_session(
            self.store, request, workspace, time.time() if started_at is None else started_at
        )

    def app(
        self,
        session: SessionRecord,
        clock: Callable[[], float] = time.time,
    ) -> ExamApp:
        engine = Engine(
            self.store, self.paths, session, self.exam, pool=self.pool,
            watch_timings=WatchTimings(), clock=clock,
        )  # fmt: skip
        self.engines.append(engine)
        return ExamApp(SessionFacade(engine))

    def close(self) -> None:
        """Close every engine, stopping the runs a test left running (runs outlive an engine by
        design, and a leftover training would load the machine for every later test)."""
        for engine in self.engines:
            engine.runs.close(stop_runs=True)
            engine.close()
        self.store.close()


async def wait_until(
    pilot: Pilot[object],
    predicate: Callable[[], object],
    timeout: float = TIMEOUT_S,
    what: str = "",
) -> None:
    """Let the app run until ``predicate`` holds (the engine works in real time), then let the
    messages that the change posted be handled."""
    await wait_on_pilot(pilot, predicate, what or getattr(predicate, "__name__", "the condition"),
                        timeout)  # fmt: skip
    await pilot.pause()


async def until(pilot: Pilot[object], predicate: Callable[[], object], what: str) -> None:
    """Wait for what a key press, a click or a message is about (a screen pushed, a widget
    focused, a text shown), with a message that names it; the usual replacement of a pause."""
    await wait_until(pilot, predicate, what=what)


async def exam_started(pilot: Pilot[object]) -> None:
    """Wait until the exam screen is drawn and its engine is running (its loop went round once),
    as a user sees it a moment after ``tfexam start``: saved files are watched from then on."""
    app = pilot.app
    assert isinstance(app, ExamApp)
    engine = app.facade._engine
    await wait_until(
        pilot,
        lambda: app.exam_screen.is_mounted and engine.ticks > 0,
        what="the exam screen and its engine running",
    )
    await pilot.wait_for_animation()


async def prompts_prepared(pilot: Pilot[object], timeout: float = TIMEOUT_S) -> None:
    """Wait until the background has prepared every question's prompt pane, as after start."""
    app = pilot.app
    assert isinstance(app, ExamApp)
    await wait_until(
        pilot,
        lambda: any(view.prepared for view in app.screen_stack[0].query(PromptView)),
        timeout,
        "every prompt prepared",
    )
    await settled(pilot)


def visible_prompt_panes(app: ExamApp) -> list[str]:
    """The prompt panes the candidate sees: those inside the prompt area (the others are laid
    out in its stack, out of sight)."""
    stack = app.screen_stack[0].query_one("#prompts")
    panes = stack.query(".prompt-pane")
    return [str(pane.id) for pane in panes if pane.region.intersection(stack.region).area > 0]


def screen_lines(app: ExamApp) -> list[str]:
    """The screen as the terminal shows it now, line by line (what was drawn, clipped and all)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def table_rows(table: DataTable[object]) -> list[list[str]]:
    """A DataTable's cells as the user reads them."""
    rows = []
    for key in table.rows:
        rows.append(
            [cell.plain if isinstance(cell, Text) else str(cell) for cell in table.get_row(key)]
        )
    return rows


def notifications(app: ExamApp) -> list[tuple[str, str]]:
    """(title, message) of every notification shown so far."""
    return [(n.title, n.message) for n in app._notifications]


def record_notifications(app: ExamApp) -> list[tuple[str, str]]:
    """(title, message) of every notification from now on, kept after its toast has expired (a
    toast lasts seconds: on a loaded machine it can be gone before a test looks)."""
    seen: list[tuple[str, str]] = []
    real_notify = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append((str(kwargs.get("title", "")), str(message)))
        real_notify(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen


def text_of(widget: object) -> str:
    """What a Static shows, as plain text."""
    from textual.widgets import Static

    assert isinstance(widget, Static)
    content = widget.render()
    return content.plain if isinstance(content, Text) else str(content)


async def settled(pilot: Pilot[object]) -> None:
    """Let what is pending run: posted messages, a layout, a refresh, animations."""
    await pilot.pause()
    await pilot.wait_for_animation()
    await pilot.pause()
