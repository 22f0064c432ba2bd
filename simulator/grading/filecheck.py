"""Cheap checks that a saved model file is complete, without importing TensorFlow or h5py.

Keras writes models in place, in many chunks, so a watcher sees half-written files all the time.
These checks read a few bytes of structure (the HDF5 superblock's end-of-file address, a zip's
central directory, a SavedModel's ``saved_model.pb``) to tell "still being written or truncated"
from "complete", and describe a broken file in one line a candidate understands.
"""

from __future__ import annotations

import hashlib
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from simulator.grading.reasons import Reason

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileCheck:
    """The verdict on a model file: complete, or the one-line reason it is not."""

    complete: bool
    reason: str | None = None

    @classmethod
    def ok(cls) -> FileCheck:
        return cls(True, None)

    @classmethod
    def broken(cls, reason: str) -> FileCheck:
        return cls(False, reason)

    def as_reason(self) -> Reason:
        """The verdict as a coded reason: every incomplete file is ``file-broken``."""
        return Reason("file-broken", self.reason or "the model file is incomplete")


#: What each kind of special file is called in a reason.
_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def unreadable_reason(path: Path, shown: str | None = None) -> str | None:
    """Why ``path`` is not a file or folder that can be read as a model, from its metadata alone.

    The rule for odd entries (docs/user-guide.md): a symbolic link is followed, wherever it
    points, to a regular file or a folder; a link to nothing, and a named pipe, socket or device
    (directly or through a link), is "not a regular file". Nothing here opens the entry, so a
    FIFO never blocks. ``shown`` is how the candidate knows the path (default: its name).
    """
    name = shown or path.name
    try:
        mode = path.stat().st_mode  # follows links
    except FileNotFoundError:
        if path.is_symlink():
            return f"{name} is a link to {path.readlink()}, which does not exist"
        return "the file disappeared before it could be read"
    except OSError as error:  # a loop of links, a folder we may not enter
        return f"{name} cannot be read: {error.strerror or error}"
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return None
    kind = next((label for test, label in _SPECIAL_KINDS if test(mode)), "not a file or folder")
    via = " (through a link)" if path.is_symlink() else ""
    return (
        f"{name} is {kind}{via}, not a regular file: save the model with model.save() into the "
        "question's folder"
    )


def oversize_reason(path: Path, max_mb: int, shown: str | None = None) -> str | None:
    """Why ``path`` is too large to grade (its apparent size: a sparse file counts whole)."""
    try:
        size = content_size(path)
    except OSError:
        return None  # gone or unreadable: the other checks say so
    if size <= max_mb * 1024 * 1024:
        return None
    what = "folder" if path.is_dir() else "file"
    return (
        f"the {what} {shown or path.name} is {size / 1024**2:,.0f} MB, over the {max_mb:,} MB "
        "limit for a model: nothing was copied (is it the right file?)"
    )


def refusal_reason(path: Path, shown: str, max_model_mb: int) -> Reason | None:
    """Why an entry is answered from its metadata alone (nothing opens or copies it), or None.

    The one rule for sessions and ``tfexam grade`` alike: odd entries, then the size limit.
    """
    odd = unreadable_reason(path, shown)
    if odd is not None:
        return Reason("not-a-regular-file", odd)
    huge = oversize_reason(path, max_model_mb, shown)
    return None if huge is None else Reason("file-too-large", huge)


def check_model_file(path: Path, shown: str | None = None) -> FileCheck:
    """Check a ``.h5`` or ``.keras`` file or a SavedModel folder for completeness.

    ``shown``: the path as the candidate knows it, for reasons (the checked file may be a copy).
    """
    odd = unreadable_reason(path, shown)
    if odd is not None:
        return FileCheck.broken(odd)
    # The file may go at any moment (a save replacing it, a link pointed elsewhere): then it is
    # a file that could not be read, never an exception in the watcher's thread.
    try:
        if path.is_dir():
            return _check_savedmodel(path, shown or path.name)
        size = path.stat().st_size
        if size == 0:
            return FileCheck.broken("the file is empty (0 bytes): save the model again")
        if path.suffix == ".keras":
            return _check_keras_zip(path)
        return _check_hdf5(path, size)
    except FileNotFoundError:
        return FileCheck.broken("the file disappeared before it could be read")


