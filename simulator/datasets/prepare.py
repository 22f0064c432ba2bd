"""Which datasets an exam needs, whether they are prepared, and preparing them.

A question's ``data.py`` declares the datasets it reads as ``DATASETS = ("sunspots",)`` and
defines ``check_data(exam)`` (the workspace hook) as ``require_prepared(exam)``, so that
``tfexam start`` refuses with one line before it creates anything.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from simulator.datasets.cache import (
    DatasetError,
    DatasetNotPreparedError,
    Verified,
    cache_root,
    file_path,
    install,
    missing_files,
    part_path,
)
from simulator.datasets.download import NetworkError, Reporter, download
from simulator.datasets.registry import Dataset, RemoteFile, get
from simulator.exam.code import load_question_module
from simulator.exam.format import Exam, Question

#: Where a question's data module lists its datasets.
DECLARATION = "DATASETS"
#: A base URL that replaces every file's own URLs (a local mirror): ``<mirror>/<file name>``.
MIRROR_ENV = "TFEXAM_DATASETS_MIRROR"
#: How deep ``--from DIR`` looks for a file (DIR/file, DIR/dataset/file, ...).
SEARCH_DEPTH = 3


class OfflineError(NetworkError):
    """The network cannot be reached; the message is the one line for the user."""


def question_datasets(question: Question) -> list[Dataset]:
    """The datasets a question's data module declares (none for generated data)."""
    if question.data is None:
        return []
    module = load_question_module(question, question.data, "data")
    return [get(name) for name in getattr(module, DECLARATION, ())]


def exam_datasets(exam: Exam) -> list[Dataset]:
    """The datasets the exam's questions declare, in question order, each once."""
    found: dict[str, Dataset] = {}
    for question in exam.questions:
        for dataset in question_datasets(question):
            found.setdefault(dataset.name, dataset)
    return list(found.values())


def question_ready(question: Question, root: Path | None = None) -> bool:
    """Whether every dataset the question reads is prepared."""
    return not any(missing_files(d, root) for d in question_datasets(question))


def mirror_urls(remote: RemoteFile) -> list[str] | None:
    """``$TFEXAM_DATASETS_MIRROR/<file>`` when a mirror is set, else None (the file's own URLs)."""
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    return [f"{mirror.rstrip('/')}/{remote.name}"] if mirror else None


def megabytes(count: int) -> str:
    """A size for people: ``68 KB``, ``5.1 MB``, ``197 MB``."""
    if count < 1e6:
        return f"{count / 1e3:.0f} KB"
    return f"{count / 1e6:.1f} MB" if count < 10e6 else f"{count / 1e6:.0f} MB"


def download_size(datasets: Sequence[Dataset], root: Path | None = None) -> int:
    return sum(remote.expected_bytes for d in datasets for remote in missing_files(d, root))


def unprepared(exam: Exam, root: Path | None = None) -> list[Dataset]:
    return [d for d in exam_datasets(exam) if missing_files(d, root)]


def require_prepared(exam: Exam) -> None:
    """Raise :class:`DatasetNotPreparedError` (one line: what and how) unless all are prepared."""
    missing = unprepared(exam)
    if missing:
        names = ", ".join(d.name for d in missing)
        raise DatasetNotPreparedError(
            f"the {exam.id} exam needs datasets that are not prepared yet ({names}; "
            f"{megabytes(download_size(missing))} to download once): run `tfexam prepare "
            f"{exam.id}` (or `tfexam prepare {exam.id} --from DIR` with the files already "
            "downloaded)"
        )


def offline_message(missing_bytes: int, reason: str) -> str:
    return (
        f"the classic exams need to download {megabytes(missing_bytes)} once; the offline "
        f"practice exams work without a network ({reason})"
    )


@dataclass
class FileOutcome:
    dataset: Dataset
    remote: RemoteFile
    #: "cached" (already there), "downloaded", "imported", "not found" (with --from), or
    #: "failed" (a bad copy or a server's error: ``error`` says which, in one line).
    action: str
    verified: Verified | None = None
    error: str | None = None


@dataclass
class PrepareReport:
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def not_found(self) -> list[FileOutcome]:
        return [f for f in self.files if f.action == "not found"]

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.action == "failed"]


def find_in(folder: Path, dataset: Dataset, remote: RemoteFile) -> Path | None:
    """``folder/<file>``, ``folder/<dataset>/<file>``, else the shallowest file of that name."""
    for candidate in (folder / remote.name, folder / dataset.name / remote.name):
        if candidate.is_file():
            return candidate
    for depth in range(1, SEARCH_DEPTH + 1):
        pattern = "/".join(["*"] * depth) + "/" + remote.name
        for candidate in sorted(folder.glob(pattern)):
            if candidate.is_file():
                return candidate
    return None


def import_file(
    dataset: Dataset, remote: RemoteFile, source: Path, root: Path | None = None
) -> Verified:
    """Copy an already-downloaded file into the cache, verified like a download."""
    target = file_path(dataset, remote, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(target)
    shutil.copyfile(source, part)
    return install(remote, part, target)


def prepare(
    datasets: Sequence[Dataset],
    *,
    source_dir: Path | None = None,
    reporter: Reporter | None = None,
    root: Path | None = None,
    urls_for: Callable[[Dataset, RemoteFile], Sequence[str]] | None = None,
) -> PrepareReport:
    """Bring every file of ``datasets`` into the cache: import from ``source_dir`` if given,
    else download.

    A file that fails on its own (a bad copy, a server's error, a host that cannot be reached)
    is reported as ``failed`` and the others still come: one bad mirror file or one dead host
    should not cost the other 190 MB. When no file could reach its host at all, the machine is
    offline: :class:`OfflineError`, with the one line that says so.
    """
    root = root or cache_root()
    report = PrepareReport()
    unreachable: list[NetworkError] = []
    reached = False
    for dataset in datasets:
        missing = set(missing_files(dataset, root))
        for remote in dataset.files:
            if remote not in missing:
                report.files.append(FileOutcome(dataset, remote, "cached"))
                continue
            try:
                report.files.append(_bring(dataset, remote, root, source_dir, reporter, urls_for))
                reached = True
            except DatasetError as error:
                if isinstance(error, NetworkError):
                    unreachable.append(error)
                else:
                    reached = True  # a server answered, however badly
                failure = FileOutcome(dataset, remote, "failed", error=f"{dataset.name}: {error}")
                report.files.append(failure)
    if unreachable and not reached:
        still = download_size(datasets, root)
        raise OfflineError(offline_message(still, str(unreachable[0]))) from unreachable[0]
    return report


def _bring(
    dataset: Dataset,
    remote: RemoteFile,
    root: Path,
    source_dir: Path | None,
    reporter: Reporter | None,
    urls_for: Callable[[Dataset, RemoteFile], Sequence[str]] | None,
) -> FileOutcome:
    """Import or download one missing file; raises what went wrong."""
    if source_dir is not None:
        found = find_in(source_dir, dataset, remote)
        if found is None:
            return FileOutcome(dataset, remote, "not found")
        if reporter is not None:
            reporter.start(remote, found.stat().st_size, 0)
        verified = import_file(dataset, remote, found, root)
        if reporter is not None:
            reporter.advance(found.stat().st_size)
        return FileOutcome(dataset, remote, "imported", verified)
    urls = urls_for(dataset, remote) if urls_for is not None else mirror_urls(remote)
    verified = download(remote, file_path(dataset, remote, root), urls=urls, reporter=reporter)
    return FileOutcome(dataset, remote, "downloaded", verified)
