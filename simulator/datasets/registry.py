"""Every public dataset the classic exams use: where the real exam's code downloaded it, and how
a copy is recognised as the right one.

Sizes and sha256 sums are the published ones where they exist (TensorFlow Datasets' checksum
files, Keras' ``file_hash``, public download logs); ``exact`` says whether the bytes are known to be
the official ones. A file whose official sha256 was never published (``sarcasm.json``) is checked
by its official size and by its content (``check``), and known good copies of other bytes can be
listed in ``also_accepted``. Evidence for each entry: docs/datasets.md.

Standard library only: this module is imported by the CLI, which never imports TensorFlow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: Where the exam's own files were served from (the real starters' URLs).
TF_DATA = "https://storage.googleapis.com/download.tensorflow.org/data/"
COURSE_BUCKET = "https://storage.googleapis.com/laurencemoroney-blog.appspot.com/"
KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
ZALANDO = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"


class ContentError(ValueError):
    """A file's content is not what its dataset should hold (the message says what differs)."""


@dataclass(frozen=True)
class Variant:
    """Another copy of a file that holds the same data in other bytes (and is accepted)."""

    size: int
    sha256: str
    note: str


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset, under the name the real starter code saved it as."""

    name: str
    urls: tuple[str, ...]
    size: int | None
    sha256: str | None
    #: Whether ``size``/``sha256`` are the official file's (published or confirmed), so that a
    #: verified copy is byte-identical to what the exam downloaded.
    exact: bool
    also_accepted: tuple[Variant, ...] = ()
    #: A content check for a file without a published sha256; raises :class:`ContentError`.
    check: Callable[[Path], None] | None = field(default=None, compare=False)

    @property
    def expected_bytes(self) -> int:
        """What a download costs (the official size, else the largest accepted copy)."""
        sizes = [self.size or 0, *(variant.size for variant in self.also_accepted)]
        return max(sizes)


@dataclass(frozen=True)
class Dataset:
    """A dataset: one or more files, with its provenance and licence."""

    name: str
    title: str
    files: tuple[RemoteFile, ...]
    source: str
    licence: str

    @property
    def expected_bytes(self) -> int:
        return sum(file.expected_bytes for file in self.files)

    @property
    def exact(self) -> bool:
        return all(file.exact for file in self.files)

    def file(self, name: str) -> RemoteFile:
        for remote in self.files:
            if remote.name == name:
                return remote
        raise KeyError(f"dataset {self.name!r} has no file {name!r}")


# Content checks ---------------------------------------------------------------------------------

SARCASM_RECORDS = 26_709
SARCASM_SARCASTIC = 11_724


def check_sarcasm(path: Path) -> None:
    """The course's sarcasm.json: a JSON array of 26,709 headline records, 11,724 sarcastic."""
    try:
        records = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ContentError(f"not a JSON document ({error})") from None
    if not isinstance(records, list) or len(records) != SARCASM_RECORDS:
        count = len(records) if isinstance(records, list) else "no"
        raise ContentError(f"expected a list of {SARCASM_RECORDS} records, found {count}")
    keys = {"article_link", "headline", "is_sarcastic"}
    if not all(isinstance(r, dict) and set(r) == keys for r in records):
        raise ContentError(f"every record must have exactly the keys {sorted(keys)}")
    sarcastic = sum(1 for r in records if r["is_sarcastic"] == 1)
    if sarcastic != SARCASM_SARCASTIC:
        raise ContentError(f"expected {SARCASM_SARCASTIC} sarcastic headlines, found {sarcastic}")


# The registry -----------------------------------------------------------------------------------


def _mirrors(name: str, *bases: str) -> tuple[str, ...]:
    return tuple(base + name for base in bases)


