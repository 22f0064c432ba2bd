"""The checks that made each score: recorded by the real grading worker, one per stage, with
pass/fail and computed figures; a not-gradable model's end at the check that failed."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from simulator.exam.format import RealExamRule, Scoring, load_exam
from simulator.grading.checks import (
    Check,
    calibrated_lines,
    checks_from_json,
    checks_to_json,
    metric_check,
    real_exam_lines,
)
from simulator.grading.protocol import GradingResult, parse_line
from simulator.grading.settings import GradingSettings
from simulator.grading.sync import SyncGrader
from simulator.paths import data_paths
from simulator.report.build import build_report
from simulator.report.html import render_html
from simulator.report.markdown import render_markdown
from simulator.report.text import render_text
from simulator.report.values import check_text
from simulator.session import events
from simulator.session.sessions import NewSession, feedback_of, record_session, set_feedback
from simulator.storage.store import Store
from simulator.tui.checks_view import checks_text
from simulator.tui.view_model import attempt_row
from tests.cli_helpers import HeadlessRun
from tests.conftest import FORMATS_EXAM, PRACTICE_EXAM, run_cli
from tests.grading_helpers import warm_grader
from tests.models import last_value_models
from tests.report_fixtures import STARTED_AT, recorded_session
from tests.test_report import SCHEMA


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncGrader]:
    settings = GradingSettings(workers=1, timeout_s=60, memory_limit_mb=1500)
    instance = warm_grader(settings, tmp_path_factory.mktemp("logs"))
    yield instance
    instance.close()


def practice(grader: SyncGrader, model: Path) -> GradingResult:
    return grader.grade(model, PRACTICE_EXAM, "basic-model", seed=1)


def named(checks: tuple[Check, ...] | None) -> dict[str, Check]:
    assert checks is not None
    return {check.name: check for check in checks}


def test_a_good_model_passes_every_check_with_its_figures(
    grader: SyncGrader, models: dict[str, Path]
) -> None:
    result = practice(grader, models["good.h5"])
    assert result.state == "graded" and result.score == 5
    assert result.checks is not None
    assert [c.name for c in result.checks] == [
        "file", "no-lambda", "loads", "interface", "predicts", "output-kind", "metric",
    ]  # fmt: skip
    assert all(c.passed for c in result.checks), [c for c in result.checks if not c.passed]
    checks = named(result.checks)
    assert checks["interface"].expected == checks["interface"].found == "input (1,) -> output (1,)"
    assert checks["output-kind"].expected == "regression: finite numbers"
    metric = checks["metric"]
    assert metric.metric == "mse" and metric.value == result.metric_value
    assert metric.counts is True and metric.score == 5 and metric.next_line is None
    # Every line of the question's scale, each with its margin in MSE.
    assert [line.needed for line in metric.lines] == [10.0, 1.0, 0.1, 0.01, 0.001]
    assert all(line.reached and line.compare == "at-most" for line in metric.lines)
    value = result.metric_value or 0.0
    assert [line.margin for line in metric.lines] == [
        pytest.approx(t - value) for t in (10.0, 1.0, 0.1, 0.01, 0.001)
    ]
    assert "beyond the top line (mse at most 0.001)" in metric.detail


def test_one_line_below_full_marks_says_how_far_the_next_line_is(
    grader: SyncGrader, models: dict[str, Path]
) -> None:
    """close.h5 is 3x + 2.05: MSE 0.0025, 4/5; the 5/5 line needs 0.001, 0.0015 away."""
    result = practice(grader, models["close.h5"])
    assert result.state == "graded" and result.score == 4
    metric = named(result.checks)["metric"]
    assert not metric.passed and metric.score == 4
    value = result.metric_value
    assert value == pytest.approx(0.0025, rel=1e-3)
    reached = [line.score for line in metric.lines if line.reached]
    assert reached == [1, 2, 3, 4]
    following = metric.next_line
    assert following is not None and following.score == 5 and following.needed == 0.001
    assert following.margin == pytest.approx(0.001 - (value or 0.0))
    assert following.margin is not None and following.margin < 0  # short of the line
    four = metric.lines[3]
    assert four.margin is not None and four.margin > 0  # beyond the 4/5 line
    assert four.margin == pytest.approx(0.01 - (value or 0.0))
    assert "0.0015 short of the 5/5 line (mse at most 0.001)" in metric.detail


def test_a_wrong_shape_stops_at_the_interface_check_with_both_shapes(
    grader: SyncGrader, models: dict[str, Path]
) -> None:
    result = practice(grader, models["wrong_input.h5"])
    assert result.state == "not-gradable"
    assert result.checks is not None
    assert [(c.name, c.passed) for c in result.checks] == [
        ("file", True), ("no-lambda", True), ("loads", True), ("interface", False),
    ]  # fmt: skip
    failed = result.checks[-1]
    assert failed.detail == result.message and failed.reason_code == "wrong-shape"
    assert failed.expected == "input (1,) -> output (1,)"
    assert failed.found == "input (2,) -> output (1,)"


def test_a_lambda_model_stops_at_the_no_lambda_check(
    grader: SyncGrader, models: dict[str, Path]
) -> None:
    result = practice(grader, models["lambda.keras"])
    assert result.state == "not-gradable"
    assert result.checks is not None
    assert [(c.name, c.passed) for c in result.checks] == [("file", True), ("no-lambda", False)]
    assert result.checks[-1].reason_code == "lambda-layer"
    assert "don't use lambda layers" in result.checks[-1].detail


def test_a_broken_file_stops_at_the_file_check(grader: SyncGrader, tmp_path: Path) -> None:
    path = tmp_path / "mymodel.h5"
    path.write_bytes(b"not a model at all")
    result = practice(grader, path)
    assert result.checks is not None
    assert [(c.name, c.passed, c.reason_code) for c in result.checks] == [
        ("file", False, "file-broken")
    ]


def test_the_baselines_check_has_each_baseline_and_the_models_distance_to_it(
    grader: SyncGrader, tmp_path: Path
) -> None:
    """A forecast 0.05 above the window's last value, against "repeat the last value" itself."""
    model = last_value_models(tmp_path, 30, weight=1.0, bias=0.05)["value"]
    result = grader.grade(model, FORMATS_EXAM, "series", seed=7)
    assert result.state == "graded", result.message
    checks = named(result.checks)
    value = result.metric_value
    assert value is not None
    baselines = checks["baselines"]
    assert result.views is not None
    assert [(b.name, b.value) for b in baselines.baselines] == [
        (b.name, b.value) for b in result.views.baselines
    ]
    for gap in baselines.baselines:
        assert gap.margin == pytest.approx(gap.value - value)  # MAE: lower is better
    repeat = baselines.baselines[0]
    assert repeat.name == "repeat the last value"
    assert repeat.margin is not None and repeat.margin < 0  # worse by the added bias, about
    assert not baselines.passed
    assert f"worse than repeat the last value {repeat.value:.4g}" in baselines.detail
    assert checks["metric"].lines[-1].compare == "at-most"


