"""TFEXAM_HOME on a disk that fills up during a session: the candidate always hears about it, the
engine never dies silently, and nothing prints a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _fill(folder: Path) -> None:
    """Write into ``folder`` until its file system is full (big chunks, then the last bytes)."""
    for name, size in (("filler", 1 << 20), ("filler-small", 512)):
        try:
            with (folder / name).open("wb", buffering=0) as handle:
                while True:
                    handle.write(b"\0" * size)
        except OSError:
            pass


@pytest.mark.timeout(240)  # a silent engine would leave the reads below waiting for ever
def test_a_full_disk_is_reported_not_a_silent_dead_engine(
    tmp_path: Path, models: dict[str, Path]
) -> None:
    if not shutil.which("unshare"):
        pytest.skip("needs unshare for a private small file system")
    home, workspace = tmp_path / "home", tmp_path / "ws"
    home.mkdir()
    command = f"'{sys.executable}' -m simulator start --workspace '{workspace}' --duration 10m --headless --json"
    engine = subprocess.Popen(
        ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=48m tmpfs '{home}' && exec {command}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        cwd=REPO, env={**os.environ, "TFEXAM_HOME": str(home)},
    )  # fmt: skip
    assert engine.stdout is not None and engine.stderr is not None
    try:
        events: list[dict[str, object]] = []
        for line in engine.stdout:
            events.append(json.loads(line))
            if events[-1]["event"] == "worker-ready":
                break
        if not events:
            pytest.skip(f"no private tmpfs here: {engine.stderr.read().strip()}")
        _fill(Path(f"/proc/{engine.pid}/root{home}"))  # the home as the engine's mounts see it
        shutil.copyfile(models["good.h5"], workspace / "category1" / "mymodel.h5")
        outcome = None
        for line in engine.stdout:
            event = json.loads(line)
            if event["event"] in ("engine-error", "attempt-not-gradable", "attempt-graded"):
                outcome = event
                break
        assert outcome is not None, "the engine went silent"
        if outcome["event"] == "engine-error":
            message = str(outcome["message"])
            assert message.startswith(f"the disk holding {home} is full ("), message
            assert engine.wait(timeout=60) == 1
            assert engine.stderr.read().strip() == f"tfexam: error: the engine stopped: {message}"
        else:
            assert outcome["event"] == "attempt-not-gradable", outcome
            assert str(outcome["reason"]).startswith("the disk holding the session's copies")
    finally:
        if engine.poll() is None:
            engine.kill()
            engine.wait()
    assert "Traceback" not in (engine.stderr.read() if not engine.stderr.closed else "")
