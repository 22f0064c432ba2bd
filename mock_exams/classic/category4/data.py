"""Training data for the classic Category 4: the real sarcasm headlines, less a hidden test part.

The real starter downloaded ``sarcasm.json`` (26,709 records of ``article_link``, ``headline`` and
``is_sarcastic``), trained on the first ``training_size = 20000`` and validated on the rest. Here
``HIDDEN`` records, drawn at random with the exam seed from the headlines after the first 20,000
that occur only once in the file, are kept back for the grader; the workspace's ``sarcasm.json``
holds the other 23,709 in their original order, in the course file's layout (a JSON array, one
record per line, CRLF), so the starter's ``json.load`` and its split at 20,000 work unchanged and
leave 3,709 records to validate on.

The first 20,000 records are the public file's, byte for byte: the starter's tokenizer, fitted on
them, is the same whether a candidate trained on the workspace file or on the public file in
Colab, as candidates of the real exam did. Training on the public file's tail can include hidden
headlines (as training on the whole public file could in the real exam, whose grader's headlines
were never published); docs/datasets.md says so.

Standard library and NumPy only: this runs in the exam engine.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from simulator.authoring import Exam, dataset_file, require_prepared

DATASETS = ("sarcasm",)
FILE_NAME = "sarcasm.json"
HIDDEN = 3_000
TRAINING_SIZE = 20_000
STREAM = 4  # the question's own random stream under the exam seed

Record = dict[str, Any]


def check_data(exam: Exam) -> None:
    require_prepared(exam)


def all_records() -> list[Record]:
    records: list[Record] = json.loads(dataset_file("sarcasm", FILE_NAME).read_bytes())
    return records


def hidden_indices(seed: int, records: list[Record]) -> np.ndarray:
    """The positions of the hidden test records in the original file (sorted).

    Only records after the first ``TRAINING_SIZE`` are drawn, so the tokenizer's sentences are the
    public file's; and only headlines that occur once in the file (107 occur more than once), so
    that no hidden headline has a copy in the workspace.
    """
    counts = Counter(str(r["headline"]) for r in records)
    unique = [
        i for i, r in enumerate(records) if i >= TRAINING_SIZE and counts[str(r["headline"])] == 1
    ]
    rng = np.random.default_rng([seed, STREAM])
    return np.sort(rng.choice(unique, size=HIDDEN, replace=False))


def split(seed: int) -> tuple[list[Record], list[Record]]:
    """(workspace records in file order, hidden test records in file order)."""
    records = all_records()
    hidden = set(hidden_indices(seed, records).tolist())
    workspace = [r for i, r in enumerate(records) if i not in hidden]
    return workspace, [records[i] for i in sorted(hidden)]


def write_data(folder: Path, seed: int) -> None:
    workspace, _ = split(seed)
    body = ",\r\n".join(json.dumps(record) for record in workspace)
    (folder / FILE_NAME).write_bytes(("[\r\n" + body + "\r\n]").encode("utf-8"))


def notebook_recipe(seed: int) -> str:
    """Colab code that writes the workspace's file: the public one less the hidden records."""
    hidden = hidden_indices(seed, all_records()).tolist()
    return f"""
import json

HIDDEN = set({hidden!r})  # tfexam's hidden test (positions in the public file)
records = json.load(open(fetch({FILE_NAME!r}), "rb"))
body = ",\\r\\n".join(json.dumps(r) for i, r in enumerate(records) if i not in HIDDEN)
with open({FILE_NAME!r}, "wb") as out:
    out.write(("[\\r\\n" + body + "\\r\\n]").encode("utf-8"))
"""
