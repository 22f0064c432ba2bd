"""Opening the session store of ``$TFEXAM_HOME`` for a command, writable or read-only.

The read commands (status, sessions, report, history) also work on a home that cannot be written
(a read-only mount, a copy handed over for review): they open the store read-only and change
nothing. Every command that records must refuse such a home, with one line saying why.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from simulator.paths import DataPaths
from simulator.storage.store import Store, StoreError


class HomeNotWritableError(StoreError):
    """``$TFEXAM_HOME`` cannot be written, and the command must record to it."""


def home_writable(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (tried, since root ignores permissions but not
    a read-only file system)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def open_store(paths: DataPaths, *, write: bool = True) -> Store:
    """The store of ``paths``; with ``write=False`` a home that cannot be written gives a
    read-only store (``Store.read_only``), else such a home is refused."""
    if home_writable(paths.root):
        return Store(paths.database)
    if write:
        raise HomeNotWritableError(
            f"TFEXAM_HOME {paths.root} is not writable: this command must record to it "
            "(set TFEXAM_HOME to a folder you can write to)"
        )
    return Store(paths.database, read_only=True)


def open_store_if_any(paths: DataPaths) -> Store | None:
    """The store for a command that records only when it can (a notebook export): writable where
    the home is, read-only where it is not but a store exists, else None (no sessions yet)."""
    if home_writable(paths.root):
        return Store(paths.database)
    if paths.database.exists():
        return Store(paths.database, read_only=True)
    return None
