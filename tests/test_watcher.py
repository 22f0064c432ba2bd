"""The watcher reports each save once, only when complete, however the file arrives."""

from __future__ import annotations

import itertools
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import watchdog.events

import simulator.session.watcher
from simulator.session.watcher import ModelWatcher, SavedModelFile, WatchTimings
from tests.waiting import wait_until

MODEL_NAMES = ("mymodel.h5", "mymodel.keras", "mymodel")


class Recorder:
    def __init__(self) -> None:
        self.saved: list[SavedModelFile] = []
        self.cond = threading.Condition()
        self.watcher: ModelWatcher | None = None
        #: Names of the entries the watcher's handler has had events of, in any folder.
        self.seen: set[str] = set()
        self._markers = itertools.count(1)

    def __call__(self, saved: SavedModelFile) -> None:
        with self.cond:
            self.saved.append(saved)
            self.cond.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[SavedModelFile]:
        with self.cond:
            self.cond.wait_for(lambda: len(self.saved) >= count, timeout)
            return list(self.saved)

    def settle(self, folder: Path) -> list[SavedModelFile]:
        """Every report of what the test did so far, once there can be no more.

        The OS delivers a folder's events in order: once the handler has had the event of a
        marker file written now, it has had every earlier one. Then nothing pending means
        nothing left to report (a file still waiting for its close keeps this waiting).
        """
        marker = f"marker-{next(self._markers)}.txt"  # not a model name: the watcher ignores it
        (folder / marker).write_text("")
        wait_until(lambda: marker in self.seen, message="the watcher's events to catch up")
        assert self.watcher is not None
        wait_until(
            lambda: self.watcher is not None and self.watcher.pending_count() == 0,
            message="the watcher to examine every file it follows",
        )
        return self.wait_for(0)


_ATTRIB_TO_MODIFIED = {
    getattr(watchdog.events, "FileAttribEvent", None): watchdog.events.FileModifiedEvent,
    getattr(watchdog.events, "DirAttribEvent", None): watchdog.events.DirModifiedEvent,
}


class Watchdog6Handler(simulator.session.watcher._Handler):
    """Events as watchdog 6 (the newest for Python 3.10) delivers them: a metadata change, such
    as the times ``copy2`` sets after closing, arrives as "modified"; all else is the same."""

    def __init__(self, watcher: ModelWatcher) -> None:
        super().__init__(watcher, folds_attrib=True)

    def on_any_event(self, event: watchdog.events.FileSystemEvent) -> None:
        folded = _ATTRIB_TO_MODIFIED.get(type(event))
        super().on_any_event(folded(event.src_path) if folded else event)


#: Run a test with this watchdog's events and with watchdog 6's.
BOTH_WATCHDOGS = pytest.mark.parametrize("watched", ["installed", "watchdog-6"], indirect=True)


@pytest.fixture
def watched(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, Recorder]]:
    if getattr(request, "param", "installed") == "watchdog-6":
        if not hasattr(watchdog.events, "FileAttribEvent"):
            pytest.skip("the installed watchdog is 6: the plain run covers it")
        monkeypatch.setattr(simulator.session.watcher, "_Handler", Watchdog6Handler)
    yield from _watching(tmp_path, monkeypatch, Recorder())


R = TypeVar("R", bound=Recorder)


def _watching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recorder: R
) -> Iterator[tuple[Path, R]]:
    """A watcher of ``tmp_path/category1`` reporting to ``recorder``, which also learns every
    entry the handler had an event of (what :meth:`Recorder.settle` waits on)."""
    (tmp_path / "category1").mkdir()
    (tmp_path / "notes").mkdir()
    handler = simulator.session.watcher._Handler

    class Seeing(handler):  # type: ignore[valid-type,misc]
        """The handler in use, telling the recorder which entries it has had events of."""

        def on_any_event(self, event: watchdog.events.FileSystemEvent) -> None:
            super().on_any_event(event)
            recorder.seen.add(Path(os.fsdecode(event.src_path)).name)

    monkeypatch.setattr(simulator.session.watcher, "_Handler", Seeing)
    watcher = ModelWatcher(
        tmp_path, {"category1": "q1"}, lambda _q, name: name in MODEL_NAMES, recorder
    )
    watcher.start()
    recorder.watcher = watcher
    yield tmp_path / "category1", recorder
    watcher.stop()


