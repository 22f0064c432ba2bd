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
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.storage.journal import JournalEvent, journaled_sessions, read_events, read_session
from simulator.storage.store import Store, StoreError, not_a_file_text

#: How many times a scan may jump past an unreadable stretch of a table before giving up on it
#: (the jumps double: 60 of them pass any rowid tfexam writes).
_MAX_SKIPS = 60
#: Attempt events whose data can rebuild an attempt row.
_ATTEMPT_EVENTS = ("attempt-graded", "attempt-not-gradable", "attempt-rejected")


@dataclass
class FolderRecovery:
    """What was put back from the session folders."""

    sessions: int = 0
    attempts: int = 0
    events: int = 0
    #: Of the attempts: those with no outcome in the log, queued to be graded on resume.
    queued: int = 0


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
    #: Sessions put back from their folders (``session.json`` and ``events.jsonl``).
    from_folders: FolderRecovery = field(default_factory=lambda: FolderRecovery())
    #: How the store was when found: "damaged", or missing, empty or not a file (rebuilt from
    #: the session folders alone).
    found: str = "damaged"

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
    """Check the store; if damaged, keep a copy and rebuild it from what can still be read; if it
    is missing, empty or not a file, rebuild it from the session folders.

    Run only while no tfexam uses the store: the rebuilt file replaces the damaged one.
    """
    if os.path.lexists(database) and not database.is_file():
        return _rebuild_not_a_file(database, sessions_dir)
    if not database.exists() or _session_count(database) == 0:
        return _rebuild_emptied(database, sessions_dir)
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
    Store(fresh, rebuilding=True).close()  # the current schema, empty
    with (
        contextlib.closing(sqlite3.connect(f"file:{report.backup}?mode=ro", uri=True)) as old,
        contextlib.closing(sqlite3.connect(fresh, isolation_level=None)) as new,
    ):
        new.execute("BEGIN")
        for table in _tables(new):
            report.recovered[table] = _salvage(old, new, table)
        report.from_events = _attempts_from_events(new, sessions_dir)
        report.from_folders = put_back_sessions(new, sessions_dir)
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


# Rebuilding from the session folders ---------------------------------------------------------

#: An attempt's state after each event of its log (the last one wins).
_STATE_AFTER = {
    "model-detected": "queued",
    "attempt-requeued": "queued",
    "grading-started": "queued",  # cut short: graded again
    "attempt-graded": "graded",
    "attempt-not-gradable": "not-gradable",
    "attempt-rejected": "rejected-after-deadline",
    "attempt-superseded": "superseded",
}


def _session_count(database: Path) -> int | None:
    """Sessions in the store file (0 for an empty file); None when it cannot be read."""
    if database.stat().st_size == 0:
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM sessions").fetchone()[0])
    except sqlite3.OperationalError as error:
        return 0 if "no such table" in str(error) else None
    except sqlite3.DatabaseError:
        return None  # damaged: the integrity check says how


def _rebuild_not_a_file(database: Path, sessions_dir: Path) -> DoctorReport:
    report = DoctorReport(database, [not_a_file_text(database)], found="not a file")
    report.backup = database.with_name(
        f"{database.name}.not-a-file-{time.strftime('%Y%m%d-%H%M%S')}"
    )
    database.rename(report.backup)
    for companion in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        companion.unlink(missing_ok=True)  # they belonged to no database file
    return _rebuild_from_folders(report, sessions_dir)


def _rebuild_emptied(database: Path, sessions_dir: Path) -> DoctorReport:
    found = "missing" if not database.exists() else "empty"
    report = DoctorReport(database, [f"the store is {found}"], found=found)
    if not journaled_sessions(sessions_dir):
        report.problems = [
            "ok"
        ]  # nothing lost: a fresh home, or sessions from before folders kept them
        return report
    if database.exists():
        report.backup = database.with_name(
            f"{database.name}.empty-{time.strftime('%Y%m%d-%H%M%S')}"
        )
        shutil.copy2(database, report.backup)
    return _rebuild_from_folders(report, sessions_dir)


