"""Training data for classic-2's Category 5: the real daily minimum temperatures, less 1990.

The course downloaded ``daily-min-temperatures.csv`` (3,650 days of Melbourne, 1981-01-01 to
1990-12-31; header ``"Date","Temp"``, CRLF, no newline at the end). The workspace gets the same
bytes cut after 1989-12-31: a byte-exact prefix of the original file, still without a final
newline. The last ``HIDDEN_DAYS`` (all of 1990) stay in the cache and are the hidden test of
``grader.py``; ``SPLIT_TIME = 2500`` leaves the candidate 785 days to validate on.

Standard library only: this runs in the exam engine.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from simulator.authoring import Exam, dataset_file, require_prepared

DATASETS = ("daily-min-temperatures",)
FILE_NAME = "daily-min-temperatures.csv"
HIDDEN_DAYS = 365


def check_data(exam: Exam) -> None:
    require_prepared(exam)


def source_bytes() -> bytes:
    return dataset_file("daily-min-temperatures", FILE_NAME).read_bytes()


def workspace_bytes() -> bytes:
    """The original file without its last HIDDEN_DAYS rows, in the original's line form."""
    lines = source_bytes().split(b"\r\n")
    if lines[-1] == b"":
        lines.pop()
    return b"\r\n".join(lines[: len(lines) - HIDDEN_DAYS])


def read_series(text: str) -> list[float]:
    """What the starter reads: ``row[1]`` of every row after the header."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=",")
    next(reader)
    return [float(row[1]) for row in reader]


def full_series() -> list[float]:
    return read_series(source_bytes().decode("utf-8"))


def write_data(folder: Path, seed: int) -> None:
    (folder / FILE_NAME).write_bytes(workspace_bytes())


def notebook_recipe(seed: int) -> str:
    """Colab code that writes the workspace's file from the downloaded one (the same cut)."""
    return f"""
lines = open(fetch({FILE_NAME!r}), "rb").read().split(b"\\r\\n")
if lines[-1] == b"":
    lines.pop()
with open({FILE_NAME!r}, "wb") as out:  # the last {HIDDEN_DAYS} days are tfexam's hidden test
    out.write(b"\\r\\n".join(lines[: len(lines) - {HIDDEN_DAYS}]))
"""
