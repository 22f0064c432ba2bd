"""``tfexam cohort``: thirty learners' JSON reports of one exam, read as a class.

The reports are made from a real one (a session recorded through the real store and written by
``tfexam report --format json``), one per learner with their own name, scores, times and
not-gradable attempts, so every figure the class view shows can be counted here independently.
"""

from __future__ import annotations

import copy
import json
import statistics
from pathlib import Path
from typing import Any

import pytest

from tests.browser_checks import MIN_CONTRAST, check_page, needs_chromium
from tests.conftest import run_cli
from tests.report_fixtures import recorded_session

#: ``tfexam cohort`` runs with a home of its own in each test (class_folder's is the fixture's).
pytestmark = pytest.mark.usefixtures("tfexam_home")

LEARNERS = 30


def _learner_score(index: int, question: int) -> int:
    """A spread of scores that differs by question: learner i scores (i + 2q) mod 6."""
    return (index + 2 * question) % 6


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cohort")
    home = root / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TFEXAM_HOME", str(home))
        store, session, _ = recorded_session(root / "ws")
        store.close()
        made = run_cli("report", session.id, "--format", "json", "-o", "-")
    assert made.returncode == 0, made.stderr
    base = json.loads(made.stdout)
    reports = root / "reports"
    reports.mkdir()
    for index in range(LEARNERS):
        report = copy.deepcopy(base)
        report["summary"]["candidate"] = f"learner-{index:02d}"
        report["summary"]["session"] = f"formats-learner-{index:02d}"
        for number, question in enumerate(report["questions"]):
            question["score"] = _learner_score(index, number)
            question["first_gradable_s"] = 600.0 + 60 * index
            question["best_s"] = 1200.0 + 60 * index + 600 * number
            for attempt in question["attempts"]:
                if attempt["state"] == "not-gradable" and index % 3:
                    attempt["reason_code"] = "wrong-shape"
        percent = sum(q["score"] for q in report["questions"]) / (5 * len(report["questions"]))
        report["summary"]["percent"] = round(100 * percent, 2)
        report["summary"]["passed"] = percent >= 0.9
        (reports / f"learner-{index:02d}.json").write_text(json.dumps(report), encoding="utf-8")
    other = copy.deepcopy(base)
    other["summary"]["exam"] = "classic"
    (reports / "zz-other-exam.json").write_text(json.dumps(other), encoding="utf-8")
    newer = copy.deepcopy(base)
    newer["schema"] = 2
    (reports / "zz-newer.json").write_text(json.dumps(newer), encoding="utf-8")
    return reports


def _cohort_json(folder: Path) -> tuple[dict[str, Any], str]:
    done = run_cli("cohort", str(folder), "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def test_the_class_view_gives_each_questions_figures(class_folder: Path) -> None:
    cohort, stderr = _cohort_json(class_folder)
    assert cohort["exam"] == "formats"
    assert len(cohort["learners"]) == LEARNERS
    base = json.loads((class_folder / "learner-00.json").read_text(encoding="utf-8"))
    for number, question in enumerate(cohort["questions"]):
        assert question["id"] == base["questions"][number]["id"]
        scores = [_learner_score(i, number) for i in range(LEARNERS)]
        assert question["scores"] == [scores.count(s) for s in range(6)]
        assert question["median_score"] == statistics.median(scores)
        assert question["median_first_score_s"] == statistics.median(
            600.0 + 60 * i for i in range(LEARNERS)
        )
        assert question["median_best_s"] == statistics.median(
            1200.0 + 60 * i + 600 * number for i in range(LEARNERS)
        )
        assert question["needs_help"] == sorted(
            f"learner-{i:02d}" for i in range(LEARNERS) if _learner_score(i, number) <= 2
        )
    reasons = {q["id"]: q["not_gradable"] for q in cohort["questions"]}
    # The recorded session has one wrong-shape attempt on "series" and one Lambda attempt on
    # "text"; two learners in three had theirs recorded as wrong-shape.
    assert reasons["series"] == [
        {
            "code": "wrong-shape",
            "text": reasons["series"][0]["text"],
            "attempts": 30,
            "learners": 30,
        }
    ]
    assert [(r["code"], r["attempts"]) for r in reasons["text"]] == [
        ("wrong-shape", 20), ("lambda-layer", 10),
    ]  # fmt: skip
    passed = sum(sum(_learner_score(i, n) for n in range(2)) / 10 >= 0.9 for i in range(LEARNERS))
    assert cohort["pass_rate"] == pytest.approx(passed / LEARNERS)
    # A report of another exam and one of a newer format are named and left out.
    left = {Path(item["path"]).name: item["reason"] for item in cohort["left_out"]}
    assert left == {
        "zz-other-exam.json": "a report of exam 'classic', not 'formats'",
        "zz-newer.json": left["zz-newer.json"],
    }
    assert "report format 2, a newer one" in left["zz-newer.json"]
    assert "left out" in stderr and "zz-other-exam.json" in stderr


def test_the_text_view_names_who_needs_help(class_folder: Path) -> None:
    done = run_cli("cohort", str(class_folder), env={"COLUMNS": "400"})
    assert done.returncode == 0, done.stderr
    assert "30 learners" in done.stdout
    first = sorted(f"learner-{i:02d}" for i in range(LEARNERS) if _learner_score(i, 0) <= 2)
    assert f": {', '.join(first)}\n" in done.stdout
    assert "Left out:" in done.stdout


def test_no_readable_report_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    done = run_cli("cohort", str(tmp_path))
    assert done.returncode == 1
    assert "no report could be read" in done.stderr
    assert "broken.json: not a JSON report (JSONDecodeError)" in done.stderr


@needs_chromium
def test_the_html_view_is_readable_in_a_browser(class_folder: Path, tmp_path: Path) -> None:
    page = tmp_path / "class.html"
    done = run_cli("cohort", str(class_folder), "--format", "html", "-o", str(page))
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert "learner-29" in html and "Who needs help where" in html
    checked = check_page(html, tmp_path, width=1280)
    assert checked.lowest_contrast >= MIN_CONTRAST, checked.low_contrast
    assert checked.page_width <= checked.window_width == 1280