@BOTH_WATCHDOGS
def test_a_file_written_in_place_in_chunks_is_reported_once_complete(
    watched: tuple[Path, Recorder], models: dict[str, Path]
) -> None:
    folder, recorder = watched
    data = models["good.h5"].read_bytes()
    with (folder / "mymodel.h5").open("wb") as handle:
        for start in range(0, len(data), 1024):  # like Keras: many writes, small gaps
            handle.write(data[start : start + 1024])
            handle.flush()
            # The scenario, not a wait: a writer's small gaps between chunks, as Keras's.
            time.sleep(0.005)
    saved = recorder.settle(folder)
    assert len(saved) == 1
    assert saved[0].check.complete and saved[0].path == folder / "mymodel.h5"


@BOTH_WATCHDOGS
def test_a_slow_writer_is_not_reported_until_it_finishes(
    watched: tuple[Path, Recorder], models: dict[str, Path]
) -> None:
    folder, recorder = watched
    data = models["good.h5"].read_bytes()
    with (folder / "mymodel.h5").open("wb") as handle:
        handle.write(data[: len(data) // 2])
        handle.flush()
        flushed_at = time.time()
        # The grace is measured on the watcher's own clock (the real one): it must run out.
        grace = WatchTimings().broken_after_s
        wait_until(lambda: time.time() > flushed_at + grace + 0.5, message="the broken-file grace")
        assert recorder.wait_for(0) == [], "still open, so still being written"
        handle.write(data[len(data) // 2 :])
    saved = recorder.settle(folder)
    assert [s.check.complete for s in saved] == [True]


@BOTH_WATCHDOGS
def test_a_real_keras_save_is_reported_once(watched: tuple[Path, Recorder]) -> None:
    import keras

    folder, recorder = watched
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.save(folder / "mymodel.h5")
    model.save(folder / "mymodel.h5")  # overwrite in place, as a re-run of the starter does
    saved = recorder.settle(folder)
    assert 1 <= len(saved) <= 2
    assert all(s.check.complete for s in saved)


@BOTH_WATCHDOGS
def test_temp_file_and_rename_is_reported_once(
    watched: tuple[Path, Recorder], models: dict[str, Path]
) -> None:
    folder, recorder = watched
    temporary = folder / ".mymodel.h5.part"
    shutil.copyfile(models["good.h5"], temporary)
    temporary.replace(folder / "mymodel.h5")
    saved = recorder.settle(folder)
    assert len(saved) == 1 and saved[0].check.complete


@BOTH_WATCHDOGS
def test_a_copied_in_file_and_a_savedmodel_folder_are_reported(
    watched: tuple[Path, Recorder], models: dict[str, Path]
) -> None:
    folder, recorder = watched
    shutil.copy2(models["good.keras"], folder / "mymodel.keras")
    shutil.copytree(models["savedmodel"], folder / "mymodel")
    saved = recorder.settle(folder)
    assert sorted(s.path.name for s in saved) == ["mymodel", "mymodel.keras"]
    assert all(s.check.complete for s in saved)


@BOTH_WATCHDOGS
def test_touch_and_chmod_of_a_reported_model_are_not_new_saves(
    watched: tuple[Path, Recorder], models: dict[str, Path]
) -> None:
    folder, recorder = watched
    target = folder / "mymodel.h5"
    shutil.copyfile(models["good.h5"], target)
    assert len(recorder.wait_for(1)) == 1
    assert len(recorder.settle(folder)) == 1  # the copy's own events are all in
    os.utime(target)
    target.chmod(0o600)
    assert len(recorder.settle(folder)) == 1
    # Taken for a write, it would be waiting now (for a close that never comes, 5 s).
    assert recorder.watcher is not None and recorder.watcher.pending_count() == 0


def test_a_truncated_file_is_reported_broken_after_it_settles(
    watched: tuple[Path, Recorder], models: dict[str, Path]
) -> None:
    folder, recorder = watched
    data = models["good.h5"].read_bytes()
    (folder / "mymodel.h5").write_bytes(data[: len(data) // 3])
    saved = recorder.wait_for(1, timeout=5)
    assert len(saved) == 1
    assert not saved[0].check.complete
    assert "truncated" in (saved[0].check.reason or "")


def test_other_files_and_folders_are_ignored(
    watched: tuple[Path, Recorder], models: dict[str, Path]
) -> None:
    folder, recorder = watched
    shutil.copyfile(models["good.h5"], folder / "checkpoint.h5")
    shutil.copyfile(models["good.h5"], folder.parent / "notes" / "mymodel.h5")
    (folder / "starter.py").write_text("print('hello')\n")
    assert recorder.settle(folder) == []


class ContentRecorder(Recorder):
    """Keeps the bytes the file held when it was reported: what a grader would have copied."""

    def __init__(self) -> None:
        super().__init__()
        self.contents: list[bytes] = []

    def __call__(self, saved: SavedModelFile) -> None:
        self.contents.append(saved.path.read_bytes())
        super().__call__(saved)


@pytest.fixture
def watched_contents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, ContentRecorder]]:
    yield from _watching(tmp_path, monkeypatch, ContentRecorder())


@pytest.mark.parametrize("kind", ["good.h5", "good.keras"])
@pytest.mark.parametrize("closes_between_chunks", [False, True], ids=["held-open", "reopened"])
def test_a_slow_multi_chunk_writer_is_never_reported_mid_save(
    watched_contents: tuple[Path, ContentRecorder],
    models: dict[str, Path],
    kind: str,
    closes_between_chunks: bool,
) -> None:
    """Gaps longer than Keras' (280 ms for a big .keras) between chunks, the file held open or
    closed after each chunk (a copy tool that reopens to append): the only report is of the
    whole file, taken after the last chunk, whatever the close events said in between."""
    folder, recorder = watched_contents
    data = models[kind].read_bytes()
    target = folder / f"mymodel{Path(kind).suffix}"
    chunks = [data[i : i + len(data) // 4 + 1] for i in range(0, len(data), len(data) // 4 + 1)]
    assert len(chunks) >= 4
    handle = target.open("wb")
    try:
        for index, chunk in enumerate(chunks):
            if closes_between_chunks and index:
                handle = target.open("ab")
            handle.write(chunk)
            handle.flush()
            if closes_between_chunks:
                handle.close()
            time.sleep(0.35)  # the scenario: a writer slower than Keras between two chunks
            assert recorder.wait_for(0) == [] or index == len(chunks) - 1
    finally:
        handle.close()
    recorder.wait_for(1)
    saved = recorder.settle(folder)  # every event delivered: a second report would be here
    assert len(saved) == 1 and saved[0].check.complete
    assert recorder.contents == [data]


def test_a_write_after_the_report_marks_the_file_as_being_rewritten(
    watched: tuple[Path, Recorder], models: dict[str, Path]
) -> None:
    folder, recorder = watched
    target = folder / "mymodel.h5"
    shutil.copyfile(models["good.h5"], target)
    assert len(recorder.wait_for(1)) == 1 and recorder.watcher is not None
    assert not recorder.watcher.rewriting(target)
    with target.open("r+b") as handle:  # a newer save begins: the engine must not grade a copy
        handle.write(b"\0")
        handle.flush()
        watcher = recorder.watcher
        wait_until(lambda: watcher.rewriting(target), message="the watcher to see the rewrite")


def test_a_file_that_goes_while_it_is_checked_is_unreadable_not_an_error(
    tmp_path: Path, models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save replacing the file, or a link pointed elsewhere, between two reads of the check."""
    from simulator.grading import filecheck

    target = shutil.copyfile(models["good.h5"], tmp_path / "mymodel.h5")
    real = filecheck._hdf5_end_of_file

    def gone_meanwhile(path: Path, base: int) -> int | None:
        path.unlink()  # the file goes after its signature was read
        return real(path, base)

    monkeypatch.setattr(filecheck, "_hdf5_end_of_file", gone_meanwhile)
    check = filecheck.check_model_file(target)
    assert not check.complete
    assert check.reason == "the file disappeared before it could be read"


def test_a_file_the_check_fails_on_is_looked_at_again_and_watching_goes_on(
    watched: tuple[Path, Recorder], models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, one exception in the check ended the watcher's timer thread: no save after it
    was ever reported (a link swapped at the wrong moment, under load, did it)."""
    folder, recorder = watched
    real = simulator.session.watcher.check_model_file
    failures = [RuntimeError("the check failed once")]

    def failing_once(path: Path, shown: str | None = None):  # type: ignore[no-untyped-def]
        if failures:
            raise failures.pop()
        return real(path, shown)

    monkeypatch.setattr(simulator.session.watcher, "check_model_file", failing_once)
    shutil.copyfile(models["good.h5"], folder / "mymodel.h5")
    [first] = recorder.wait_for(1, timeout=30)
    assert failures == [] and first.check.complete, "looked at again after the failure"
    shutil.copyfile(models["good.keras"], folder / "mymodel.keras")
    saved = recorder.wait_for(2, timeout=30)
    assert [s.path.name for s in saved] == ["mymodel.h5", "mymodel.keras"]
