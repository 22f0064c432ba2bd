"""``tfexam check``: every problem of an exam an author is writing, at once, each with its file
and line.

Finding an exam's mistakes one session at a time is slow: a starter that saves the wrong file
name shows only when a candidate's model never arrives, data code that imports TensorFlow only
when the UI slows down. This check reads everything an exam is made of:

- ``exam.toml``: every field the format checks (types, ranges, missing files, thresholds in the
  wrong order), each placed on the line that holds it;
- each starter: it parses, defines ``solution_model``, saves one of the question's model files,
  and marks its fixed values ``DO NOT CHANGE`` as the real starters did;
- each reference solution: it parses and saves the model file;
- each ``data.py``: it imports no TensorFlow or Keras (it runs in the exam's UI process);
- each grader: its hidden test data fits the question's interface (input shape, labels or
  targets for the output kind); a question whose own ``exam.toml`` table has a problem has its
  grader checked once that is fixed (the interface may be what is wrong).

Training is left to ``--calibrate`` (:mod:`simulator.grading.calibrate`).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.datasets.prepare import question_datasets
from simulator.exam.code import load_question_module
from simulator.exam.format import (
    DEFAULT_MODEL_FILES,
    ExamFormatError,
    Question,
    load_exam,
    questions_that_parse,
)
from simulator.exam.hidden_files import hidden_bytes
from simulator.exam.workspace import DataNotReadyError
from simulator.grading.check_cache import hidden_data_key, known_clean, remember_clean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: The marker the real starters put on values the candidate must keep.
FIXED_MARKER = "DO NOT CHANGE"
#: Modules data code must not import: it runs where the exam screen runs.
HEAVY_MODULES = ("tensorflow", "keras", "tf_keras")


@dataclass(frozen=True)
class Problem:
    """One thing to fix: where (relative to the exam folder) and what."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


# exam.toml -------------------------------------------------------------------------------------


class _TomlLines:
    """Where each key of an ``exam.toml`` is written: ``[exam]`` keys, and each
    ``[[questions]]`` table's keys and sub-tables, by the question's id and position."""

    def __init__(self, text: str) -> None:
        self.exam: dict[str, int] = {}
        self.exam_line = 1
        self.questions: list[dict[str, int]] = []
        table: dict[str, int] | None = None
        prefix = ""
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped == "[exam]":
                table, prefix, self.exam_line = self.exam, "", number
            elif stripped == "[[questions]]":
                table, prefix = {"": number}, ""
                self.questions.append(table)
            elif stripped.startswith("[questions.") and self.questions:
                table = self.questions[-1]
                prefix = stripped.strip("[]")[len("questions.") :] + "."
                table.setdefault(prefix.rstrip("."), number)
            elif table is not None and (key := re.match(r"([A-Za-z0-9_-]+)\s*=", stripped)):
                table.setdefault(prefix + key.group(1), number)
        self._ids = [self._question_id(text, q) for q in self.questions]

    @staticmethod
    def _question_id(text: str, table: dict[str, int]) -> str | None:
        line = table.get("id")
        if line is None:
            return None
        found = re.search(r'=\s*"([^"]*)"', text.splitlines()[line - 1])
        return found.group(1) if found else None

    def line_of(self, where: str) -> int | None:
        """The line of a problem's place, as the format names it: ``exam.title``,
        ``question 'basic-model'.scoring.thresholds``, ``questions[2].id``, ``questions``."""
        if where.startswith("exam."):
            return self.exam.get(where[len("exam.") :], self.exam_line)
        if where == "exam":
            return self.exam_line
        table: dict[str, int] | None = None
        rest = ""
        if found := re.match(r"question '([^']*)'\.?(.*)", where):
            question_id, rest = found.groups()
            if question_id in self._ids:
                table = self.questions[self._ids.index(question_id)]
        elif found := re.match(r"questions\[(\d+)\]\.?(.*)", where):
            index, rest = int(found.group(1)), found.group(2)
            if index < len(self.questions):
                table = self.questions[index]
        if table is None:
            return None
        while rest and rest not in table:
            rest = rest.rpartition(".")[0]
        return table.get(rest, table[""])


