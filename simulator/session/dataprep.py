"""Writing the questions' data in the background, so that the exam opens at once.

Generating a practice exam's data takes 6-8 s (pictures, headlines), 15 s with a training on the
machine; the candidate should not wait for it. ``tfexam start`` writes only the first question's
data, records the others as pending in the session's settings (``data_pending``), and the engine
runs ``python -m simulator.session.dataprep`` for them, in question order, in a child process (no GIL
shared with the screen, never the terminal). Each question's data is written into a hidden
staging folder and moved into the question's folder when complete, so a folder never holds half
its data; then the engine records :class:`simulator.session.events.QuestionReady`. The store is the truth
of what is ready: a question is ready unless it is pending and has no ``question-ready`` event,
so a resume after a crash generates again only what was not finished.

One writer per workspace, whatever happened to the last tfexam: the writer watches the process
that started it and ends within :data:`PARENT_CHECK_S` once that is gone (a ``kill -9`` of tfexam
leaves no writer behind); it holds an exclusive lock (``data.lock`` in the session's log folder,
with its pid) for as long as it writes, and a new engine stops a writer still holding it before it
starts its own. Each writer stages into its own folder and moves a question's entries into place
only once they are complete.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import functools
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import psutil

from simulator.storage.records import SessionRecord
from simulator.storage.store import Store

if TYPE_CHECKING:
    from simulator.exam.format import Question

log = logging.getLogger("tfexam.dataprep")

#: Where a question's data is written before it is moved into the question's folder.
STAGING_DIR = ".tfexam-data"
#: The writer's niceness: the screen and the candidate's trainings come first (the grading workers
#: yield the same way); with the machine idle it still has a core to itself.
WRITER_NICE = 10
#: The event kind that marks a question's data as complete (``events.QuestionReady.KIND``; the
#: events module is not imported here, so that the child process stays light).
READY_KIND = "question-ready"
#: How often the writer checks that the tfexam that started it is still there.
PARENT_CHECK_S = 0.2
#: How long a stale writer is given to end after SIGTERM before it is killed, and how long a new
#: writer waits for the lock before it gives up (the questions stay pending; the next start retries).
STALE_WRITER_WAIT_S = 10.0
#: The module a writer runs: how a stale writer is recognised by its command line.
WRITER_MODULE = "simulator.session.dataprep"


def pending_questions(store: Store, session: SessionRecord) -> list[str]:
    """Questions of ``session`` whose data is still to be written, in question order."""
    pending = list(session.settings.get("data_pending", []))
    if not pending:
        return []
    ready = {str(e.payload.get("question")) for e in store.events(session.id, READY_KIND)}
    return [q for q in pending if q not in ready]


class QuestionNotReadyError(RuntimeError):
    """A question's data is still being written: its starter cannot run yet."""


@dataclass(frozen=True)
class Prepared:
    """One line of the child's output: a question done (or failed, with ``error``)."""

    question_id: str
    seconds: float
    error: str | None = None


class DataPreparer:
    """The child process that writes pending questions' data; reports each one to ``on_done``."""

    def __init__(
        self,
        exam_root: Path,
        workspace: Path,
        seed: int,
        question_ids: Sequence[str],
        log_path: Path,
        on_done: Callable[[Prepared], None],
    ) -> None:
        #: The writer's lock sits beside its log, in the session's log folder (never removed, so
        #: that two writers cannot lock two different files of the same name).
        self.lock_path = log_path.with_name("data.lock")
        self.command = [
            sys.executable, "-m", WRITER_MODULE, "--parent", str(os.getpid()),
            "--lock", str(self.lock_path), str(exam_root), str(workspace), str(seed), *question_ids,
        ]  # fmt: skip
        self.log_path = log_path
        self.on_done = on_done
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        stale = stop_stale_writer(self.lock_path)
        if stale is not None:
            log.warning(
                "stopped the data writer (pid %d) left running by a tfexam that was stopped", stale
            )
        with self.log_path.open("a", encoding="utf-8") as errors:
            self._process = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                start_new_session=True,
            )
        self._reader = threading.Thread(target=self._read, name="tfexam-dataprep", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            try:
                raw = json.loads(line)
                done = Prepared(str(raw["question"]), float(raw["seconds"]), raw.get("error"))
            except (ValueError, KeyError, TypeError):
                log.warning("unexpected output from the data writer: %r", line)
                continue
            self.on_done(done)
        self._process.wait()

    def close(self) -> None:
        """Stop writing (a detach or the end); what is unfinished is written at the next start."""
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)


def write_staged(question_data: Callable[[Path], None], folder: Path, staging: Path) -> None:
    """Write into ``staging`` (a folder of this writer's own), then move each entry into ``folder``.

    A file replaces an older copy in one rename; a folder's older copy is first renamed aside, so
    that the target name holds either the old or the new copy, never a mix. Writers of one
    workspace take turns under its lock, so no other writer moves entries in meanwhile.
    """
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    question_data(staging)
    for entry in sorted(staging.iterdir()):
        _move_into_place(entry, folder / entry.name, staging.parent)
    staging.rmdir()