def test_checks_survive_the_protocol_and_the_stored_json() -> None:
    scoring = Scoring("mse", (10.0, 1.0, 0.1, 0.01, 0.001))
    check = metric_check(
        "metric", "mse", 0.0025, calibrated_lines(scoring, 0.0025), data="x", counts=True
    )
    refused = Check("file", False, "too big", "file-too-large")
    result = GradingResult(3, "graded", score=4, checks=(refused, check))
    message = parse_line(result.to_line())
    assert message is not None
    assert GradingResult.from_message(message).checks == (refused, check)
    assert checks_from_json(checks_to_json((refused, check))) == (refused, check)
    assert checks_from_json(None) is None


def test_the_real_exam_rule_is_solved_for_each_line() -> None:
    """min(5, ceil(17 - 100 * MAE)): 5/5 needs an MAE below 0.13, 4/5 below 0.14, ..."""
    rule = RealExamRule(intercept=17, slope=-100, data="d", held_out="h")
    lines = real_exam_lines(rule, 0.135)
    assert [line.needed for line in lines] == pytest.approx([0.17, 0.16, 0.15, 0.14, 0.13])
    assert [line.reached for line in lines] == [True, True, True, True, False]
    assert all(line.compare == "below" for line in lines)
    assert lines[-1].margin == pytest.approx(-0.005)
    assert rule.score(0.135) == 4
    exact = real_exam_lines(rule, 0.13)  # ceil(4.0) = 4: the line itself is not reached
    assert rule.score(0.13) == 4 and not exact[-1].reached
    assert [line.reached for line in real_exam_lines(rule, None)] == [False] * 5
    nan_check = metric_check("real-exam-rule", "mae", None, real_exam_lines(rule, None),
                             data="d", counts=True)  # fmt: skip
    assert not nan_check.passed and nan_check.score == 0
    assert "NaN" in nan_check.detail
    assert np.isclose(lines[0].margin or 0.0, 0.035)


# After the end: the report and `tfexam grade --json` -------------------------------------------


