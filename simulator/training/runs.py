"""Starting, watching and stopping the candidate's training scripts.

A run is the question's script started with the candidate's Python in the question's folder, in
its own process group, with its output going to a log file in the session (never to the
terminal). Its parent is a small launcher (:mod:`simulator.training.launcher`) that writes the
script's exit code (or killing signal) and end time next to the log when the script exits, so a
run that ends while tfexam is closed keeps its truth. Writing to a file rather than a pipe means a run survives tfexam quitting or crashing:
``tfexam resume`` adopts runs that are still alive and goes on reading their log.

One monitor thread does all the watching: it reads new output (progress and a bounded tail),
samples CPU and memory of each run's whole process tree with psutil, records progress and samples
in the store, and notices when a run ends.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import psutil

from simulator.storage.records import RunRecord, RunSample, RunState
from simulator.storage.store import Store
from simulator.training.epochs import (
    EPOCHS_ENV,
    RUN_HOOK_DIR,
    EpochFigures,
    EpochReader,
    epochs_path,
    read_epochs,
)
from simulator.training.logtail import LogTail
from simulator.training.progress import ProgressParser, TrainingProgress

LAUNCHER = Path(__file__).resolve().with_name("launcher.py")

log = logging.getLogger("tfexam.runs")

#: The monitor reads each run's new output this often (an epochs file only when it grew): the
#: views show it once a second. A run's end wakes the monitor at once (an exit watcher per run).
POLL_S = 0.5
#: ... but this often while a run has no exit watcher (adopted where Linux's pidfd is missing),
#: and while :meth:`RunManager.close` waits for stopped runs to end.
END_POLL_S = 0.25
#: CPU and memory of each run's processes are measured this often...
MEASURE_EVERY_S = 1.0
#: ... and stored this often, for the report.
SAMPLE_EVERY_S = 5.0
#: The run's process tree (which processes belong to it) is looked up only this often, or when
#: one of them ended: psutil finds a process's children by reading every process's
#: ``/proc/PID/stat`` on the machine, 60 % of the monitor's CPU when it ran every second.
TREE_EVERY_S = 10.0
#: The runs' progress and figures are written to the store this often.
STORE_EVERY_S = 2.0
#: After SIGINT (Keras stops after the current batch), wait this long before killing.
STOP_GRACE_S = 5.0
READ_CHUNK = 256 * 1024


@dataclass(frozen=True)
class ExitStatus:
    """How a run's script ended, as its launcher recorded it. ``exit_code`` follows Popen's
    convention: negative is the number of the signal that killed it."""

    exit_code: int
    ended_at: float


def exit_status_path(log_path: Path) -> Path:
    return log_path.with_name(log_path.stem + ".exit.json")


def read_exit_status(log_path: Path) -> ExitStatus | None:
    """The launcher's record of how the run ended (None while it runs, or if it was lost)."""
    try:
        data = json.loads(exit_status_path(log_path).read_text(encoding="utf-8"))
        code = -int(data["signal"]) if data.get("signal") else int(data["exit_code"])
        return ExitStatus(code, float(data["ended_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def exit_label(exit_code: int | None) -> str:
    """``0``, ``1``, or the killing signal's name (``SIGKILL``) for a negative code."""
    if exit_code is None:
        return ""
    if exit_code >= 0:
        return str(exit_code)
    try:
        return signal.Signals(-exit_code).name
    except ValueError:
        return f"signal {-exit_code}"


def script_text(command: tuple[str, ...]) -> str:
    """What a run runs, as the candidate would say it: ``starter.py`` (not the interpreter and
    its ``-u``)."""
    return " ".join(part for part in command[1:] if part != "-u")


def exit_text(exit_code: int) -> str:
    """``exit code 3`` or ``killed by SIGKILL``, for a sentence."""
    if exit_code >= 0:
        return f"exit code {exit_code}"
    return f"killed by {exit_label(exit_code)}"


def ended_state(exit_code: int | None, *, stopped: bool) -> RunState:
    if stopped:
        return "stopped"
    return "finished" if exit_code is None or exit_code == 0 else "failed"


@dataclass(frozen=True)
class RunView:
    """What a view shows of a run right now."""

    record: RunRecord
    progress: TrainingProgress
    cpu_percent: float
    rss_mb: float
    tail: list[str]
    elapsed_s: float
    #: Each finished epoch's figures as the run hook recorded them (empty outside the hook).
    epochs: tuple[EpochFigures, ...] = ()
    #: The GPUs the training saw as fit() began: empty for the CPU, None when not known.
    devices: tuple[str, ...] | None = None


#: Called with a run as it starts (state ``running``) and as it ends (any other state).
RunListener = Callable[[RunRecord], None]


class _LiveRun:
    """A run being watched: its process (ours or adopted), log reader, parser and samples."""

    def __init__(self, record: RunRecord, process: subprocess.Popen[bytes] | None) -> None:
        self.record = record
        self.process = process
        self.parser = ProgressParser()
        self.epoch_reader = EpochReader(epochs_path(record.log_path))
        self.tail = LogTail()
        self.offset = 0
        self.cpu_percent = 0.0
        self.rss_mb = 0.0
        self.cpu_seconds = 0.0
        self.peak_rss_mb = 0.0
        self.stop_requested_at: float | None = None
        self.killed = False
        #: Whether a thread wakes the monitor when the run's process ends.
        self.exit_watched = False
        self._log: BinaryIO | None = None
        self._procs: dict[int, psutil.Process] = {}
        self._tree_at = -math.inf
        self.root: psutil.Process | None = None
        if record.pid is not None:
            try:
                self.root = psutil.Process(record.pid)
            except psutil.Error:
                self.root = None

    def read_output(self) -> bool:
        """Read what the run wrote since last time; True if there was anything.

        The log's size is looked at first (one ``fstat``): most polls find nothing new, and a
        read of READ_CHUNK at the end of the file still allocates the whole chunk."""
        try:
            if self._log is None:
                self._log = self.record.log_path.open("rb")
                self._log.seek(self.offset)
            new = os.fstat(self._log.fileno()).st_size - self.offset
            if new <= 0:
                return False
            data = self._log.read(min(new, READ_CHUNK))
        except OSError:
            return False
        if not data:
            return False
        self.offset += len(data)
        text = data.decode("utf-8", "replace")
        self.parser.feed(text)
        self.tail.feed(text)
        return True

    @property
    def progress(self) -> TrainingProgress:
        """The output parser's progress, or the recorded epochs' where the output says nothing
        (``verbose=0``) or less (``verbose=2`` has no steps; the epochs have every metric)."""
        return merged_progress(self.parser.progress, self.epoch_reader.figures)

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def sample(self) -> None:
        """CPU % and RSS of the whole process tree; CPU seconds include ended children.

        The tree is looked up again every :data:`TREE_EVERY_S` (and when one of its processes
        ended); in between the processes already known are measured."""
        if self.root is None:
            return
        now = time.monotonic()
        tree: list[psutil.Process]
        if now - self._tree_at >= TREE_EVERY_S or not self._procs:
            try:
                pids = descendant_pids(self.root)
            except psutil.Error:
                return
            self._tree_at = now
            tree = [self.root]
            for pid in pids:
                known = self._procs.get(pid)
                if known is None:
                    try:
                        known = psutil.Process(pid)
                    except psutil.Error:
                        continue
                tree.append(known)
        else:
            tree = list(self._procs.values())
        cpu = rss = seconds = 0.0
        alive = {}
        for proc in tree:  # the known processes' own objects: cpu_percent needs the last one
            try:
                with proc.oneshot():  # one read of /proc/PID/stat for the CPU % and seconds
                    cpu += proc.cpu_percent(interval=None)
                    rss += proc.memory_info().rss / 2**20
                    times = proc.cpu_times()
                seconds += times.user + times.system + times.children_user + times.children_system
            except psutil.Error:
                continue
            alive[proc.pid] = proc
        if len(alive) < len(tree):
            self._tree_at = -math.inf  # one ended: look the tree up again next time
        self._procs = alive
        self.cpu_percent = cpu
        self.rss_mb = rss
        self.cpu_seconds = max(self.cpu_seconds, seconds)
        self.peak_rss_mb = max(self.peak_rss_mb, rss)

    def ended(self) -> tuple[bool, int | None]:
        """(whether the run ended, its exit code: None when unknown, for an adopted run)."""
        if self.process is not None:
            code = self.process.poll()
            return (code is not None, code)
        if self.root is None:
            return (True, None)
        try:
            gone = not self.root.is_running() or self.root.status() == psutil.STATUS_ZOMBIE
        except psutil.Error:
            gone = True
        return (gone, None)


#: Linux lists each thread's child processes in ``/proc/PID/task/TID/children`` (where the
#: kernel was built with it): a run's tree is found from its own processes' few files.
_PROC_CHILDREN = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()


def descendant_pids(root: psutil.Process) -> list[int]:
    """The pids of every process below ``root`` (children, their children, ...).

    From the ``children`` files of the tree's own threads where Linux has them: psutil's walk
    reads ``/proc/PID/stat`` of every process on the machine (hundreds on a desktop) to find
    the parents. Elsewhere, psutil's walk."""
    if not _PROC_CHILDREN:
        return [child.pid for child in root.children(recursive=True)]
    found: list[int] = []
    todo = [root.pid]
    while todo:
        pid = todo.pop()
        try:
            with os.scandir(f"/proc/{pid}/task") as entries:
                tasks = [entry.name for entry in entries]
        except OSError:
            if pid == root.pid:
                raise psutil.NoSuchProcess(pid) from None
            continue  # ended meanwhile
        for tid in tasks:
            try:
                listing = Path(f"/proc/{pid}/task/{tid}/children").read_text(encoding="ascii")
                children = [int(child) for child in listing.split()]
            except (OSError, ValueError):
                continue  # the thread ended meanwhile
            for child in children:
                if child not in found:
                    found.append(child)
                    todo.append(child)
    return found


class RunManager:
    """All training runs of one session, started here or adopted after a restart."""

    def __init__(
        self,
        store: Store,
        session_id: str,
        log_dir: Path,
        *,
        python: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.session_id = session_id
        self.log_dir = log_dir
        self.python = python or sys.executable
        self.clock = clock
        self._live: dict[int, _LiveRun] = {}
        self._lock = threading.Lock()
        self._listeners: list[RunListener] = []
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        #: Set when a run's process ends (or the monitor stops): the monitor looks at once.
        self._wake = threading.Event()
        self._last_store = 0.0
        self._last_sample = 0.0
        self._last_measure = 0.0
        self._pending_samples: list[RunSample] = []
        #: An ended run's log tail and epochs, read once (its files no longer change).
        self._ended_tails: dict[
            int, tuple[list[str], tuple[EpochFigures, ...], tuple[str, ...] | None]
        ] = {}

    # Control ------------------------------------------------------------------------------------

    def subscribe(self, listener: RunListener) -> None:
        """``listener(run)`` when a run starts and when it ends, on the monitor's thread."""
        self._listeners.append(listener)

    def start(self) -> None:
        """Adopt runs of this session that are still alive, then start watching."""
        for record in self.store.runs(self.session_id):
            if record.state == "running" and record.id not in self._live:
                self._adopt(record)
        self._thread = threading.Thread(target=self._monitor, name="tfexam-runs", daemon=True)
        self._thread.start()

    def close(self, *, stop_runs: bool = False) -> None:
        """Stop watching; runs keep going (their output goes to their log) unless ``stop_runs``."""
        if stop_runs:
            for run_id in list(self._live):
                self.stop(run_id)
            give_up = time.monotonic() + STOP_GRACE_S + 2
            while self._live and time.monotonic() < give_up:
                time.sleep(END_POLL_S)
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._flush(force=True)
        with self._lock:
            for run in self._live.values():
                run.close()

    def launch(
        self, question_id: str, folder: Path, script: str, *, python: str | None = None
    ) -> RunRecord:
        """Start ``python -u script`` in ``folder``; its output goes to the run's log file."""
        if not (folder / script).is_file():
            raise FileNotFoundError(f"{folder / script} does not exist")
        command = (python or self.python, "-u", script)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        started = self.clock()
        record = self.store.add_run(
            session_id=self.session_id, question_id=question_id, command=command, cwd=folder,
            log_path=self.log_dir / "pending.log", started_at=started,
        )  # fmt: skip
        log_path = self.log_dir / f"run-{record.id}-{question_id}.log"
        self.store.set_run_log(record.id, log_path)  # the log's name carries the run id
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "TFEXAM_RUN": str(record.id)}
        # The run hook records every epoch's figures (simulator.training.epochs).
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(RUN_HOOK_DIR), os.environ.get("PYTHONPATH", "")) if p
        )
        env[EPOCHS_ENV] = str(epochs_path(log_path))
        launched = [command[0], str(LAUNCHER), str(exit_status_path(log_path)), "--", *command]
        try:
            with log_path.open("ab") as output:
                process = subprocess.Popen(
                    launched, cwd=folder, stdin=subprocess.DEVNULL, stdout=output,
                    stderr=subprocess.STDOUT, env=env, start_new_session=True,
                )  # fmt: skip
        except OSError as error:
            self.store.finish_run(record.id, state="failed", ended_at=self.clock(), exit_code=None)
            raise RuntimeError(f"could not start {command[0]}: {error}") from None
        try:
            created = psutil.Process(process.pid).create_time()
        except psutil.Error:
            created = started
        record = self.store.set_run_process(record.id, process.pid, created)
        with self._lock:
            self._live[record.id] = live = _LiveRun(record, process)
        self._watch_exit(live)
        self._announce(record)
        return record

    def restart(self, run_id: int) -> RunRecord:
        """Start the same script again (a new run); the old one is stopped first if it runs."""
        old = self.store.get_run(run_id)
        if run_id in self._live:
            self.stop(run_id)
        return self.launch(old.question_id, old.cwd, old.command[-1], python=old.command[0])

    def stop(self, run_id: int) -> None:
        """Interrupt the run's process group (Keras stops cleanly); killed if it does not end."""
        live = self._live.get(run_id)
        if live is None or live.stop_requested_at is not None:
            return
        live.stop_requested_at = time.monotonic()
        self._signal(live, signal.SIGINT)

    # Views --------------------------------------------------------------------------------------

    def views(self) -> list[RunView]:
        """Every run of the session, newest first, with live figures for those still running."""
        with self._lock:
            live = dict(self._live)
        now = self.clock()
        found = []
        for record in reversed(self.store.runs(self.session_id)):
            current = live.get(record.id)
            end = record.ended_at if record.ended_at is not None else now
            if current is not None:
                reader = current.epoch_reader
                found.append(RunView(record, current.progress, current.cpu_percent,
                                     current.rss_mb, current.tail.tail(200), end - record.started_at,
                                     tuple(reader.figures), _devices(reader)))  # fmt: skip
            else:
                cached = self._ended_tails.get(record.id)
                if cached is None:
                    recorded = read_epochs(record.log_path)
                    cached = (_tail_of_file(record.log_path), tuple(recorded.figures),
                              _devices(recorded))  # fmt: skip
                    if record.state != "running":  # an ended run's files no longer change
                        self._ended_tails[record.id] = cached
                tail, figures, devices = cached
                found.append(RunView(record, _stored_progress(record), 0.0, 0.0, tail,
                                     end - record.started_at, figures, devices))  # fmt: skip
        return found

    def running(self) -> int:
        return len(self._live)

    # Monitor ------------------------------------------------------------------------------------

    def _adopt(self, record: RunRecord) -> None:
        """A run left running by an earlier tfexam: watch it again if it is the same process."""
        alive = False
        if record.pid is not None:
            try:
                proc = psutil.Process(record.pid)
                alive = (
                    record.pid_started_at is None
                    or abs(proc.create_time() - record.pid_started_at) < 1.0
                )
            except psutil.Error:
                alive = False
        if not alive:
            self._finish_ended_meanwhile(record)
            return
        live = _LiveRun(record, None)
        self._watch_exit(live)
        try:
            size = record.log_path.stat().st_size
        except OSError:
            size = 0
        live.offset = max(0, size - 64 * 1024)  # enough to recover the progress and a tail
        with self._lock:
            self._live[record.id] = live

    def _monitor(self) -> None:
        while True:
            with self._lock:
                watched = all(run.exit_watched for run in self._live.values())
            self._wake.wait(POLL_S if watched else END_POLL_S)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self._poll()
            except Exception:
                log.exception("run monitor failed")

    def _watch_exit(self, run: _LiveRun) -> None:
        """Wake the monitor the moment the run's process ends: a thread waits for it (our own
        child), or for its pidfd to be readable (a run adopted after a restart, on Linux)."""
        process = run.process
        if process is not None:

            def wait_for_child() -> None:
                with contextlib.suppress(Exception):
                    process.wait()
                self._wake.set()

            target = wait_for_child
        elif run.record.pid is not None and hasattr(os, "pidfd_open"):
            try:
                pidfd = os.pidfd_open(run.record.pid)
            except OSError:
                return  # gone already, or no pidfd here: the monitor polls it

            def wait_for_pidfd() -> None:
                with contextlib.suppress(Exception):
                    select.select([pidfd], [], [])
                os.close(pidfd)
                self._wake.set()

            target = wait_for_pidfd
        else:
            return
        run.exit_watched = True
        threading.Thread(
            target=target, name=f"tfexam-run-{run.record.id}-exit", daemon=True
        ).start()

    def _poll(self) -> None:
        now = self.clock()
        with self._lock:
            live = list(self._live.values())
        measure_due = time.monotonic() - self._last_measure >= MEASURE_EVERY_S
        if measure_due:
            self._last_measure = time.monotonic()
        sample_due = time.monotonic() - self._last_sample >= SAMPLE_EVERY_S
        if sample_due:
            self._last_sample = time.monotonic()
        for run in live:
            while run.read_output():
                pass
            run.epoch_reader.read()
            if measure_due:
                run.sample()
            if sample_due:
                self._pending_samples.append(
                    RunSample(run.record.id, now, run.cpu_percent, run.rss_mb)
                )
            ended, code = run.ended()
            if not ended:
                if (
                    run.stop_requested_at is not None
                    and not run.killed
                    and time.monotonic() - run.stop_requested_at > STOP_GRACE_S
                ):
                    run.killed = True
                    self._signal(run, signal.SIGKILL)
                continue
            self._end(run, code)
        self._flush()

    def _finish_ended_meanwhile(self, record: RunRecord) -> None:
        """A run that ended while no tfexam watched: its launcher's record, its log's progress."""
        status = read_exit_status(record.log_path)
        parser = ProgressParser()
        try:
            with record.log_path.open("rb") as handle:
                handle.seek(max(0, record.log_path.stat().st_size - 256 * 1024))
                parser.feed(handle.read().decode("utf-8", "replace"))
            last_write = record.log_path.stat().st_mtime
        except OSError:
            last_write = self.clock()
        progress = merged_progress(parser.progress, read_epochs(record.log_path).figures)
        if progress.epoch is not None:
            self.store.update_run(
                record.id, epoch=progress.epoch, epochs=progress.epochs,
                metrics=progress.metrics, cpu_seconds=record.cpu_seconds,
                peak_rss_mb=record.peak_rss_mb,
            )  # fmt: skip
        # Without the launcher's record (it was killed too), the log's last write is the best
        # guess at the end, and the exit code stays unknown.
        code = status.exit_code if status else None
        ended_at = status.ended_at if status else min(last_write, self.clock())
        self.store.finish_run(
            record.id, state=ended_state(code, stopped=False), ended_at=ended_at, exit_code=code
        )

    def _end(self, run: _LiveRun, exit_code: int | None) -> None:
        while run.read_output():
            pass
        run.epoch_reader.read()
        run.close()
        status = read_exit_status(run.record.log_path)
        ended_at = self.clock()
        if status is not None:  # the script's own code, not the launcher's 128 + signal
            exit_code, ended_at = status.exit_code, status.ended_at
        state = ended_state(exit_code, stopped=run.stop_requested_at is not None)
        self._store_progress(run)
        record = self.store.finish_run(
            run.record.id, state=state, ended_at=ended_at, exit_code=exit_code
        )
        with self._lock:
            self._live.pop(run.record.id, None)
        self._announce(record)

    def _flush(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._last_store < STORE_EVERY_S:
            return
        self._last_store = time.monotonic()
        samples, self._pending_samples = self._pending_samples, []
        self.store.add_run_samples(samples)
        with self._lock:
            live = list(self._live.values())
        for run in live:
            self._store_progress(run)

    def _store_progress(self, run: _LiveRun) -> None:
        progress = run.progress
        self.store.update_run(
            run.record.id, epoch=progress.epoch, epochs=progress.epochs,
            metrics=progress.metrics, cpu_seconds=run.cpu_seconds, peak_rss_mb=run.peak_rss_mb,
        )  # fmt: skip

    def _signal(self, run: _LiveRun, sig: signal.Signals) -> None:
        pid = run.record.pid
        if pid is None:
            return
        try:
            os.killpg(os.getpgid(pid), sig)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(OSError):
                os.kill(pid, sig)

    def _announce(self, record: RunRecord) -> None:
        for listener in list(self._listeners):
            try:
                listener(record)
            except Exception:
                log.exception("run listener failed on run %s (%s)", record.id, record.state)


def _devices(reader: EpochReader) -> tuple[str, ...] | None:
    return None if reader.devices is None else tuple(reader.devices)


def merged_progress(parsed: TrainingProgress, figures: list[EpochFigures]) -> TrainingProgress:
    """The parser's progress, completed from the recorded epochs: the epoch count and metrics
    where the output had none, the figures of the last finished epoch where it is newer."""
    if not figures:
        return parsed
    last = figures[-1]
    if parsed.epoch is None or last.epoch >= parsed.epoch:
        return TrainingProgress(
            epoch=last.epoch, epochs=last.epochs or parsed.epochs,
            step=1, steps=1, metrics={**parsed.metrics, **last.logs},  # the epoch is whole
        )  # fmt: skip
    return parsed


def _stored_progress(record: RunRecord) -> TrainingProgress:
    return TrainingProgress(epoch=record.epoch, epochs=record.epochs, metrics=record.metrics)


def _tail_of_file(path: Path, lines: int = 200) -> list[str]:
    """The last lines of a finished run's log (read once per view; bounded to 64 KiB)."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 64 * 1024))
            data = handle.read()
    except OSError:
        return []
    tail = LogTail(max_lines=lines)
    tail.feed(data.decode("utf-8", "replace"))
    return tail.tail(lines)
