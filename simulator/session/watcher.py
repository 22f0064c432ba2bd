"""Watching the workspace for saved models, and telling when a saved file is complete.

Keras writes a model in place under its final name, in many chunks; editors, rsync and browsers
write a temporary file and rename it; a model trained on Colab is copied in. Each save fires a
burst of events, and a reader that opened the file on every event would see a dozen unreadable
states per save. So this module debounces per path and reports a file only when it is complete:

* at once after a close-after-write or a rename: the writer is done with the file (Linux reports
  closes; elsewhere a quiet period stands in),
* with a structural check of the file (:mod:`simulator.grading.filecheck`): the HDF5 superblock's
  end-of-file address, a zip's central directory, a SavedModel's graph and index,
* and, for a file that stays broken, only once it has been quiet for ``broken_after_s``: a
  half-written file is never reported as a failure.
"""

from __future__ import annotations

import logging
import os
import platform
import stat
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirModifiedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileModifiedEvent,
    FileOpenedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
    FileSystemMovedEvent,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from simulator.grading.filecheck import FileCheck, check_model_file

log = logging.getLogger("tfexam.watcher")

#: Whether the platform reports close-after-write (inotify); elsewhere quiet periods stand in.
REPORTS_CLOSE = platform.system() == "Linux"

try:  # watchdog 7 reports metadata changes (inotify's IN_ATTRIB) as events of their own
    from watchdog.events import DirAttribEvent, FileAttribEvent

    _ATTRIB_EVENTS: tuple[type[FileSystemEvent], ...] = (FileAttribEvent, DirAttribEvent)
except ImportError:  # watchdog 6, the newest for Python 3.10, folds them into "modified"
    _ATTRIB_EVENTS = ()


@dataclass(frozen=True)
class WatchTimings:
    """How long to wait before looking at a file, in seconds.

    - ``closed_s``: after a close-after-write or a rename. The writer has let go of the file, so
      the structural check runs at once: a file it calls incomplete (h5py's first close of a new
      file, a copy made in several opens) waits for more events, a complete one is graded. A
      write after the report is a newer save (:meth:`ModelWatcher.rewriting`), never mixed in.
    - ``settle_s``: after a close in a burst (below), and after the event of a link, FIFO or
      device (made at once, never "closed").
    - ``burst_s``: a close within this long of the same file's last report is part of a burst
      (a save in a loop, a checkpoint every short epoch): it waits ``settle_s`` for the next save,
      so a burst is graded at its start and its end, not at every save.
    - ``quiet_s``: after the last write where the OS does not report closes (Keras' gaps between
      writes inside one save reach 25 ms for ``.h5`` and 280 ms for a large ``.keras``).
    - ``unclosed_s``: on Linux, a file written but never closed is looked at after this long.
    - ``broken_after_s``: a file that stays incomplete this long after its last event is reported
      as broken (truncated, empty, not a model).
    """

    closed_s: float = 0.0
    settle_s: float = 0.1
    burst_s: float = 1.0
    quiet_s: float = 0.6
    unclosed_s: float = 5.0
    broken_after_s: float = 1.5


@dataclass(frozen=True)
class SavedModelFile:
    """A model file (or SavedModel folder) that finished changing, with the verdict on it."""

    question_id: str
    path: Path
    last_event_at: float
    check: FileCheck


@dataclass
class _Pending:
    question_id: str
    last_event_at: float
    closed: bool
    due: float = field(default=0.0)


