"""Editing the workspace's files from tfexam: saving safely, and what an editor checks.

No Textual here: the editor tabs (:mod:`simulator.tui.editor_area`) call these, and the tests
call them on their own.

Saving writes the whole text to a hidden temporary file in the same folder, flushes it to disk
and renames it over the file: the folder watcher, a training that imports the file and a
candidate's other editor only ever see the old file or the new one, never half of it. The file's
permission bits are kept.
"""

from __future__ import annotations

import ast
import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: A file larger than this is not opened in a tab (a dataset, not code): the external editor or
#: a viewer is the better tool.
MAX_EDIT_BYTES = 2 * 1024 * 1024
#: Bytes looked at to tell a text file from a binary one (a NUL byte means binary).
SNIFF_BYTES = 8192
INDENT = "    "


class NotEditableError(ValueError):
    """The file cannot be opened in an editor tab (too large, binary, not UTF-8, unreadable)."""


@dataclass(frozen=True)
class DiskState:
    """What a file on disk looked like when tfexam last read or wrote it."""

    mtime_ns: int
    size: int

    @staticmethod
    def of(path: Path) -> DiskState | None:
        try:
            info = path.stat()
        except OSError:
            return None
        return DiskState(info.st_mtime_ns, info.st_size)


@dataclass(frozen=True)
class SyntaxProblem:
    """Where Python stops reading a file, and why, as ``python file.py`` would say it."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def read_for_editing(path: Path) -> str:
    """The file's text, or :class:`NotEditableError` saying why it has no tab
    (``FileNotFoundError`` for a file that is not there)."""
    try:
        size = path.stat().st_size
        if size > MAX_EDIT_BYTES:
            raise NotEditableError(
                f"{path.name} is {size / 2**20:.1f} MB: too large to edit here "
                f"(o opens it in your own editor)"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as error:
        raise NotEditableError(f"{path.name} cannot be read: {error.strerror or error}") from None
    if b"\0" in data[:SNIFF_BYTES]:
        raise NotEditableError(f"{path.name} is not a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotEditableError(f"{path.name} is not UTF-8 text") from None


def save_atomically(path: Path, text: str) -> DiskState:
    """Write ``text`` to ``path`` whole or not at all (temporary file, fsync, rename)."""
    mode = None
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(path.stat().st_mode)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tfexam-save",
                                        dir=path.parent)  # fmt: skip
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            temporary.chmod(mode)
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    state = DiskState.of(path)
    assert state is not None
    return state


def syntax_problem(text: str, filename: str) -> SyntaxProblem | None:
    """The first syntax error Python would report for ``text``, or None."""
    try:
        ast.parse(text, filename=filename)
    except SyntaxError as error:
        return SyntaxProblem(error.lineno or 1, error.offset or 1, error.msg)
    except ValueError as error:  # e.g. a NUL character
        return SyntaxProblem(1, 1, str(error))
    return None


def toggle_comment(lines: list[str]) -> list[str]:
    """PyCharm's Ctrl+/: comment the lines out (``# `` at their common indent), or, when every
    non-blank line is a comment already, take the comment marks away."""
    written = [line for line in lines if line.strip()]
    if not written:
        return lines
    if all(line.lstrip().startswith("#") for line in written):
        uncommented = []
        for line in lines:
            stripped = line.lstrip()
            if not stripped.startswith("#"):
                uncommented.append(line)
                continue
            indent = line[: len(line) - len(stripped)]
            body = stripped[1:]
            uncommented.append(indent + (body[1:] if body.startswith(" ") else body))
        return uncommented
    column = min(len(line) - len(line.lstrip()) for line in written)
    return [line[:column] + "# " + line[column:] if line.strip() else line for line in lines]


def indent_for_next_line(line: str) -> str:
    """The indentation a new line after ``line`` starts with: the same, one level deeper after
    a ``:`` (a block opens), as PyCharm does when Enter is pressed."""
    indent = line[: len(line) - len(line.lstrip())]
    code = line.split("#", 1)[0].rstrip()
    return indent + INDENT if code.endswith(":") else indent
