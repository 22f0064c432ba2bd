"""The typed event stream: every kind's JSON line is the documented one, byte for byte.

Scripts read ``tfexam start --json``; these lines were the engine's output before the events
became dataclasses, and must stay so. The field list of every kind is also held equal to the
table in docs/architecture.md, so the docs and the code cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from simulator.exam.catalog import find_exam
from simulator.grading.reasons import Reason
from simulator.session import events
from simulator.session.scoring import exam_result
from simulator.storage.records import AttemptRecord, RunRecord

ROOT = Path(__file__).resolve().parent.parent
AT = dt.datetime(2026, 11, 21, 10, 15, 2, 113000).astimezone().timestamp()
STAMP = {"at": AT, "session_id": "practice-20261121-101500"}
ISO_AT = dt.datetime.fromtimestamp(AT).astimezone().isoformat(timespec="milliseconds")


def _head(kind: str) -> str:
    return f'{{"event": "{kind}", "at": "{ISO_AT}", "session": "practice-20261121-101500"'


GRADED = AttemptRecord(
    id=107, session_id=STAMP["session_id"], question_id="basic-model",
    source_path="/w/category1/mymodel.h5", blob="ab.h5", sha256="abcdef0123456789" * 4, size=9,
    origin="watch", saved_at=AT, detected_at=AT, state="graded", score=5, metric_name="mse",
    metric_value=1.25e-05, message="mse 1.25e-05 -> 5/5", timings={"load_s": 0.031234567},
    source="run", run_id=103, number=7, run_number=3,
)  # fmt: skip
REFUSED = AttemptRecord(
    id=108, session_id=STAMP["session_id"], question_id="basic-model",
    source_path="/w/category1/mymodel.h5", blob="cd.h5", sha256="0123456789abcdef" * 4, size=0,
    origin="scan", saved_at=AT, detected_at=AT, state="not-gradable",
    message="the file is empty (0 bytes): save the model again", source="external",
    reason_code="file-broken", number=8,
)  # fmt: skip
QUEUED = AttemptRecord(
    id=109, session_id=STAMP["session_id"], question_id="basic-model",
    source_path="/w/category1/mymodel.h5", blob="ef.h5", sha256="fedcba9876543210" * 4, size=9,
    origin="submit", saved_at=AT, detected_at=AT, state="queued", source="local", number=9,
)  # fmt: skip
RUN = RunRecord(
    id=103, number=3, session_id=STAMP["session_id"], question_id="basic-model",
    command=("/usr/bin/python3", "-u", "starter.py"), cwd=Path("/w/category1"),
    log_path=Path("/logs/runs/run-3-basic-model.log"), started_at=AT, state="failed", pid=4242,
    exit_code=1, epoch=2, epochs=10, metrics={"loss": 0.5}, cpu_seconds=3.14159, peak_rss_mb=412.345,
)  # fmt: skip


def _samples() -> dict[type[events.SessionEvent], tuple[events.SessionEvent, str]]:
    """One event of every kind, with the JSON line the engine printed for it before."""
    exam = find_exam("practice", None)
    result = exam_result(exam, [GRADED], "best")
    unavailable = Reason("worker-unavailable", "the grading worker could not start (see x.log)")
    no_model = Reason("no-model-file", "no model to submit: save mymodel.h5 in category1/ first")
    attempt_graded = (
        '"question": "basic-model", "attempt": 7, "state": "graded", "origin": "watch", '
        '"source": "run", "sha256": "abcdef012345", "run": 3, "score": 5, '
        '"metric": {"name": "mse", "value": 1.25e-05}, "question_score": 5, '
        '"message": "mse 1.25e-05 -> 5/5", "timings": {"load_s": 0.0312}'
    )
    attempt_refused = (
        '"question": "basic-model", "attempt": 8, "state": "not-gradable", "origin": "scan", '
        '"source": "external", "sha256": "0123456789ab", '
        '"reason": "the file is empty (0 bytes): save the model again"'
    )
    attempt_queued = (
        '"question": "basic-model", "attempt": 9, "state": "queued", "origin": "submit", '
        '"source": "local", "sha256": "fedcba987654"'
    )
    run_fields = (
        '"run": 3, "question": "basic-model", "state": "failed", "pid": 4242, '
        '"command": ["/usr/bin/python3", "-u", "starter.py"], '
        '"log": "/logs/runs/run-3-basic-model.log"'
    )
    deadline = AT + 3600
    iso_deadline = (
        dt.datetime.fromtimestamp(deadline).astimezone().isoformat(timespec="milliseconds")
    )
    points = result.points
    samples: list[tuple[events.SessionEvent, str]] = [
        (
            events.SessionOpened(
                **STAMP, resumed=False, exam_id="practice", exam_title="Practice exam",
                workspace=Path("/w"), deadline=deadline, remaining_s=3599.96,
            ),
            '"resumed": false, "exam": "practice", "exam_title": "Practice exam", '
            f'"workspace": "/w", "deadline": "{iso_deadline}", "remaining_s": 3600.0',
        ),
        (events.WorkerReady(**STAMP, pid=11, warm_s=2.4567), '"pid": 11, "warm_s": 2.46'),
        (
            events.WorkerExited(**STAMP, pid=11, reason=unavailable),
            '"pid": 11, "reason": "the grading worker could not start (see x.log)"',
        ),
        (
            events.ModelDetected(**STAMP, attempt=QUEUED, path=Path("/w/category1/mymodel.h5")),
            attempt_queued + ', "path": "/w/category1/mymodel.h5"',
        ),
        (events.GradingStarted(**STAMP, attempt=QUEUED), attempt_queued),
        (events.AttemptGraded(**STAMP, attempt=GRADED, question_score=5), attempt_graded),
        (
            events.AttemptNotGradable(
                **STAMP, attempt=REFUSED, reason=REFUSED.reason or unavailable
            ),
            attempt_refused,
        ),
        (events.AttemptSuperseded(**STAMP, attempt=QUEUED), attempt_queued),
        (events.AttemptRejected(**STAMP, attempt=QUEUED), attempt_queued),
        (events.AttemptRequeued(**STAMP, attempt=QUEUED), attempt_queued),
        (
            events.ModelUnchanged(**STAMP, path=Path("/w/category1/mymodel.h5"), previous=GRADED),
            '"question": "basic-model", "path": "/w/category1/mymodel.h5", "attempt": 7, '
            '"state": "graded", "score": 5',
        ),
        (
            events.SubmitAndTestFailed(**STAMP, question_id="basic-model", reason=no_model),
            '"question": "basic-model", '
            '"reason": "no model to submit: save mymodel.h5 in category1/ first"',
        ),
        (
            events.TimeWarning(**STAMP, minutes_left=10, remaining_s=599.04),
            '"minutes": 10, "remaining_s": 599.0',
        ),
        (events.DeadlineReached(**STAMP, pending=2), '"pending": 2'),
        (events.SubmitRequested(**STAMP, pending=0), '"pending": 0'),
        (
            events.SessionSubmitted(**STAMP, reason="submitted", result=result),
            f'"reason": "submitted", "total": {{"points": {json.dumps(points)}, '
            f'"max_points": {json.dumps(result.max_points)}, '
            f'"percent": {round(result.percent, 1)}, "passed": false}}, "scores": '
            + json.dumps({r.question.id: r.score for r in result.questions}),
        ),
        (
            events.SolutionsRevealed(**STAMP, files=(Path("/w/category1/reference_solution.py"),)),
            '"files": ["/w/category1/reference_solution.py"]',
        ),
        (events.EngineDetached(**STAMP, remaining_s=1234.56), '"remaining_s": 1234.6'),
        (
            events.EngineFailed(**STAMP, message="the engine stopped on an internal error"),
            '"message": "the engine stopped on an internal error"',
        ),
        (
            events.RunStarted(**STAMP, run=RunRecord(**{**RUN.__dict__, "state": "running"})),
            run_fields.replace('"failed"', '"running"'),
        ),
        (
            events.RunEnded(**STAMP, run=RUN),
            run_fields + ', "exit_code": 1, "epochs_seen": 2, "metrics": {"loss": 0.5}, '
            '"cpu_seconds": 3.14, "peak_rss_mb": 412.3',
        ),
        (
            events.QuestionReady(
                **STAMP, question_id="image-classification", seconds=3.14159, ready=3, total=5
            ),
            '"question": "image-classification", "seconds": 3.14, "ready": 3, "total": 5',
        ),
        (
            events.QuestionDataFailed(
                **STAMP, question_id="image-classification", message="OSError: disk full"
            ),
            '"question": "image-classification", "message": "OSError: disk full"',
        ),
    ]  # fmt: skip
    return {type(event): (event, _head(event.KIND) + ", " + body + "}")
            for event, body in samples}  # fmt: skip


SAMPLES = _samples()


def test_every_event_class_has_a_sample_and_a_kind_of_its_own() -> None:
    assert set(SAMPLES) == set(events.EVENT_TYPES)
    kinds = [t.KIND for t in events.EVENT_TYPES]
    assert len(set(kinds)) == len(kinds)


def test_every_event_class_has_its_own_textual_message_class() -> None:
    from simulator.tui.messages import MESSAGE_FOR_EVENT

    assert set(MESSAGE_FOR_EVENT) == set(events.EVENT_TYPES)
    assert len(set(MESSAGE_FOR_EVENT.values())) == len(events.EVENT_TYPES)


@pytest.mark.parametrize("kind", events.EVENT_TYPES, ids=lambda t: t.KIND)
def test_the_json_line_of_each_kind_is_the_documented_one(kind: type[events.SessionEvent]) -> None:
    event, expected = SAMPLES[kind]
    assert json.dumps(events.event_json(event)) == expected


def _documented_fields() -> dict[str, set[str]]:
    """The table in docs/architecture.md: event kind -> its documented top-level fields."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    attempt = {"question", "attempt", "state", "origin", "source", "sha256", "run", "timings"}
    run = {"run", "question", "state", "pid", "command", "log"}
    table: dict[str, set[str]] = {}
    for line in text.splitlines():
        row = re.match(r"\| `([a-z-]+)` \| `(\w+)` \| (.+) \|$", line)
        if row is None:
            continue
        kind, _class_name, cell = row.groups()
        cell = re.sub(r"`total` \([^)]*\)", "`total`", cell)
        fields = set(re.findall(r"`(\w+)`", cell))
        if "attempt fields" in cell:
            fields |= attempt
        if "run fields" in cell:
            fields |= run
        table[kind] = fields
    return table


