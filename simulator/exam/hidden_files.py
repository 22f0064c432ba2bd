"""A shipped exam's hidden files (each question's grader, reference solution and its
explanation), sealed.

In a development checkout they are plain files next to the starters, to write and review them.
An installed tfexam (a wheel) has them packed instead in one ``sealed.zip`` per exam, written by
the build hook (``hatch_build.py``): an IDE that indexes site-packages, a project search or a
curious ``ls`` finds no solution to read, and the graders are read from the archive when they
run. It is a study aid's courtesy, not a lock: the archive opens with any unzip tool (the user
guide says so). The reference solution is copied into the workspace once the session ended; its explanation
is read for the review (``simulator.exam.reference``).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

# Standard library only, and nothing of tfexam: the build hook (hatch_build.py) loads this file
# alone, by path. So the functions take a question's folder, not a ``Question``.

#: The archive beside an exam's ``exam.toml``.
SEALED_ARCHIVE = "sealed.zip"
#: The files of every question folder that the build seals (pyproject.toml's wheel `exclude`
#: leaves the same names out as plain files).
HIDDEN_FILES = ("grader.py", "solution.py", "explanation.md")
#: A fixed time for every member, so the same files give the same archive (reproducible builds).
ZIP_TIME = (2020, 3, 1, 0, 0, 0)


def sealed_members(exam_dir: Path) -> frozenset[str]:
    """The files in an exam's sealed archive (``category1/grader.py``, ...); none without one."""
    try:
        with zipfile.ZipFile(exam_dir / SEALED_ARCHIVE) as sealed:
            return frozenset(sealed.namelist())
    except (OSError, zipfile.BadZipFile):
        return frozenset()


def hidden_bytes(folder: Path, filename: str) -> bytes:
    """The content of one of the hidden files of the question in ``folder``: its plain file where
    there is one (a checkout), else its member of the exam's sealed archive (an installed
    tfexam)."""
    plain = folder / filename
    if plain.exists():
        return plain.read_bytes()
    archive = folder.parent / SEALED_ARCHIVE
    try:
        with zipfile.ZipFile(archive) as sealed:
            return sealed.read(f"{folder.name}/{filename}")
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        raise FileNotFoundError(
            f"{folder.name}/{filename} is neither a file of the exam nor in its "
            f"{SEALED_ARCHIVE}: {error}"
        ) from None


def copy_hidden(folder: Path, filename: str, target: Path) -> None:
    """Write one of the hidden files of the question in ``folder`` to ``target`` (the revealed
    solution)."""
    target.write_bytes(hidden_bytes(folder, filename))


def seal(exam_dir: Path, names: Iterable[str], archive: Path) -> list[str]:
    """Pack every question folder's files called one of ``names`` into ``archive`` (members
    ``category1/grader.py``, ...); the members written, in order. For the build hook."""
    members = sorted(
        path.relative_to(exam_dir).as_posix()
        for name in set(names)
        for path in exam_dir.glob(f"*/{name}")
        if path.is_file()
    )
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as sealed:
        for member in members:
            info = zipfile.ZipInfo(member, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            sealed.writestr(info, (exam_dir / member).read_bytes())
    return members
