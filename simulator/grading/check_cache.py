"""What ``tfexam check`` found about a grader's hidden data, kept between checks.

Checking a grader runs its ``test_data(seed)``: the question's whole hidden split is generated
(and a text grader imports TensorFlow to tokenize it), seconds per question. An author runs
``tfexam check`` again and again while changing one question; the other questions' hidden data
has not changed, so a grader whose data was found to fit is not run again until something it
could depend on changes. The key covers:

- every file of the question's folder but the candidate's side (the starter and the reference
  solution, which the check reads on its own and ``test_data`` never runs) and the markdown
  (prompt, explanation): the grader, its data module and any helper or data file beside them;
- the grader as it is read (a sealed one from its archive), the question's id and interface;
- the data seed, tfexam's version and this checking code.

Only a clean result is kept (a finding is checked again each time, until it is fixed), and a
question that reads prepared real datasets is never kept (their files live outside the folder).
A cache that cannot be read or written is no cache: the check runs as without it.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from simulator import __version__
from simulator.exam.format import Question
from simulator.exam.hidden_files import hidden_bytes

#: The checking code whose verdict is kept: a change to it is a new verdict.
_CHECKING_CODE = (Path(__file__).with_name("exam_check.py"), Path(__file__))


def hidden_data_key(question: Question, seed: int) -> str | None:
    """The key of the grader's hidden-data verdict for ``seed``; None if a file cannot be read."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("version", __version__.encode())
    add("question", f"{question.id}\0{question.interface!r}\0{seed}".encode())
    skipped = {question.starter, question.solution}
    try:
        for code in _CHECKING_CODE:
            add("checking-code", code.read_bytes())
        add("grader", hidden_bytes(question.folder, question.grader))
        for path in sorted(question.folder.rglob("*")):
            relative = path.relative_to(question.folder)
            if (
                not path.is_file()
                or "__pycache__" in relative.parts
                or relative.as_posix() in skipped
                or path.suffix == ".md"
            ):
                continue
            add(f"file:{relative.as_posix()}", path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def known_clean(folder: Path | None, key: str | None) -> bool:
    """Whether a check with this key found the hidden data fitting before."""
    if folder is None or key is None:
        return False
    try:
        entry = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(entry, dict) and entry.get("problems") == []


def remember_clean(folder: Path | None, key: str | None, question: Question) -> None:
    """Keep that the hidden data under this key fits (written whole or not at all)."""
    if folder is None or key is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=folder, suffix=".tmp", delete=False, encoding="utf-8"
        ) as handle:
            json.dump({"question": question.id, "problems": []}, handle)
        Path(handle.name).replace(folder / f"{key}.json")
    except OSError:
        return
