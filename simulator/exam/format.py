"""The mock-exam format: ``mock_exams/<exam-id>/exam.toml`` plus one folder per question.

Loading validates the whole file and reports every problem at once, because an exam author who
fixes one error only to meet the next is wasting an afternoon. The records are frozen dataclasses
so that a loaded exam can be shared between threads and snapshotted into a session as JSON.
"""

from __future__ import annotations

import itertools
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from simulator.exam.durations import DurationError, parse_duration
from simulator.exam.hidden_files import sealed_members
from simulator.exam.metrics import MAX_SCORE, METRICS, MetricName, OutputKind, metrics_for

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

Policy = Literal["best", "last"]

OUTPUT_KINDS: tuple[OutputKind, ...] = ("regression", "sigmoid", "softmax")
POLICIES: tuple[Policy, ...] = ("best", "last")

DEFAULT_DURATION_S = 5 * 3600
#: The real pass mark was never published; one candidate reported "about 90 %" (unverified).
DEFAULT_PASS_MARK = 90.0
DEFAULT_POLICY: Policy = "best"
DEFAULT_MODEL_FILES = ("mymodel.h5", "mymodel.keras")


class UnknownQuestionError(LookupError):
    """A question key (id, folder name or category number) that names no question of the exam:
    the user's mistake, told in one line (unlike a ``KeyError``, which is a bug)."""