def _fashion(name: str, size: int, sha256: str) -> RemoteFile:
    return RemoteFile(name, _mirrors(name, KERAS_DATASETS, ZALANDO), size, sha256, exact=True)


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        name="sunspots",
        title="Monthly mean total sunspot number, 1749-2018",
        files=(
            RemoteFile(
                "Sunspots.csv",
                (
                    TF_DATA + "Sunspots.csv",
                    COURSE_BUCKET + "Sunspots.csv",
                    "https://storage.googleapis.com/tensorflow-1-public/course4/Sunspots.csv",
                ),
                size=70_827,
                sha256="0ef4cf0379879a9be0043885d8de1c1907ae852c903a0fcbbc58ba813efb3f10",
                exact=True,
            ),
        ),
        source="SILSO World Data Center, Royal Observatory of Belgium (a 2018 Kaggle export, as "
        "the TensorFlow course and exam served it)",
        licence="SILSO data: CC BY-NC 4.0",
    ),
    Dataset(
        name="daily-min-temperatures",
        title="Daily minimum temperatures in Melbourne, 1981-1990",
        files=(
            RemoteFile(
                "daily-min-temperatures.csv",
                (
                    "https://raw.githubusercontent.com/jbrownlee/Datasets/master/"
                    "daily-min-temperatures.csv",
                ),
                size=67_921,
                sha256="8b9de63ed6789492bf497625e7f9beb96a63d367b4b0a21754006f749fa5e5da",
                exact=True,
            ),
        ),
        source="Australian Bureau of Meteorology, via Jason Brownlee's Datasets repository "
        "(the URL the TensorFlow course used)",
        licence="not stated by the repository; the data are the Bureau of Meteorology's",
    ),
    Dataset(
        name="sarcasm",
        title="News headlines for sarcasm detection (HuffPost and The Onion)",
        files=(
            RemoteFile(
                "sarcasm.json",
                (TF_DATA + "sarcasm.json", COURSE_BUCKET + "sarcasm.json"),
                size=5_643_545,
                sha256=None,
                exact=False,
                also_accepted=(
                    Variant(
                        5_643_542,
                        "e8d3811c69ff5cdf1bd907921f696bb0941a68434d5fa3e21e50704b664592b4",
                        "rebuilt from the author's Kaggle v1 file in the course's layout; the "
                        "same 26,709 records, 3 bytes shorter",
                    ),
                ),
                check=check_sarcasm,
            ),
        ),
        source="Rishabh Misra, News Headlines Dataset for Sarcasm Detection (v1, 2018), as "
        "the TensorFlow course served it",
        licence="published by the author for research use, citation requested",
    ),
    Dataset(
        name="bbc-news",
        title="BBC news articles in five topics (2004-2005)",
        files=(
            RemoteFile(
                "bbc-text.csv",
                (TF_DATA + "bbc-text.csv", COURSE_BUCKET + "bbc-text.csv"),
                size=5_057_493,
                sha256="fdaee0f7451cd8db2709d00e992886fe1c387ee332b8c7b7c1554ed3d3e3382e",
                exact=True,
            ),
        ),
        source="D. Greene and P. Cunningham, BBC datasets (ICML 2006), as one CSV in the "
        "TensorFlow course",
        licence="for non-commercial research; the articles are the BBC's",
    ),
    Dataset(
        name="fashion-mnist",
        title="Fashion-MNIST (Zalando), 28x28 grey images of 10 kinds of clothing",
        files=(
            _fashion(
                "train-labels-idx1-ubyte.gz",
                29_515,
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            ),
            _fashion(
                "train-images-idx3-ubyte.gz",
                26_421_880,
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            ),
            _fashion(
                "t10k-labels-idx1-ubyte.gz",
                5_148,
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            ),
            _fashion(
                "t10k-images-idx3-ubyte.gz",
                4_422_102,
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            ),
        ),
        source="Zalando Research (the files tf.keras.datasets.fashion_mnist downloads)",
        licence="MIT",
    ),
    Dataset(
        name="mnist",
        title="MNIST handwritten digits, 28x28 grey images",
        files=(
            RemoteFile(
                "mnist.npz",
                (KERAS_DATASETS + "mnist.npz",),
                size=11_490_434,
                sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
                exact=True,
            ),
        ),
        source="Yann LeCun and Corinna Cortes (the file tf.keras.datasets.mnist downloads)",
        licence="CC BY-SA 3.0",
    ),
    Dataset(
        name="horses-or-humans",
        title="Horses or humans: 300x300 computer-generated images",
        files=(
            RemoteFile(
                "horse-or-human.zip",
                _mirrors("horse-or-human.zip", TF_DATA, COURSE_BUCKET),
                size=149_574_867,
                sha256="e2e6f70d3d549c5dd10a57165e55af253ee66ad750403f95c0fb76bb943633a9",
                exact=True,
            ),
            RemoteFile(
                "validation-horse-or-human.zip",
                _mirrors("validation-horse-or-human.zip", TF_DATA, COURSE_BUCKET),
                size=11_480_187,
                sha256="ae5fff2f4f5554791f05358108e2e05d9801b191f1896ea101402f0e7f6c32c0",
                exact=True,
            ),
        ),
        source="Laurence Moroney (checksums as published by TensorFlow Datasets)",
        licence="CC BY 2.0",
    ),
    Dataset(
        name="rock-paper-scissors",
        title="Rock paper scissors: 300x300 computer-generated hands",
        files=(
            RemoteFile(
                "rps.zip",
                _mirrors("rps.zip", TF_DATA, COURSE_BUCKET),
                size=200_682_221,
                sha256="c2403444395842ad04c53612bad54b574443eae17a0723117a2ff87b9d72194f",
                exact=True,
            ),
            RemoteFile(
                "rps-test-set.zip",
                _mirrors("rps-test-set.zip", TF_DATA, COURSE_BUCKET),
                size=29_516_758,
                sha256="c27ab9fa43ce40b2e453de711365b477f4424586edf0388116674fd320f07503",
                exact=True,
            ),
        ),
        source="Laurence Moroney (checksums as published by TensorFlow Datasets)",
        licence="CC BY 2.0",
    ),
)

REGISTRY: dict[str, Dataset] = {dataset.name: dataset for dataset in DATASETS}


def get(name: str) -> Dataset:
    """The registered dataset called ``name``."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise KeyError(f"no dataset called {name!r} (known: {known})") from None
