"""The short soak: a session compressed into half a minute of actions, with a resume, a kill -9
of the engine and of a grading worker, through the real CLI (benchmarks/soak.py). It checks what
a candidate would notice after a long day: no save lost, nothing left waiting for a grade. Speed
and growth are measured by the full soak (docs/benchmarks.md), not asserted here.

Half a minute still holds every fault and every kind of save (the plan keeps at least one of
each, and ten saves, however short the soak); a longer action phase only adds saves of the same
kinds, while the test holds a core of the run for its whole length."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SOAK = REPO / "benchmarks" / "soak.py"


@pytest.mark.timeout(900)
def test_short_soak_loses_no_attempt_and_leaves_none_stuck(tmp_path: Path) -> None:
    report = tmp_path / "soak.json"
    done = subprocess.run(
        [sys.executable, str(SOAK), "--minutes", "0.5", "--json-out", str(report),
         "--keep", str(tmp_path / "soak")],
        capture_output=True, text=True, timeout=840, cwd=REPO,
    )  # fmt: skip
    assert report.exists(), done.stderr[-3000:]
    results = json.loads(report.read_text())
    assert results["checks"]["attempts_lost"] == 0, results["lost"]
    assert results["checks"]["stuck_in_grading"] == 0, results["attempt_states"]
    assert results["checks"]["session_submitted"], results["notes"]
    assert done.returncode == 0, done.stderr[-3000:]
    faults = [fault["kind"] for fault in results["done"]["faults"]]
    assert sorted(faults) == ["engine-kill-9", "resume", "worker-kill-9"]
    kinds = results["done"]["save_kinds"]
    for kind in ("valid", "broken", "duplicate", "large", "oversize", "unwatched", "before-kill"):
        assert kinds.get(kind, 0) >= 1, kinds
    # One training run finished and saved a model, one was stopped: both were recorded.
    assert results["done"]["runs"] >= 2 and results["done"]["runs_stopped"] >= 1
    assert results["done"]["runs_saved_a_model"] >= 1
    assert results["attempt_states"].get("graded", 0) >= 5, results["attempt_states"]
