"""An exam drawn from the bank: one offline question of each category, from every exam installed.

A learner with four shipped exams would otherwise see the same four question sets on every
retake. ``tfexam start --mix`` draws, for each category, one question among every installed
exam's offline questions (those whose data is generated, so no download is needed), keeping
each question's own weight (the category's). ``--seed`` repeats the draw and the data.

The drawn exam is written as an ordinary exam under ``$TFEXAM_HOME/mixes/mix-<seed>/``: an
``exam.toml`` whose questions point at their folders where their own exams have them (a
question's data code may read its exam's other folders, and its grader stays sealed in its
exam's archive). Everything that works on an exam (resume, status, the report, the history)
then works on a mix unchanged. A mix drawn before tfexam moved (reinstalled elsewhere) no
longer loads: draw it again with the same seed.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator.exam.catalog import list_exams
from simulator.exam.code import load_question_module
from simulator.exam.format import Exam, Question, load_exam
from simulator.paths import DataPaths

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Every mix is one exam of this length, like the real exam.
MIX_DURATION = "5h"
CATEGORIES = (1, 2, 3, 4, 5)


class MixError(LookupError):
    """No mix can be drawn (a category without any offline question)."""


@dataclass(frozen=True)
class BankQuestion:
    """One offline question of an installed exam, and the exam it belongs to."""

    exam: Exam
    question: Question

    @property
    def key(self) -> str:
        return f"{self.exam.id}/{self.question.id}"


def is_offline(question: Question) -> bool:
    """Whether a question needs no prepared dataset: its data (if any) is generated."""
    if question.data is None:
        return True
    module = load_question_module(question, question.data, "data")
    return not getattr(module, "DATASETS", ())


def question_bank(paths: DataPaths) -> dict[int, list[BankQuestion]]:
    """Every valid exam's offline questions by category, in a stable order (exam, question).

    A question folder shared by two exams (practice-2 reuses practice's category 2) is one
    question of the bank, not two chances to be drawn."""
    bank: dict[int, list[BankQuestion]] = {category: [] for category in CATEGORIES}
    seen: set[Path] = set()
    for entry in sorted(list_exams(paths), key=lambda e: e.exam_id):
        if entry.exam is None:
            continue
        for question in entry.exam.questions:
            folder = question.folder.resolve()
            if folder in seen or not is_offline(question):
                continue
            seen.add(folder)
            bank[question.category].append(BankQuestion(entry.exam, question))
    return bank


def draw(bank: Mapping[int, Sequence[BankQuestion]], seed: int) -> list[BankQuestion]:
    """One question per category; the same seed and bank give the same draw."""
    rng = random.Random(seed)
    drawn = []
    for category in CATEGORIES:
        choices = bank.get(category, ())
        if not choices:
            raise MixError(f"no installed exam has an offline category-{category} question to draw")
        drawn.append(choices[rng.randrange(len(choices))])
    return drawn


def mix_exam(paths: DataPaths, seed: int) -> Exam:
    """The exam drawn with ``seed``: written under ``$TFEXAM_HOME/mixes`` the first time,
    loaded from there afterwards (a session of it resumes from the same folder)."""
    folder = paths.root / "mixes" / f"mix-{seed}"
    if (folder / "exam.toml").is_file():
        return load_exam(folder)
    drawn = draw(question_bank(paths), seed)
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        _write_mix(scratch, folder.name, seed, drawn)
        scratch.rename(folder)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
        if not (folder / "exam.toml").is_file():  # not another start drawing the same mix
            raise
    return load_exam(folder)


def _write_mix(target: Path, exam_id: str, seed: int, drawn: Sequence[BankQuestion]) -> None:
    folders = [item.question.workspace_folder for item in drawn]
    if len(set(folders)) < len(folders):
        raise MixError(
            f"the questions drawn share a folder name ({', '.join(folders)}): draw again"
        )
    questions = []
    for item in drawn:
        table = dict(_source_table(item))
        table["id"] = f"{item.exam.id}-{item.question.id}"
        # The question's own folder, where its exam has it: its data code may read its
        # exam's other folders, and its hidden files stay sealed in that exam's archive.
        table["folder"] = str(item.question.folder.resolve())
        questions.append(table)
    names = ", ".join(item.key for item in drawn)
    header = {
        "id": exam_id,
        "title": f"Mixed exam (draw {seed})",
        "description": f"One offline question of each category, drawn with seed {seed}: {names}.",
        "duration": MIX_DURATION,
        "pass_mark": drawn[0].exam.pass_mark,
        "policy": drawn[0].exam.policy,
        "seed": seed,
        "fresh_data": True,
    }
    lines = [
        "# Drawn by `tfexam start --mix`: one offline question of each category.",
        "[exam]",
        *(f"{key} = {_toml_value(value)}" for key, value in header.items()),
    ]
    for table in questions:
        lines += ["", "[[questions]]", *(f"{k} = {_toml_value(v)}" for k, v in table.items())]
    (target / "exam.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _source_table(item: BankQuestion) -> dict[str, object]:
    """The question's own table of its exam's ``exam.toml``, as written by its author."""
    raw = tomllib.loads((item.exam.root / "exam.toml").read_text(encoding="utf-8"))
    for table in raw.get("questions", []):
        if table.get("id") == item.question.id:
            return dict(table)
    raise MixError(f"{item.key} is not in its exam.toml any more")


def _toml_value(value: object) -> str:
    """A TOML value for the plain data of an exam table (nested tables written inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} into exam.toml")
