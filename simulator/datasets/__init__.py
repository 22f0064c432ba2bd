"""The public datasets of the classic exams: a registry, a verified cache and ``tfexam prepare``.

Nothing here imports TensorFlow (the CLI must stay light): downloads use ``requests``. Exam code
reads a prepared file with :func:`dataset_file`; see docs/datasets.md.
"""

from __future__ import annotations

from pathlib import Path

from simulator.datasets.cache import (
    ChecksumError,
    DatasetError,
    DatasetNotPreparedError,
    cache_root,
    cached_file,
    is_prepared,
    verify,
)
from simulator.datasets.download import NetworkError, download
from simulator.datasets.prepare import (
    OfflineError,
    PrepareReport,
    exam_datasets,
    prepare,
    require_prepared,
    unprepared,
)
from simulator.datasets.registry import DATASETS, REGISTRY, Dataset, RemoteFile, Variant, get


def dataset_file(dataset: str, name: str) -> Path:
    """The cached, verified file ``name`` of ``dataset``; raises when it is not prepared."""
    return cached_file(get(dataset), name)


__all__ = [
    "DATASETS",
    "REGISTRY",
    "ChecksumError",
    "Dataset",
    "DatasetError",
    "DatasetNotPreparedError",
    "NetworkError",
    "OfflineError",
    "PrepareReport",
    "RemoteFile",
    "Variant",
    "cache_root",
    "cached_file",
    "dataset_file",
    "download",
    "exam_datasets",
    "get",
    "is_prepared",
    "prepare",
    "require_prepared",
    "unprepared",
    "verify",
]
