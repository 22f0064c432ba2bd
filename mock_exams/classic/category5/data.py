"""Training data for the classic Category 5: the real monthly sunspots file, less its last 100 months.

The real starter downloaded ``Sunspots.csv`` (3,235 months, 1749-01 to 2018-07) and saved it as
``sunspots.csv``. The workspace gets the same bytes cut after month 3,134 (2010-03): a byte-exact
prefix of the original file, CRLF line endings and all. The last ``HIDDEN_MONTHS`` (2010-04 to
2018-07, solar cycle 24) stay in the cache and are the hidden test of ``grader.py``. The real
``SPLIT_TIME = 3000`` still leaves the candidate 135 months (1999-01 to 2010-03) to validate on.

Standard library only: this runs in the exam engine.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from simulator.authoring import Exam, dataset_file, require_prepared

DATASETS = ("sunspots",)
SOURCE = "Sunspots.csv"  # the name in the cache (the file the exam downloaded)
FILE_NAME = "sunspots.csv"  # the name the real starter saved it under
HIDDEN_MONTHS = 100


def check_data(exam: Exam) -> None:
    require_prepared(exam)


def source_bytes() -> bytes:
    return dataset_file("sunspots", SOURCE).read_bytes()


def workspace_bytes() -> bytes:
    """The original file without its last HIDDEN_MONTHS rows (same header, same line endings)."""
    lines = source_bytes().split(b"\r\n")
    if lines[-1] == b"":
        lines.pop()
    return b"\r\n".join(lines[: len(lines) - HIDDEN_MONTHS]) + b"\r\n"


def read_series(text: str) -> tuple[list[int], list[float]]:
    """What the real starter reads: ``row[0]`` as the time step and ``row[2]`` as the value."""
    time_step, sunspots = [], []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=",")
    next(reader)
    for row in reader:
        sunspots.append(float(row[2]))
        time_step.append(int(row[0]))
    return time_step, sunspots


def full_series() -> list[float]:
    """Every month of the original file, training part first."""
    return read_series(source_bytes().decode("utf-8"))[1]


def write_data(folder: Path, seed: int) -> None:
    (folder / FILE_NAME).write_bytes(workspace_bytes())


def notebook_recipe(seed: int) -> str:
    """Colab code that writes the workspace's file from the downloaded one (the same cut)."""
    return f"""
lines = open(fetch({SOURCE!r}), "rb").read().split(b"\\r\\n")
if lines[-1] == b"":
    lines.pop()
with open({FILE_NAME!r}, "wb") as out:  # the last {HIDDEN_MONTHS} months are tfexam's hidden test
    out.write(b"\\r\\n".join(lines[: len(lines) - {HIDDEN_MONTHS}]) + b"\\r\\n")
"""
