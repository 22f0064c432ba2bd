"""Training runs from the engine: real scripts, real Keras, real processes, real grading."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.grading.pool import GradingPool
from simulator.session import events
from simulator.storage.records import RunRecord
from simulator.training.epochs import EPOCHS_ENV, RUN_HOOK_DIR
from simulator.training.logtail import LogFollower, LogTail, LogUpdate
from simulator.training.progress import ProgressParser
from simulator.training.resources import Resources
from tests.conftest import FORMATS_EXAM
from tests.engine_helpers import EngineHarness
from tests.training_scripts import CRASH, SERIES, TEXT, write
from tests.waiting import wait_until

# Keras 3's own output for `fit(..., verbose=1)` and `verbose=2`, as a pipe or file receives it.
BAR = "\x1b[1m{n}/57\x1b[0m \x1b[37m━━━━━━━━━━━━━━━━━━━━\x1b[0m \x1b[1m0s\x1b[0m 2ms/step - accuracy: 0.{n:04d} - loss: 0.6778"
VERBOSE_1 = (
    "Epoch 1/2\n\r" + BAR.format(n=1) + "\b" * 70 + "\r" + BAR.format(n=25) + "\b" * 70
    + "\r\x1b[1m57/57\x1b[0m ━━━━━━━━━━━━━━━━━━━━ 2s 8ms/step - accuracy: 0.5689 - loss: 0.6652"
    " - val_accuracy: 0.4850 - val_loss: 0.6803\nEpoch 2/2\n\r" + BAR.format(n=30)
)  # fmt: skip
VERBOSE_2 = (
    "Epoch 1/10\n57/57 - 3s - 53ms/step - accuracy: 0.5539 - loss: 0.6919 - val_accuracy: 0.5500"
    " - val_loss: 0.6788\nEpoch 2/10\n57/57 - 1s - 9ms/step - accuracy: 0.5739 - loss: 0.6649\n"
)


def test_progress_is_read_from_the_verbose_1_bar_in_any_chunking() -> None:
    whole = ProgressParser().feed(VERBOSE_1)
    assert (whole.epoch, whole.epochs, whole.step, whole.steps) == (2, 2, 30, 57)
    assert whole.metrics["val_loss"] == pytest.approx(0.6803)
    assert whole.metrics["accuracy"] == pytest.approx(0.003)
    parser = ProgressParser()
    for index in range(0, len(VERBOSE_1), 7):
        parser.feed(VERBOSE_1[index : index + 7])
    assert parser.progress == whole
    assert parser.epochs_seen == 2
    assert whole.label() == "epoch 2/2 · step 30/57 · loss 0.6778"
    assert whole.fraction == pytest.approx((1 + 30 / 57) / 2)


def test_progress_is_read_from_verbose_2_lines() -> None:
    progress = ProgressParser().feed(VERBOSE_2)
    assert (progress.epoch, progress.epochs, progress.step, progress.steps) == (2, 10, 57, 57)
    assert progress.metrics["loss"] == pytest.approx(0.6649)
    assert progress.metrics["val_accuracy"] == pytest.approx(0.55), "kept from epoch 1"


def test_log_tail_is_bounded_plain_text_where_a_carriage_return_rewrites_the_line() -> None:
    tail = LogTail(max_lines=3)
    tail.feed(VERBOSE_1)
    assert tail.tail(5)[0] == "Epoch 1/2"
    assert tail.tail(5)[1].startswith("57/57 ━") and "\x1b" not in "".join(tail.tail(5))
    assert tail.tail(1) == [
        "30/57 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.0030 - loss: 0.6778"
    ]
    for number in range(10_000):
        tail.feed(f"line {number}\r")
        tail.feed("\n")  # a CRLF cut in two keeps its line
    assert tail.tail(10) == ["line 9997", "line 9998", "line 9999"]
    tail.feed("\x1b]0;title\x07\x1b[2Jx" * 2000 + "\n")
    assert tail.tail(1)[0] == "x" * 399 + "…", "escapes removed, a long line cut with …"


def test_a_log_follower_reads_what_was_added_in_bounded_steps_as_a_terminal_shows_it(
    tmp_path: Path,
) -> None:
    log = tmp_path / "run.log"
    log.write_bytes(b"")
    follower = LogFollower(log)
    assert follower.read() == LogUpdate([], "", more=False)
    with log.open("ab") as out:
        out.write(VERBOSE_1.encode())
        out.write("caf\u00e9 ".encode()[:-2])  # a character cut in two by the writer
    update = follower.read()
    assert update.lines[0] == "Epoch 1/2" and "\r" not in "".join(update.lines)
    assert update.current.startswith("30/57 ━"), "the line being redrawn, its last redraw"
    with log.open("ab") as out:
        out.write("caf\u00e9 ".encode()[-2:] + b"\n" + b"x" * 3000 + b"\n")
    update = follower.read()
    assert update.lines[0].endswith("café "), "a character split between reads is whole"
    assert len(update.lines[1]) == 2000 and update.lines[1].endswith("…"), "cut, and says so"
    with log.open("ab") as out:
        out.write(b"".join(b"line %06d\n" % n for n in range(50_000)))
    first = follower.read(limit=100_000)
    assert first.more and len(first.lines) < 10_000, "one read takes a bounded amount"
    rest: list[str] = []
    while (update := follower.read(limit=100_000)).more or update.lines:
        rest.extend(update.lines)
    assert [*first.lines, *rest] == [f"line {n:06d}" for n in range(50_000)], "no line lost"


def test_resources_warn_about_oversubscribed_cores_and_low_memory() -> None:
    busy = Resources(
        cpu_percent=99, cores=2, memory_total_mb=16384, memory_available_mb=900, runs=3
    )
    assert busy.warnings() == [
        "3 trainings on 2 cores: each runs about 1.5x slower",
        "memory is running out: 900 MB free of 16384 MB; stop a training before one is killed",
    ]
    calm = Resources(
        cpu_percent=40, cores=8, memory_total_mb=16384, memory_available_mb=9000, runs=2
    )
    assert calm.warnings() == [] and calm.label().startswith(
        "CPU 40% of 8 cores · memory 7.2/16.0 GB"
    )


@pytest.fixture
def harness(warm_pool: GradingPool, tfexam_home: Path, tmp_path: Path) -> Iterator[EngineHarness]:
    made = EngineHarness(warm_pool, tmp_path / "ws", exam=str(FORMATS_EXAM), duration_s=600)
    yield made.start()
    made.close()


def wait_run(harness: EngineHarness, run_id: int, timeout: float = 120) -> RunRecord:
    def ended() -> RunRecord | None:
        record = harness.store.get_run(run_id)
        return record if record.state != "running" else None

    return wait_until(
        ended, timeout, f"run {run_id} to end", seen=lambda: harness.store.get_run(run_id)
    )


def test_two_runs_at_once_are_tracked_and_their_models_graded_as_theirs(
    harness: EngineHarness,
) -> None:
    series, text = harness.question_folder("series"), harness.question_folder("text")
    first = harness.engine.start_run("series", write(series, "train.py", SERIES, epochs=40))
    second = harness.engine.start_run("text", write(text, "train.py", TEXT, epochs=30, verbose=2))

    def both_running() -> bool:
        views = {v.record.id: v for v in harness.engine.run_views()}
        return all(
            views[r.id].record.state == "running" and views[r.id].cpu_percent > 0
            for r in (first, second)
        )

    wait_until(both_running, message="both runs seen running at once, each using CPU")
    ended = [wait_run(harness, r.id) for r in (first, second)]
    assert [r.state for r in ended] == ["finished", "finished"]
    assert [r.exit_code for r in ended] == [0, 0]
    assert [(r.epoch, r.epochs) for r in ended] == [(40, 40), (30, 30)]
    assert all(r.cpu_seconds > 0.5 and r.peak_rss_mb > 50 for r in ended), ended
    assert "loss" in ended[0].metrics and "accuracy" in ended[1].metrics
    harness.wait_for_count(events.AttemptGraded, 2, timeout=60)
    attempts = {a.question_id: a for a in harness.attempts()}
    assert attempts["series"].source == "run" and attempts["series"].run_id == first.id
    assert attempts["text"].source == "run" and attempts["text"].run_id == second.id
    # Samples reach the store every few seconds, from the run monitor's thread.
    wait_until(lambda: harness.store.run_samples(first.id), message="CPU and memory samples")
    # The store says "finished" first; the engine's RunEnded events follow on its own thread
    # (and the gradings may be announced before them).
    ended_events = harness.wait_for_count(events.RunEnded, 2)
    assert sorted(e.run.id for e in ended_events) == sorted([first.id, second.id])
    assert harness.kinds().count(events.RunStarted) == 2


def test_a_silent_training_still_shows_its_epochs_and_loss_per_epoch(
    harness: EngineHarness,
) -> None:
    """verbose=0 prints nothing: the epochs come from the callback tfexam puts into fit()."""
    text = harness.question_folder("text")
    run = harness.engine.start_run("text", write(text, "train.py", TEXT, epochs=4, verbose=0))
    ended = wait_run(harness, run.id)
    assert (ended.state, ended.exit_code) == ("finished", 0)
    assert (ended.epoch, ended.epochs) == (4, 4), "the progress of a silent training"
    assert "accuracy" in ended.metrics
    view = next(v for v in harness.engine.run_views() if v.record.id == run.id)
    assert [f.epoch for f in view.epochs] == [1, 2, 3, 4]
    assert all(f.epochs == 4 and {"loss", "accuracy"} <= set(f.logs) for f in view.epochs)
    assert view.epochs[-1].logs["loss"] == pytest.approx(ended.metrics["loss"])
    assert not any("Epoch" in line for line in view.tail), "nothing printed"
    assert view.devices == (), "the training saw no GPU (this CPU build of TensorFlow)"


def test_a_run_is_stopped_cleanly_and_can_be_restarted(harness: EngineHarness) -> None:
    folder = harness.question_folder("series")
    run = harness.engine.start_run(
        "series", write(folder, "long.py", SERIES, epochs=100_000, verbose=2)
    )
    wait_until(
        lambda: any(
            (v.progress.epoch or 0) >= 2
            for v in harness.engine.run_views()
            if v.record.id == run.id
        ),
        message="the run's second epoch",
    )
    harness.engine.stop_run(run.id)
    stopped = wait_run(harness, run.id, timeout=30)
    assert stopped.state == "stopped"
    assert stopped.ended_at is not None and stopped.ended_at - stopped.started_at < 60
    again = harness.engine.restart_run(run.id)
    assert again.id != run.id and again.command == run.command and again.state == "running"
    harness.engine.stop_run(again.id)
    assert wait_run(harness, again.id, timeout=30).state == "stopped"


def test_a_crashing_script_is_failed_with_its_exit_code_and_log_tail(
    harness: EngineHarness,
) -> None:
    folder = harness.question_folder("series")
    run = harness.engine.start_run("series", write(folder, "crash.py", CRASH))
    ended = wait_run(harness, run.id)
    assert (ended.state, ended.exit_code) == ("failed", 1)
    view = next(v for v in harness.engine.run_views() if v.record.id == run.id)
    assert view.tail[-1] == "ValueError: the candidate's script broke after one epoch"
    assert any(line.startswith("Traceback") for line in view.tail)
    # The store says "failed" first; the engine's event follows on its own thread.
    [event] = harness.wait_for_count(events.RunEnded, 1)
    assert event.run.state == "failed" and event.exit_code == 1


def test_a_model_copied_in_without_a_run_is_external(
    harness: EngineHarness, models: dict[str, Path]
) -> None:
    from tests.conftest import FIXTURES

    shutil.copyfile(
        FIXTURES / "keras2" / "lstm_time_major.h5", harness.question_folder("series") / "mymodel.h5"
    )
    harness.wait_for_count(events.AttemptGraded, 1, timeout=60)
    [attempt] = harness.attempts()
    assert attempt.source == "external" and attempt.run_id is None
    assert harness.last(events.AttemptGraded).attempt.source == "external"


def test_tfexam_train_runs_a_script_headless_and_reports_how_it_ended(
    tfexam_home: Path, tmp_path: Path
) -> None:
    from simulator.exam.catalog import find_exam
    from simulator.paths import data_paths
    from simulator.session.sessions import NewSession, create_session
    from simulator.storage.store import Store
    from tests.conftest import run_cli

    store = Store(data_paths().database)
    exam = find_exam(str(FORMATS_EXAM), None)
    session = create_session(store, NewSession(exam, workspace=tmp_path / "ws", duration_s=600))
    write(session.workspace / "series", "train.py", SERIES, epochs=3, verbose=2)
    env = {"TFEXAM_HOME": str(tfexam_home)}
    ran = run_cli("train", "series", "--script", "train.py", env=env, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert "finished, exit code 0: epoch 3/3" in ran.stdout
    [run] = store.runs(session.id)
    assert (run.state, run.exit_code, run.epoch) == ("finished", 0, 3)
    missing = run_cli("train", "series", "--script", "nope.py", env=env)
    assert missing.returncode == 1 and "nope.py does not exist" in missing.stderr
    store.finish_session(session.id, session.deadline, "submitted")
    refused = run_cli("train", "series", env=env)
    assert refused.returncode == 1 and "is over" in refused.stderr


def test_the_run_hook_imports_nothing_early_and_keeps_the_environments_own_sitecustomize(
    tmp_path: Path,
) -> None:
    own = tmp_path / "own"
    own.mkdir()
    (own / "sitecustomize.py").write_text(
        "import pathlib, os\npathlib.Path(os.environ['MARK']).write_text('ran')\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(RUN_HOOK_DIR), str(own)]),
        EPOCHS_ENV: str(tmp_path / "e.jsonl"),
        "MARK": str(tmp_path / "mark"),
    }
    done = subprocess.run(
        [sys.executable, "-c", "import sys; print(sorted(m for m in sys.modules if 'keras' in m or 'tensorflow' in m))"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "[]", "TensorFlow and Keras load when the script imports them"
    assert (tmp_path / "mark").read_text() == "ran", "the environment's sitecustomize still runs"