class ExamFormatError(ValueError):
    """An exam definition with problems; ``problems`` lists each one, the message shows them all."""

    def __init__(self, source: Path, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{source}: {len(problems)} {noun}:\n{lines}")


@dataclass(frozen=True)
class ModelInterface:
    """The fixed model interface a question demands ("the grader is very strict about shapes").

    Shapes exclude the batch dimension; ``None`` stands for a free dimension such as a time axis.
    """

    input_shape: tuple[int | None, ...]
    output_shape: tuple[int, ...]
    output: OutputKind
    #: Whether a sequence output, ``output_shape`` per time step, is accepted too and graded on
    #: its last step, as the real sunspots tester read ``rnn_forecast[..., -1, 0]``.
    sequence_output: bool = False

    def describe(self) -> str:
        text = f"input {_shape(self.input_shape)} -> output {_shape(self.output_shape)} ({self.output})"
        if self.sequence_output:
            text += f" or a sequence {_shape((None, *self.output_shape))} graded on its last step"
        return text


@dataclass(frozen=True)
class RealExamRule:
    """The real exam's own rule, where its starter states one: ``ceil(intercept + slope * metric)``.

    The score is clamped to 0-5. The rule is measured on the grader's ``real_exam_data(seed)``
    (the data the real tester used, e.g. the sunspots tester's ``series[split_time:]``), which
    can differ from the hidden test that the calibrated thresholds score.
    """

    intercept: float
    slope: float
    #: What the rule is measured on, for messages: "the real tester's 235 months".
    data: str
    #: What the calibrated thresholds are measured on, for messages: "the 100 hidden months".
    held_out: str

    def score(self, value: float) -> int:
        if not math.isfinite(value):
            return 0
        # Rounded first so that an MAE of exactly 0.12 is 5, not 4.999999999999998 -> 5 or 6.
        raw = math.ceil(round(self.intercept + self.slope * value, 9))
        return max(0, min(MAX_SCORE, raw))

    def describe(self, metric: str) -> str:
        sign = "-" if self.slope < 0 else "+"
        return f"min(5, ceil({self.intercept:g} {sign} {abs(self.slope):g} * {metric.upper()}))"


@dataclass(frozen=True)
class Scoring:
    """How a metric value becomes a 0-5 score.

    ``thresholds[i]`` is the metric value needed for score ``i + 1``; a lower-is-better metric
    (MSE, MAE) needs a value at or below it, accuracy needs one at or above it.
    """

    metric: MetricName
    thresholds: tuple[float, ...]
    #: The metric the reference solution reached in calibration, for the session report.
    reference: float | None = None
    #: The real exam's own rule; where it is set, its score is the one that counts and the
    #: thresholds give the calibrated (strict) view only.
    real_exam: RealExamRule | None = None

    @property
    def lower_is_better(self) -> bool:
        return METRICS[self.metric].lower_is_better

    def score(self, value: float) -> int:
        """Return the 0-5 score that ``value`` earns; NaN or infinity earns 0."""
        if not math.isfinite(value):
            return 0
        earned = 0
        for points, threshold in enumerate(self.thresholds, start=1):
            reached = value <= threshold if self.lower_is_better else value >= threshold
            if reached:
                earned = points
        return earned


@dataclass(frozen=True)
class Question:
    """One exam question: what the candidate gets and how the hidden grader scores it."""

    id: str
    category: int
    title: str
    weight: float
    folder: Path
    interface: ModelInterface
    scoring: Scoring
    model_files: tuple[str, ...] = DEFAULT_MODEL_FILES
    prompt: str = "prompt.md"
    starter: str = "starter.py"
    grader: str = "grader.py"
    solution: str = "solution.py"
    data: str | None = None
    #: Why the reference works and the category's common mistakes, for the review after the
    #: exam; sealed like the solution. Optional: an exam of the user's own may have none.
    explanation: str = "explanation.md"

    @property
    def workspace_folder(self) -> str:
        """The question's folder name, identical in the exam package and the workspace."""
        return self.folder.name

    def accepts(self, filename: str) -> bool:
        """Whether a file or folder with this name in the question folder is a model to grade."""
        return filename in self.model_files or filename in self.savedmodel_dirs

    @property
    def savedmodel_dirs(self) -> tuple[str, ...]:
        """SavedModel folder names accepted besides the files: ``mymodel`` for ``mymodel.h5``."""
        stems = {name.rsplit(".", 1)[0] for name in self.model_files}
        return tuple(sorted(stems))


@dataclass(frozen=True)
class Exam:
    """A whole mock exam as declared in ``exam.toml``."""

    id: str
    title: str
    root: Path
    questions: tuple[Question, ...]
    description: str = ""
    duration_s: int = DEFAULT_DURATION_S
    pass_mark: float = DEFAULT_PASS_MARK
    policy: Policy = DEFAULT_POLICY
    seed: int = 0
    #: Whether each session draws its own data seed (generated data), or always uses ``seed``
    #: (real datasets, whose split was calibrated on that seed).
    fresh_data: bool = False
    questions_by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "questions_by_id", {q.id: q for q in self.questions})

    @property
    def max_points(self) -> float:
        return sum(q.weight for q in self.questions) * MAX_SCORE

    def question(self, key: str) -> Question:
        """Find a question by id, folder name or category number."""
        for question in self.questions:
            if key in (question.id, question.workspace_folder, str(question.category)):
                return question
        known = ", ".join(q.id for q in self.questions)
        raise UnknownQuestionError(f"exam {self.id!r} has no question {key!r} (known: {known})")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (used by ``tfexam exams show --json`` and session snapshots)."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "duration_s": self.duration_s,
            "pass_mark": self.pass_mark,
            "policy": self.policy,
            "fresh_data": self.fresh_data,
            "max_points": self.max_points,
            "questions": [
                {
                    "id": q.id,
                    "category": q.category,
                    "title": q.title,
                    "weight": q.weight,
                    "folder": q.workspace_folder,
                    "model_files": list(q.model_files),
                    "interface": {
                        "input_shape": list(q.interface.input_shape),
                        "output_shape": list(q.interface.output_shape),
                        "output": q.interface.output,
                        "sequence_output": q.interface.sequence_output,
                    },
                    "scoring": {
                        "metric": q.scoring.metric,
                        "lower_is_better": q.scoring.lower_is_better,
                        "thresholds": list(q.scoring.thresholds),
                        "reference": q.scoring.reference,
                        "real_exam": None
                        if q.scoring.real_exam is None
                        else {
                            "rule": q.scoring.real_exam.describe(q.scoring.metric),
                            "intercept": q.scoring.real_exam.intercept,
                            "slope": q.scoring.real_exam.slope,
                            "data": q.scoring.real_exam.data,
                            "held_out": q.scoring.real_exam.held_out,
                        },
                    },
                }
                for q in self.questions
            ],
        }


def _shape(shape: tuple[int | None, ...]) -> str:
    return (
        "("
        + ", ".join("None" if d is None else str(d) for d in shape)
        + ("," if len(shape) == 1 else "")
        + ")"
    )


def format_shape(shape: tuple[int | None, ...]) -> str:
    """Format a shape the way Keras prints it, e.g. ``(28, 28)`` or ``(None, 1)``."""
    return _shape(shape)