class ModelWatcher:
    """Reports complete (or stably broken) model files saved into the question folders."""

    def __init__(
        self,
        workspace: Path,
        question_folders: dict[str, str],
        accepts: Callable[[str, str], bool],
        on_saved: Callable[[SavedModelFile], None],
        timings: WatchTimings | None = None,
    ) -> None:
        """``question_folders`` maps folder name to question id; ``accepts(question_id, name)``
        says whether a file or folder name in that folder is a model to grade."""
        self.workspace = workspace.resolve()
        self._folders = question_folders
        self._accepts = accepts
        self._on_saved = on_saved
        self.timings = timings or WatchTimings()
        self._pending: dict[Path, _Pending] = {}
        #: When each file was last reported, for telling a burst of saves from a single one.
        self._reported_at: dict[Path, float] = {}
        self._cond = threading.Condition()
        self._stopping = False
        self._observer: BaseObserver | None = None
        self._timer = threading.Thread(target=self._run_timer, name="watcher-timer", daemon=True)

    def start(self) -> None:
        observer = Observer()
        observer.schedule(_Handler(self), str(self.workspace), recursive=True)
        observer.daemon = True
        observer.start()
        self._observer = observer
        self._timer.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._timer.is_alive():
            self._timer.join(timeout=5)

    def existing_models(self) -> list[tuple[str, Path]]:
        """Model files already in the workspace (found at start-up or resume), as (question, path)."""
        found = []
        for folder_name, question_id in self._folders.items():
            folder = self.workspace / folder_name
            if not folder.is_dir():
                continue
            for entry in sorted(folder.iterdir()):
                if self._accepts(question_id, entry.name):
                    found.append((question_id, entry))
        return found

    def watch_until_complete(self, path: Path) -> None:
        """Treat an existing file as one being written: report it once it is complete or settled.

        For files found at start-up that are not complete yet: a save may be under way.
        """
        self._note(str(path), closed=False)

    def rewriting(self, path: Path) -> bool:
        """Whether ``path`` changed again after it was reported (a newer save is under way).

        A report forgets the file; any write, close or rename after it makes it pending again.
        The engine asks this after copying a reported file: a copy taken while a newer save
        was writing may look complete (HDF5 writes its superblock early) and must not be graded;
        the newer save is reported in its turn.
        """
        with self._cond:
            return path in self._pending

    def pending_count(self) -> int:
        with self._cond:
            return len(self._pending)

    # Event intake (watchdog's thread) ------------------------------------------------------------

    def _model_path(self, raw: str) -> tuple[str, Path] | None:
        """Map an event path to (question, model path), or None if it is not a model of a question."""
        entry = Path(raw)
        try:
            # The folders are resolved, never the entry itself: a link saved as mymodel.h5 is
            # the candidate's model file wherever it points (the rule is in filecheck).
            relative = entry.parent.resolve().relative_to(self.workspace) / entry.name
        except (ValueError, OSError):
            return None
        parts = relative.parts
        if len(parts) < 2 or parts[0] not in self._folders:
            return None
        question_id = self._folders[parts[0]]
        if not self._accepts(question_id, parts[1]):
            return None
        return question_id, self.workspace / parts[0] / parts[1]

    def _note(self, raw: str, *, closed: bool | None) -> None:
        """Record an event; ``closed=None`` is a metadata change (``cp -p`` sets times after closing)."""
        target = self._model_path(raw)
        if target is None:
            return
        question_id, path = target
        now = time.time()
        with self._cond:
            pending = self._pending.get(path)
            if pending is None:
                if closed is None:
                    return  # a chmod or touch of a file nobody is writing: nothing new to grade
                pending = _Pending(question_id, now, closed)
                self._pending[path] = pending
            pending.last_event_at = now
            if closed is not None:
                pending.closed = closed
            pending.due = now + self._delay(pending, path)
            self._cond.notify()

    def _delay(self, pending: _Pending, path: Path) -> float:
        try:
            mode = path.lstat().st_mode
        except OSError:
            mode = 0
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            return self.timings.settle_s  # a link, a FIFO, a device: made at once, never "closed"
        if path.is_dir():
            return self.timings.quiet_s  # a SavedModel is many files: wait for all of them
        if pending.closed:
            in_burst = time.time() - self._reported_at.get(path, 0.0) < self.timings.burst_s
            return self.timings.settle_s if in_burst else self.timings.closed_s
        return self.timings.unclosed_s if REPORTS_CLOSE else self.timings.quiet_s

    # Timer thread -------------------------------------------------------------------------------

    def _run_timer(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                now = time.time()
                due = [(p, item) for p, item in self._pending.items() if item.due <= now]
                if not due:
                    wait = (
                        min((item.due for item in self._pending.values()), default=now + 3600) - now
                    )
                    self._cond.wait(timeout=max(0.01, wait))
                    continue
            for path, item in due:
                try:
                    self._examine(path, item)
                except Exception:  # one odd file must not stop the watching of every other
                    log.exception("could not examine %s; looking again later", path)
                    with self._cond:
                        if self._pending.get(path) is item:
                            item.due = time.time() + self.timings.broken_after_s

    def _examine(self, path: Path, item: _Pending) -> None:
        last_event = item.last_event_at
        if not os.path.lexists(path):
            self._forget(path, last_event)
            return
        check = check_model_file(path)
        now = time.time()
        quiet_for = now - last_event
        if not check.complete and quiet_for < self.timings.broken_after_s:
            with self._cond:
                if self._pending.get(path) is item and item.last_event_at == last_event:
                    item.due = last_event + self.timings.broken_after_s
            return
        if not self._forget(path, last_event):
            return  # a newer event arrived while we looked: wait for it to settle
        log.debug("saved: %s (%s)", path, "complete" if check.complete else check.reason)
        self._on_saved(SavedModelFile(item.question_id, path, last_event, check))

    def _forget(self, path: Path, last_event: float) -> bool:
        with self._cond:
            item = self._pending.get(path)
            if item is None or item.last_event_at != last_event:
                return False
            del self._pending[path]
            self._reported_at[path] = time.time()
            return True


class _Handler(FileSystemEventHandler):
    """Turns watchdog's events into the watcher's three kinds: write, close, metadata change.

    ``folds_attrib``: this watchdog reports a metadata change (``cp -p`` setting times after its
    close, a ``touch``) as "modified", as watchdog 6 does. Where closes are reported, a real write
    always follows an open of the file, so a "modified" of a file nobody has open is taken for a
    metadata change.
    """

    def __init__(self, watcher: ModelWatcher, *, folds_attrib: bool = not _ATTRIB_EVENTS) -> None:
        self.watcher = watcher
        self.folds_attrib = folds_attrib and REPORTS_CLOSE
        #: Open handles per file (opens minus closes), kept only when folds_attrib: a reader
        #: closing its handle must not hide a writer that still has the file open.
        self._open: Counter[str] = Counter()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if isinstance(event, (DirModifiedEvent, DirCreatedEvent)):
            return  # folder bookkeeping changes nothing
        if isinstance(event, (FileOpenedEvent, FileClosedNoWriteEvent)):
            # Reads (our own hashing included) change nothing, but a write starts with an open.
            if self.folds_attrib:
                path = _text(event.src_path)
                self._count_handle(path, +1 if isinstance(event, FileOpenedEvent) else -1)
            return
        if event.event_type == "deleted":
            return
        if isinstance(event, FileSystemMovedEvent):
            self.watcher._note(_text(event.dest_path), closed=True)
            return
        path = _text(event.src_path)
        if isinstance(event, _ATTRIB_EVENTS) or self._folded_attrib(event, path):
            self.watcher._note(path, closed=None)
            return
        if isinstance(event, FileClosedEvent) and self.folds_attrib:
            self._count_handle(path, -1)
        self.watcher._note(path, closed=isinstance(event, FileClosedEvent))

    def _count_handle(self, path: str, change: int) -> None:
        self._open[path] += change
        if self._open[path] <= 0:
            del self._open[path]

    def _folded_attrib(self, event: FileSystemEvent, path: str) -> bool:
        return self.folds_attrib and isinstance(event, FileModifiedEvent) and path not in self._open


def _text(path: str | bytes) -> str:
    return path.decode() if isinstance(path, bytes) else path
