"""The issue's three mistakes in one real session, end to end: the engine runs the candidate's
real training scripts (the run hook records their epochs), grades their real models, the session is
submitted, and ``tfexam report`` (JSON and HTML) names each mistake with its evidence beside the
checks with their margins, the diff against the reference and both curves.

(a) the image question's script leaves the pixels unscaled; (b) the time series' script returns
sequences where one value is expected; (c) that script stops after 3 epochs with the loss still
falling. Question 1's model, trained right, gets none of those sentences; the same work done
right on (a)-(c) is tested the other way round in tests/test_report_mistakes.py. The models are
as small as the questions allow and train for seconds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.session import events
from simulator.storage.records import RunRecord
from tests.conftest import run_cli
from tests.engine_helpers import EngineHarness
from tests.test_report_html import classes, find_class, parse, text_of
from tests.test_report_mistakes import _question_block
from tests.waiting import wait_until

IMAGES = """\
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

tf.keras.utils.set_random_seed(1)
training_datagen = ImageDataGenerator(horizontal_flip=True)
validation_datagen = ImageDataGenerator()
train = training_datagen.flow_from_directory(
    "images/train/", target_size=(150, 150), class_mode="categorical", batch_size=8
)
valid = validation_datagen.flow_from_directory(
    "images/validation/", target_size=(150, 150), class_mode="categorical", batch_size=8
)
model = tf.keras.models.Sequential([
    tf.keras.Input(shape=(150, 150, 3)),
    tf.keras.layers.Conv2D(2, 3, strides=4, activation="relu"),
    tf.keras.layers.GlobalMaxPooling2D(),
    tf.keras.layers.Dense(3, activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(train, validation_data=valid, epochs=1, steps_per_epoch=2, validation_steps=1)
model.save("mymodel.h5")
"""

SERIES = """\
import csv

import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(1)
with open("energy_demand.csv") as csvfile:
    reader = csv.reader(csvfile)
    next(reader)
    series = np.array([float(row[2]) for row in reader])
series = (series - series.min()) / (series.max() - series.min())


def windowed_dataset(series, window_size=30, batch_size=32):
    ds = tf.data.Dataset.from_tensor_slices(tf.expand_dims(series, axis=-1))
    ds = ds.window(window_size + 1, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(window_size + 1))
    ds = ds.map(lambda w: (w[:-1], w[-1:]))
    return ds.batch(batch_size)


model = tf.keras.models.Sequential([
    tf.keras.Input(shape=[30, 1]),
    tf.keras.layers.LSTM(4, return_sequences=True),
    tf.keras.layers.Dense(1),
])
model.compile(loss="mae", optimizer=tf.keras.optimizers.Adam(1e-4), metrics=["mae"])
model.fit(windowed_dataset(series[:2500]), epochs=3)
model.save("mymodel.h5")
"""

BASIC = """\
import numpy as np
import tensorflow as tf

xs = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0])
ys = 3.0 * xs + 2.0
model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(1)])
model.layers[0].set_weights([np.array([[3.0]]), np.array([2.0])])
model.compile(loss="mse", optimizer="sgd")
model.fit(xs, ys, epochs=3, verbose=0)
model.save("mymodel.h5")
"""

#: The words of each finding of (a)-(c), as the report says them.
SENTENCES = ("not scaled", "return_sequences=True", "still falling")


def line_of(source: str, words: str) -> int:
    """The number of the first line of ``source`` with ``words`` in it."""
    return next(n for n, line in enumerate(source.splitlines(), start=1) if words in line)


def _run(harness: EngineHarness, question: str, source: str) -> RunRecord:
    """Run ``source`` as the question's ``train.py`` through the engine, to its end."""
    folder = harness.question_folder(question)
    (folder / "train.py").write_text(source, encoding="utf-8")
    started = harness.engine.start_run(question, "train.py")

    def ended() -> RunRecord | None:
        record = harness.store.get_run(started.id)
        return record if record.state != "running" else None

    run: RunRecord = wait_until(ended, 240, f"the {question} run to end")
    log = run.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
    assert (run.state, run.exit_code) == ("finished", 0), log
    return run


