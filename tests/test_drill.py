"""Drills: ``tfexam drill EXAM QUESTION``, a timed session of one question, end to end through the
real CLI; drills in ``tfexam history``; the report's advice naming the weakest category's drill."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from simulator.exam.catalog import UnknownExamError, find_exam
from simulator.exam.drills import DRILL_DURATIONS_S, drill_command, drill_exam
from simulator.exam.format import UnknownQuestionError
from simulator.paths import data_paths
from simulator.report.build import build_report
from simulator.session.drills import NewDrill, drill_of_session, drill_request, find_drill_exam
from simulator.session.sessions import NewSession, exam_of, record_session
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store
from tests.cli_helpers import HeadlessRun
from tests.conftest import FIXTURES, FORMATS_EXAM, run_cli
from tests.report_fixtures import STARTED_AT, recorded_session


def events_of(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def test_a_headless_drill_runs_to_its_auto_submit_and_history_lists_it_as_a_drill(
    tfexam_home: Path, tmp_path: Path
) -> None:
    workspace = tmp_path / "drill"
    done = run_cli(
        "drill", "practice", "time-series", "--duration", "5s", "--headless", "--json",
        "--workspace", str(workspace),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    events = events_of(done.stdout)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "session-opened" and "deadline-reached" in kinds, kinds
    opened = events[0]
    assert opened["exam"] == "practice"
    assert opened["exam_title"] == "Drill: Time series, from Practice exam (offline)"
    submitted = next(e for e in events if e["event"] == "session-submitted")
    assert submitted["reason"] == "auto-submitted"
    assert submitted["scores"] == {"time-series": 0}
    # Only the drilled question's folder, with its data, and its reference once it is over.
    assert sorted(p.name for p in workspace.iterdir() if p.is_dir()) == ["category5"]
    folder = workspace / "category5"
    assert {"prompt.md", "starter.py", "reference_solution.py"} <= {
        p.name for p in folder.iterdir()
    }
    assert len(list(folder.iterdir())) > 3, "the question's data was written"

    status = json.loads(run_cli("status", "--json").stdout)
    assert (status["kind"], status["state"]) == ("drill", "submitted")
    assert [q["id"] for q in status["questions"]] == ["time-series"]
    assert status["total"]["max_points"] == 25
    # Fresh data: the drill drew its own seed, not the exam's calibration seed.
    assert status["seed"] != find_exam("practice", None).seed

    history = json.loads(run_cli("history", "--json").stdout)
    assert len(history) == 1
    entry = history[0]
    assert (entry["kind"], entry["question"], entry["category"]) == ("drill", "time-series", 5)
    assert entry["categories"] == {"5": 0} and entry["session"] == status["session"]
    wide = {"COLUMNS": "200"}  # whole cells, whatever width the test runner has
    shown = run_cli("history", env=wide)
    assert shown.returncode == 0 and "drill time-series" in shown.stdout, shown.stdout
    listed = run_cli("sessions", env=wide)
    assert "practice (drill time-series)" in listed.stdout, listed.stdout


def test_a_drilled_model_is_graded_and_the_drill_resumes_after_a_crash_with_its_report(
    tfexam_home: Path, tmp_path: Path
) -> None:
    """A real drill: a model saved, graded, tfexam killed with -9; ``resume`` brings the same
    one-question session back; its report is the drill's, with the drill command as advice."""
    workspace = tmp_path / "drill"
    first = HeadlessRun(
        "drill", "practice", "5", "--duration", "10m", "--workspace", str(workspace)
    )  # the category number names the question too
    try:
        first.wait_for("session-opened", timeout=90)
        shutil.copyfile(
            FIXTURES / "keras2" / "lstm_time_major.h5", workspace / "category5" / "mymodel.h5"
        )  # (30, 1) -> (1,): the practice time series' interface
        graded = first.wait_for("attempt-graded", timeout=180)[0]
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(10)
    finally:
        first.kill()
    assert graded["question"] == "time-series"
    second = HeadlessRun("resume")
    try:
        reopened = second.wait_for("session-opened", timeout=90)[0]
        assert reopened["resumed"] is True
        assert str(reopened["exam_title"]).startswith("Drill: Time series")
        ended = run_cli("submit", "--json")
        assert ended.returncode == 0, ended.stderr
        second.wait_for("session-submitted", timeout=60)
        assert second.finish(60) == 0
    finally:
        second.kill()

    done = run_cli("report", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["exam"] == "practice"
    assert report["summary"]["exam_title"] == "Drill: Time series, from Practice exam (offline)"
    assert report["summary"]["crashes"] == 1
    (question,) = report["questions"]
    assert question["id"] == "time-series" and question["score"] == graded["score"]
    assert question["score"] < 5, "an untrained LSTM does not forecast this series"
    assert (
        f"Category 5 (Time series) scored {question['score']}/5: practise it again with "
        "`tfexam drill practice time-series --duration 10m`." in report["advice"]
    ), report["advice"]  # the same drill again
    history = json.loads(run_cli("history", "--json").stdout)
    assert [(h["kind"], h["categories"]) for h in history] == [("drill", {"5": question["score"]})]


def test_a_drill_of_an_unknown_question_is_refused_in_one_line(tfexam_home: Path) -> None:
    done = run_cli("drill", "practice", "nope", "--headless")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "tfexam: error: exam 'practice' has no question 'nope' (known: basic-model, "
        "learning-dataset, image-classification, text-classification, time-series)"
    )
    assert run_cli("history", "--json").stdout.strip() == "[]", "no session was made"


