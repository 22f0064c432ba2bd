"""What the TUI shows, computed without Textual: editor choice, countdown levels, attempt rows."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from simulator.exam.format import load_exam
from simulator.session.facade import SessionSnapshot
from simulator.session.scoring import ExamResult, exam_result
from simulator.storage.records import AttemptRecord, RunRecord, SessionRecord
from simulator.training.epochs import EpochFigures
from simulator.training.progress import TrainingProgress
from simulator.training.runs import RunView
from simulator.tui.editor import find_editor
from simulator.tui.run_chart import chart_series, chart_title, epoch_ticks, legend
from simulator.tui.run_pane import header_text, tab_label
from simulator.tui.run_window import rival
from simulator.tui.view_model import build_exam_view, countdown_level
from tests.conftest import PRACTICE_EXAM


def no_launchers(_name: str) -> str | None:
    return None


def test_visual_wins_over_editor_and_terminal_editors_need_the_terminal() -> None:
    editor = find_editor({"VISUAL": "vim -p", "EDITOR": "nano"}, no_launchers)
    assert editor is not None
    assert editor.argv == ("vim", "-p") and editor.source == "$VISUAL" and editor.in_terminal
    assert editor.command_for(Path("q/starter.py")) == ["vim", "-p", "q/starter.py"]


def test_graphical_editors_are_started_detached() -> None:
    editor = find_editor({"EDITOR": "/usr/bin/code --wait"}, no_launchers)
    assert editor is not None and not editor.in_terminal and editor.name == "code"


def test_pycharm_launcher_is_used_when_no_editor_is_set() -> None:
    def which(name: str) -> str | None:
        return "/opt/pycharm/bin/pycharm" if name == "pycharm" else None

    editor = find_editor({"VISUAL": "  ", "EDITOR": ""}, which)
    assert editor is not None
    assert editor.argv == ("/opt/pycharm/bin/pycharm",) and editor.source == "PyCharm"
    assert find_editor({}, no_launchers) is None


@pytest.mark.parametrize(
    ("remaining_s", "level"),
    [(5 * 3600, "calm"), (30 * 60 + 1, "calm"), (30 * 60, "warning"), (10 * 60 + 1, "warning"),
     (10 * 60, "danger"), (0, "danger")],
)  # fmt: skip
def test_countdown_turns_warning_at_30_and_danger_at_10_minutes(
    remaining_s: float, level: str
) -> None:
    assert countdown_level(remaining_s) == level


def attempt(id: int, state: str, saved_min: float, **fields: object) -> AttemptRecord:
    return AttemptRecord(
        id=id, session_id="s", question_id="basic-model", source_path="x", blob=None,
        sha256="0" * 64, size=1, origin=str(fields.pop("origin", "watch")),
        saved_at=1000.0 + saved_min * 60, detected_at=1000.0 + saved_min * 60, state=state,  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def snapshot_of(
    session: SessionRecord, attempts: list[AttemptRecord], result: ExamResult
) -> SessionSnapshot:
    return SessionSnapshot(session, tuple(attempts), result, now=session.started_at)


def test_exam_view_rows_follow_the_scoring_rules() -> None:
    exam = load_exam(PRACTICE_EXAM)
    session = SessionRecord(
        id="s", exam_id=exam.id, exam_root=exam.root, workspace=Path("w"),
        started_at=1000.0, deadline=1000.0 + 5 * 3600, state="running", settings={},
    )  # fmt: skip
    attempts = [
        attempt(1, "graded", 10, score=5, metric_name="mse", metric_value=1e-6),
        attempt(
            2,
            "graded",
            20,
            score=3,
            metric_name="mse",
            metric_value=0.05,
            message="mse 0.05 -> 3/5 on the hidden test",
        ),
        attempt(
            3, "not-gradable", 75.5, message="the file is empty (0 bytes): save the model again"
        ),
        attempt(4, "queued", 80, origin="submit"),
    ]
    view = build_exam_view(
        exam, snapshot_of(session, attempts, exam_result(exam, attempts, "best"))
    )
    first = view.row("basic-model")
    assert (first.status, first.score, first.best_score, first.last_score) == (
        "5/5 grading…",
        5,
        5,
        3,
    )
    assert first.attempts == 4 and first.pending == 1
    assert view.row("time-series").status == "—"
    rows = view.attempts["basic-model"]
    assert [r.attempt_id for r in rows] == [4, 3, 2, 1], "newest first"
    assert [r.counted for r in rows] == [False, False, False, True]
    assert rows[1].elapsed == "1:15:30" and rows[1].score == "—"
    assert rows[1].result == "the file is empty (0 bytes): save the model again"
    assert rows[0].when == "Submit and Test at 1:20:00" and rows[0].result == "queued"
    assert rows[3].result == "mse 1e-6"  # the screen's number format (tui/formatting.py)
    # The grader's verdict opens with the metric: it is not said twice.
    assert rows[2].result == "mse 0.05 -> 3/5 on the hidden test"
    assert view.total_label == "5/75 (7%)"
    assert view.result == exam_result(exam, attempts, "best")
    last = build_exam_view(
        exam, snapshot_of(session, attempts, exam_result(exam, attempts, "last"))
    )
    assert last.row("basic-model").score == 3


def run_view(
    number: int, question: str, state: str, losses: list[float], val: bool = False
) -> RunView:
    record = RunRecord(
        id=number + 100, session_id="s", question_id=question, command=("python", "t.py"),
        cwd=Path("w"), log_path=Path("w/run.log"), started_at=0.0, state=state,  # type: ignore[arg-type]
        number=number,
    )  # fmt: skip
    figures = tuple(
        EpochFigures(
            i + 1,
            len(losses) + 2,
            {"loss": v, "mean_absolute_error": v / 2, **({"val_loss": v * 2} if val else {})},
        )
        for i, v in enumerate(losses)
    )
    return RunView(record, TrainingProgress(), 0.0, 0.0, [], 1.0, figures)


def test_the_run_charts_draw_loss_and_metric_per_epoch_beside_the_other_run() -> None:
    newest = run_view(3, "basic-model", "running", [100.0, 1.0, 0.01], val=True)
    other = run_view(2, "basic-model", "finished", [50.0, 5.0])
    views = [newest, run_view(4, "time-series", "running", []), other]
    assert rival(views, newest) is other and rival(views, other) is newest
    assert rival(views, views[1]) is None, "no other run of that question"

    loss, metric = chart_series(newest, other, preferred_metric="mae")
    assert [s.label for s in loss.series] == ["loss", "val_loss", "#2 loss"]
    assert loss.series[0].epochs == (1, 2, 3) and loss.series[2].values == (50.0, 5.0)
    assert loss.log_scale, "a loss that falls by orders of magnitude: log scale"
    assert metric is not None and metric.title == "mean_absolute_error", "mae as Keras names it"
    assert legend(loss).plain == "━ train  ━ val  ━ #2 train"
    assert chart_title(loss) == "loss 0.01 · val 0.02"
    flat, _ = chart_series(other, None)
    assert not flat.log_scale and [s.label for s in flat.series] == ["loss"]
    nothing, none = chart_series(views[1], None)
    assert nothing.empty and none is None


def test_run_tabs_say_how_each_run_stands_or_ended() -> None:
    numbers = {"basic-model": "Q1"}
    running = run_view(3, "basic-model", "running", [1.0])
    assert tab_label(running, numbers).plain == "Q1 #3 running"
    for state, code, shown in [
        ("finished", 0, "Q1 #3 exit 0"),
        ("failed", 1, "Q1 #3 exit 1"),
        ("failed", -9, "Q1 #3 SIGKILL"),
        ("stopped", -2, "Q1 #3 stopped"),
    ]:
        record = dataclasses.replace(running.record, state=state, exit_code=code)
        assert tab_label(dataclasses.replace(running, record=record), numbers).plain == shown
    on_gpu = dataclasses.replace(running, devices=("GPU:0",))
    assert " · GPU:0 · " in header_text(on_gpu, numbers, None).plain
    assert " · CPU · " in header_text(dataclasses.replace(running, devices=()), numbers, None).plain
    assert header_text(running, numbers, None).plain.endswith(" · t.py"), "the script, not -u"


def test_epoch_ticks_are_whole_epochs_first_and_last_included() -> None:
    assert epoch_ticks([1, 2, 3]) == [1, 2, 3]
    assert epoch_ticks(list(range(1, 201))) == [1, 41, 81, 121, 161, 200]
    assert epoch_ticks(list(range(1, 11))) == [1, 3, 5, 7, 9, 10]
