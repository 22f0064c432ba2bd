"""Check ``tfexam estimate``'s projections against full reference trainings on this machine.

Run:  .venv/bin/python benchmarks/estimate_check.py [EXAM] [--questions basic-model,learning-dataset]
      [--slice 4] [--json-out FILE]

For each chosen question, in a fresh workspace: a measured slice (as ``tfexam estimate`` runs it)
and its projection, then the full reference training with the same run hook, timed from process
start to exit. Slice and full run follow each other, so both see the same load. Prints a table
and a JSON document (also written to --json-out).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from machine import describe_machine, print_json  # benchmarks/machine.py, beside this script

from simulator.exam.catalog import find_exam
from simulator.exam.hidden_files import copy_hidden
from simulator.exam.workspace import create_workspace
from simulator.paths import data_paths
from simulator.training.estimate import SLICE_S, Machine, project, run_slice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exam", nargs="?", default="practice")
    parser.add_argument("--questions", default="basic-model,learning-dataset,text-classification")
    parser.add_argument("--slice", type=float, default=SLICE_S)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    exam = find_exam(args.exam, data_paths())
    chosen = [exam.question(q) for q in args.questions.split(",")]
    cores = Machine.this().cores
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tfexam-estimate-check-") as scratch:
        root = Path(scratch)
        workspace = create_workspace(exam, root / "workspace", seed=exam.seed)
        for question in chosen:
            folder = workspace / question.workspace_folder
            copy_hidden(question.folder, question.solution, folder / question.solution)
            sliced = run_slice(
                folder, question.solution, root / f"{question.id}-slice.log", args.slice
            )
            projected = project(question, sliced, cores)
            full = run_slice(folder, question.solution, root / f"{question.id}-full.log", None)
            actual = full.ended_at - full.started_at
            rows.append({
                "question": question.id, "category": question.category,
                "slice_run_s": sliced.ended_at - sliced.started_at,
                "projected_s": projected.alone_s, "full_s": actual,
                "error_percent": 100 * (projected.alone_s - actual) / actual,
                "problem": projected.problem,
            })  # fmt: skip
            print(f"{question.id}: slice {rows[-1]['slice_run_s']:.0f} s, projected "
                  f"{projected.alone_s:.0f} s, full {actual:.0f} s "
                  f"({rows[-1]['error_percent']:+.0f} %)", flush=True)  # fmt: skip
    print_json({"machine": describe_machine(), "slice_s": args.slice, "questions": rows},
               args.json_out)  # fmt: skip


if __name__ == "__main__":
    main()