def test_a_drill_reopens_as_its_one_question_exam(tfexam_home: Path, tmp_path: Path) -> None:
    """Whatever reloads the session (resume, status, report, history) gets the narrowed exam:
    its one question, the drill's title and its default length per category."""
    store = Store(data_paths().database)
    practice = find_exam("practice", None)
    request = drill_request(NewDrill(practice, "image-classification", workspace=tmp_path / "ws"))
    assert request.workspace == tmp_path / "ws" and request.duration_s is None
    session = record_session(store, request, tmp_path / "ws", time.time())
    assert session.deadline - session.started_at == DRILL_DURATIONS_S[3]
    reloaded = exam_of(store.get_session(session.id), data_paths())
    assert [q.id for q in reloaded.questions] == ["image-classification"]
    assert reloaded.id == "practice" and reloaded.title.startswith("Drill: CNN on real-world")
    assert reloaded == drill_exam(practice, "3")
    full = record_session(store, NewSession(practice), tmp_path / "ws", time.time())
    assert len(exam_of(full, data_paths()).questions) == 5, "an exam session is not narrowed"
    default = drill_request(NewDrill(practice, "basic-model")).workspace
    assert default is not None and default.name.startswith("tfexam-practice-basic-model-")


def test_drill_duration_defaults_per_category_and_the_command_text() -> None:
    assert DRILL_DURATIONS_S == {1: 3600, 2: 3600, 3: 5400, 4: 5400, 5: 5400}
    assert drill_command("practice", "time-series", 3600) == (
        "tfexam drill practice time-series --duration 1h"
    )
    assert drill_command("my exam", "q1") == "tfexam drill 'my exam' q1"
    with pytest.raises(UnknownQuestionError):
        drill_exam(find_exam("practice", None), "6")


def test_the_advised_drill_command_finds_an_exam_started_from_its_folder(
    tfexam_home: Path, tmp_path: Path
) -> None:
    """The report names an exam by its id; one started by its path is found again through the
    sessions taken of it."""
    store = Store(data_paths().database)
    with pytest.raises(UnknownExamError):
        find_drill_exam("formats", data_paths(), store)
    exam = find_exam(str(FORMATS_EXAM), None)
    record_session(store, NewSession(exam), tmp_path, time.time())
    assert find_drill_exam("formats", data_paths(), store).root == exam.root


# The advice -------------------------------------------------------------------------------------


def _graded(store: Store, session: SessionRecord, question: str, score: int, minute: float) -> None:
    at = STARTED_AT + minute * 60
    made = store.add_attempt(
        session_id=session.id, question_id=question, source_path="mymodel.h5", blob=None,
        sha256=f"{minute:064.0f}", size=1, origin="watch", saved_at=at, detected_at=at,
        state="queued", queued_at=at,
    )  # fmt: skip
    store.finish_attempt(
        made.id, state="graded", finished_at=at + 1, score=score, metric_name="accuracy",
        metric_value=0.9,
    )  # fmt: skip


def _weakest(advice: list[str]) -> list[str]:
    return [line for line in advice if "tfexam drill" in line]


def test_the_advice_names_the_weakest_category_with_its_drill_command(
    tfexam_home: Path, tmp_path: Path
) -> None:
    store, session, exam = recorded_session(tmp_path / "ws")  # series 5/5, text 0/5
    report = build_report(store, session, exam, now=STARTED_AT + 4000)
    assert _weakest(report.advice) == [
        "Your weakest category is 4 (Text classification, 0/5): practise it with "
        "`tfexam drill formats text --duration 1h30m`."
    ]
    _graded(store, session, "text", 5, minute=45)  # now 5/5 in both
    report = build_report(store, session, exam, now=STARTED_AT + 4000)
    assert [q.score for q in report.questions] == [5, 5]
    assert _weakest(report.advice) == []


