"""Test helpers around the synchronous grader."""

from __future__ import annotations

from pathlib import Path

from simulator.grading.settings import GradingSettings
from simulator.grading.sync import SyncGrader


def warm_grader(settings: GradingSettings, log_dir: Path) -> SyncGrader:
    """A SyncGrader whose workers are already warm (so timings in tests mean grading only)."""
    grader = SyncGrader(settings, log_dir)
    assert grader.pool.wait_ready(120), "grading worker did not start"
    return grader