def test_the_report_has_the_counted_attempts_checks_in_every_format(
    grader: SyncGrader, tfexam_home: Path, tmp_path: Path
) -> None:
    """A recorded session whose last series attempt (the counted one, policy "last") was graded
    by the real worker: its checks are in the JSON (valid against the schema) and in the text,
    Markdown and HTML; a question with no checks has no ``checks`` key."""
    model = last_value_models(tmp_path / "models", 30, weight=1.0, bias=0.05)["value"]
    result = grader.grade(model, FORMATS_EXAM, "series", seed=7)
    assert result.state == "graded" and result.checks is not None
    store, session, exam = recorded_session(tmp_path / "ws")
    at = STARTED_AT + 45 * 60
    made = store.add_attempt(
        session_id=session.id, question_id="series", source_path=str(model), blob=None,
        sha256="f" * 64, size=1000, origin="watch", saved_at=at, detected_at=at,
        state="queued", queued_at=at,
    )  # fmt: skip
    stored = store.finish_attempt(
        made.id, state="graded", finished_at=at + 2, score=result.score,
        metric_name=result.metric_name, metric_value=result.metric_value,
        message=result.message, views=result.views, checks=result.checks,
    )  # fmt: skip
    assert stored.checks == result.checks  # the store keeps them as they came
    report = build_report(store, session, exam, now=STARTED_AT + 4000)
    data = json.loads(json.dumps(report.to_json()))
    jsonschema.validate(data, SCHEMA)
    series, text = data["questions"]
    assert series["counted_attempt"] == stored.number
    assert series["checks"] == [c.to_dict() for c in result.checks]
    assert "checks" not in text  # nothing counted there
    metric = next(c for c in series["checks"] if c["name"] == "metric")
    assert len(metric["lines"]) == 5 and metric["value"] == result.metric_value
    typed = report.questions[0]
    line = check_text(named(typed.checks)["metric"])
    assert "lines 1/5 ≤ 0.5 ✓" in line
    rendered = render_text(report, width=200, color=False)
    assert f"checks of the counted attempt {stored.number}" in rendered
    assert "trivial baselines: worse than repeat the last value" in rendered
    markdown = render_markdown(report)
    assert f"Checks of the counted attempt {stored.number}:" in markdown
    assert "- ✓ input and output shapes: the model's input and output match" in markdown
    page = render_html(report)
    assert "✗ failed" in page and "score lines: mae" in page