def test_one_session_with_the_three_mistakes_reports_each_with_its_evidence(
    harness_factory: Callable[..., EngineHarness], tmp_path: Path
) -> None:
    harness = harness_factory(duration_s=3600).start()
    runs = {q: _run(harness, q, s) for q, s in
            (("image-classification", IMAGES), ("time-series", SERIES), ("basic-model", BASIC))}  # fmt: skip
    # Each run's model is graded (the time series' sequence output is not gradable).
    harness.wait_for(
        lambda seen: sum(isinstance(e, events.AttemptGraded | events.AttemptNotGradable)
                         for e in seen) >= 3,
        timeout=120,
    )  # fmt: skip
    harness.engine.submit()
    harness.wait_for_count(events.SessionSubmitted, 1, timeout=120)
    session = harness.session.id

    shown = run_cli("report", session, "--format", "json", timeout=180)
    assert shown.returncode == 0, shown.stderr
    questions = {q["id"]: q for q in json.loads(shown.stdout)["questions"]}
    written = tmp_path / "report.html"
    made = run_cli("report", session, "--format", "html", "-o", str(written), timeout=180)
    assert made.returncode == 0, made.stderr
    html = written.read_text(encoding="utf-8")

    # (a)-(c): each mistake in the JSON with its evidence, from the candidate's own work.
    def found(question: str) -> dict[str, dict[str, Any]]:
        return {m["code"]: m for m in questions[question]["mistakes"]}

    pixels = found("image-classification")["pixels-not-scaled"]
    assert pixels["evidence"] == [
        f"category3/train.py:{line_of(IMAGES, 'training_datagen =')}: "
        "training_datagen = ImageDataGenerator(horizontal_flip=True)",
        f"category3/train.py:{line_of(IMAGES, 'validation_datagen =')}: "
        "validation_datagen = ImageDataGenerator()",
    ]
    sequence = found("time-series")["sequence-output"]
    assert sequence["evidence"] == [
        f"category5/train.py:{line_of(SERIES, 'LSTM(')}: "
        "tf.keras.layers.LSTM(4, return_sequences=True),"
    ]
    series_found = found("time-series")
    assert "stopped-while-improving" in series_found, (
        series_found,
        questions["time-series"]["curves"],
    )
    short = series_found["stopped-while-improving"]
    run = runs["time-series"]
    assert f"Run {run.number} stopped after 3 epochs while the loss was still" in short["sentence"]
    assert short["evidence"][0].startswith(f"run {run.number}, epochs 2-3: loss ")
    root = parse(html)
    said = text_of(next(e for e in root.iter("section") if e.get("id") == "mistakes"))
    for mistake in (pixels, sequence, short):
        assert mistake["sentence"] in said and all(line in said for line in mistake["evidence"])
    # The model with none of these mistakes gets none of those sentences.
    assert questions["basic-model"]["mistakes"] == []
    assert questions["basic-model"]["score"] == 5

    # The checks of the counted attempts, with the margin to every score line.
    image_checks = {c["name"]: c for c in questions["image-classification"]["checks"]}
    metric = next(c for c in image_checks.values() if c["lines"])
    assert len(metric["lines"]) == 5 and all(line["margin"] is not None for line in metric["lines"])
    [sequences] = questions["time-series"]["attempts"]
    assert sequences["state"] == "not-gradable" and "output" in sequences["reason"], sequences
    [checks] = [t for t in root.iter("table") if "checks" in classes(t)][:1]
    figures = text_of(checks)
    assert re.search(r"lines 1/5 \S+ \S+ [✓✗] [+-]\d", figures), figures

    # The diff against the reference and both curves (the candidate's run and the reference's).
    series = questions["time-series"]
    assert series["code_diff"].splitlines()[:2] == [
        "--- yours: category5/train.py",
        "+++ reference: solution.py",
    ]
    assert [c["epoch"] for c in series["curves"]] == [1, 2, 3]
    assert series["reference_curves"], "shipped with the practice exam"
    review = next(e for e in root.iter("section") if e.get("id") == "review")
    block = _question_block(review, "review-q5")
    [diff_box] = [e for e in block if "diff" in classes(e)]
    removed = [text_of(r) for r in diff_box if "del" in classes(r)]
    assert any("LSTM(4, return_sequences=True)," in line for line in removed)
    pairs = [e for e in block if "pair" in classes(e)]
    assert pairs, "the loss curves"
    titles = [text_of(t) for t in find_class(pairs[0], "curve-title", "text")]
    assert titles == [f"Yours: run {run.number}", "Reference"]

    # Question 1's section of the review says none of the findings' sentences.
    q1 = " ".join(text_of(e) for e in _question_block(review, "review-q1"))
    assert not any(words in q1 for words in SENTENCES)
