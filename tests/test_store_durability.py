"""The store survives what a crash does to it: a lost write-ahead log, a damaged page."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from simulator.exam.catalog import find_exam
from simulator.paths import data_paths
from simulator.session.sessions import NewSession, record_session
from simulator.storage.store import Store
from tests.cli_helpers import HeadlessRun
from tests.conftest import run_cli


def test_after_a_kill_the_main_file_alone_holds_the_session_and_its_attempts(
    tfexam_home: Path, tmp_path: Path, models: dict[str, Path]
) -> None:
    workspace = tmp_path / "ws"
    run = HeadlessRun("start", "--workspace", str(workspace), "--duration", "30m")
    try:
        run.wait_for("worker-ready", timeout=120)
        shutil.copyfile(models["good.h5"], workspace / "category1" / "mymodel.h5")
        graded = run.wait_for("attempt-graded", timeout=120)[0]
        os.kill(run.process.pid, signal.SIGKILL)
        run.process.wait()
    finally:
        run.kill()
    database = data_paths().database
    wal = Path(f"{database}-wal")
    assert wal.exists(), "the kill left the write-ahead log behind"
    wal.unlink()
    Path(f"{database}-shm").unlink(missing_ok=True)
    done = run_cli("status", "--json")
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["session"] == graded["session"]
    first = status["questions"][0]
    assert (first["attempts"], first["score"], first["state"]) == (1, 5, "graded")


def _zero_page(database: Path, page: int, size: int) -> None:
    with database.open("r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(b"\0" * size)


def test_doctor_rebuilds_a_damaged_store_from_what_it_can_read_and_the_event_log(
    tfexam_home: Path, tmp_path: Path
) -> None:
    paths = data_paths()
    store = Store(paths.database)
    (tmp_path / "ws").mkdir()
    exam = find_exam("practice", None)
    session = record_session(store, NewSession(exam, duration_s=3600), tmp_path / "ws", time.time())
    blobs = paths.blobs_dir(session.id)
    blobs.mkdir(parents=True)
    for score in (3, 5, 4):
        sha = hashlib.sha256(str(score).encode()).hexdigest()
        (blobs / f"{sha}.h5").write_bytes(b"a copy")
        made = store.add_attempt(
            session_id=session.id, question_id="basic-model", source_path="mymodel.h5",
            blob=f"{sha}.h5", sha256=sha, size=6, origin="watch", saved_at=time.time(),
            detected_at=time.time(), state="queued", queued_at=time.time(), source="local",
        )  # fmt: skip
        done = store.finish_attempt(
            made.id, state="graded", finished_at=time.time(), score=score, metric_name="mse",
            metric_value=0.1 / score, message="ok",
        )  # fmt: skip
        store.add_event(session.id, time.time(), "attempt-graded", {
            "attempt": done.id, "question": "basic-model", "state": "graded", "score": score,
            "sha256": sha[:12], "origin": "watch", "source": "local",
            "metric": {"name": "mse", "value": 0.1 / score}, "message": "ok",
        })  # fmt: skip
    for i in range(1500):  # the event log fills many pages
        store.add_event(session.id, time.time(), "time-warning", {"minutes": i, "pad": "x" * 400})
    store.close()
    with sqlite3.connect(paths.database) as db:
        if not db.execute("SELECT 1 FROM pragma_compile_options WHERE compile_options LIKE "
                          "'ENABLE_DBSTAT_VTAB'").fetchone():  # fmt: skip
            pytest.skip("this SQLite has no dbstat table to find a table's pages")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db.execute("PRAGMA page_size").fetchone()[0]
        [attempts_page] = db.execute("SELECT pageno FROM dbstat WHERE name='attempts'").fetchall()
        last_events = db.execute(
            "SELECT max(pageno) FROM dbstat WHERE name='events' AND pagetype='leaf'"
        ).fetchone()
    db.close()
    _zero_page(paths.database, attempts_page[0], size)  # every attempt row is gone
    _zero_page(paths.database, last_events[0], size)  # and a few of the newest events

    broken = run_cli("report", session.id)
    assert broken.returncode == 1
    assert broken.stderr.strip() == (
        f"tfexam: error: the session store {paths.database} is damaged (database disk image is "
        "malformed): 'tfexam doctor' checks it, keeps a copy and rebuilds what it can"
    )
    fixed = run_cli("doctor")
    assert fixed.returncode == 0, fixed.stderr
    said = " ".join(fixed.stdout.split())
    assert f"The store {paths.database} was damaged:" in said
    assert "Put back 3 attempt(s) from the event log." in said
    [backup] = paths.root.glob("tfexam.db.damaged-*[0-9]")
    assert f"Kept the damaged file as {backup}." in said
    recovered = int(re.search(r"(\d+) events", said).group(1))  # type: ignore[union-attr]
    assert 1400 < recovered < 1503, said
    status = run_cli("status", session.id, "--json")
    assert status.returncode == 0, status.stderr
    basic = json.loads(status.stdout)["questions"][0]
    assert (basic["attempts"], basic["score"]) == (3, 5)
    assert run_cli("report", session.id).returncode == 0
    again = run_cli("doctor")
    assert "is sound (integrity check: ok)" in " ".join(again.stdout.split())