def test_grade_json_prints_each_check(tfexam_home: Path, models: dict[str, Path]) -> None:
    done = run_cli(
        "grade", str(models["close.h5"]), "--exam", "practice", "--question", "1", "--json"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["score"] == 4
    names = [(c["name"], c["passed"]) for c in result["checks"]]
    assert names[:6] == [("file", True), ("no-lambda", True), ("loads", True),
                         ("interface", True), ("predicts", True), ("output-kind", True)]  # fmt: skip
    assert names[6] == ("metric", False)
    five = result["checks"][6]["lines"][4]
    assert (five["score"], five["needed"], five["reached"]) == (5, 0.001, False)
    assert five["margin"] == pytest.approx(0.001 - result["metric"]["value"])
    wrong = run_cli(
        "grade", str(models["lambda.keras"]), "--exam", "practice", "--question", "1", "--json"
    )
    assert wrong.returncode == 1
    refused = json.loads(wrong.stdout)["checks"]
    assert [(c["name"], c["passed"]) for c in refused] == [("file", True), ("no-lambda", False)]


# During the exam: --feedback checks -------------------------------------------------------------


def test_feedback_checks_shows_them_live_and_the_report_keeps_them(
    tfexam_home: Path, tmp_path: Path, models: dict[str, Path]
) -> None:
    """A real session with ``--feedback checks``: the graded event carries the checks, the
    setting is kept with the session, and after the end the report has the counted attempt's."""
    workspace = tmp_path / "exam"
    run = HeadlessRun("start", "practice", "--workspace", str(workspace), "--duration", "15s",
                      "--feedback", "checks")  # fmt: skip
    try:
        run.wait_for("session-opened")
        shutil.copyfile(models["close.h5"], workspace / "category1" / "mymodel.h5")
        graded = run.wait_for("attempt-graded")[0]
        assert graded["score"] == 4
        shown = {c["name"]: c for c in graded["checks"]}
        assert shown["metric"]["passed"] is False
        assert "short of the 5/5 line" in shown["metric"]["detail"]
        run.wait_for("session-submitted", timeout=60)
        assert run.finish() == 0
    finally:
        run.kill()
    done = run_cli("report", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    jsonschema.validate(report, SCHEMA)
    basic = next(q for q in report["questions"] if q["id"] == "basic-model")
    assert [c["name"] for c in basic["checks"]] == list(shown)
    assert all("checks" not in q for q in report["questions"] if q["id"] != "basic-model")
    session = Store(data_paths().database).find_session(None)
    assert feedback_of(session) == "checks"


def test_the_screen_shows_the_checks_only_where_the_session_asks(tmp_path: Path) -> None:
    store = Store(tmp_path / "tfexam.db")
    exam = load_exam(FORMATS_EXAM)
    session = record_session(store, NewSession(exam), tmp_path / "ws", STARTED_AT)
    made = store.add_attempt(
        session_id=session.id, question_id="series", source_path="mymodel.h5", blob=None,
        sha256="0" * 64, size=10, origin="watch", saved_at=STARTED_AT, detected_at=STARTED_AT,
        state="not-gradable", finished_at=STARTED_AT, message="wrong input shape: ...",
        reason_code="wrong-shape", checks=(
            Check("file", True, "a complete .h5 file"),
            Check("interface", False, "wrong input shape: ...", "wrong-shape",
                  expected="input (30, 1) -> output (1,)", found="input (2,) -> output (1,)"),
        ),
    )  # fmt: skip
    question = exam.question("series")
    assert attempt_row(made, session, question, counted=False).checks is None  # the default
    session = set_feedback(store, session, "checks")
    assert store.get_session(session.id).settings["feedback"] == "checks"
    row = attempt_row(made, session, question, counted=False)
    assert row.checks == made.checks
    shown = checks_text(row.checks or ()).plain
    assert shown == (
        "✓ file ✗ shapes\nshapes: wrong input shape: ... (found input (2,) -> output (1,))"
    )


def test_a_store_from_before_checks_gets_the_column_and_its_attempts_have_none(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tfexam.db"
    store = Store(path)
    session = record_session(
        store, NewSession(load_exam(FORMATS_EXAM)), tmp_path / "ws", STARTED_AT
    )
    store.add_attempt(
        session_id=session.id, question_id="series", source_path="mymodel.h5", blob=None,
        sha256="0" * 64, size=10, origin="watch", saved_at=STARTED_AT, detected_at=STARTED_AT,
        state="graded", finished_at=STARTED_AT, message="mae 0.1 -> 5/5",
    )  # fmt: skip
    store.close()
    with sqlite3.connect(path) as db:  # as the store was before attempts kept their checks
        db.execute("ALTER TABLE attempts DROP COLUMN checks")
    readonly = Store(path, read_only=True)  # never migrated: read as it is
    [attempt] = readonly.attempts(session.id)
    assert attempt.checks is None and attempt.message == "mae 0.1 -> 5/5"
    readonly.close()
    reopened = Store(path)
    [attempt] = reopened.attempts(session.id)
    assert attempt.checks is None
    check = Check("file", False, "too big", "file-too-large")
    assert reopened.finish_attempt(attempt.id, state="not-gradable", finished_at=STARTED_AT,
                                   checks=(check,)).checks == (check,)  # fmt: skip


def test_a_session_records_the_checks_with_the_candidates_path(  # type: ignore[no-untyped-def]
    harness_factory, models: dict[str, Path]
) -> None:
    """In a real session: a FIFO is refused before any grader (its file check failed, with the
    reason), a SavedModel folder is graded with every check, and no check names the session's
    internal copy."""
    h = harness_factory().start()
    target = h.question_folder() / "mymodel.h5"
    os.mkfifo(target)
    h.wait_for(lambda seen: any(isinstance(e, events.AttemptNotGradable) for e in seen), 10)
    [refused_attempt] = h.store.attempts(h.session.id)
    assert refused_attempt.checks == (
        Check("file", False, refused_attempt.message or "", "not-a-regular-file"),
    )
    target.unlink()
    shutil.copytree(models["savedmodel"], h.question_folder() / "mymodel")
    h.wait_for(lambda seen: any(isinstance(e, events.AttemptGraded) for e in seen), 60)
    graded = h.store.attempts(h.session.id)[-1]
    assert graded.checks is not None
    assert [c.name for c in graded.checks][:3] == ["file", "loads", "interface"]  # no config
    assert graded.checks[0].detail == "a complete SavedModel folder category1/mymodel/"
    blob = graded.blob or ""
    assert blob and not any(blob in c.detail for c in graded.checks)