def test_the_architecture_doc_lists_every_kind_with_its_class_and_fields() -> None:
    documented = _documented_fields()
    assert set(documented) == {t.KIND for t in events.EVENT_TYPES}
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for kind in events.EVENT_TYPES:
        assert f"| `{kind.KIND}` | `{kind.__name__}` |" in text
        event, _ = SAMPLES[kind]
        fields = set(events.event_json(event)) - {"event", "at", "session"}
        # A sample may leave out what only some events of its kind carry (run, timings, reason).
        assert fields <= documented[kind.KIND], kind.KIND
        optional = {"run", "timings", "reason", "message", "score", "metric", "question_score"}
        optional |= {"views"}  # graded attempts of questions that have a strict view
        assert documented[kind.KIND] - fields <= optional, kind.KIND


def test_readme_names_every_event_kind() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = readme.split("Event kinds:", 1)[1].split(".", 1)[0]
    assert set(re.findall(r"`([a-z-]+)`", listed)) == {t.KIND for t in events.EVENT_TYPES}


def test_a_notebook_export_is_logged_with_the_fields_the_report_reads() -> None:
    exported = events.NotebookExported(
        **STAMP,
        question_id="learning-dataset",
        notebook=Path("/home/me/practice-category2.ipynb"),
        starter=Path("/home/me/ws/category2/starter.py"),
    )
    assert exported not in events.EVENT_TYPES and type(exported) in events.RECORDED_TYPES
    assert json.dumps(events.event_json(exported)) == (
        _head("notebook-exported") + ', "question": "learning-dataset", '
        '"notebook": "/home/me/practice-category2.ipynb", '
        '"starter": "/home/me/ws/category2/starter.py"}'
    )


def test_building_a_report_does_not_load_the_notebook_writer(tmp_path: Path) -> None:
    """The report reads exports by the typed event's kind: nbformat stays out of its process."""
    import subprocess
    import sys

    probe = f"""
import sys, time
from pathlib import Path
from simulator.exam.catalog import find_exam
from simulator.paths import DataPaths
from simulator.report.build import build_report
from simulator.session.sessions import NewSession, record_session
from simulator.storage.store import Store
paths = DataPaths(Path({str(tmp_path)!r}))
store, exam = Store(paths.database), find_exam("practice", paths)
session = record_session(store, NewSession(exam), paths.root, time.time())
build_report(store, session, exam)
print(sorted(m for m in sys.modules if m.split(".")[0] == "nbformat"))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]"
