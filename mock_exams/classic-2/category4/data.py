"""Training data for classic-2's Category 4: the real BBC news file, less a hidden test part.

The real starter downloaded ``bbc-text.csv`` (2,225 articles as ``category,text``, LF), removed
stopwords, and trained on the first ``training_portion = .8`` of the rows. Here ``HIDDEN_COUNTS``
articles per category, drawn at random with the exam seed among the articles that occur only once
in the file, are kept back for the grader; the workspace file holds the other 1,925 rows byte for
byte, in their original order. The counts keep
the categories in the real file's order of frequency (sport 443, business 441, politics 361,
tech 346, entertainment 334 are left), so a label ``Tokenizer`` numbers them as the real one did:
sport 1, business 2, politics 3, tech 4, entertainment 5.

Standard library and NumPy only: this runs in the exam engine.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from simulator.authoring import Exam, dataset_file, require_prepared

DATASETS = ("bbc-news",)
FILE_NAME = "bbc-text.csv"
CATEGORIES = ("sport", "business", "politics", "tech", "entertainment")
#: Hidden articles per category (300 in all; the real file has 511, 510, 417, 401, 386).
HIDDEN_COUNTS = {"sport": 68, "business": 69, "politics": 56, "tech": 55, "entertainment": 52}
STREAM = 4  # the question's own random stream under the exam seed


def check_data(exam: Exam) -> None:
    require_prepared(exam)


def source_lines() -> tuple[bytes, list[bytes]]:
    """The header line and one line per article, as bytes without their LF."""
    lines = dataset_file("bbc-news", FILE_NAME).read_bytes().split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines[0], lines[1:]


def hidden_rows(seed: int, lines: list[bytes]) -> set[int]:
    """Row numbers (0-based, header not counted) of the hidden articles.

    Only articles that occur once in the file are drawn (99 rows are copies of others), so that
    no hidden article has a copy in the workspace.
    """
    counts = Counter(lines)
    categories = [line.split(b",", 1)[0].decode("utf-8") for line in lines]
    rng = np.random.default_rng([seed, STREAM])
    hidden: set[int] = set()
    for name in CATEGORIES:
        rows = [i for i, c in enumerate(categories) if c == name and counts[lines[i]] == 1]
        hidden.update(int(i) for i in rng.choice(rows, size=HIDDEN_COUNTS[name], replace=False))
    return hidden


def split(seed: int) -> tuple[bytes, list[bytes], list[bytes]]:
    """(header, workspace lines, hidden lines), each part in file order."""
    header, lines = source_lines()
    hidden = hidden_rows(seed, lines)
    workspace = [line for i, line in enumerate(lines) if i not in hidden]
    return header, workspace, [lines[i] for i in sorted(hidden)]


def write_data(folder: Path, seed: int) -> None:
    header, workspace, _ = split(seed)
    (folder / FILE_NAME).write_bytes(b"\n".join([header, *workspace]) + b"\n")


def notebook_recipe(seed: int) -> str:
    """Colab code that writes the workspace's file: the public one less the hidden rows."""
    _, lines = source_lines()
    hidden = sorted(hidden_rows(seed, lines))
    return f"""
HIDDEN_ROWS = set({hidden!r})  # tfexam's hidden test (0-based, header not counted)
lines = open(fetch({FILE_NAME!r}), "rb").read().split(b"\\n")
if lines[-1] == b"":
    lines.pop()
kept = [line for i, line in enumerate(lines[1:]) if i not in HIDDEN_ROWS]
with open({FILE_NAME!r}, "wb") as out:
    out.write(b"\\n".join([lines[0], *kept]) + b"\\n")
"""