def test_a_tie_goes_to_the_first_category_and_a_running_session_gets_no_drill_advice(
    tfexam_home: Path, tmp_path: Path
) -> None:
    store = Store(data_paths().database)
    practice = find_exam("practice", None)
    session = record_session(store, NewSession(practice, duration_s=3600), tmp_path, STARTED_AT)
    _graded(store, session, "basic-model", 5, minute=5)
    _graded(store, session, "time-series", 2, minute=9)
    _graded(store, session, "learning-dataset", 2, minute=7)
    running = build_report(store, session, practice, now=STARTED_AT + 600)
    assert _weakest(running.advice) == [], "scores still missing are no evidence yet"
    store.finish_session(session.id, STARTED_AT + 3600, "auto-submitted")
    over = build_report(store, store.get_session(session.id), practice, now=STARTED_AT + 4000)
    assert _weakest(over.advice) == [
        "Your weakest category is 3 (CNN on real-world images, 0/5): practise it with "
        "`tfexam drill practice image-classification --duration 1h30m`."
    ]
    _graded(store, session, "image-classification", 5, minute=20)
    _graded(store, session, "text-classification", 5, minute=30)
    over = build_report(store, store.get_session(session.id), practice, now=STARTED_AT + 4000)
    assert _weakest(over.advice) == [
        "Your weakest category is 2 (Model from a learning dataset, 2/5): practise it with "
        "`tfexam drill practice learning-dataset --duration 1h`."
    ], "2/5 in categories 2 and 5: the first of the lowest"


# History ----------------------------------------------------------------------------------------


def test_history_shows_each_category_over_time_across_exams_and_drills(
    tfexam_home: Path, tmp_path: Path
) -> None:
    store = Store(data_paths().database)
    practice = find_exam("practice", None)
    exam_session = record_session(store, NewSession(practice), tmp_path, STARTED_AT)
    _graded(store, exam_session, "time-series", 1, minute=30)
    _graded(store, exam_session, "basic-model", 5, minute=10)
    store.finish_session(exam_session.id, STARTED_AT + 5 * 3600, "submitted")
    day = 24 * 3600
    drills = []
    for offset, score in ((day, 3), (2 * day, 4)):
        request = drill_request(NewDrill(practice, "time-series"))
        drill = record_session(store, request, tmp_path, STARTED_AT + offset)
        _graded(store, drill, "time-series", score, minute=offset / 60 + 20)
        store.finish_session(drill.id, STARTED_AT + offset + 3600, "submitted")
        drills.append(drill.id)
    store.close()

    history = json.loads(run_cli("history", "--json").stdout)
    assert [(h["kind"], h["question"], h["categories"].get("5")) for h in history] == [
        ("exam", None, 1), ("drill", "time-series", 3), ("drill", "time-series", 4),
    ]  # fmt: skip
    assert history[0]["categories"]["1"] == 5 and history[1]["categories"] == {"5": 3}
    # A drill's trend follows the drills of its question, not the full exams.
    assert [h["trend"] for h in history] == [None, None, 20.0]
    shown = run_cli("history", env={"COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    rows = {line.split("│")[1].strip(): line for line in shown.stdout.splitlines() if "│" in line}
    assert "1 3d 4d" in rows["5"] and "4/5" in rows["5"], shown.stdout
    assert rows["1"].split("│")[2].strip() == "5", "category 1: only the full exam had it"
    assert shown.stdout.count("drill time-series") == 2


def test_a_drill_from_a_drill_is_of_the_whole_exam_beside_its_workspace(
    tfexam_home: Path, tmp_path: Path
) -> None:
    """The review's drill key on a drill's own review: the same question again, its title once
    ("Drill: ..., from Practice exam", not a drill of a drill), the default length, fresh data,
    the reviewed session's training Python, a new folder beside the reviewed one."""
    store = Store(data_paths().database)
    practice = find_exam("practice", None)
    request = drill_request(
        NewDrill(practice, "time-series", workspace=tmp_path / "ws", python="/opt/tf/bin/python")
    )
    first = record_session(store, request, tmp_path / "ws", time.time())
    again = drill_of_session(store, data_paths(), first, "time-series")
    exam = exam_of(again, data_paths())
    assert [q.id for q in exam.questions] == ["time-series"]
    assert exam.title == drill_exam(practice, "time-series").title
    assert again.settings.get("python") == "/opt/tf/bin/python"
    assert again.deadline - again.started_at == DRILL_DURATIONS_S[5]
    assert again.settings.get("seed") != first.settings.get("seed"), "fresh data"
    assert again.workspace.parent == tmp_path
    assert again.workspace.name.startswith("tfexam-practice-time-series-")
    assert (again.workspace / "category5" / "energy_demand.csv").is_file()
    with pytest.raises(UnknownQuestionError):
        drill_of_session(store, data_paths(), first, "no-such-question")
