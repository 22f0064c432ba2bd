"""Each session's own record beside its attempt copies, for ``tfexam doctor`` to rebuild from.

The store is the truth while it is there. But a whole store can be lost while the session folders
are intact: replaced by an empty file by a sync tool, deleted, or its path taken by a folder. So
every session folder (``<TFEXAM_HOME>/sessions/<id>/``) also keeps, in plain files:

- ``session.json``: the session row as written at creation (exam, workspace, absolute deadline,
  settings): everything the clock and the grading need;
- ``events.jsonl``: one line per event, as logged in the store (attempts, their outcomes, the end).

With the attempt copies already in ``attempts/`` (named by their hash), that is enough to put the
session, its attempts and its scores back. Writing here never stops a session: the store is
written first, and a full disk or a missing folder only costs the spare copy.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("tfexam.journal")

SESSION_FILE = "session.json"
EVENTS_FILE = "events.jsonl"
#: The folder of all session folders, beside the store file (see simulator.paths.DataPaths).
SESSIONS_DIR = "sessions"


def sessions_dir_of(database: Path) -> Path:
    """The session folders that belong to the store file ``database``."""
    return database.parent / SESSIONS_DIR


@dataclass(frozen=True)
class JournalEvent:
    at: float
    kind: str
    payload: dict[str, Any]


class Journal:
    """Writes the spare record of the sessions of one store (never raises on a write)."""

    def __init__(self, sessions_dir: Path) -> None:
        self.sessions_dir = sessions_dir

    def session(self, row: dict[str, Any]) -> None:
        """Keep a new session's row (``row["id"]`` names the folder)."""
        folder = self.sessions_dir / str(row["id"])
        with _spare(folder):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / SESSION_FILE).write_text(json.dumps(row, indent=1), encoding="utf-8")

    def event(self, session_id: str, at: float, kind: str, payload: Mapping[str, object]) -> None:
        """Append one event to the session's event log."""
        folder = self.sessions_dir / session_id
        if not (folder / SESSION_FILE).is_file():
            return  # a session created before the journal existed: its log would be partial
        with _spare(folder), (folder / EVENTS_FILE).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"at": at, "kind": kind, "payload": dict(payload)}) + "\n")


@contextlib.contextmanager
def _spare(folder: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:  # a full disk, a removed folder: the store has it all the same
        log.warning("could not keep the spare record in %s: %s", folder, error)


def journaled_sessions(sessions_dir: Path) -> list[Path]:
    """The session folders that hold a session row, oldest name first."""
    if not sessions_dir.is_dir():
        return []
    return sorted(path.parent for path in sessions_dir.glob(f"*/{SESSION_FILE}"))


def read_session(folder: Path) -> dict[str, Any] | None:
    """The session row kept in ``folder``, or None when it cannot be read."""
    try:
        row = json.loads((folder / SESSION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return row if isinstance(row, dict) and isinstance(row.get("id"), str) else None


def read_events(folder: Path) -> list[JournalEvent]:
    """Every whole line of the session's event log (a line cut short by a crash is skipped)."""
    try:
        lines = (folder / EVENTS_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    events = []
    for line in lines:
        try:
            raw = json.loads(line)
            events.append(JournalEvent(float(raw["at"]), str(raw["kind"]), dict(raw["payload"])))
        except (ValueError, KeyError, TypeError):
            continue
    return events
