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
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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
        self.command = [
            sys.executable, "-m", "simulator.session.dataprep", str(exam_root), str(workspace), str(seed),
            *question_ids,
        ]  # fmt: skip
        self.log_path = log_path
        self.on_done = on_done
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
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
    """Write into ``staging``, then move each entry into ``folder`` (replacing an older copy)."""
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    question_data(staging)
    for entry in sorted(staging.iterdir()):
        target = folder / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        entry.replace(target)
    staging.rmdir()


def _write(question: Question, target: Path, *, seed: int) -> None:
    from simulator.exam.workspace import write_question_data

    write_question_data(question, target, seed)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m simulator.session.dataprep EXAM_ROOT WORKSPACE SEED QUESTION...``: one JSON line each."""
    from simulator.exam.format import load_exam

    exam_root, workspace_arg, seed_arg, *question_ids = list(sys.argv[1:] if argv is None else argv)
    if argv is None and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(WRITER_NICE)
    exam = load_exam(Path(exam_root))
    workspace = Path(workspace_arg)
    seed = int(seed_arg)
    for question_id in question_ids:
        question = exam.question(question_id)
        started = time.perf_counter()
        line: dict[str, object] = {"question": question.id}
        try:
            write_staged(
                functools.partial(_write, question, seed=seed),
                workspace / question.workspace_folder,
                workspace / STAGING_DIR / question.workspace_folder,
            )
        except Exception as error:  # an exam's data code failed: say which, go on with the next
            logging.getLogger("tfexam.dataprep").exception("data of %s failed", question.id)
            line["error"] = f"{type(error).__name__}: {error}"
        line["seconds"] = round(time.perf_counter() - started, 3)
        print(json.dumps(line), flush=True)
    staging = workspace / STAGING_DIR
    if staging.is_dir() and not any(staging.iterdir()):
        staging.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
