"""The session store: one SQLite database (WAL) that is the source of truth for every session.

Everything the engine learns is written here before anything is shown, so a crash or ``kill -9``
loses nothing: the deadline is absolute, each attempt is a row (with a copy of its file in the
session's blob folder), and each event is logged for the report. WAL mode lets ``tfexam status``
and ``tfexam submit`` read and write from other processes while an engine runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simulator.grading.checks import Check, checks_from_json, checks_to_json
from simulator.grading.reasons import ReasonCode
from simulator.grading.views import GradeViews
from simulator.storage.journal import Journal, journaled_sessions, sessions_dir_of
from simulator.storage.records import (
    AttemptRecord,
    AttemptState,
    BufferRecord,
    EventRecord,
    JsonObject,
    RunRecord,
    RunSample,
    RunState,
    SessionRecord,
    SessionSettings,
    SystemSample,
)

#: 2: training runs, their samples, system samples, and where each attempt's file came from.
#: 3: attempts and runs carry their number within the session (what the candidate is shown).
SCHEMA_VERSION = 3
BUSY_WAIT_S = 10.0
"""How long a write waits for another process holding the store (a grading worker, a second view)."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    exam_id TEXT NOT NULL,
    exam_root TEXT NOT NULL,
    -- Unused since the exam is loaded from exam_root (kept: older stores require a value).
    exam_snapshot TEXT NOT NULL DEFAULT '{}',
    workspace TEXT NOT NULL,
    started_at REAL NOT NULL,
    deadline REAL NOT NULL,
    state TEXT NOT NULL,
    ended_at REAL,
    end_reason TEXT,
    submit_requested_at REAL,
    engine_pid INTEGER,
    engine_heartbeat REAL,
    settings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    question_id TEXT NOT NULL,
    source_path TEXT NOT NULL,
    blob TEXT,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    origin TEXT NOT NULL,
    saved_at REAL NOT NULL,
    detected_at REAL NOT NULL,
    queued_at REAL,
    started_at REAL,
    finished_at REAL,
    state TEXT NOT NULL,
    score INTEGER,
    metric_name TEXT,
    metric_value REAL,
    message TEXT,
    timings TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS attempts_by_question ON attempts(session_id, question_id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_session ON events(session_id, at);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    command TEXT NOT NULL,
    cwd TEXT NOT NULL,
    log_path TEXT NOT NULL,
    pid INTEGER,
    pid_started_at REAL,
    started_at REAL NOT NULL,
    ended_at REAL,
    state TEXT NOT NULL,
    exit_code INTEGER,
    epoch INTEGER,
    epochs INTEGER,
    metrics TEXT NOT NULL DEFAULT '{}',
    cpu_seconds REAL NOT NULL DEFAULT 0,
    peak_rss_mb REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_by_session ON runs(session_id);
CREATE TABLE IF NOT EXISTS run_samples (
    run_id INTEGER NOT NULL,
    at REAL NOT NULL,
    cpu_percent REAL NOT NULL,
    rss_mb REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS run_samples_by_run ON run_samples(run_id, at);
CREATE TABLE IF NOT EXISTS system_samples (
    session_id TEXT NOT NULL,
    at REAL NOT NULL,
    cpu_percent REAL NOT NULL,
    memory_used_mb REAL NOT NULL,
    memory_total_mb REAL NOT NULL,
    runs INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS system_samples_by_session ON system_samples(session_id, at);
CREATE TABLE IF NOT EXISTS buffers (
    session_id TEXT NOT NULL,
    path TEXT NOT NULL,
    text TEXT NOT NULL,
    kept_at REAL NOT NULL,
    PRIMARY KEY (session_id, path)
);
"""
#: Columns added to existing tables since schema 1 (added on open, never removed).
_ADDED_COLUMNS = {
    "attempts": [
        ("source", "TEXT"),
        ("run_id", "INTEGER"),
        ("reason_code", "TEXT"),
        ("number", "INTEGER"),
        ("run_number", "INTEGER"),
        # views: the rule that gave the score and the strict view, as GradeViews.to_dict() JSON
        # (NULL for attempts graded before it existed, and for ungraded ones).
        ("views", "TEXT"),
        # checks: the checks that made the score (or ran up to the failed one), as a JSON list
        # of Check.to_dict() (NULL for attempts recorded before it existed, and where none ran).
        ("checks", "TEXT"),
    ],
    "runs": [("number", "INTEGER")],
}
#: Tables whose rows are numbered 1, 2, ... within their session (ids are global, for joins only).
_NUMBERED = ("attempts", "runs")


class StoreError(RuntimeError):
    pass


class StoreNotAFileError(StoreError):
    """The store's path is taken by something that is not a file (a folder, a socket...)."""


def free_id(wished: str, taken: set[str]) -> str:
    """``wished``, else ``wished-2``, ``wished-3``... : the first that is not ``taken``."""
    candidate, counter = wished, 2
    while candidate in taken:
        candidate = f"{wished}-{counter}"
        counter += 1
    return candidate


class StoreEmptiedError(StoreError):
    """The store holds no session while session folders beside it hold some."""


def emptied_text(path: Path, sessions: int) -> str:
    """What every command says of a store that was emptied while its session folders remain."""
    return (
        f"the session store {path} is empty or missing, but {sessions} session folder(s) beside "
        "it keep their sessions: 'tfexam doctor' rebuilds the store from them"
    )


def _session_row(record: SessionRecord) -> dict[str, Any]:
    """The session as the journal keeps it (what :func:`session_from_row` reads back)."""
    return {
        "id": record.id, "exam_id": record.exam_id, "exam_root": str(record.exam_root),
        "workspace": str(record.workspace), "started_at": record.started_at,
        "deadline": record.deadline, "state": record.state, "settings": record.settings,
    }  # fmt: skip


def not_a_file_text(path: Path) -> str:
    """What every command says when the store's path is a folder (or another non-file)."""
    kind = "a folder" if path.is_dir() else "not a file"
    return (
        f"the session store {path} is {kind}, not the database file: 'tfexam doctor' moves it "
        "aside and rebuilds the store from the session folders"
    )


class Store:
    """Thread-safe access to the SQLite store; every write is its own short transaction."""

    def __init__(self, path: Path, *, read_only: bool = False, rebuilding: bool = False) -> None:
        """``read_only``: for a store on a folder that cannot be written (the read commands still
        work): nothing is created or changed, and where SQLite cannot even keep its shared-memory
        file next to the store, the main file is read as it is (the writes that matter are
        checkpointed into it). ``rebuilding``: the doctor's fresh store, empty on purpose (an
        empty store is otherwise refused while session folders hold sessions)."""
        self.path = path
        self.read_only = read_only
        self._lock = threading.RLock()
        if path.exists() and not path.is_file():
            raise StoreNotAFileError(not_a_file_text(path))
        self._journal = Journal(sessions_dir_of(path))
        if read_only:
            self._db = _connect_read_only(path)
            self._db.row_factory = sqlite3.Row
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, timeout=BUSY_WAIT_S, check_same_thread=False, isolation_level=None
            )
            self._db.row_factory = sqlite3.Row
            self._enter_wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._create_schema()
        if not rebuilding:
            self._refuse_if_emptied()

    def _enter_wal(self) -> None:
        """Switch a new file to WAL. SQLite answers "locked" at once, without waiting, when two
        processes make the switch together (two ``tfexam start`` in one second): try again for as
        long as any other write would wait."""
        deadline = time.monotonic() + BUSY_WAIT_S
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)  # the other opener holds the lock for a few milliseconds

    def _refuse_if_emptied(self) -> None:
        """A store without a single session, beside session folders that hold sessions, was
        emptied (replaced by an empty file, deleted): say so rather than "no sessions yet"."""
        try:
            with self._lock:
                if self._db.execute("SELECT count(*) FROM sessions").fetchone()[0]:
                    return
        except sqlite3.OperationalError:
            pass  # read only, and not even the tables are there: as empty as can be
        kept = journaled_sessions(self._journal.sessions_dir)
        if kept:
            self._db.close()
            raise StoreEmptiedError(emptied_text(self.path, len(kept)))

    def _create_schema(self) -> None:
        """Create and upgrade the tables. Two ``tfexam`` processes may open a new store in the
        same instant: the upgrade runs in one write transaction, so the second one sees the first
        one's columns instead of adding them again."""
        with self._lock:
            self._db.executescript(_SCHEMA)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._upgrade_schema()
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _upgrade_schema(self) -> None:
        """Columns added since schema 1, numbers for rows written before schema 3."""
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self._db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
        elif int(row["value"]) > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer tfexam (schema {row['value']}); upgrade tfexam"
            )
        for table, columns in _ADDED_COLUMNS.items():
            present = {r["name"] for r in self._db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns:
                if name not in present:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        for table in _NUMBERED:  # rows written before schema 3: numbered in id order
            self._db.execute(
                f"UPDATE {table} SET number=(SELECT COUNT(*) FROM {table} AS earlier"
                f" WHERE earlier.session_id={table}.session_id AND earlier.id<={table}.id)"
                " WHERE number IS NULL"
            )
        self._db.execute(  # attempts written before schema 3 learn their run's number
            "UPDATE attempts SET run_number=(SELECT number FROM runs WHERE runs.id=attempts.run_id)"
            " WHERE run_id IS NOT NULL AND run_number IS NULL"
        )
        self._db.execute(
            "UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),)
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the main file now, after a write that matters (a session
        created, an attempt recorded or graded, a session ended): then the main file alone holds
        it, even if the ``-wal`` file is lost after a crash. PASSIVE never waits for readers; what
        a reader holds back goes in with the next checkpoint."""
        # Busy: SQLite checkpoints by itself later, and so does the next write that matters.
        with self._lock, contextlib.suppress(sqlite3.OperationalError):
            self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    # Sessions -----------------------------------------------------------------------------------

    def create_session(self, record: SessionRecord) -> SessionRecord:
        """Write the session row; returns it as written.

        ``record.id`` is the wished id: when another start took it (two starts in the same
        second, from other processes), ``-2``, ``-3``... is added. The free id is chosen inside
        the inserting transaction, which no other writer can interleave, so two ids never
        collide.
        """
        with self._transaction() as db:
            taken = {
                str(row[0])
                for row in db.execute(
                    "SELECT id FROM sessions WHERE id=? OR substr(id, 1, ?)=?",
                    (record.id, len(record.id) + 1, f"{record.id}-"),
                )
            }
            record = dataclasses.replace(record, id=free_id(record.id, taken))
            db.execute(
                "INSERT INTO sessions(id, exam_id, exam_root, exam_snapshot, workspace, started_at,"
                " deadline, state, settings) VALUES (?, ?, ?, '{}', ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.exam_id,
                    str(record.exam_root),
                    str(record.workspace),
                    record.started_at,
                    record.deadline,
                    record.state,
                    json.dumps(record.settings),
                ),
            )
        self._checkpoint()
        self._journal.session(_session_row(record))
        return record

    def session_ids(self) -> set[str]:
        with self._lock:
            return {row["id"] for row in self._db.execute("SELECT id FROM sessions")}

    def get_session(self, session_id: str) -> SessionRecord:
        with self._lock:
            row = self._db.execute("SELECT * FROM sessions WHERE id=?", (session_id,)).fetchone()
        if row is None:
            raise StoreError(f"no session {session_id!r}")
        return _session_from_row(row)

    def list_sessions(self) -> list[SessionRecord]:
        """All sessions, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM sessions ORDER BY started_at DESC, id DESC"
            ).fetchall()
        return [_session_from_row(row) for row in rows]

    def find_session(self, key: str | None) -> SessionRecord:
        """The session named ``key`` (an id or a unique prefix of one), or the newest one."""
        sessions = self.list_sessions()
        if not sessions:
            raise StoreError("no sessions yet: start one with 'tfexam start'")
        if key is None:
            return sessions[0]
        exact = [s for s in sessions if s.id == key]
        matches = exact or [s for s in sessions if s.id.startswith(key)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise StoreError(f"no session {key!r}: 'tfexam sessions' lists them")
        raise StoreError(f"{key!r} matches {len(matches)} sessions; give more of the id")

    def request_submit(self, session_id: str, at: float) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE sessions SET submit_requested_at=COALESCE(submit_requested_at, ?) WHERE id=?",
                (at, session_id),
            )

    def submit_requested_at(self, session_id: str) -> float | None:
        with self._lock:
            row = self._db.execute(
                "SELECT submit_requested_at FROM sessions WHERE id=?", (session_id,)
            ).fetchone()
        return None if row is None else row["submit_requested_at"]

    def claim_engine(self, session_id: str, pid: int, now: float) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE sessions SET engine_pid=?, engine_heartbeat=? WHERE id=?",
                (pid, now, session_id),
            )

    def heartbeat(self, session_id: str, pid: int, now: float) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE sessions SET engine_heartbeat=? WHERE id=? AND engine_pid=?",
                (now, session_id, pid),
            )

    def release_engine(self, session_id: str, pid: int) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE sessions SET engine_pid=NULL, engine_heartbeat=NULL WHERE id=? AND engine_pid=?",
                (session_id, pid),
            )

    def update_settings(self, session_id: str, changes: SessionSettings) -> SessionRecord:
        """Merge ``changes`` into a session's settings (a setting chosen again on resuming);
        returns the session as it stands."""
        with self._transaction() as db:
            session = _session_in(db, session_id)
            db.execute(
                "UPDATE sessions SET settings=? WHERE id=?",
                (json.dumps({**session.settings, **changes}), session_id),
            )
            return _session_in(db, session_id)

    def finish_session(self, session_id: str, ended_at: float, reason: str) -> SessionRecord:
        """End a running session (an ended one keeps its end); returns the session as it stands."""
        with self._transaction() as db:
            db.execute(
                "UPDATE sessions SET state='submitted', ended_at=?, end_reason=? WHERE id=? AND state='running'",
                (ended_at, reason, session_id),
            )
            session = _session_in(db, session_id)
        self._checkpoint()
        return session

    # Attempts -----------------------------------------------------------------------------------

    def add_attempt(
        self,
        *,
        session_id: str,
        question_id: str,
        source_path: str,
        blob: str | None,
        sha256: str,
        size: int,
        origin: str,
        saved_at: float,
        detected_at: float,
        state: AttemptState,
        message: str | None = None,
        queued_at: float | None = None,
        finished_at: float | None = None,
        source: str | None = None,
        run_id: int | None = None,
        reason_code: ReasonCode | None = None,
        checks: tuple[Check, ...] | None = None,
    ) -> AttemptRecord:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO attempts(session_id, question_id, source_path, blob, sha256, size, origin,"
                " saved_at, detected_at, queued_at, finished_at, state, message, source, run_id,"
                " reason_code, checks, number, run_number)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    question_id,
                    source_path,
                    blob,
                    sha256,
                    size,
                    origin,
                    saved_at,
                    detected_at,
                    queued_at,
                    finished_at,
                    state,
                    message,
                    source,
                    run_id,
                    reason_code,
                    None if checks is None else checks_to_json(checks),
                    _next_number(db, "attempts", session_id),
                    _run_number(db, run_id),
                ),
            )
            assert cursor.lastrowid is not None
            attempt = _attempt_in(db, cursor.lastrowid)
        self._checkpoint()
        return attempt

    def get_attempt(self, attempt_id: int) -> AttemptRecord:
        with self._lock:
            return _attempt_in(self._db, attempt_id)

    def attempts(self, session_id: str, question_id: str | None = None) -> list[AttemptRecord]:
        """Attempts of a session (optionally one question), oldest first."""
        query = "SELECT * FROM attempts WHERE session_id=?"
        args: tuple[Any, ...] = (session_id,)
        if question_id is not None:
            query += " AND question_id=?"
            args += (question_id,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        return [_attempt_from_row(row) for row in rows]

    def mark_grading(self, attempt_id: int, at: float) -> AttemptRecord:
        """A worker started grading a pending attempt; returns the attempt as it stands."""
        with self._transaction() as db:
            db.execute(
                "UPDATE attempts SET state='grading', started_at=? WHERE id=? AND state IN ('queued', 'grading')",
                (at, attempt_id),
            )
            return _attempt_in(db, attempt_id)

    def mark_requeued(self, attempt_id: int) -> AttemptRecord:
        """Put an attempt whose grading was cut short (crash, restart) back in the queue; returns
        the attempt as it stands."""
        with self._transaction() as db:
            db.execute(
                "UPDATE attempts SET state='queued', started_at=NULL WHERE id=? AND state='grading'",
                (attempt_id,),
            )
            return _attempt_in(db, attempt_id)

    def finish_attempt(
        self,
        attempt_id: int,
        *,
        state: AttemptState,
        finished_at: float,
        score: int | None = None,
        metric_name: str | None = None,
        metric_value: float | None = None,
        message: str | None = None,
        timings: dict[str, float] | None = None,
        reason_code: ReasonCode | None = None,
        views: GradeViews | None = None,
        checks: tuple[Check, ...] | None = None,
    ) -> AttemptRecord:
        with self._transaction() as db:
            db.execute(
                "UPDATE attempts SET state=?, finished_at=?, score=?, metric_name=?, metric_value=?,"
                " message=?, timings=?, reason_code=?, views=?, checks=? WHERE id=?",
                (
                    state,
                    finished_at,
                    score,
                    metric_name,
                    metric_value,
                    message,
                    json.dumps(timings or {}),
                    reason_code,
                    None if views is None else json.dumps(views.to_dict()),
                    None if checks is None else checks_to_json(checks),
                    attempt_id,
                ),
            )
            attempt = _attempt_in(db, attempt_id)
        self._checkpoint()
        return attempt

    # Events -------------------------------------------------------------------------------------

    # Training runs -------------------------------------------------------------------------------

    def add_run(
        self,
        *,
        session_id: str,
        question_id: str,
        command: tuple[str, ...],
        cwd: Path,
        log_path: Path,
        started_at: float,
    ) -> RunRecord:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs(session_id, question_id, command, cwd, log_path, started_at, state,"
                " number) VALUES (?, ?, ?, ?, ?, ?, 'running', ?)",
                (
                    session_id,
                    question_id,
                    json.dumps(list(command)),
                    str(cwd),
                    str(log_path),
                    started_at,
                    _next_number(db, "runs", session_id),
                ),
            )
            assert cursor.lastrowid is not None
            return _run_in(db, cursor.lastrowid)

    def set_run_log(self, run_id: int, log_path: Path) -> RunRecord:
        with self._transaction() as db:
            db.execute("UPDATE runs SET log_path=? WHERE id=?", (str(log_path), run_id))
            return _run_in(db, run_id)

    def set_run_process(self, run_id: int, pid: int, pid_started_at: float) -> RunRecord:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET pid=?, pid_started_at=? WHERE id=?", (pid, pid_started_at, run_id)
            )
            return _run_in(db, run_id)

    def update_run(
        self,
        run_id: int,
        *,
        epoch: int | None,
        epochs: int | None,
        metrics: dict[str, float],
        cpu_seconds: float,
        peak_rss_mb: float,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET epoch=?, epochs=?, metrics=?, cpu_seconds=?, peak_rss_mb=?"
                " WHERE id=?",
                (epoch, epochs, json.dumps(metrics), cpu_seconds, peak_rss_mb, run_id),
            )

    def finish_run(
        self, run_id: int, *, state: RunState, ended_at: float, exit_code: int | None
    ) -> RunRecord:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET state=?, ended_at=?, exit_code=? WHERE id=? AND state='running'",
                (state, ended_at, exit_code, run_id),
            )
            return _run_in(db, run_id)

    def get_run(self, run_id: int) -> RunRecord:
        with self._lock:
            return _run_in(self._db, run_id)

    def runs(self, session_id: str) -> list[RunRecord]:
        """A session's runs, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM runs WHERE session_id=? ORDER BY id", (session_id,)
            ).fetchall()
        return [_run_from_row(row) for row in rows]

    def run_writing_at(
        self, session_id: str, question_id: str, at: float, grace_s: float
    ) -> RunRecord | None:
        """The newest run of the question that was alive at ``at`` (or ended within ``grace_s``)."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM runs WHERE session_id=? AND question_id=? AND started_at<=?"
                " AND (ended_at IS NULL OR ended_at>=?) ORDER BY id DESC LIMIT 1",
                (session_id, question_id, at, at - grace_s),
            ).fetchone()
        return None if row is None else _run_from_row(row)

    def add_run_samples(self, samples: list[RunSample]) -> None:
        if not samples:
            return
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO run_samples(run_id, at, cpu_percent, rss_mb) VALUES (?, ?, ?, ?)",
                [(s.run_id, s.at, s.cpu_percent, s.rss_mb) for s in samples],
            )

    def run_samples(self, run_id: int) -> list[RunSample]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM run_samples WHERE run_id=? ORDER BY at", (run_id,)
            ).fetchall()
        return [RunSample(r["run_id"], r["at"], r["cpu_percent"], r["rss_mb"]) for r in rows]

    def add_system_sample(self, sample: SystemSample) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO system_samples(session_id, at, cpu_percent, memory_used_mb,"
                " memory_total_mb, runs) VALUES (?, ?, ?, ?, ?, ?)",
                (sample.session_id, sample.at, sample.cpu_percent, sample.memory_used_mb,
                 sample.memory_total_mb, sample.runs),
            )  # fmt: skip

    def system_samples(self, session_id: str) -> list[SystemSample]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM system_samples WHERE session_id=? ORDER BY at", (session_id,)
            ).fetchall()
        return [
            SystemSample(r["session_id"], r["at"], r["cpu_percent"], r["memory_used_mb"],
                         r["memory_total_mb"], r["runs"])
            for r in rows
        ]  # fmt: skip

    # Events ------------------------------------------------------------------------------------

    def add_event(self, session_id: str, at: float, kind: str, payload: JsonObject) -> None:
        """Log an event; its ``payload`` is kept as JSON, exactly as given."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO events(session_id, at, kind, payload) VALUES (?, ?, ?, ?)",
                (session_id, at, kind, json.dumps(dict(payload))),
            )
        self._journal.event(session_id, at, kind, payload)  # the spare copy, for tfexam doctor

    # Unsaved editor buffers -----------------------------------------------------------------

    def keep_buffer(self, session_id: str, path: Path, text: str, at: float) -> None:
        """Keep (or replace) the unsaved text of ``path``'s editor tab."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO buffers(session_id, path, text, kept_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(session_id, path) DO UPDATE SET text=excluded.text, "
                "kept_at=excluded.kept_at",
                (session_id, str(path), text, at),
            )

    def drop_buffer(self, session_id: str, path: Path) -> None:
        """Forget ``path``'s unsaved text (it was saved, or its changes thrown away)."""
        with self._transaction() as db:
            db.execute("DELETE FROM buffers WHERE session_id=? AND path=?", (session_id, str(path)))

    def buffers(self, session_id: str) -> list[BufferRecord]:
        """Every unsaved text kept for the session, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM buffers WHERE session_id=? ORDER BY kept_at", (session_id,)
            ).fetchall()
        return [
            BufferRecord(row["session_id"], Path(row["path"]), row["text"], row["kept_at"])
            for row in rows
        ]

    def events(self, session_id: str, kind: str | None = None) -> list[EventRecord]:
        query = "SELECT * FROM events WHERE session_id=?"
        args: tuple[Any, ...] = (session_id,)
        if kind is not None:
            query += " AND kind=?"
            args += (kind,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        return [
            EventRecord(
                row["id"], row["session_id"], row["at"], row["kind"], json.loads(row["payload"])
            )
            for row in rows
        ]


def _session_in(db: sqlite3.Connection, session_id: str) -> SessionRecord:
    """Session ``session_id`` as the connection sees it (inside a write: as that write left it)."""
    row = db.execute("SELECT * FROM sessions WHERE id=?", (session_id,)).fetchone()
    if row is None:
        raise StoreError(f"no session {session_id!r}")
    return _session_from_row(row)


def _attempt_in(db: sqlite3.Connection, attempt_id: int) -> AttemptRecord:
    """Attempt ``attempt_id`` as the connection sees it (inside a write: as that write left it)."""
    row = db.execute("SELECT * FROM attempts WHERE id=?", (attempt_id,)).fetchone()
    if row is None:
        raise StoreError(f"no attempt {attempt_id}")
    return _attempt_from_row(row)


def _run_in(db: sqlite3.Connection, run_id: int) -> RunRecord:
    """Run ``run_id`` as the connection sees it (inside a write: as that write left it)."""
    row = db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
    if row is None:
        raise StoreError(f"no run {run_id}")
    return _run_from_row(row)


def _run_number(db: sqlite3.Connection, run_id: int | None) -> int | None:
    """The per-session number of run ``run_id`` (inside the caller's transaction)."""
    if run_id is None:
        return None
    row = db.execute("SELECT number FROM runs WHERE id=?", (run_id,)).fetchone()
    return None if row is None else int(row[0])


def _next_number(db: sqlite3.Connection, table: str, session_id: str) -> int:
    """The next per-session number of ``table`` (inside the inserting transaction: no gaps,
    no repeats, even with other processes writing)."""
    row = db.execute(
        f"SELECT COALESCE(MAX(number), 0) + 1 FROM {table} WHERE session_id=?", (session_id,)
    ).fetchone()
    return int(row[0])


def _connect_read_only(path: Path) -> sqlite3.Connection:
    if not path.exists():
        kept = journaled_sessions(sessions_dir_of(path))
        if kept:
            raise StoreEmptiedError(emptied_text(path, len(kept)))
        raise StoreError("no sessions yet: start one with 'tfexam start'")
    for options in ("mode=ro", "mode=ro&immutable=1"):
        try:
            db = sqlite3.connect(
                f"file:{path}?{options}", uri=True, check_same_thread=False, isolation_level=None
            )
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError:
            continue  # "unable to open database file": no room for the -shm file
    raise StoreError(f"cannot read the session store {path}")


def _session_from_row(row: sqlite3.Row) -> SessionRecord:
    return SessionRecord(
        id=row["id"],
        exam_id=row["exam_id"],
        exam_root=Path(row["exam_root"]),
        workspace=Path(row["workspace"]),
        started_at=row["started_at"],
        deadline=row["deadline"],
        state=row["state"],
        settings=json.loads(row["settings"]),
        ended_at=row["ended_at"],
        end_reason=row["end_reason"],
        submit_requested_at=row["submit_requested_at"],
        engine_pid=row["engine_pid"],
        engine_heartbeat=row["engine_heartbeat"],
    )


def _attempt_from_row(row: sqlite3.Row) -> AttemptRecord:
    return AttemptRecord(
        id=row["id"],
        session_id=row["session_id"],
        question_id=row["question_id"],
        source_path=row["source_path"],
        blob=row["blob"],
        sha256=row["sha256"],
        size=row["size"],
        origin=row["origin"],
        saved_at=row["saved_at"],
        detected_at=row["detected_at"],
        state=row["state"],
        queued_at=row["queued_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        score=row["score"],
        metric_name=row["metric_name"],
        metric_value=row["metric_value"],
        message=row["message"],
        timings=json.loads(row["timings"] or "{}"),
        source=row["source"],
        run_id=row["run_id"],
        reason_code=row["reason_code"],
        number=row["number"],
        run_number=row["run_number"],
        views=GradeViews.from_dict(json.loads(row["views"])) if row["views"] else None,
        # A store opened read-only is not migrated: one from before checks has no such column.
        checks=checks_from_json(row["checks"]) if "checks" in row.keys() else None,  # noqa: SIM118 (a Row's "in" reads values)
    )


def _run_from_row(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        id=row["id"],
        session_id=row["session_id"],
        question_id=row["question_id"],
        command=tuple(json.loads(row["command"])),
        cwd=Path(row["cwd"]),
        log_path=Path(row["log_path"]),
        started_at=row["started_at"],
        state=row["state"],
        pid=row["pid"],
        pid_started_at=row["pid_started_at"],
        ended_at=row["ended_at"],
        exit_code=row["exit_code"],
        epoch=row["epoch"],
        epochs=row["epochs"],
        metrics=json.loads(row["metrics"] or "{}"),
        cpu_seconds=row["cpu_seconds"],
        peak_rss_mb=row["peak_rss_mb"],
        number=row["number"],
    )