def _check_hdf5(path: Path, size: int) -> FileCheck:
    with path.open("rb") as handle:
        head = handle.read(4096)
    base = _find_signature(path, head, size)
    if base is None:
        if head.startswith(b"PK\x03\x04"):
            return FileCheck.broken(
                "this is a .keras (zip) file named .h5: save with model.save('mymodel.h5') "
                "or name it mymodel.keras"
            )
        return FileCheck.broken(
            "not an HDF5 model file (signature missing): save it with model.save('mymodel.h5')"
        )
    try:
        stored_eof = _hdf5_end_of_file(path, base)
    except (struct.error, ValueError):
        return FileCheck.broken("the HDF5 header is incomplete: the file is truncated")
    if stored_eof is not None and size < stored_eof:
        return FileCheck.broken(
            f"the file is truncated: HDF5 expects {stored_eof:,} bytes but only {size:,} are there "
            "(was the save or copy interrupted?)"
        )
    return FileCheck.ok()


def _find_signature(path: Path, head: bytes, size: int) -> int | None:
    """HDF5 looks for its signature at 0, 512, 1024, 2048, ... (a user block may precede it)."""
    if head.startswith(HDF5_SIGNATURE):
        return 0
    offset = 512
    with path.open("rb") as handle:
        while offset + len(HDF5_SIGNATURE) <= size and offset <= 1 << 24:
            handle.seek(offset)
            if handle.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
                return offset
            offset *= 2
    return None


def _hdf5_end_of_file(path: Path, base: int) -> int | None:
    """Read the superblock's end-of-file address (absolute), as HDF5 itself checks it."""
    with path.open("rb") as handle:
        handle.seek(base)
        block = handle.read(128)
    version = block[8]
    if version in (0, 1):
        size_of_offsets = block[13]
        position = 24 + (4 if version == 1 else 0)
        base_address = _read_uint(block, position, size_of_offsets)
        eof = _read_uint(block, position + 2 * size_of_offsets, size_of_offsets)
    elif version in (2, 3):
        size_of_offsets = block[9]
        position = 12
        base_address = _read_uint(block, position, size_of_offsets)
        eof = _read_uint(block, position + 2 * size_of_offsets, size_of_offsets)
    else:
        return None
    # Addresses are relative to the base address, which is the superblock's own offset in practice.
    return (base_address if base_address < (1 << 62) else base) + eof


def _read_uint(block: bytes, position: int, width: int) -> int:
    if width not in (2, 4, 8) or position + width > len(block):
        raise ValueError("unexpected HDF5 superblock layout")
    fmt = {2: "<H", 4: "<I", 8: "<Q"}[width]
    return int(struct.unpack_from(fmt, block, position)[0])


def _check_keras_zip(path: Path) -> FileCheck:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return FileCheck.broken(
            "not a complete .keras file: the zip archive is truncated or damaged"
        )
    if "config.json" not in names:
        return FileCheck.broken("the .keras archive has no config.json: it is not a Keras model")
    return FileCheck.ok()


def _check_savedmodel(folder: Path, name: str) -> FileCheck:
    graph = folder / "saved_model.pb"
    if not graph.is_file() or graph.stat().st_size == 0:
        return FileCheck.broken(
            f"the folder {name}/ has no saved_model.pb: not a (complete) SavedModel"
        )
    variables = folder / "variables"
    if variables.is_dir() and not (variables / "variables.index").is_file():
        return FileCheck.broken(
            f"the SavedModel {name}/ has no variables/variables.index: it is incomplete"
        )
    return FileCheck.ok()


def content_hash(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (names and contents, in sorted order)."""
    digest = hashlib.sha256()
    if path.is_dir():
        for member in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(member.relative_to(path).as_posix().encode() + b"\0")
            digest.update(_file_digest(member).encode())
        return digest.hexdigest()
    return _file_digest(path)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def content_size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size
