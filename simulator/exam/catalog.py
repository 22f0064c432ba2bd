"""Finding mock exams, and saying where each one comes from.

Exams are folders with an ``exam.toml``. They come from four places, in this order:

1. the ones shipped with tfexam (the ``mock_exams`` package);
2. ``$TFEXAM_HOME/exams/``: a user's own exams, copied in by hand;
3. the folders named on ``TFEXAM_EXAMS_PATH`` (separated like ``PATH``): a course's exams in a
   shared folder or a checkout;
4. exam packs: installed Python packages that declare an entry point in the group
   ``tfexam.exams`` (a course team publishes its exams with ``pip install our-course-exams``).

An exam's id is its folder's name (the format requires ``exam.id`` to match it). Two exams with
one id are refused, both places named, instead of one silently hiding the other: a learner must
know which exam they take. The catalog only lists and loads, so a broken exam shows up with its
problems instead of hiding the others.
"""

from __future__ import annotations

import os
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import mock_exams
from simulator.exam.format import Exam, ExamFormatError, load_exam
from simulator.paths import DataPaths

if TYPE_CHECKING:
    # Imported where the packs are looked for: importlib.metadata is a tenth of a second of
    # CPU, which 'tfexam resume' (its exam loaded from where it was) spends before its first frame.
    from importlib import metadata

DEFAULT_EXAM = "practice"
#: The environment variable with more exam folders, separated by ``os.pathsep``.
EXAMS_PATH_ENV = "TFEXAM_EXAMS_PATH"
#: The entry-point group an exam pack declares (docs/authoring.md, "Sharing exams as a pack").
ENTRY_POINT_GROUP = "tfexam.exams"


@dataclass(frozen=True)
class ExamOrigin:
    """Where an exam comes from: ``kind`` for scripts, ``label`` for people."""

    kind: str  # "shipped", "home", "path" or "pack"
    label: str


SHIPPED = ExamOrigin("shipped", "shipped with tfexam")


@dataclass(frozen=True)
class ExamFolder:
    """One folder with an ``exam.toml`` and where it was found."""

    exam_id: str
    path: Path
    origin: ExamOrigin


@dataclass(frozen=True)
class CatalogEntry:
    """An exam folder and either its loaded exam or the error that stopped it loading."""

    exam_id: str
    path: Path
    exam: Exam | None
    error: ExamFormatError | DuplicateExamError | ExamPackError | None
    origin: ExamOrigin = SHIPPED


class UnknownExamError(LookupError):
    pass


class DuplicateExamError(LookupError):
    """Two exam folders with one id: taking either could be taking the wrong one."""

    def __init__(self, exam_id: str, places: Iterable[ExamFolder]) -> None:
        self.exam_id = exam_id
        self.places = tuple(places)
        named = " and ".join(f"{p.path} ({p.origin.label})" for p in self.places)
        super().__init__(f"two exams are called {exam_id!r}: {named}; rename or remove one of them")


class ExamPackError(RuntimeError):
    """An installed exam pack whose entry point cannot be loaded or names no exam folder."""

    def __init__(self, entry_point: metadata.EntryPoint, reason: str) -> None:
        self.name = entry_point.name
        self.origin = _pack_origin(entry_point)
        super().__init__(f"exam pack {entry_point.value!r} ({self.origin.label}): {reason}")


def shipped_exams_root() -> Path:
    return Path(mock_exams.__file__).parent


def _exams_in(root: Path, origin: ExamOrigin) -> Iterator[ExamFolder]:
    """``root`` itself if it is an exam, else every exam folder directly inside it, by name."""
    if (root / "exam.toml").is_file():
        yield ExamFolder(root.name, root.resolve(), origin)
        return
    if not root.is_dir():
        return
    for candidate in sorted(root.iterdir()):
        if (candidate / "exam.toml").is_file():
            yield ExamFolder(candidate.name, candidate.resolve(), origin)


def _path_roots() -> list[Path]:
    value = os.environ.get(EXAMS_PATH_ENV, "")
    return [Path(part).expanduser() for part in value.split(os.pathsep) if part.strip()]


