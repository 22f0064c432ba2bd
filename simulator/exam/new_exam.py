"""``tfexam new``: a complete, valid exam to start writing from.

Writing an exam from an empty folder means learning the format from its errors. ``tfexam new``
copies a working exam instead (the offline practice exam by default, or ``--from`` another):
``exam.toml``, every question folder with its prompt, starter, data code, grader and reference
solution as plain files (an installed exam's sealed ones are unpacked), under the new exam's
id, with comments that say what to change. It is valid as written: ``tfexam check`` passes and
``tfexam start PATH`` runs it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from simulator.exam.format import Exam, load_exam
from simulator.exam.hidden_files import SEALED_ARCHIVE, hidden_bytes


class ExamExistsError(FileExistsError):
    """The target folder is there and not empty: never write over an author's work."""


HEADER = """\
# Written by `tfexam new` from the {source} exam: a complete exam to change into your own.
# - [exam]: the title, description, duration, pass mark and the attempt that counts.
# - each [[questions]] table: its id, title, category (1-5) and weight; [questions.interface]
#   is the model's fixed input and output; [questions.scoring] the metric and, for scores
#   1 to 5, the value needed (calibrate them: `tfexam check PATH --calibrate`).
# - each question folder: prompt.md (what the candidate reads), starter.py (what the candidate
#   completes; mark fixed values DO NOT CHANGE), data.py (writes the data, no TensorFlow),
#   grader.py (the hidden test data: test_data(seed)) and solution.py (the reference).
# `tfexam check PATH` lists every problem with its file and line. See docs/authoring.md.
"""


def write_new_exam(target: Path, source: Exam) -> Exam:
    """Write a copy of ``source`` as a new exam at ``target`` (its id: the folder's name)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExamExistsError(f"{target} already exists and is not empty: choose a new folder")
    target.mkdir(parents=True, exist_ok=True)
    toml = (source.root / "exam.toml").read_text(encoding="utf-8")
    for question in source.questions:
        folder = target / question.workspace_folder
        shutil.copytree(
            question.folder,
            folder,
            ignore=shutil.ignore_patterns("__pycache__", SEALED_ARCHIVE),
            dirs_exist_ok=True,
        )
        for name in (question.grader, question.solution):
            (folder / name).write_bytes(hidden_bytes(question.folder, name))
        # A folder shared with another exam (practice-2 reuses practice's category 2) is
        # copied in under its own name: the new exam stands alone.
        relative = (
            question.folder.relative_to(source.root)
            if question.folder.is_relative_to(source.root)
            else None
        )
        if relative is None or str(relative) != question.workspace_folder:
            toml = re.sub(
                r'(folder\s*=\s*)"[^"]*' + re.escape(question.workspace_folder) + '"',
                rf'\g<1>"{question.workspace_folder}"',
                toml,
            )
    toml = _set_exam_key(toml, "id", target.name)
    toml = _set_exam_key(toml, "title", f"{target.name} (written from {source.id})")
    (target / "exam.toml").write_text(HEADER.format(source=source.id) + toml, encoding="utf-8")
    return load_exam(target)


def _set_exam_key(toml: str, key: str, value: str) -> str:
    """Replace ``key = "..."`` in the ``[exam]`` table (the first one: it comes first)."""
    head, sep, rest = toml.partition("[[questions]]")
    pattern = re.compile(rf'^{key}\s*=\s*"[^"\n]*"', re.M)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    head = pattern.sub(lambda _: f'{key} = "{escaped}"', head, count=1)
    return head + sep + rest