def _rebuild_from_folders(report: DoctorReport, sessions_dir: Path) -> DoctorReport:
    """A fresh store with every session its folder keeps, then put in place of the old one."""
    database = report.database
    fresh = database.with_name(f"{database.name}.rebuilding")
    for leftover in (fresh, Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
        leftover.unlink(missing_ok=True)
    Store(fresh, rebuilding=True).close()  # the current schema, empty
    with contextlib.closing(sqlite3.connect(fresh, isolation_level=None)) as new:
        new.execute("BEGIN")
        report.from_folders = put_back_sessions(new, sessions_dir)
        new.execute("COMMIT")
        new.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        report.unrecorded_copies = _unrecorded_copies(new, sessions_dir)
    for companion in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        companion.unlink(missing_ok=True)
    fresh.replace(database)
    for companion in (Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
        companion.unlink(missing_ok=True)
    return report


def put_back_sessions(db: sqlite3.Connection, sessions_dir: Path) -> FolderRecovery:
    """Insert every session that a folder keeps and the store lacks: its row, its event log, and
    an attempt row per attempt of the log (with its copy, found by hash). An attempt the log
    leaves without an outcome is queued: the next ``tfexam resume`` grades it."""
    done = FolderRecovery()
    known = {str(row[0]) for row in db.execute("SELECT id FROM sessions")}
    for folder in journaled_sessions(sessions_dir):
        row = read_session(folder)
        if row is None or row["id"] in known:
            continue
        events = read_events(folder)
        _insert_session(db, row, events)
        for event in events:
            db.execute(
                "INSERT INTO events(session_id, at, kind, payload) VALUES (?, ?, ?, ?)",
                (row["id"], event.at, event.kind, json.dumps(event.payload)),
            )
        attempts, queued = _insert_attempts(db, row["id"], folder / "attempts", events)
        known.add(row["id"])
        done.sessions += 1
        done.events += len(events)
        done.attempts += attempts
        done.queued += queued
    return done


def _insert_session(
    db: sqlite3.Connection, row: dict[str, Any], events: list[JournalEvent]
) -> None:
    ended = next((e for e in reversed(events) if e.kind == "session-submitted"), None)
    db.execute(
        "INSERT INTO sessions(id, exam_id, exam_root, exam_snapshot, workspace, started_at,"
        " deadline, state, settings, ended_at, end_reason) VALUES (?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?)",
        (
            row["id"], row["exam_id"], row["exam_root"], row["workspace"], row["started_at"],
            row["deadline"], "submitted" if ended else "running", json.dumps(row["settings"]),
            ended.at if ended else None, ended.payload.get("reason") if ended else None,
        ),
    )  # fmt: skip


def _insert_attempts(
    db: sqlite3.Connection, session_id: str, copies: Path, events: list[JournalEvent]
) -> tuple[int, int]:
    """One attempt row per attempt number of the log, as its last event left it."""
    last: dict[int, JournalEvent] = {}
    detected: dict[int, JournalEvent] = {}
    for event in events:
        number = event.payload.get("attempt")
        if event.kind in _STATE_AFTER and isinstance(number, int):
            last[number] = event
            detected.setdefault(number, event)
    queued = 0
    for number in sorted(last):
        event, first = last[number], detected[number]
        data = event.payload
        state = _STATE_AFTER[event.kind]
        blob = _copy_named(copies, str(data.get("sha256", "")))
        reason: str | None = data.get("message") or data.get("reason")
        if state == "queued" and blob is None:
            state, reason = "not-gradable", "its copy was lost with the store"
        queued += state == "queued"
        metric = data.get("metric") or {}
        views = data.get("views")
        db.execute(
            "INSERT INTO attempts(session_id, question_id, source_path, blob, sha256, size, origin,"
            " saved_at, detected_at, queued_at, finished_at, state, score, metric_name,"
            " metric_value, message, source, number, run_number, views, reason_code)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id, data.get("question", ""),
                first.payload.get("path") or "(rebuilt from the session folder)",
                blob.name if blob else None,
                blob.name.split(".")[0] if blob else str(data.get("sha256", "")),
                blob.stat().st_size if blob and blob.is_file() else 0, data.get("origin", "watch"),
                first.at, first.at, first.at,
                None if state == "queued" else event.at,
                state, data.get("score"), metric.get("name"), metric.get("value"), reason,
                data.get("source"), number, data.get("run"),
                json.dumps(views) if isinstance(views, dict) else None,
                None,  # the reason's code is not in the log; its sentence is
            ),
        )  # fmt: skip
    return len(last), queued


# What the doctor says ---------------------------------------------------------------------------


def run_doctor(database: Path, sessions_dir: Path, *, writable: bool) -> list[str]:
    """``tfexam doctor``: check (and where needed rebuild) the store; the lines to show.

    Raises :class:`StoreError` when the store needs a rebuild that cannot be written here.
    """
    if not os.path.lexists(database) and not journaled_sessions(sessions_dir):
        return [f"No store at {database} yet: nothing to check."]
    if not writable:
        problems = (
            [not_a_file_text(database)]
            if os.path.lexists(database) and not database.is_file()
            else check_store(database)
            if database.exists()
            else ["the store is missing"]
        )
        if problems == ["ok"]:
            return [f"The store {database} is sound (integrity check: ok)."]
        raise StoreError(
            f"the store {database} needs a rebuild ({problems[0]}) and its folder "
            f"{database.parent} is not writable: copy the folder somewhere writable and run "
            "'TFEXAM_HOME=COPY tfexam doctor' there"
        )
    return report_lines(repair_store(database, sessions_dir))


def report_lines(done: DoctorReport) -> list[str]:
    """What the doctor found and did, in the words it shows."""
    database = done.database
    if done.healthy:
        return [f"The store {database} is sound (integrity check: ok)."]
    lines = []
    if done.found == "damaged":
        more = len(done.problems) - 1
        lines.append(
            f"The store {database} was damaged: {done.problems[0]}"
            + (f" (and {more} more problems)" if more else "")
        )
        lines.append(f"Kept the damaged file as {done.backup}.")
        counts = ", ".join(f"{n} {table}" for table, n in done.recovered.items() if n)
        lines.append(f"Rebuilt the store from what could be read: {counts or 'nothing'}.")
        if done.from_events:
            lines.append(f"Put back {done.from_events} attempt(s) from the event log.")
    else:
        lines.append(f"The store {database} was {done.found}.")
        if done.backup is not None:
            lines.append(f"Kept what was there as {done.backup}.")
    folders = done.from_folders
    if folders.sessions or done.found != "damaged":
        lines.append(
            f"Rebuilt {folders.sessions} session(s) from their folders: {folders.attempts} "
            f"attempt(s) and {folders.events} event(s)"
            + (
                f"; {folders.queued} attempt(s) had no result yet and are graded on 'tfexam resume'"
                if folders.queued
                else ""
            )
            + "."
        )
    if done.unrecorded_copies:
        lines.append(
            f"{len(done.unrecorded_copies)} attempt copies have no record left; grade one with "
            f"'tfexam grade FILE', e.g. {done.unrecorded_copies[0]}"
        )
    return lines
