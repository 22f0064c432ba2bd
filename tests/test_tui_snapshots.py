"""Snapshots of the exam screen at 80x24, 120x40 and 200x50 (pytest-textual-snapshot).

Every app here starts as ``tfexam start`` starts it, prompts prepared in the background, and each
snapshot is taken only after that work is over (so the screen is the one a candidate sees a few
seconds in, not the first frame). Every session here starts at a fixed time and the engine's clock is frozen 12-105 minutes in,
so the countdown, the attempt times and the session id are the same on every run. Attempts are
recorded in the store as the engine records them, with reasons produced by the grader's own
interface check; the model files they name are real ones on disk, already known by content, so
the engine's start-up scan has nothing new to grade.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from textual.pilot import Pilot
from textual.widgets import Log

from simulator.exam.format import format_shape
from simulator.grading.evaluation import NotGradableError, check_interface
from simulator.grading.pool import GradingPool
from simulator.storage.records import RunState, SessionRecord
from simulator.training.resources import Resources
from simulator.tui.app import ExamApp
from simulator.tui.editor_area import EditorArea
from simulator.tui.exam_window import AttemptsTable
from simulator.tui.run_window import RunToolWindow
from tests.tui_helpers import Clock, TuiRig, prompts_prepared, settled, until, wait_until

SIZES = [
    pytest.param((80, 24), id="80x24"),
    pytest.param((120, 40), id="120x40"),
    pytest.param((200, 50), id="200x50"),
]
STARTED_AT = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.timezone.utc).timestamp()


@pytest.fixture
def rig(
    warm_pool: GradingPool,
    practice_template: Path,
    tfexam_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[TuiRig]:
    monkeypatch.setenv("TZ", "UTC")  # the session id is made from the local start time
    time.tzset()
    made = TuiRig(warm_pool, practice_template, tmp_path / "sessions")
    yield made
    made.close()
    monkeypatch.undo()
    time.tzset()


def wrong_input_reason(rig: TuiRig) -> str:
    """The grader's own words for a model built for (28, 28, 1) pictures instead of (28, 28)."""
    interface = rig.exam.question("learning-dataset").interface
    try:
        check_interface(interface, [(28, 28, 1)], [tuple(interface.output_shape)])
    except NotGradableError as error:
        return str(error)
    raise AssertionError(f"{format_shape((28, 28, 1))} should not fit")


def record(
    rig: TuiRig,
    session: SessionRecord,
    question_id: str,
    model: Path,
    minute: float,
    *,
    score: int | None = None,
    metric: float | None = None,
    reason: str | None = None,
) -> None:
    """An attempt as the engine records it, for a real file now in the question's folder."""
    question = rig.exam.question(question_id)
    # Under its own format's name: a .keras file named .h5 would look half-written at start-up.
    target = session.workspace / question.workspace_folder / f"mymodel{model.suffix}"
    shutil.copyfile(model, target)
    data = target.read_bytes()
    at = session.started_at + minute * 60
    attempt = rig.store.add_attempt(
        session_id=session.id, question_id=question_id, source_path=str(target), blob=None,
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), origin="watch",
        saved_at=at, detected_at=at + 0.1, state="queued", queued_at=at + 0.1,
    )  # fmt: skip
    rig.store.finish_attempt(
        attempt.id,
        state="graded" if reason is None else "not-gradable",
        finished_at=at + 2.0,
        score=score,
        metric_name=question.scoring.metric if reason is None else None,
        metric_value=metric,
        message=reason,
    )


def session_with_attempts(rig: TuiRig, models: dict[str, Path]) -> SessionRecord:
    session = rig.session(duration_s=5 * 3600, started_at=STARTED_AT)
    record(rig, session, "basic-model", models["close.h5"], 12.5, score=4, metric=0.0025)
    record(rig, session, "basic-model", models["good.h5"], 18.25, score=5, metric=1.2e-9)
    record(rig, session, "learning-dataset", models["poor.h5"], 41.2, score=3, metric=0.7612)
    record(
        rig, session, "learning-dataset", models["other.h5"], 62.75, reason=wrong_input_reason(rig)
    )
    record(rig, session, "learning-dataset", models["good.keras"], 90.0, score=5, metric=0.8934)
    return session


def frozen_app(rig: TuiRig, session: SessionRecord, minutes_in: float) -> ExamApp:
    return rig.app(session, clock=Clock(frozen=session.started_at + minutes_in * 60))