class _Problems:
    """Collects problems while parsing so that all of them are reported together."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def load_exam(exam_dir: Path) -> Exam:
    """Load and validate ``exam_dir/exam.toml``; raise :class:`ExamFormatError` listing every problem."""
    source = exam_dir / "exam.toml"
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExamFormatError(source, ["file not found"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ExamFormatError(source, [f"not valid TOML: {error}"]) from None

    problems = _Problems()
    header = _table(raw, "exam", "exam", problems)
    exam_id = _string(header, "id", "exam.id", problems, default=exam_dir.name)
    if exam_id and exam_id != exam_dir.name:
        problems.add("exam.id", f"{exam_id!r} must match the folder name {exam_dir.name!r}")
    title = _string(header, "title", "exam.title", problems)
    description = _string(header, "description", "exam.description", problems, default="")
    duration_s = DEFAULT_DURATION_S
    if "duration" in header:
        try:
            duration_s = parse_duration(str(header["duration"]))
        except DurationError as error:
            problems.add("exam.duration", str(error))
    pass_mark = _number(header, "pass_mark", "exam.pass_mark", problems, default=DEFAULT_PASS_MARK)
    if not 0 < pass_mark <= 100:
        problems.add("exam.pass_mark", f"must be a percentage in (0, 100], got {pass_mark}")
    policy = _string(header, "policy", "exam.policy", problems, default=DEFAULT_POLICY)
    if policy not in POLICIES:
        problems.add("exam.policy", f"must be one of {', '.join(POLICIES)}, got {policy!r}")
    seed = int(_number(header, "seed", "exam.seed", problems, default=0))
    fresh_data = header.get("fresh_data", False)
    if not isinstance(fresh_data, bool):
        problems.add("exam.fresh_data", f"must be true or false, got {fresh_data!r}")
        fresh_data = False
    _unknown_keys(
        header,
        {"id", "title", "description", "duration", "pass_mark", "policy", "seed", "fresh_data"},
        "exam",
        problems,
    )
    _unknown_keys(raw, {"exam", "questions"}, "exam.toml", problems)

    questions: list[Question] = []
    raw_questions = raw.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.add("questions", "declare at least one [[questions]] table")
        raw_questions = []
    for index, entry in enumerate(raw_questions):
        question = _parse_question(exam_dir, entry, f"questions[{index}]", problems)
        if question is not None:
            questions.append(question)
    _check_unique(questions, problems)

    if problems.items:
        raise ExamFormatError(source, problems.items)
    return Exam(
        id=exam_id,
        title=title,
        description=description,
        root=exam_dir,
        questions=tuple(questions),
        duration_s=duration_s,
        pass_mark=pass_mark,
        policy=cast(Policy, policy),
        seed=seed,
        fresh_data=fresh_data,
    )


_QUESTION_KEYS = {
    "id", "category", "title", "weight", "folder", "model_files", "prompt", "starter", "grader",
    "solution", "data", "interface", "scoring", "explanation",
}  # fmt: skip


def _parse_question(
    exam_dir: Path, entry: object, where: str, problems: _Problems
) -> Question | None:
    if not isinstance(entry, dict):
        problems.add(where, "must be a table")
        return None
    before = len(problems.items)
    question_id = _string(entry, "id", f"{where}.id", problems)
    where = f"question {question_id!r}" if question_id else where
    category = int(_number(entry, "category", f"{where}.category", problems))
    if category not in range(1, 6):
        problems.add(
            f"{where}.category", f"must be 1-5 (the exam's five categories), got {category}"
        )
    title = _string(entry, "title", f"{where}.title", problems)
    weight = _number(entry, "weight", f"{where}.weight", problems)
    if weight <= 0:
        problems.add(f"{where}.weight", f"must be positive, got {weight}")
    folder_name = _string(entry, "folder", f"{where}.folder", problems)
    folder = exam_dir / folder_name
    if folder_name and not folder.is_dir():
        problems.add(f"{where}.folder", f"folder {folder_name!r} does not exist")
    model_files = entry.get("model_files", list(DEFAULT_MODEL_FILES))
    if (
        not isinstance(model_files, list)
        or not model_files
        or not all(isinstance(n, str) and n.endswith((".h5", ".keras")) for n in model_files)
    ):
        problems.add(f"{where}.model_files", "must be a list of file names ending in .h5 or .keras")
        model_files = list(DEFAULT_MODEL_FILES)
    files = {}
    for key, default in (
        ("prompt", "prompt.md"),
        ("starter", "starter.py"),
        ("grader", "grader.py"),
        ("solution", "solution.py"),
    ):
        files[key] = _string(entry, key, f"{where}.{key}", problems, default=default)
        if not folder.is_dir() or not files[key] or (folder / files[key]).is_file():
            continue
        # An installed exam has its grader and solution sealed: the archive is read only then.
        # The archive is the one beside the folder: another exam's for a shared folder.
        hidden = key in ("grader", "solution")
        if not (hidden and f"{folder.name}/{files[key]}" in sealed_members(folder.parent)):
            problems.add(f"{where}.{key}", f"file {folder_name}/{files[key]} does not exist")
    # The explanation is optional: only one the exam names itself must exist.
    explanation = _string(
        entry, "explanation", f"{where}.explanation", problems, default="explanation.md"
    )
    if (
        "explanation" in entry
        and explanation
        and folder.is_dir()
        and not (folder / explanation).is_file()
        and f"{folder_name}/{explanation}" not in sealed_members(exam_dir)
    ):
        problems.add(f"{where}.explanation", f"file {folder_name}/{explanation} does not exist")
    data = entry.get("data")
    if data is not None and (not isinstance(data, str) or not (folder / data).is_file()):
        problems.add(
            f"{where}.data", f"must name a Python file in {folder_name}/ that writes the data"
        )
        data = None
    interface = _parse_interface(entry.get("interface"), f"{where}.interface", problems)
    scoring = _parse_scoring(entry.get("scoring"), f"{where}.scoring", problems)
    if interface and scoring and scoring.metric not in metrics_for(interface.output):
        allowed = ", ".join(metrics_for(interface.output))
        problems.add(
            f"{where}.scoring.metric",
            f"{scoring.metric!r} does not fit a {interface.output} output (use {allowed})",
        )
    _unknown_keys(entry, _QUESTION_KEYS, where, problems)
    if len(problems.items) > before or interface is None or scoring is None:
        return None
    return Question(
        id=question_id,
        category=category,
        title=title,
        weight=weight,
        folder=folder,
        interface=interface,
        scoring=scoring,
        model_files=tuple(model_files),
        prompt=files["prompt"],
        starter=files["starter"],
        grader=files["grader"],
        solution=files["solution"],
        data=data,
        explanation=explanation,
    )


def _parse_interface(raw: object, where: str, problems: _Problems) -> ModelInterface | None:
    if not isinstance(raw, dict):
        problems.add(
            where, "missing [questions.interface] table with input_shape, output_shape, output"
        )
        return None
    input_shape = raw.get("input_shape")
    output_shape = raw.get("output_shape")
    output = raw.get("output")
    ok = True
    if not _is_shape(input_shape, allow_none=True):
        problems.add(
            f"{where}.input_shape",
            'must be a list of positive integers (or "None" for a free axis)',
        )
        ok = False
    if not _is_shape(output_shape, allow_none=False):
        problems.add(f"{where}.output_shape", "must be a list of positive integers")
        ok = False
    if output not in OUTPUT_KINDS:
        problems.add(f"{where}.output", f"must be one of {', '.join(OUTPUT_KINDS)}, got {output!r}")
        ok = False
    sequence_output = raw.get("sequence_output", False)
    if not isinstance(sequence_output, bool):
        problems.add(f"{where}.sequence_output", f"must be true or false, got {sequence_output!r}")
        ok = False
    elif sequence_output and output != "regression":
        problems.add(f"{where}.sequence_output", "only a regression output can be a sequence")
        ok = False
    _unknown_keys(
        raw, {"input_shape", "output_shape", "output", "sequence_output"}, where, problems
    )
    if not ok:
        return None
    return ModelInterface(
        input_shape=tuple(
            None if d in (None, "None") else int(d) for d in cast(list[Any], input_shape)
        ),
        output_shape=tuple(int(d) for d in cast(list[Any], output_shape)),
        output=cast(OutputKind, output),
        sequence_output=sequence_output,
    )


def _parse_scoring(raw: object, where: str, problems: _Problems) -> Scoring | None:
    if not isinstance(raw, dict):
        problems.add(where, "missing [questions.scoring] table with metric and thresholds")
        return None
    metric = raw.get("metric")
    thresholds = raw.get("thresholds")
    ok = True
    if metric not in METRICS:
        *others, last = METRICS
        problems.add(f"{where}.metric", f"must be {', '.join(others)} or {last}, got {metric!r}")
        ok = False
    if (
        not isinstance(thresholds, list)
        or len(thresholds) != MAX_SCORE
        or not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in thresholds)
    ):
        problems.add(
            f"{where}.thresholds",
            "must list 5 numbers: the metric value needed for scores 1, 2, 3, 4 and 5",
        )
        ok = False
    elif ok:
        lower = METRICS[cast("MetricName", metric)].lower_is_better
        pairs = list(itertools.pairwise(thresholds))
        if not all((b < a) if lower else (b > a) for a, b in pairs):
            order = (
                "decrease (lower error for a higher score)"
                if lower
                else "increase (higher accuracy for a higher score)"
            )
            problems.add(f"{where}.thresholds", f"must strictly {order}, got {thresholds}")
            ok = False
    reference = raw.get("reference")
    if reference is not None and (
        not isinstance(reference, (int, float)) or isinstance(reference, bool)
    ):
        problems.add(
            f"{where}.reference", f"must be a number (the reference's metric), got {reference!r}"
        )
        ok = False
    real_exam = _parse_real_exam(raw.get("real_exam"), f"{where}.real_exam", problems)
    if "real_exam" in raw and real_exam is None:
        ok = False
    _unknown_keys(raw, {"metric", "thresholds", "reference", "real_exam"}, where, problems)
    if not ok:
        return None
    return Scoring(
        metric=cast(MetricName, metric),
        thresholds=tuple(float(t) for t in cast(list[float], thresholds)),
        reference=float(reference) if reference is not None else None,
        real_exam=real_exam,
    )


def _parse_real_exam(raw: object, where: str, problems: _Problems) -> RealExamRule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.add(where, "must be a table with intercept, slope, data and held_out")
        return None
    before = len(problems.items)
    intercept = _number(raw, "intercept", f"{where}.intercept", problems)
    slope = _number(raw, "slope", f"{where}.slope", problems)
    data = _string(raw, "data", f"{where}.data", problems)
    held_out = _string(raw, "held_out", f"{where}.held_out", problems)
    if slope == 0:
        problems.add(f"{where}.slope", "must not be 0")
    _unknown_keys(raw, {"intercept", "slope", "data", "held_out"}, where, problems)
    if len(problems.items) > before:
        return None
    return RealExamRule(intercept=intercept, slope=slope, data=data, held_out=held_out)


def _is_shape(value: object, *, allow_none: bool) -> bool:
    if not isinstance(value, list) or not value:
        return False
    for dim in value:
        if allow_none and dim in (None, "None"):
            continue
        if not isinstance(dim, int) or isinstance(dim, bool) or dim <= 0:
            return False
    return True


def _table(raw: dict[str, Any], key: str, where: str, problems: _Problems) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        problems.add(where, f"missing [{key}] table")
        return {}
    return value


def _string(
    raw: dict[str, Any], key: str, where: str, problems: _Problems, default: str | None = None
) -> str:
    value = raw.get(key, default)
    if value is None:
        problems.add(where, "is required")
        return ""
    if not isinstance(value, str):
        problems.add(where, f"must be a string, got {value!r}")
        return ""
    return value


def _number(
    raw: dict[str, Any], key: str, where: str, problems: _Problems, default: float | None = None
) -> float:
    value = raw.get(key, default)
    if value is None:
        problems.add(where, "is required")
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(where, f"must be a number, got {value!r}")
        return 0.0
    return float(value)


def _unknown_keys(raw: dict[str, Any], known: set[str], where: str, problems: _Problems) -> None:
    for key in sorted(set(raw) - known):
        problems.add(where, f"unknown key {key!r}")


def _check_unique(questions: list[Question], problems: _Problems) -> None:
    for attribute in ("id", "workspace_folder"):
        seen: set[str] = set()
        for question in questions:
            value = getattr(question, attribute)
            if value in seen:
                problems.add(
                    f"question {question.id!r}",
                    f"duplicate {attribute.replace('_', ' ')} {value!r}",
                )
            seen.add(value)


def questions_that_parse(exam_dir: Path) -> list[Question]:
    """Every question of ``exam_dir/exam.toml`` that is valid on its own, even when the exam as a
    whole is not: ``tfexam check`` goes on checking them, to report every problem at once."""
    try:
        raw = tomllib.loads((exam_dir / "exam.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    entries = raw.get("questions")
    found = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        question = _parse_question(exam_dir, entry, f"questions[{index}]", _Problems())
        if question is not None:
            found.append(question)
    return found
