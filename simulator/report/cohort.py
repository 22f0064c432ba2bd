"""The class view: many learners' JSON reports of one exam, read together.

A course team hands an exam to thirty learners and gets thirty ``tfexam report --format json``
files back. This module reads them and says, per question, how the class did: the spread of
scores, how long learners took to a first score and to their best, what most often made a model
not gradable, and who needs help where. It reads only the report files (the learners' machines
are elsewhere), and it never mixes in a report it cannot compare: another exam's, or one written
in another report format, is named and left out with the reason.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: The report format this view reads (the report's ``schema`` field).
REPORT_SCHEMA = 1
#: A learner at or below this score on a question is listed under "needs help" there.
NEEDS_HELP_AT_MOST = 2
#: How many of the most frequent not-gradable reasons each question lists.
TOP_REASONS = 3
MAX_SCORE = 5


@dataclass(frozen=True)
class LeftOut:
    """A file not counted, and why (said once, in one line)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Learner:
    """One learner's result: the name their session carries, else their report's file name."""

    name: str
    session: str
    percent: float
    passed: bool
    scores: dict[str, int]


@dataclass(frozen=True)
class ReasonCount:
    code: str
    text: str
    attempts: int
    learners: int


@dataclass(frozen=True)
class QuestionView:
    """How the class did on one question."""

    id: str
    number: int
    title: str
    category: int
    #: Learners per score, index 0-5.
    scores: list[int]
    median_score: float
    full_marks_rate: float
    median_first_score_s: float | None
    median_best_s: float | None
    not_gradable: list[ReasonCount]
    needs_help: list[str]


@dataclass(frozen=True)
class Cohort:
    exam: str
    exam_title: str
    learners: list[Learner]
    pass_rate: float
    median_percent: float
    questions: list[QuestionView]
    left_out: list[LeftOut] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"cohort": 1, **asdict(self)}


class CohortError(ValueError):
    """Nothing to show: no report could be read, or none of the chosen exam."""


def report_files(arguments: Iterable[Path]) -> list[Path]:
    """The files named, and every ``*.json`` directly inside the folders named, in order."""
    files: list[Path] = []
    for argument in arguments:
        if argument.is_dir():
            files.extend(sorted(p for p in argument.glob("*.json") if p.is_file()))
        else:
            files.append(argument)
    return files


def _read(path: Path) -> dict[str, Any] | LeftOut:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return LeftOut(str(path), "no such file")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return LeftOut(str(path), f"not a JSON report ({type(error).__name__})")
    if not isinstance(data, dict) or "summary" not in data or "questions" not in data:
        return LeftOut(str(path), "not a tfexam report (no summary and questions)")
    schema = data.get("schema")
    if schema != REPORT_SCHEMA:
        age = "newer" if isinstance(schema, int) and schema > REPORT_SCHEMA else "other"
        return LeftOut(
            str(path),
            f"written in report format {schema!r}, a {age} one than this tfexam reads "
            f"({REPORT_SCHEMA}): make it again with this version's 'tfexam report --format json'",
        )
    return data


def build_cohort(files: Sequence[Path], exam: str | None = None) -> Cohort:
    """Read every report; count those of ``exam`` (default: the exam most of them are of)."""
    reports: list[tuple[Path, dict[str, Any]]] = []
    left_out: list[LeftOut] = []
    for path in files:
        read = _read(path)
        if isinstance(read, LeftOut):
            left_out.append(read)
        else:
            reports.append((path, read))
    if not reports:
        raise CohortError("no report could be read" + "".join(
            f"\n  {item.path}: {item.reason}" for item in left_out
        ))  # fmt: skip
    exams = Counter(str(data["summary"]["exam"]) for _, data in reports)
    chosen = exam or max(exams, key=lambda e: (exams[e], -list(exams).index(e)))
    if chosen not in exams:
        raise CohortError(
            f"none of the reports is of exam {chosen!r} (they are of {', '.join(exams)})"
        )
    kept: list[tuple[Path, dict[str, Any]]] = []
    for path, data in reports:
        if data["summary"]["exam"] == chosen:
            kept.append((path, data))
        else:
            left_out.append(
                LeftOut(str(path), f"a report of exam {data['summary']['exam']!r}, not {chosen!r}")
            )
    learners = [_learner(path, data) for path, data in kept]
    first = kept[0][1]
    questions = [
        _question(entry, [data for _, data in kept], learners) for entry in first["questions"]
    ]
    return Cohort(
        exam=chosen,
        exam_title=str(first["summary"]["exam_title"]),
        learners=learners,
        pass_rate=sum(learner.passed for learner in learners) / len(learners),
        median_percent=statistics.median(learner.percent for learner in learners),
        questions=questions,
        left_out=left_out,
    )


def _learner(path: Path, data: dict[str, Any]) -> Learner:
    summary = data["summary"]
    name = summary.get("candidate") or path.stem
    return Learner(
        name=str(name),
        session=str(summary["session"]),
        percent=float(summary["percent"]),
        passed=bool(summary["passed"]),
        scores={str(q["id"]): int(q["score"]) for q in data["questions"]},
    )


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _question(
    entry: dict[str, Any], reports: Sequence[dict[str, Any]], learners: Sequence[Learner]
) -> QuestionView:
    question_id = str(entry["id"])
    own = [next((q for q in data["questions"] if q["id"] == question_id), None) for data in reports]
    scores = [0] * (MAX_SCORE + 1)
    for learner in learners:
        scores[learner.scores.get(question_id, 0)] += 1
    reasons: Counter[str] = Counter()
    reason_learners: dict[str, set[int]] = {}
    texts: dict[str, str] = {}
    for index, item in enumerate(own):
        for attempt in (item or {}).get("attempts", []):
            if attempt.get("state") != "not-gradable":
                continue
            code = str(attempt.get("reason_code") or "unknown")
            reasons[code] += 1
            reason_learners.setdefault(code, set()).add(index)
            texts.setdefault(code, str(attempt.get("reason") or ""))
    ranked = sorted(reasons, key=lambda c: (-reasons[c], c))[:TOP_REASONS]
    needs_help = sorted(
        learner.name
        for learner in learners
        if learner.scores.get(question_id, 0) <= NEEDS_HELP_AT_MOST
    )
    all_scores = [learner.scores.get(question_id, 0) for learner in learners]
    return QuestionView(
        id=question_id,
        number=int(entry["number"]),
        title=str(entry["title"]),
        category=int(entry["category"]),
        scores=scores,
        median_score=float(statistics.median(all_scores)),
        full_marks_rate=scores[MAX_SCORE] / len(learners),
        median_first_score_s=_median(q.get("first_gradable_s") if q else None for q in own),
        median_best_s=_median(q.get("best_s") if q else None for q in own),
        not_gradable=[
            ReasonCount(code, texts[code], reasons[code], len(reason_learners[code]))
            for code in ranked
        ],
        needs_help=needs_help,
    )
