"""Benchmark session start for every shipped exam: workspace creation time and data size.

Run:  .venv/bin/python benchmarks/exam_start.py [--json-out FILE]

Goals (issue: offline mock exams): start under 15 s including data generation, and under 100 MB
of workspace data, for either exam. The session's clock starts only after this work.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from machine import describe_machine, print_json  # benchmarks/machine.py, beside this script

from simulator.catalog import list_exams
from simulator.datasets import exam_datasets
from simulator.paths import DataPaths
from simulator.sessions import NewSession, create_session
from simulator.store import Store


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {"machine": describe_machine()}
    rows = []
    with tempfile.TemporaryDirectory(prefix="tfexam-start-") as scratch:
        root = Path(scratch)
        store = Store(DataPaths(root / "home").database)
        for entry in list_exams(None):
            assert entry.exam is not None, entry.error
            if exam_datasets(entry.exam):
                continue  # the classic exams copy prepared downloads: see tfexam prepare
            started = time.perf_counter()
            session = create_session(store, NewSession(entry.exam, workspace=root / entry.exam.id))
            seconds = time.perf_counter() - started
            size_mb = folder_size(session.workspace) / 2**20
            rows.append(
                {
                    "exam": entry.exam.id,
                    "questions": len(entry.exam.questions),
                    "start_s": seconds,
                    "workspace_mb": size_mb,
                }
            )
        store.close()
    results["exams"] = rows
    print(f"{'exam':<14}{'questions':>10}{'start s':>10}{'data MB':>10}")
    for row in rows:
        print(
            f"{row['exam']:<14}{row['questions']:>10}{row['start_s']:>10.2f}{row['workspace_mb']:>10.1f}"
        )
    print_json(results, args.json_out)


if __name__ == "__main__":
    main()