def _toml_problems(exam_dir: Path) -> list[Problem]:
    try:
        load_exam(exam_dir)
    except ExamFormatError as error:
        text = (exam_dir / "exam.toml").read_text(encoding="utf-8") if error.problems else ""
        if error.problems and error.problems[0].startswith("not valid TOML"):
            found = re.search(r"line (\d+)", error.problems[0])
            return [Problem("exam.toml", int(found.group(1)) if found else None, error.problems[0])]
        lines = _TomlLines(text) if text else None
        problems = []
        for item in error.problems:
            where, _, message = item.partition(": ")
            unknown = re.match(r"unknown key '([^']+)'", message)
            place = f"{where}.{unknown.group(1)}" if unknown else where
            line = lines.line_of(place) if lines else None
            problems.append(Problem("exam.toml", line, f"{where}: {message}"))
        return problems
    return []


# Python files ----------------------------------------------------------------------------------


def _parse(source: str, file: str) -> ast.Module | Problem:
    try:
        return ast.parse(source, filename=file)
    except SyntaxError as error:
        return Problem(file, error.lineno, f"not valid Python: {error.msg}")


def _saved_names(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """String arguments of every ``.save(...)`` call: the file names a script saves."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "save"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value, node.lineno


def _script_problems(
    model_files: tuple[str, ...], source: str, file: str, starter: bool
) -> list[Problem]:
    tree = _parse(source, file)
    if isinstance(tree, Problem):
        return [tree]
    problems = []
    if not any(
        isinstance(node, ast.FunctionDef) and node.name == "solution_model" for node in tree.body
    ):
        problems.append(Problem(file, 1, "defines no solution_model() (the real starters' frame)"))
    saved = list(_saved_names(tree))
    if not any(name in model_files for name, _ in saved):
        line = saved[0][1] if saved else len(source.splitlines()) or 1
        named = ", ".join(repr(name) for name, _ in saved) or "no file"
        problems.append(
            Problem(
                file,
                line,
                f"saves {named}, not the question's model file "
                f"({' or '.join(model_files)}): no attempt would ever be graded",
            )
        )
    if starter and FIXED_MARKER not in source:
        problems.append(
            Problem(
                file,
                1,
                f"no value is marked {FIXED_MARKER}: mark what the candidate must keep (shapes, "
                "vocabulary size, window) as the real starters did",
            )
        )
    return problems


def _heavy_imports(source: str, file: str) -> list[Problem]:
    tree = _parse(source, file)
    if isinstance(tree, Problem):
        return [tree]
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            if name.split(".")[0] in HEAVY_MODULES:
                problems.append(
                    Problem(
                        file,
                        node.lineno,
                        f"imports {name}: data code runs in the exam's own process, which never "
                        "loads TensorFlow (use numpy, Pillow, json, csv)",
                    )
                )
    return problems


# The grader's hidden data -----------------------------------------------------------------------


def _fits(shape: tuple[int, ...], wanted: tuple[int | None, ...]) -> bool:
    return len(shape) == len(wanted) and all(
        w is None or s == w for s, w in zip(shape, wanted, strict=True)
    )


def _labels_problem(question: Question, y: np.ndarray) -> str | None:
    interface = question.interface
    classes = interface.output_shape[-1] if interface.output_shape else 1
    if interface.output == "regression":
        tail = tuple(y.shape[1:])
        ok = tail == tuple(interface.output_shape) or (
            interface.output_shape == (1,) and tail == ()
        )
        if not ok and interface.sequence_output:
            ok = len(tail) >= 1 and tail[-len(interface.output_shape) :] == interface.output_shape
        return None if ok else f"targets of shape {tail} for an output of {interface.output_shape}"
    if y.ndim >= 2 and y.shape[-1] == classes and classes > 1:
        return None  # one-hot
    values = np.unique(y)
    top = 1 if interface.output == "sigmoid" else classes - 1
    if values.size and (
        values.min() < 0 or values.max() > top or not np.all(values == values.astype(int))
    ):
        return (
            f"labels {values[:6].tolist()}... do not fit a {interface.output} output of {classes}"
        )
    return None


def _grader_problems(
    question: Question, file: str, seed: int, cache: Path | None = None
) -> list[Problem]:
    """The grader's hidden data against the interface; a verdict kept in ``cache`` (a folder,
    :mod:`simulator.grading.check_cache`) is not computed again."""
    cached = cache is not None and not _reads_real_datasets(question)
    key = hidden_data_key(question, seed) if cached else None
    if known_clean(cache, key):
        return []
    problems = _hidden_data_problems(question, file, seed)
    if problems is not None and not problems:
        remember_clean(cache, key, question)
    return problems or []


def _reads_real_datasets(question: Question) -> bool:
    try:
        return bool(question_datasets(question))
    except Exception:  # an author's data code that fails is the grader check's finding
        return True


def _hidden_data_problems(question: Question, file: str, seed: int) -> list[Problem] | None:
    """None when there is nothing to check against (real datasets not prepared here)."""
    try:
        grader = load_question_module(question, question.grader, "grader")
        x, y = grader.test_data(seed)
    except DataNotReadyError:
        return None  # real datasets not prepared here: nothing to check against
    except Exception as error:  # an author's code: every failure is a finding
        return [Problem(file, None, f"test_data({seed}) failed: {type(error).__name__}: {error}")]
    line = _line_of_function(question, "test_data")
    problems = []
    x_shape = tuple(np.shape(x)) if not isinstance(x, (list, tuple, dict)) else None
    if x_shape is not None and not _fits(x_shape[1:], question.interface.input_shape):
        problems.append(
            Problem(
                file,
                line,
                f"the hidden inputs have shape {x_shape[1:]} per example, the interface says "
                f"{question.interface.input_shape}: a model that fits the starter would fail here",
            )
        )
    y_array = np.asarray(y)
    if x_shape is not None and len(y_array) != x_shape[0]:
        problems.append(
            Problem(file, line, f"{x_shape[0]} hidden inputs but {len(y_array)} targets")
        )
    if (found := _labels_problem(question, y_array)) is not None:
        problems.append(Problem(file, line, f"the hidden {found}"))
    return problems


def _line_of_function(question: Question, name: str) -> int | None:
    try:
        source = hidden_bytes(question.folder, question.grader).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(source.splitlines(), start=1):
        if line.startswith(f"def {name}("):
            return number
    return None


# All of it --------------------------------------------------------------------------------------


def _read(folder: Path, name: str) -> str | None:
    try:
        return hidden_bytes(folder, name).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _question_tables(exam_dir: Path) -> list[dict[str, object]]:
    try:
        raw = tomllib.loads((exam_dir / "exam.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    tables = raw.get("questions")
    return [t for t in tables if isinstance(t, dict)] if isinstance(tables, list) else []


def _file_problems(exam_dir: Path, table: dict[str, object]) -> list[Problem]:
    """The checks that need only a question's folder and file names, so that they run even
    when its ``exam.toml`` table has problems of its own."""
    folder_name = table.get("folder")
    if not isinstance(folder_name, str) or not (exam_dir / folder_name).is_dir():
        return []  # exam.toml's own problems say so
    folder = exam_dir / folder_name
    files = table.get("model_files", list(DEFAULT_MODEL_FILES))
    model_files = tuple(f for f in files if isinstance(f, str)) if isinstance(files, list) else ()
    problems = []
    for key, default, starter in (
        ("starter", "starter.py", True),
        ("solution", "solution.py", False),
    ):
        name = table.get(key, default)
        source = _read(folder, name) if isinstance(name, str) else None
        if source is not None:
            problems += _script_problems(model_files, source, f"{folder.name}/{name}", starter)
    data = table.get("data")
    if isinstance(data, str) and (source := _read(folder, data)) is not None:
        problems += _heavy_imports(source, f"{folder.name}/{data}")
    return problems


def check_exam(exam_dir: Path, seed: int | None = None, cache: Path | None = None) -> list[Problem]:
    """Every problem found in the exam at ``exam_dir``; none means it is ready to calibrate.

    ``cache``: a folder keeping which graders' hidden data was found to fit, so that a check
    after a change runs only the graders the change could affect (``tfexam check`` passes
    :attr:`DataPaths.check_cache`)."""
    problems = _toml_problems(exam_dir)
    if any(p.message.startswith("not valid TOML") for p in problems):
        return problems
    if seed is None:
        try:
            raw = tomllib.loads((exam_dir / "exam.toml").read_text(encoding="utf-8"))
            seed = int(raw.get("exam", {}).get("seed", 0))
        except (OSError, ValueError, tomllib.TOMLDecodeError):
            seed = 0
    for table in _question_tables(exam_dir):
        problems += _file_problems(exam_dir, table)
    for question in questions_that_parse(exam_dir):
        file = f"{question.folder.name}/{question.grader}"
        problems += _grader_problems(question, file, seed, cache)
    return problems


# --calibrate -------------------------------------------------------------------------------------

#: Room left between the reference's worst value and the top score line, and between the
#: untrained starter's best value and the line of score 2 (a fifth of the way between them).
SUGGESTION_MARGIN = 0.2


@dataclass(frozen=True)
class ScaleCheck:
    """One question trained on every seed: whether its scale holds, and a better one if not."""

    question: Question
    reference_values: list[float | None]
    baseline_values: list[float | None]
    problems: list[str]
    suggested: tuple[float, ...] | None


def suggest_thresholds(
    lower_is_better: bool, references: list[float], baselines: list[float]
) -> tuple[float, ...] | None:
    """Five score lines that the worst reference run clears for 5/5 and the best untrained
    starter run does not clear for 2/5, spaced evenly (geometrically for an error that spans
    decades); None when the reference is not better than the starter on every seed."""
    if not references or not baselines:
        return None
    if lower_is_better:
        good, bad = max(references), min(baselines)
        if not good < bad:
            return None
        if good > 0:
            top = good * (bad / good) ** SUGGESTION_MARGIN
            second = bad * (good / bad) ** SUGGESTION_MARGIN
            ratio = (top / second) ** (1 / 3)
            lines = [second / ratio, second, second * ratio, second * ratio**2, top]
        else:
            step = (bad - good) / 5
            lines = [bad + step, bad - step, bad - 2 * step, bad - 3 * step, good + step / 2]
    else:
        good, bad = min(references), max(baselines)
        if not good > bad:
            return None
        gap = good - bad
        top, second = good - gap * SUGGESTION_MARGIN, bad + gap * SUGGESTION_MARGIN
        step = (top - second) / 3
        lines = [second - step / 2, second, second + step, second + 2 * step, top]
    return tuple(float(f"{line:.3g}") for line in lines)


def scale_check(question: Question, rows: list[object]) -> ScaleCheck:
    """``rows``: the question's :class:`~simulator.grading.calibrate.QuestionCalibration` per
    seed, in seed order."""
    from simulator.grading.calibrate import QuestionCalibration

    calibrations = [row for row in rows if isinstance(row, QuestionCalibration)]
    problems = [p for row in calibrations for p in row.problems if "trains" not in p]
    references = [row.reference.value for row in calibrations]
    baselines = [row.baseline.value for row in calibrations]
    suggested = None
    if problems:
        suggested = suggest_thresholds(
            question.scoring.lower_is_better,
            [v for v in references if v is not None],
            [v for v in baselines if v is not None],
        )
    return ScaleCheck(question, references, baselines, problems, suggested)
