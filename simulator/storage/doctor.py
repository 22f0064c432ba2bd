"""``tfexam doctor``: check the session store and rebuild what it can from a damaged one.

A store can be damaged by a disk that failed mid-write or a file system that lost a page. SQLite
then answers "database disk image is malformed" to the queries that touch the bad page, and every
command that reads the session fails. The doctor checks the file (``PRAGMA integrity_check``);
when it is damaged, it keeps the damaged file as it was, copies every row it can still read into
a fresh store, puts back the attempts whose rows were lost from the engine's event log (matching
the attempt copies in the session folder by their hash), and says what it recovered.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from simulator.storage.store import Store

#: How many times a scan may jump past an unreadable stretch of a table before giving up on it
#: (the jumps double: 60 of them pass any rowid tfexam writes).
_MAX_SKIPS = 60
#: Attempt events whose data can rebuild an attempt row.
_ATTEMPT_EVENTS = ("attempt-graded", "attempt-not-gradable", "attempt-rejected")


@dataclass
class DoctorReport:
    """What the doctor found and did."""

    database: Path
    problems: list[str]
    backup: Path | None = None
    #: Rows copied into the fresh store, per table.
    recovered: dict[str, int] = field(default_factory=dict)
    #: Attempt rows put back from the event log.
    from_events: int = 0
    #: Attempt copies in session folders that no attempt row names any more.
    unrecorded_copies: list[Path] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.problems == ["ok"]


def check_store(database: Path) -> list[str]:
    """``PRAGMA integrity_check`` of the store: ``["ok"]``, or the problems it found.

    On a folder that cannot be written SQLite cannot make the ``-shm`` file a WAL store needs
    ("unable to open database file"); the file is then read as immutable, which it is there.
    """
    problems: list[str] = []
    for options in ("mode=ro", "mode=ro&immutable=1"):
        try:
            with contextlib.closing(sqlite3.connect(f"file:{database}?{options}", uri=True)) as db:
                return [str(row[0]) for row in db.execute("PRAGMA integrity_check(20)")]
        except sqlite3.OperationalError as error:
            problems = [str(error)]  # no room for the -shm file: try immutable
        except sqlite3.DatabaseError as error:
            return [str(error)]
    return problems


def repair_store(database: Path, sessions_dir: Path) -> DoctorReport:
    """Check the store; if damaged, keep a copy and rebuild it from what can still be read.

    Run only while no tfexam uses the store: the rebuilt file replaces the damaged one.
    """
    report = DoctorReport(database, check_store(database))
    if report.healthy:
        return report
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report.backup = database.with_name(f"{database.name}.damaged-{stamp}")
    shutil.copy2(database, report.backup)
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{database}{suffix}")
        if companion.exists():
            shutil.copy2(companion, Path(f"{report.backup}{suffix}"))
    fresh = database.with_name(f"{database.name}.rebuilding")
    for leftover in (fresh, Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
        leftover.unlink(missing_ok=True)
    Store(fresh).close()  # the current schema, empty
    with (
        contextlib.closing(sqlite3.connect(f"file:{report.backup}?mode=ro", uri=True)) as old,
        contextlib.closing(sqlite3.connect(fresh, isolation_level=None)) as new,
    ):
        new.execute("BEGIN")
        for table in _tables(new):
            report.recovered[table] = _salvage(old, new, table)
        report.from_events = _attempts_from_events(new, sessions_dir)
        new.execute("COMMIT")
        new.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        report.unrecorded_copies = _unrecorded_copies(new, sessions_dir)
    for companion in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        companion.unlink(missing_ok=True)  # they belong to the damaged file (kept with the copy)
    fresh.replace(database)
    for companion in (Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
        companion.unlink(missing_ok=True)
    return report


def _tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [str(row[0]) for row in rows]


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")]


def _salvage(old: sqlite3.Connection, new: sqlite3.Connection, table: str) -> int:
    """Copy every readable row of ``table``, in rowid order, jumping past unreadable stretches."""
    try:
        columns = [c for c in _columns(new, table) if c in set(_columns(old, table))]
    except sqlite3.DatabaseError:
        return 0  # the table's definition itself is unreadable
    if not columns:
        return 0
    names = ", ".join(columns)
    insert = (
        f"INSERT OR REPLACE INTO {table}(rowid, {names}) "
        f"VALUES ({', '.join('?' * (len(columns) + 1))})"
    )
    query = f"SELECT rowid, {names} FROM {table} WHERE rowid > ? ORDER BY rowid"
    last, copied, skip = -(2**62), 0, 0
    for _ in range(_MAX_SKIPS):
        try:
            for row in old.execute(query, (last,)):
                new.execute(insert, tuple(row))
                last, copied, skip = row[0], copied + 1, 0
            return copied
        except sqlite3.DatabaseError:
            skip = max(1, skip * 2)  # past the damaged page: 1, 2, 4, ... rows further
            last = max(last, 0) + skip
    return copied


def _attempts_from_events(db: sqlite3.Connection, sessions_dir: Path) -> int:
    """Put back the attempt rows that were lost but whose outcome event survived."""
    known = {int(row[0]) for row in db.execute("SELECT id FROM attempts")}
    sessions = {str(row[0]) for row in db.execute("SELECT id FROM sessions")}
    rebuilt = 0
    events = db.execute(
        f"SELECT session_id, at, kind, payload FROM events WHERE kind IN "
        f"({', '.join('?' * len(_ATTEMPT_EVENTS))}) ORDER BY id",
        _ATTEMPT_EVENTS,
    ).fetchall()
    for session_id, at, _kind, payload in events:
        data = json.loads(payload)
        attempt_id = data.get("attempt")
        if not isinstance(attempt_id, int) or attempt_id in known or session_id not in sessions:
            continue
        blob = _copy_named(sessions_dir / session_id / "attempts", str(data.get("sha256", "")))
        metric = data.get("metric") or {}
        db.execute(
            "INSERT INTO attempts(id, session_id, question_id, source_path, blob, sha256, size,"
            " origin, saved_at, detected_at, finished_at, state, score, metric_name, metric_value,"
            " message, source, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                attempt_id, session_id, data.get("question", ""), "(rebuilt from the event log)",
                blob.name if blob else None, blob.name.split(".")[0] if blob else data.get("sha256", ""),
                blob.stat().st_size if blob and blob.is_file() else 0, data.get("origin", "watch"),
                at, at, at, data.get("state", "not-gradable"), data.get("score"),
                metric.get("name"), metric.get("value"),
                data.get("message") or data.get("reason"), data.get("source"), data.get("run"),
            ),
        )  # fmt: skip
        known.add(attempt_id)
        rebuilt += 1
    return rebuilt


def _copy_named(folder: Path, sha_prefix: str) -> Path | None:
    """The attempt copy whose hash starts with ``sha_prefix`` (events carry 12 digits)."""
    if len(sha_prefix) < 12 or not folder.is_dir():
        return None
    matches = sorted(folder.glob(f"{sha_prefix}*"))
    return matches[0] if len(matches) == 1 else None


def _unrecorded_copies(db: sqlite3.Connection, sessions_dir: Path) -> list[Path]:
    named = {str(row[0]) for row in db.execute("SELECT blob FROM attempts WHERE blob IS NOT NULL")}
    if not sessions_dir.is_dir():
        return []
    return sorted(
        path
        for path in sessions_dir.glob("*/attempts/*")
        if not path.name.startswith(".") and path.name not in named
    )