def _move_into_place(entry: Path, target: Path, scratch: Path) -> None:
    if not (entry.is_dir() and target.is_dir() and not target.is_symlink()):
        entry.replace(target)  # atomic for a file, and for a folder where none is in the way
        return
    aside = scratch / f"old-{target.name}-{uuid.uuid4().hex[:8]}"
    with contextlib.suppress(FileNotFoundError):  # gone meanwhile: nothing to set aside
        target.replace(aside)
    entry.replace(target)
    shutil.rmtree(aside, ignore_errors=True)


def stop_stale_writer(lock_path: Path) -> int | None:
    """Stop the writer named in ``lock_path`` if it still runs; return its pid, else ``None``.

    Only a process whose command line is a data writer's is stopped (a pid may have been reused).
    """
    try:
        pid = int(lock_path.read_text(encoding="utf-8").strip() or 0)
    except (OSError, ValueError):
        return None
    if pid <= 0 or pid == os.getpid():
        return None
    try:
        process = psutil.Process(pid)
        if WRITER_MODULE not in process.cmdline():
            return None
        process.terminate()
        try:
            process.wait(STALE_WRITER_WAIT_S)
        except psutil.TimeoutExpired:
            process.kill()
            process.wait(STALE_WRITER_WAIT_S)
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    except psutil.AccessDenied:
        return None  # not ours to stop; the lock makes our writer wait for it
    return pid


class WriterLockError(RuntimeError):
    """Another data writer still holds the workspace's lock."""


def _hold_lock(lock_path: Path) -> TextIO:
    """Take the exclusive writer lock (the kernel drops it when this process ends, however)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+", encoding="utf-8")
    give_up = time.monotonic() + STALE_WRITER_WAIT_S
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > give_up:
                handle.seek(0)
                holder = handle.read().strip() or "?"
                handle.close()
                raise WriterLockError(
                    f"another data writer (pid {holder}) still writes this workspace's data; "
                    "the questions stay pending and are written at the next tfexam resume"
                ) from None
            time.sleep(PARENT_CHECK_S / 4)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _watch_parent(parent: int) -> None:
    """End this process as soon as the tfexam that started it is gone (killed: no one to stop us).

    Polling the parent (rather than ``PR_SET_PDEATHSIG``, Linux only, which fires when the
    *thread* that started the child ends) works on macOS too and for any thread of the engine.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(3)  # the lock goes with the process; the staging folder is cleaned next time

    if os.getppid() != parent:
        os._exit(3)
    threading.Thread(target=watch, name="tfexam-dataprep-parent", daemon=True).start()


def _write(question: Question, target: Path, *, seed: int) -> None:
    from simulator.exam.workspace import write_question_data

    write_question_data(question, target, seed)


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m {WRITER_MODULE}")
    parser.add_argument("--parent", type=int, help="end when this process is gone")
    parser.add_argument("--lock", type=Path, help="the workspace's writer lock")
    parser.add_argument("exam_root", type=Path)
    parser.add_argument("workspace", type=Path)
    parser.add_argument("seed", type=int)
    parser.add_argument("questions", nargs="*")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m simulator.session.dataprep [--parent PID] [--lock PATH] EXAM_ROOT WORKSPACE SEED
    QUESTION...``: one JSON line per question."""
    from simulator.exam.format import load_exam

    args = _arguments(list(sys.argv[1:] if argv is None else argv))
    if args.parent is not None:
        _watch_parent(args.parent)
    if argv is None and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(WRITER_NICE)
    lock = None
    if args.lock is not None:
        try:
            lock = _hold_lock(args.lock)
        except WriterLockError as error:  # each question says why, on the screen too
            for question_id in args.questions:
                said = {"question": question_id, "seconds": 0.0, "error": str(error)}
                print(json.dumps(said), flush=True)
            return 1
    exam = load_exam(args.exam_root)
    workspace: Path = args.workspace
    staging = workspace / STAGING_DIR
    if staging.is_dir():  # left by a writer that was stopped: under the lock, no one else's
        for stale in staging.iterdir():
            shutil.rmtree(stale, ignore_errors=True)
    ours = f".{os.getpid()}-{uuid.uuid4().hex[:8]}"
    for question_id in args.questions:
        question = exam.question(question_id)
        started = time.perf_counter()
        line: dict[str, object] = {"question": question.id}
        try:
            write_staged(
                functools.partial(_write, question, seed=args.seed),
                workspace / question.workspace_folder,
                staging / f"{question.workspace_folder}{ours}",
            )
        except Exception as error:  # an exam's data code failed: say which, go on with the next
            logging.getLogger("tfexam.dataprep").exception("data of %s failed", question.id)
            line["error"] = f"{type(error).__name__}: {error}"
        line["seconds"] = round(time.perf_counter() - started, 3)
        # Removed before the line is printed: the engine may stop this writer once it has read
        # the last one, and the workspace is then clean (the next question makes it again).
        with contextlib.suppress(OSError):  # not empty: a failed question's half-written data
            staging.rmdir()
        print(json.dumps(line), flush=True)
    if lock is not None:
        lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
