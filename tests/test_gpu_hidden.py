"""Grading workers never see a GPU, so they never take GPU memory from the candidate's training."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulator.grading.pool import GradingPool
from simulator.grading.settings import GradingSettings


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc (Linux)")
def test_a_grading_worker_is_started_with_every_gpu_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")  # the candidate's shell shows a GPU
    pool = GradingPool(
        GradingSettings(workers=1, timeout_s=20, memory_limit_mb=2048), tmp_path, lambda _e: None
    )
    pool.start()
    try:
        assert pool.wait_ready(180), "grading worker did not start"
        [pid] = [s.pid for s in pool.status() if s.pid is not None]
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"CUDA_VISIBLE_DEVICES=" in environ, "set, and empty: no GPU"
        log = "".join(p.read_text() for p in tmp_path.glob("grader-*.log"))
        assert "0 GPUs visible" in log, "the worker's TensorFlow saw none"
    finally:
        pool.close()
    assert os.environ["CUDA_VISIBLE_DEVICES"] == "0", "the candidate's own setting is untouched"