def pack_root(entry_point: metadata.EntryPoint) -> Path:
    """The folder an exam pack's entry point names: a package (its folder), or a path or a
    function returning one. Raises :class:`ExamPackError` with the reason when it cannot."""
    try:
        target = entry_point.load()
    except Exception as error:  # a broken pack must not hide the other exams
        raise ExamPackError(
            entry_point, f"could not be loaded: {type(error).__name__}: {error}"
        ) from error
    if isinstance(target, types.ModuleType):
        if target.__file__ is None:
            raise ExamPackError(entry_point, "a package without a folder")
        return Path(target.__file__).resolve().parent
    if callable(target):
        target = target()
    if isinstance(target, (str, os.PathLike)):
        return Path(target)
    raise ExamPackError(entry_point, f"names a {type(target).__name__}, not a package or folder")


def _pack_origin(entry_point: metadata.EntryPoint) -> ExamOrigin:
    dist = getattr(entry_point, "dist", None)
    package = f"package {dist.name} {dist.version}" if dist is not None else "an installed package"
    return ExamOrigin("pack", f"{package} (entry point {ENTRY_POINT_GROUP}: {entry_point.name})")


def _pack_folders() -> Iterator[ExamFolder | ExamPackError]:
    from importlib import metadata  # see the imports above

    for entry_point in sorted(
        metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)
    ):
        try:
            root = pack_root(entry_point)
        except ExamPackError as error:
            yield error
            continue
        yield from _exams_in(root, _pack_origin(entry_point))


def _all_folders(paths: DataPaths | None) -> Iterator[ExamFolder | ExamPackError]:
    """Every exam folder from every place, in the order of the module docstring. With no
    ``paths`` (tests, calibration of the shipped exams) only the shipped exams."""
    yield from _exams_in(shipped_exams_root(), SHIPPED)
    if paths is None:
        return
    yield from _exams_in(paths.user_exams, ExamOrigin("home", f"{paths.user_exams}"))
    for root in _path_roots():
        yield from _exams_in(root, ExamOrigin("path", f"{EXAMS_PATH_ENV} ({root})"))
    yield from _pack_folders()


def _by_id(paths: DataPaths | None) -> tuple[dict[str, list[ExamFolder]], list[ExamPackError]]:
    found: dict[str, list[ExamFolder]] = {}
    broken: list[ExamPackError] = []
    for item in _all_folders(paths):
        if isinstance(item, ExamPackError):
            broken.append(item)
        elif all(item.path != seen.path for seen in found.get(item.exam_id, [])):
            found.setdefault(item.exam_id, []).append(item)
    return found, broken


def exam_folders(paths: DataPaths | None) -> list[Path]:
    """Every exam folder found, clashing ones included (``list_exams`` says which clash)."""
    found, _ = _by_id(paths)
    return [folder.path for places in found.values() for folder in places]


def list_exams(paths: DataPaths | None) -> list[CatalogEntry]:
    """Every exam with where it comes from; a clash of ids is one entry with the error naming
    both places; a pack that cannot be loaded is an entry with its reason."""
    found, broken = _by_id(paths)
    entries = []
    for exam_id, places in found.items():
        first = places[0]
        if len(places) > 1:
            clash = DuplicateExamError(exam_id, places)
            entries.append(CatalogEntry(exam_id, first.path, None, clash, first.origin))
            continue
        try:
            exam: Exam | None = load_exam(first.path)
            error: ExamFormatError | None = None
        except ExamFormatError as problem:
            exam, error = None, problem
        entries.append(CatalogEntry(exam_id, first.path, exam, error, first.origin))
    for pack in broken:
        entries.append(CatalogEntry(pack.name, Path(), None, pack, pack.origin))
    return entries


def find_exam(name: str, paths: DataPaths | None) -> Exam:
    """Load the exam called ``name`` or at path ``name``; the error lists the known exams, or
    names both places when two exams have that id."""
    as_path = Path(name)
    if (as_path / "exam.toml").is_file():
        return load_exam(as_path.resolve())
    found, _ = _by_id(paths)
    places = found.get(name, [])
    if len(places) > 1:
        raise DuplicateExamError(name, places)
    if places:
        return load_exam(places[0].path)
    known = ", ".join(sorted(found)) or "none"
    raise UnknownExamError(f"no exam called {name!r} (known exams: {known})")


def exam_origin(exam: Exam, paths: DataPaths | None) -> ExamOrigin | None:
    """Where a loaded exam was found (None for an exam given by its path)."""
    found, _ = _by_id(paths)
    for folder in found.get(exam.id, []):
        if folder.path == exam.root.resolve():
            return folder.origin
    return None