async def show_not_gradable_attempt(pilot: Pilot[object]) -> None:
    await prompts_prepared(pilot)
    await pilot.press("2")
    table = pilot.app.query_one(AttemptsTable)
    table.focus()
    table.move_cursor(row=1)  # newest first: the not-gradable attempt
    await until(pilot, lambda: table.cursor_row == 1 and table.has_focus, "the second attempt")
    await settled(pilot)  # its detail shown


async def settle(pilot: Pilot[object]) -> None:
    await prompts_prepared(pilot)
    await settled(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(rig: TuiRig, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    session = rig.session(duration_s=5 * 3600, started_at=STARTED_AT)
    app = frozen_app(rig, session, minutes_in=12 + 34 / 60)
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_attempt_list_with_a_not_gradable_reason(  # type: ignore[no-untyped-def]
    rig: TuiRig, models: dict[str, Path], snap_compare, size: tuple[int, int]
) -> None:
    app = frozen_app(rig, session_with_attempts(rig, models), minutes_in=105)
    assert snap_compare(app, terminal_size=size, run_before=show_not_gradable_attempt)


@pytest.mark.parametrize("size", SIZES)
def test_submit_confirmation_dialog(  # type: ignore[no-untyped-def]
    rig: TuiRig, models: dict[str, Path], snap_compare, size: tuple[int, int]
) -> None:
    app = frozen_app(rig, session_with_attempts(rig, models), minutes_in=105)
    assert snap_compare(app, terminal_size=size, press=["s"], run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_results_screen(  # type: ignore[no-untyped-def]
    rig: TuiRig, models: dict[str, Path], snap_compare, size: tuple[int, int]
) -> None:
    session = session_with_attempts(rig, models)
    rig.store.finish_session(session.id, session.deadline, "auto-submitted")
    app = frozen_app(rig, rig.store.get_session(session.id), minutes_in=5 * 60 + 1)
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize(
    ("image", "snapshot"),
    [
        ("exam-screen.svg", "test_attempt_list_with_a_not_gradable_reason[120x40].svg"),
        ("results-screen.svg", "test_results_screen[120x40].svg"),
        ("run-window.svg", "test_run_tab_of_a_running_training_with_its_chart[120x40].svg"),
        ("editor-tab.svg", "test_an_editor_tab_with_a_python_file[120x40].svg"),
    ],
)
def test_the_screenshots_in_the_docs_are_the_current_screens(image: str, snapshot: str) -> None:
    docs = Path(__file__).resolve().parent.parent / "docs" / "images" / image
    accepted = Path(__file__).resolve().parent / "__snapshots__" / "test_tui_snapshots" / snapshot
    assert docs.read_bytes() == accepted.read_bytes(), (
        f"copy {accepted.name} to docs/images/{image}"
    )


def fixed_resources(runs: int) -> Resources:
    return Resources(
        cpu_percent=63.0, cores=2, memory_total_mb=8192, memory_available_mb=5120, runs=runs
    )


def recorded_run(
    rig: TuiRig, session: SessionRecord, question_id: str, minute: float, output: str,
    *, minutes: float, state: RunState, exit_code: int | None, epoch: int | None,
    epochs: int | None,
    metrics: dict[str, float], peak_rss_mb: float, figures: list[dict[str, float]] | None = None,
    pid: int | None = None,
) -> None:  # fmt: skip
    """A run as the engine records it, with its real log file and the epochs the run hook
    records (``figures``: each epoch's logs, else read from the output's ``loss:``). Ended at a
    fixed time, or still running as process ``pid``."""
    folder = session.workspace / rig.exam.question(question_id).workspace_folder
    log_dir = rig.paths.logs_dir(session.id) / "runs"
    log_dir.mkdir(parents=True, exist_ok=True)
    started = session.started_at + minute * 60
    log_path = log_dir / f"run-{minute:g}-{question_id}.log"
    run = rig.store.add_run(
        session_id=session.id, question_id=question_id, command=("python", "-u", "starter.py"),
        cwd=folder, log_path=log_path, started_at=started,
    )  # fmt: skip
    log_path.write_text(output, encoding="utf-8")
    if figures is None:
        figures = [
            {"loss": float(loss)}
            for loss in re.findall(r"Epoch \d+/\d+\n.*?loss: ([\d.]+)", output)
        ]
    if figures:
        lines = [json.dumps({"devices": []})] + [
            json.dumps({"epoch": n, "epochs": epochs, "logs": logs})
            for n, logs in enumerate(figures, start=1)
        ]
        log_path.with_suffix(".epochs.jsonl").write_text("\n".join(lines) + "\n")
    rig.store.update_run(run.id, epoch=epoch, epochs=epochs, metrics=metrics,
                         cpu_seconds=minutes * 60 * 1.6, peak_rss_mb=peak_rss_mb)  # fmt: skip
    if pid is not None:
        rig.store.set_run_process(run.id, pid, psutil.Process(pid).create_time())
    else:
        rig.store.finish_run(run.id, state=state, ended_at=started + minutes * 60,
                             exit_code=exit_code)  # fmt: skip


def training_output(epochs: int, losses: list[float], accuracies: list[float]) -> str:
    return "".join(
        f"Epoch {n}/{epochs}\n1875/1875 - 21s - 11ms/step - accuracy: {acc:.4f} - loss: {loss:.4f}"
        f" - val_accuracy: {acc - 0.01:.4f} - val_loss: {loss + 0.03:.4f}\n"
        for n, (loss, acc) in enumerate(zip(losses, accuracies, strict=True), start=1)
    )


def epoch_logs(losses: list[float], accuracies: list[float]) -> list[dict[str, float]]:
    return [
        {"accuracy": acc, "loss": loss, "val_accuracy": acc - 0.01, "val_loss": loss + 0.03}
        for loss, acc in zip(losses, accuracies, strict=True)
    ]


FIRST_LOSSES = [0.52 - 0.032 * n for n in range(10)]
FIRST_ACCURACIES = [0.81 + 0.009 * n for n in range(10)]
SECOND_LOSSES = [0.47 - 0.041 * n for n in range(6)]
SECOND_ACCURACIES = [0.83 + 0.011 * n for n in range(6)]


@pytest.fixture
def still_running() -> Iterator[int]:
    """A real process that stands for a training still running (tfexam adopts it by pid)."""
    process = subprocess.Popen(["sleep", "600"])
    yield process.pid
    process.kill()
    process.wait()


def session_with_two_runs(
    rig: TuiRig, models: dict[str, Path], running_pid: int | None
) -> SessionRecord:
    """Question 2 trained twice: run 1 finished (exit 0), run 2 still running (or failed,
    exit 1, where there is no process to stand for it)."""
    session = session_with_attempts(rig, models)
    recorded_run(rig, session, "learning-dataset", 70.0,
                 training_output(10, FIRST_LOSSES, FIRST_ACCURACIES),
                 minutes=3.6, state="finished", exit_code=0, epoch=10, epochs=10,
                 metrics={"accuracy": 0.891, "loss": 0.232}, peak_rss_mb=912.0,
                 figures=epoch_logs(FIRST_LOSSES, FIRST_ACCURACIES))  # fmt: skip
    recorded_run(rig, session, "learning-dataset", 96.0,
                 training_output(20, SECOND_LOSSES, SECOND_ACCURACIES),
                 minutes=9.0, state="failed", exit_code=1, epoch=6, epochs=20,
                 metrics={"accuracy": 0.885, "loss": 0.265}, peak_rss_mb=1010.0,
                 figures=epoch_logs(SECOND_LOSSES, SECOND_ACCURACIES), pid=running_pid)  # fmt: skip
    return session


async def show_overview(pilot: Pilot[object]) -> None:
    await settle(pilot)
    await pilot.press("v")
    app = pilot.app
    assert isinstance(app, ExamApp)
    app.query_one(RunToolWindow).open_overview()
    app.query_one("#runs").focus()
    await until(pilot, lambda: app.focused is app.query_one("#runs"), "the runs focused")
    await settled(pilot)


async def show_running_run(pilot: Pilot[object]) -> None:
    """The Run window, then enter on its newest run (the running one): that run's tab."""
    await settle(pilot)
    await pilot.press("v", "enter")
    app = pilot.app
    assert isinstance(app, ExamApp)
    window = app.query_one(RunToolWindow)

    def tab_filled() -> bool:
        pane = window.active_pane()
        return pane is not None and bool(pane.query(Log)) and bool(pane.query_one(Log).lines)

    await until(pilot, tab_filled, "the run's tab with its log")
    await settled(pilot)  # its chart and header drawn


@pytest.mark.parametrize("size", SIZES)
def test_run_window_overview_with_two_runs(  # type: ignore[no-untyped-def]
    rig: TuiRig, models: dict[str, Path], snap_compare, size: tuple[int, int]
) -> None:
    session = session_with_two_runs(rig, models, running_pid=None)
    app = rig.app(session, clock=Clock(frozen=session.started_at + 105 * 60))
    app.measure_resources = fixed_resources
    assert snap_compare(app, terminal_size=size, run_before=show_overview)


@pytest.mark.parametrize("size", SIZES)
def test_run_tab_of_a_running_training_with_its_chart(  # type: ignore[no-untyped-def]
    rig: TuiRig, models: dict[str, Path], still_running: int, snap_compare, size: tuple[int, int]
) -> None:
    session = session_with_two_runs(rig, models, running_pid=still_running)
    app = rig.app(session, clock=Clock(frozen=session.started_at + 105 * 60))
    app.measure_resources = fixed_resources
    assert snap_compare(app, terminal_size=size, run_before=show_running_run)


async def scroll_up_in_the_log(pilot: Pilot[object]) -> None:
    await show_running_run(pilot)  # the only run: a stopped one
    app = pilot.app
    assert isinstance(app, ExamApp)
    log = app.query_one(RunToolWindow).query_one(Log)
    log.focus()
    log.scroll_to(y=1200, animate=False)
    await until(pilot, lambda: log.scroll_offset.y == 1200, "the log scrolled up")
    await settled(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_run_tab_with_a_long_log_scrolled_up(  # type: ignore[no-untyped-def]
    rig: TuiRig, models: dict[str, Path], snap_compare, size: tuple[int, int]
) -> None:
    session = session_with_attempts(rig, models)
    output = "".join(f"step {n:05d}: loss {1 / (n + 1):.6f}\n" for n in range(5000))
    recorded_run(rig, session, "learning-dataset", 70.0, output + "Traceback (most recent call last):\n"
                 "KeyboardInterrupt\n", minutes=12.0, state="stopped", exit_code=-2, epoch=None,
                 epochs=None, metrics={}, peak_rss_mb=700.0)  # fmt: skip
    app = rig.app(session, clock=Clock(frozen=session.started_at + 105 * 60))
    app.measure_resources = fixed_resources
    assert snap_compare(app, terminal_size=size, run_before=scroll_up_in_the_log)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(  # type: ignore[no-untyped-def]
    rig: TuiRig, snap_compare, size: tuple[int, int]
) -> None:
    session = rig.session(duration_s=5 * 3600, started_at=STARTED_AT)
    app = frozen_app(rig, session, minutes_in=30)
    assert snap_compare(app, terminal_size=size, press=["question_mark"], run_before=settle)


async def edit_the_starter(pilot: Pilot[object]) -> None:
    """e on question 1, a line typed in, saved with a syntax error (marked in the gutter).

    Each step waits for what it caused (the tab open and focused, the text typed, the save and
    its syntax check done), not for a fixed time: on a loaded two-core CI machine opening a file
    can take longer than any pause chosen on a quiet one.
    """
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, ExamApp)
    await pilot.press("e")
    area = app.query_one(EditorArea)
    await wait_until(
        pilot,
        lambda: (editor := area.active_editor()) is not None and editor.has_focus,
        what="the starter open in a focused editor tab",
    )
    editor = area.active_editor()
    assert editor is not None
    # The cursor blinks on a timer, and a loaded machine can catch it in either phase. Stopping
    # the blink only after the typing is not enough: a line drawn in the hidden phase is cached
    # under the same key as the line drawn without blinking, so the hidden cursor could stick.
    # Stopped before the typing, every line drawn after the last key shows the cursor.
    editor.cursor_blink = False
    await pilot.pause()
    editor.move_cursor((28, 0))  # an empty line before solution_model()
    await pilot.press(*"def broken(:")
    await wait_until(pilot, lambda: "def broken(:" in editor.text, what="the line typed")
    await pilot.press("ctrl+s")
    await wait_until(
        pilot,
        lambda: not editor.dirty and editor.problem is not None,
        what="the file saved and its syntax error marked",
    )
    assert not editor.cursor_blink and editor.has_focus, "the cursor shown, not blinking"
    await settled(pilot)


@pytest.mark.parametrize("size", SIZES[:2])
def test_an_editor_tab_with_a_python_file(  # type: ignore[no-untyped-def]
    rig: TuiRig, snap_compare, size: tuple[int, int]
) -> None:
    session = rig.session(duration_s=5 * 3600, started_at=STARTED_AT)
    app = frozen_app(rig, session, minutes_in=40)
    assert snap_compare(app, terminal_size=size, run_before=edit_the_starter)
