"""The dataset cache: ``<tfexam data dir>/datasets/<dataset>/<file>``, verified files only.

A file gets its final name only after it was verified (size and sha256, or size and content where
no sha256 was ever published), so "the file exists with an accepted size" means "prepared".
Downloads and imports write ``<file>.part`` first; a copy that fails verification is removed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from simulator.datasets.registry import ContentError, Dataset, RemoteFile
from simulator.exam.workspace import DataNotReadyError
from simulator.paths import data_paths

CHUNK = 1 << 20
PART_SUFFIX = ".part"


class DatasetError(RuntimeError):
    """Preparing a dataset failed; the message is one line that says what to do."""


class ChecksumError(DatasetError):
    """A downloaded or imported copy is not the expected file (it was removed)."""


class DatasetNotPreparedError(DataNotReadyError):
    """A question needs a dataset that is not in the cache yet."""


def cache_root() -> Path:
    """The folder under the tfexam data directory that holds every prepared dataset."""
    return data_paths().root / "datasets"


def file_path(dataset: Dataset, remote: RemoteFile, root: Path | None = None) -> Path:
    return (root or cache_root()) / dataset.name / remote.name


def part_path(target: Path) -> Path:
    return target.with_name(target.name + PART_SUFFIX)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Verified:
    """How a copy was recognised: ``"sha256"`` (the official bytes or a listed copy's) or
    ``"size+content"`` (the official size, and the content checked)."""

    how: str
    note: str = ""


def accepted_sizes(remote: RemoteFile) -> set[int]:
    sizes = {variant.size for variant in remote.also_accepted}
    if remote.size is not None:
        sizes.add(remote.size)
    return sizes


def verify(remote: RemoteFile, path: Path) -> Verified:
    """Check a copy of ``remote``; raise :class:`ChecksumError` saying what differs."""
    size = path.stat().st_size
    sizes = accepted_sizes(remote)
    if sizes and size not in sizes:
        expected = " or ".join(f"{s:,}" for s in sorted(sizes))
        raise ChecksumError(f"{remote.name}: {size:,} bytes, expected {expected}")
    digest = sha256_of(path)
    if remote.sha256 is not None and size == remote.size:
        if digest != remote.sha256:
            raise ChecksumError(
                f"{remote.name}: sha256 {digest[:16]}..., expected {remote.sha256[:16]}..."
            )
        return Verified("sha256")
    for variant in remote.also_accepted:
        if size == variant.size:
            if digest != variant.sha256:
                raise ChecksumError(
                    f"{remote.name}: sha256 {digest[:16]}..., expected {variant.sha256[:16]}... "
                    f"({variant.note})"
                )
            return Verified("sha256", variant.note)
    if remote.check is None:
        raise ChecksumError(f"{remote.name}: no checksum or content check to verify it by")
    try:
        remote.check(path)
    except ContentError as error:
        raise ChecksumError(f"{remote.name}: {error}") from None
    return Verified("size+content")


def is_prepared(dataset: Dataset, root: Path | None = None) -> bool:
    """Whether every file of ``dataset`` is in the cache (only verified files get there)."""
    return all(_present(remote, file_path(dataset, remote, root)) for remote in dataset.files)


def missing_files(dataset: Dataset, root: Path | None = None) -> list[RemoteFile]:
    return [r for r in dataset.files if not _present(r, file_path(dataset, r, root))]


def _present(remote: RemoteFile, path: Path) -> bool:
    try:
        size = path.stat().st_size
    except OSError:
        return False
    sizes = accepted_sizes(remote)
    return not sizes or size in sizes


def cached_file(dataset: Dataset, name: str, root: Path | None = None) -> Path:
    """The path of a prepared file; raises :class:`DatasetNotPreparedError` when it is missing."""
    remote = dataset.file(name)
    path = file_path(dataset, remote, root)
    if not _present(remote, path):
        raise DatasetNotPreparedError(
            f"dataset {dataset.name!r} is not prepared ({name} is not in {path.parent}): "
            "run `tfexam prepare EXAM` for the exam that uses it"
        )
    return path


def install(remote: RemoteFile, part: Path, target: Path) -> Verified:
    """Verify a complete ``.part`` file and give it its final name; a bad one is removed."""
    try:
        verified = verify(remote, part)
    except ChecksumError:
        part.unlink(missing_ok=True)
        raise
    part.replace(target)
    return verified
