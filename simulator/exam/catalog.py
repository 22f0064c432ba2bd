"""Finding mock exams: the ones shipped in the ``mock_exams`` package and a user's own.

Exams are folders with an ``exam.toml``; the catalog only lists and loads them, so a broken exam
written by a user shows up with its problems instead of hiding the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import mock_exams
from simulator.exam.format import Exam, ExamFormatError, load_exam
from simulator.paths import DataPaths

DEFAULT_EXAM = "practice"


@dataclass(frozen=True)
class CatalogEntry:
    """An exam folder and either its loaded exam or the error that stopped it loading."""

    exam_id: str
    path: Path
    exam: Exam | None
    error: ExamFormatError | None


def shipped_exams_root() -> Path:
    return Path(mock_exams.__file__).parent


def exam_folders(paths: DataPaths | None) -> list[Path]:
    """Every folder with an ``exam.toml``: shipped exams first, then the user's by name."""
    roots = [shipped_exams_root()]
    if paths is not None and paths.user_exams.is_dir():
        roots.append(paths.user_exams)
    found: dict[str, Path] = {}
    for root in roots:
        for candidate in sorted(root.iterdir()):
            if (candidate / "exam.toml").is_file():
                found.setdefault(candidate.name, candidate)
    return list(found.values())


def list_exams(paths: DataPaths | None) -> list[CatalogEntry]:
    entries = []
    for folder in exam_folders(paths):
        try:
            entries.append(CatalogEntry(folder.name, folder, load_exam(folder), None))
        except ExamFormatError as error:
            entries.append(CatalogEntry(folder.name, folder, None, error))
    return entries


class UnknownExamError(LookupError):
    pass


def find_exam(name: str, paths: DataPaths | None) -> Exam:
    """Load the exam called ``name`` or at path ``name``; the error lists the known exams."""
    as_path = Path(name)
    if (as_path / "exam.toml").is_file():
        return load_exam(as_path.resolve())
    for folder in exam_folders(paths):
        if folder.name == name:
            return load_exam(folder)
    known = ", ".join(folder.name for folder in exam_folders(paths)) or "none"
    raise UnknownExamError(f"no exam called {name!r} (known exams: {known})")
