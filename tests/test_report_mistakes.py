"""What went wrong, found in the candidate's own work, and the reference beside it.

Sessions of the practice exam are recorded through the real store with fixed times, as the engine
records them; the candidate's scripts are written into the workspace, and each run's epochs into
the file the run hook writes. Every finding is tested both ways: the mistake gets its sentence with
its evidence, and the same work without the mistake gets none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import time
from collections.abc import Iterator, Sequence
from html import escape
from pathlib import Path

import jsonschema
import pytest

import simulator.report
from simulator.exam.catalog import find_exam
from simulator.exam.format import Exam
from simulator.paths import data_paths
from simulator.report.build import build_report
from simulator.report.code_checks import Script, check_script
from simulator.report.html import render_html
from simulator.report.markdown import render_markdown
from simulator.report.markup import (
    NOT_GRADABLE_COLOUR,
    NOT_GRADABLE_INK,
    SCORE_COLOURS,
    SCORE_INK,
)
from simulator.report.records import Mistake, Report
from simulator.report.text import render_text
from simulator.session.sessions import NewSession, record_session
from simulator.storage.records import RunState, SessionRecord
from simulator.storage.store import Store
from tests.browser_checks import MIN_CONTRAST, check_page, needs_chromium
from tests.conftest import PRACTICE_EXAM
from tests.test_report_html import TagBalance, classes, find_class, parse, text_of

SCHEMA = json.loads((Path(simulator.report.__file__).parent / "schema.json").read_text())
STARTED_AT = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.timezone.utc).timestamp()
H, M = 3600.0, 60.0

# The candidate's scripts ------------------------------------------------------------------------

IMAGES = """\
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator


def solution_model():
    training_datagen = ImageDataGenerator(horizontal_flip=True{scale})
    validation_datagen = ImageDataGenerator({scale_only})
    train = training_datagen.flow_from_directory(
        "images/train/", target_size=(150, 150), class_mode="{mode}"
    )
    valid = validation_datagen.flow_from_directory(
        "images/validation/", target_size=(150, 150), class_mode="{mode}"
    )
    model = tf.keras.models.Sequential([
        tf.keras.Input(shape=(150, 150, 3)),
        tf.keras.layers.Conv2D(16, (3, 3), activation="relu"),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.GlobalMaxPooling2D(),
        tf.keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile(loss="{loss}", optimizer="adam", metrics=["accuracy"])
    model.fit(train, {validation}epochs=20)
    return model


if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
"""


def images(
    *, scaled: bool = True, loss: str = "categorical_crossentropy", mode: str = "categorical",
    validation: bool = True,
) -> str:  # fmt: skip
    return IMAGES.format(
        scale=", rescale=1.0 / 255" if scaled else "",
        scale_only="rescale=1.0 / 255" if scaled else "",
        loss=loss,
        mode=mode,
        validation="validation_data=valid, " if validation else "",
    )


SERIES = """\
import tensorflow as tf


def solution_model(train_set, valid_set):
    model = tf.keras.models.Sequential([
        tf.keras.Input(shape=[30, 1]),
        tf.keras.layers.LSTM(32, return_sequences=True),
        tf.keras.layers.LSTM(16{sequences}),
        tf.keras.layers.Dense(1),
    ])
    model.compile(loss="mae", optimizer="adam", metrics=["mae"])
    model.fit(train_set, validation_data=valid_set, epochs={epochs}{callbacks})
    return model
"""


def series(*, sequences: bool = False, epochs: int = 3, restore: bool = False) -> str:
    stop = (
        ", callbacks=[tf.keras.callbacks.EarlyStopping(patience=30, restore_best_weights=True)]"
        if restore
        else ""
    )
    return SERIES.format(
        sequences=", return_sequences=True" if sequences else "", epochs=epochs, callbacks=stop
    )


# Recording a session ----------------------------------------------------------------------------


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


class Seeded:
    """A practice session in the store: the candidate's scripts, runs with epochs, attempts."""

    def __init__(self, root: Path, exam: Exam, duration_s: float = 5 * H) -> None:
        self.store = Store(data_paths().database)
        self.exam = exam
        workspace = root / "ws"
        for question in exam.questions:
            (workspace / question.workspace_folder).mkdir(parents=True)
        request = NewSession(exam, workspace=workspace, duration_s=int(duration_s))
        self.session: SessionRecord = record_session(self.store, request, workspace, STARTED_AT)
        self.store.add_event(self.session.id, STARTED_AT + 1, "session-opened", {"resumed": False})

    def folder(self, question_id: str) -> Path:
        return self.session.workspace / self.exam.question(question_id).workspace_folder

    def script(self, question_id: str, source: str, name: str = "starter.py") -> Path:
        path = self.folder(question_id) / name
        path.write_text(source, encoding="utf-8")
        return path

    def run(
        self, question_id: str, start_s: float, end_s: float, *, state: RunState = "finished",
        exit_code: int = 0, losses: Sequence[tuple[float, float | None]] = (),
        metric: str = "accuracy", asked: int | None = None, log: str = "", script: str = "starter.py",
    ) -> int:  # fmt: skip
        """A run of ``script``; ``losses``: (loss, val_loss) of each epoch as the hook writes them."""
        folder = self.folder(question_id)
        log_path = self.session.workspace / f"run-{start_s:g}-{question_id}.log"
        log_path.write_text(log, encoding="utf-8")
        made = self.store.add_run(
            session_id=self.session.id, question_id=question_id, command=("python", "-u", script),
            cwd=folder, log_path=log_path, started_at=STARTED_AT + start_s,
        )  # fmt: skip
        asked = asked if asked is not None else len(losses)
        lines = []
        for n, (loss, val) in enumerate(losses, start=1):
            logs = {"loss": loss, metric: 1 - loss / 2}
            if val is not None:
                logs |= {"val_loss": val, f"val_{metric}": 1 - val / 2}
            lines.append(json.dumps({"epoch": n, "epochs": asked, "logs": logs}) + "\n")
        log_path.with_suffix(".epochs.jsonl").write_text("".join(lines))
        self.store.update_run(made.id, epoch=len(losses), epochs=asked, metrics={},
                              cpu_seconds=end_s - start_s, peak_rss_mb=500.0)  # fmt: skip
        self.store.finish_run(
            made.id, state=state, ended_at=STARTED_AT + end_s, exit_code=exit_code
        )
        return made.id

    def graded(self, question_id: str, at_s: float, score: int, value: float, run: int | None = None) -> None:  # fmt: skip
        question = self.exam.question(question_id)
        at = STARTED_AT + at_s
        made = self.store.add_attempt(
            session_id=self.session.id, question_id=question_id,
            source_path=str(self.folder(question_id) / "mymodel.h5"), blob=None,
            sha256=hashlib.sha256(f"{question_id}{at_s}".encode()).hexdigest(), size=1000,
            origin="watch", saved_at=at, detected_at=at + 0.1, state="queued", queued_at=at + 0.1,
            source="run" if run else "local", run_id=run,
        )  # fmt: skip
        self.store.mark_grading(made.id, at + 0.3)
        self.store.finish_attempt(made.id, state="graded", finished_at=at + 2.0, score=score,
                                  metric_name=question.scoring.metric, metric_value=value)  # fmt: skip

    def not_gradable(self, question_id: str, at_s: float, reason: str) -> None:
        at = STARTED_AT + at_s
        made = self.store.add_attempt(
            session_id=self.session.id, question_id=question_id,
            source_path=str(self.folder(question_id) / "mymodel.h5"), blob=None,
            sha256=hashlib.sha256(f"ng{question_id}{at_s}".encode()).hexdigest(), size=1000,
            origin="watch", saved_at=at, detected_at=at + 0.1, state="queued", queued_at=at + 0.1,
            source="local", run_id=None,
        )  # fmt: skip
        self.store.mark_grading(made.id, at + 0.3)
        self.store.finish_attempt(made.id, state="not-gradable", finished_at=at + 2.0,
                                  message=reason)  # fmt: skip

    def unchanged(self, question_id: str, at_s: float, attempt: int) -> None:
        self.store.add_event(self.session.id, STARTED_AT + at_s, "model-unchanged",
                             {"question": question_id, "path": "mymodel.h5", "attempt": attempt,
                              "state": "graded", "score": 2})  # fmt: skip

    def report(self, *, end: bool = True) -> Report:
        if end:
            self.store.add_event(self.session.id, STARTED_AT + 3 * H, "session-submitted",
                                 {"reason": "submitted"})  # fmt: skip
            self.store.finish_session(self.session.id, STARTED_AT + 3 * H, "submitted")
        session = self.store.get_session(self.session.id)
        made = build_report(self.store, session, self.exam, now=STARTED_AT + 6 * H)
        jsonschema.validate(made.to_json(), SCHEMA)
        return made


@pytest.fixture
def practice() -> Exam:
    return find_exam("practice", data_paths())


def mistakes(report: Report, question_id: str) -> list[Mistake]:
    return next(q.mistakes for q in report.questions if q.id == question_id)


def codes(report: Report, question_id: str) -> list[str]:
    return [m.code for m in mistakes(report, question_id)]


def the(report: Report, question_id: str, code: str) -> Mistake:
    [found] = [m for m in mistakes(report, question_id) if m.code == code]
    return found


# The three mistakes of the issue, both ways -----------------------------------------------------


def three_mistakes(root: Path, exam: Exam) -> Seeded:
    """(a) an unscaled-pixel image model, (b) a sequence-output time-series model, (c) a model
    trained 3 epochs while its loss still fell."""
    s = Seeded(root, exam)
    s.script("image-classification", images(scaled=False))
    run = s.run("image-classification", 20 * M, 40 * M, losses=[(1.1, 1.12), (1.099, 1.119)])
    s.graded("image-classification", 41 * M, 0, 0.34, run)
    s.script("time-series", series(sequences=True, epochs=3))
    run = s.run("time-series", 50 * M, 55 * M, losses=[(0.09, 0.08), (0.06, 0.055), (0.045, 0.042)],
                metric="mae")  # fmt: skip
    s.graded("time-series", 56 * M, 1, 0.075, run)
    return s


def no_mistakes(root: Path, exam: Exam) -> Seeded:
    """The same questions done right: scaled pixels, one value per window, trained until the
    loss levelled off."""
    s = Seeded(root, exam)
    s.script("image-classification", images())
    run = s.run(
        "image-classification", 20 * M, 40 * M, losses=[(0.9, 0.8), (0.5, 0.45), (0.495, 0.445)]
    )
    s.graded("image-classification", 41 * M, 5, 0.91, run)
    s.script("time-series", series(epochs=3))
    run = s.run("time-series", 50 * M, 55 * M, losses=[(0.09, 0.08), (0.05, 0.045), (0.0499, 0.0449)],
                metric="mae")  # fmt: skip
    s.graded("time-series", 56 * M, 3, 0.055, run)
    return s


def test_each_mistake_is_named_with_its_evidence(
    tfexam_home: Path, tmp_path: Path, utc: None, practice: Exam
) -> None:
    report = three_mistakes(tmp_path, practice).report()
    pixels = the(report, "image-classification", "pixels-not-scaled")
    assert "not scaled" in pixels.sentence and "rescale=1/255" in pixels.sentence
    assert pixels.evidence == [
        "category3/starter.py:6: training_datagen = ImageDataGenerator(horizontal_flip=True)",
        "category3/starter.py:7: validation_datagen = ImageDataGenerator()",
    ]
    sequence = the(report, "time-series", "sequence-output")
    assert "return_sequences=True" in sequence.sentence and "output [1]" in sequence.sentence
    assert sequence.evidence == [
        "category5/starter.py:8: tf.keras.layers.LSTM(16, return_sequences=True),"
    ], "the last recurrent layer, not the first"
    short = the(report, "time-series", "stopped-while-improving")
    assert "Run 2 stopped after 3 epochs while the loss was still falling" in short.sentence
    assert "0.06 -> 0.045, -25% in the last epoch" in short.sentence
    assert short.evidence == ["run 2, epochs 2-3: loss 0.06 -> 0.045, val_loss 0.055 -> 0.042"]
    assert codes(report, "image-classification") == ["pixels-not-scaled"]
    assert codes(report, "time-series") == ["sequence-output", "stopped-while-improving"]
    assert [q.mistakes for q in report.questions if q.id not in ("image-classification",
            "time-series")] == [[], [], []]  # fmt: skip
    # JSON: the same records, in the schema.
    questions = {q["id"]: q for q in report.to_json()["questions"]}
    assert questions["time-series"]["mistakes"][0] == {
        "code": "sequence-output",
        "question": "time-series",
        "sentence": sequence.sentence,
        "evidence": sequence.evidence,
    }


def test_work_without_those_mistakes_gets_none_of_the_sentences(
    tfexam_home: Path, tmp_path: Path, utc: None, practice: Exam
) -> None:
    report = no_mistakes(tmp_path, practice).report()
    assert all(q.mistakes == [] for q in report.questions)
    html = render_html(report)
    assert 'id="mistakes"' not in html and "What went wrong" not in html
    # The shipped explanations name these mistakes as the category's common ones: outside the
    # review, the report says none of them of this work.
    outside_review = re.sub(r'<section id="review">.*?</section>', "", html, flags=re.S)
    assert 'id="review"' in html and 'id="review"' not in outside_review
    assert "not scaled" not in outside_review and "still falling" not in outside_review
    for words in ("not scaled", "return_sequences", "still falling", "What went wrong"):
        assert words not in render_text(report, color=False)
        assert words not in render_markdown(report)


def test_every_format_names_the_mistakes(
    tfexam_home: Path, tmp_path: Path, utc: None, practice: Exam
) -> None:
    report = three_mistakes(tmp_path, practice).report()
    found = [m for q in report.questions for m in q.mistakes]
    root = parse(render_html(report))
    section = next(e for e in root.iter("section") if e.get("id") == "mistakes")
    items = [text_of(li) for li in find_class(section, "mistakes", "ul")[0]]
    page = text_of(section)
    for mistake in found:
        assert mistake.sentence in page and f"[{mistake.code}]" in page
        for line in mistake.evidence:
            assert line in page
    assert len(items) == 1, "one finding for Q3"
    assert [text_of(h) for h in section.iter("h3")] == [
        "Q3 CNN on real-world images",
        "Q5 Time series",
    ]
    terminal = render_text(report, width=400, color=False)
    markdown = render_markdown(report)
    for mistake in found:
        assert mistake.sentence in terminal
        assert all(line in terminal for line in mistake.evidence)
        assert f"- {escape(mistake.sentence, quote=False)} `{mistake.code}`" in markdown
        assert all(f"  - `{line}`" in markdown for line in mistake.evidence), "code spans"


# The other findings, both ways -------------------------------------------------------------------


def check(tmp_path: Path, exam: Exam, question_id: str, source: str) -> list[tuple[str, list[int]]]:
    path = tmp_path / "script.py"
    path.write_text(source, encoding="utf-8")
    script = Script.read(path)
    assert script is not None
    return [
        (f.code, [n for n, _ in f.lines]) for f in check_script(script, exam.question(question_id))
    ]


def test_a_loss_that_does_not_fit_the_labels(tmp_path: Path, practice: Exam) -> None:
    q = "image-classification"
    sparse = check(tmp_path, practice, q, images(loss="sparse_categorical_crossentropy"))
    assert sparse == [("loss-label-mismatch", [21])]
    binary = check(tmp_path, practice, q, images(loss="binary_crossentropy"))
    assert binary == [("loss-label-mismatch", [21])]
    numbers = check(tmp_path, practice, q, images(mode="sparse"))
    assert numbers == [("loss-label-mismatch", [21])], "categorical loss, class numbers"
    assert check(tmp_path, practice, q, images()) == []
    assert (
        check(tmp_path, practice, q, images(loss="sparse_categorical_crossentropy", mode="sparse"))
        == []
    )
    loss_object = images().replace('loss="categorical_crossentropy"',
                                   "loss=tf.keras.losses.SparseCategoricalCrossentropy()")  # fmt: skip
    assert check(tmp_path, practice, q, loss_object) == [("loss-label-mismatch", [21])]
    unknown = images().replace('loss="categorical_crossentropy"', "loss=my_loss")
    assert check(tmp_path, practice, q, unknown) == [], "a loss it cannot read is trusted"


def test_fashion_pictures_loaded_as_arrays(tmp_path: Path, practice: Exam) -> None:
    starter = (PRACTICE_EXAM / "category2" / "starter.py").read_text()
    assert check(tmp_path, practice, "learning-dataset", starter) == [], "no fit: nothing trained"
    trained = starter.replace(
        "    model.summary()\n",
        '    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")\n'
        "    model.fit(x_train, y_train, validation_data=(x_test, y_test), epochs=5)\n",
    )
    assert check(tmp_path, practice, "learning-dataset", trained) == []
    unscaled = trained.replace("    x_train = x_train / 255.0\n", "").replace(
        "    x_test = x_test / 255.0\n", ""
    )
    assert [c for c, _ in check(tmp_path, practice, "learning-dataset", unscaled)] == [
        "pixels-not-scaled"
    ]
    one_hot_loss = trained.replace("sparse_categorical_crossentropy", "categorical_crossentropy")
    assert [c for c, _ in check(tmp_path, practice, "learning-dataset", one_hot_loss)] == [
        "loss-label-mismatch"
    ], "the npz labels are class numbers"
    encoded = one_hot_loss.replace(
        "    model.fit(", "    y_train = tf.keras.utils.to_categorical(y_train)\n    model.fit("
    )
    assert check(tmp_path, practice, "learning-dataset", encoded) == []


def test_sequences_only_where_one_value_is_expected(tmp_path: Path, practice: Exam) -> None:
    assert check(tmp_path, practice, "time-series", series(sequences=True)) == [
        ("sequence-output", [8])
    ]
    assert check(tmp_path, practice, "time-series", series()) == []
    flattened = series(sequences=True).replace(
        "        tf.keras.layers.Dense(1),",
        "        tf.keras.layers.Flatten(),\n        tf.keras.layers.Dense(1),",
    )
    assert check(tmp_path, practice, "time-series", flattened) == []
    classic = find_exam("classic", data_paths())
    assert classic.question("sunspots").interface.sequence_output
    assert check(tmp_path, classic, "sunspots", series(sequences=True)) == [], (
        "the classic sunspots tester reads the last step of a sequence"
    )
    timed = series().replace(
        "tf.keras.layers.Dense(1)", "tf.keras.layers.TimeDistributed(tf.keras.layers.Dense(1))"
    )
    assert check(tmp_path, practice, "time-series", timed) == [("sequence-output", [9])]


def test_no_validation_data(tmp_path: Path, practice: Exam) -> None:
    assert check(tmp_path, practice, "image-classification", images(validation=False)) == [
        ("no-validation-data", [22])
    ]
    split = images(validation=False).replace("epochs=20", "epochs=20, validation_split=0.2")
    assert check(tmp_path, practice, "image-classification", split) == []
    broken = tmp_path / "broken.py"
    broken.write_text(images(validation=False) + "x = (\n", encoding="utf-8")
    assert Script.read(broken) is None, "a script that does not parse says nothing"


def test_no_validation_where_the_reference_validates_only(tmp_path: Path, practice: Exam) -> None:
    reference = Script.read(PRACTICE_EXAM / "category1" / "solution.py")
    assert reference is not None and not reference.validates(), "six points, no validation"
    line = (PRACTICE_EXAM / "category1" / "solution.py").read_text()
    path = tmp_path / "line.py"
    path.write_text(line, encoding="utf-8")
    script = Script.read(path)
    assert script is not None
    question = practice.question("basic-model")
    assert [f.code for f in check_script(script, question)] == ["no-validation-data"]
    assert check_script(script, question, reference) == []


@pytest.mark.parametrize("name", ["practice", "practice-2", "classic", "classic-2"])
def test_the_shipped_solutions_and_starters_show_no_mistake(name: str) -> None:
    """What the exam ships is the standard: neither its reference solutions nor its starters
    may be told they are wrong (a check that fires on them cannot be trusted)."""
    exam = find_exam(name, data_paths())
    for question in exam.questions:
        reference = Script.read(question.folder / question.solution)
        assert reference is not None, question.id
        for file in (question.solution, question.starter):
            script = Script.read(question.folder / file)
            assert script is not None, file
            assert check_script(script, question, reference) == [], f"{question.id}: {file}"


def test_overfitting_and_epochs_past_the_best(
    tfexam_home: Path, tmp_path: Path, utc: None, practice: Exam
) -> None:
    # The validation loss is lowest at epoch 8, then rises to epoch 30 while the loss falls.
    losses = [(1.0 / n, 0.5 + abs(n - 8) * 0.02) for n in range(1, 31)]
    s = Seeded(tmp_path / "a", practice)
    s.script("time-series", series(epochs=30))
    run = s.run("time-series", 10 * M, 20 * M, losses=losses, metric="mae")
    s.graded("time-series", 21 * M, 5, 0.03, run)
    report = s.report()
    assert codes(report, "time-series") == ["overfitting", "epochs-past-best"]
    overfit = the(report, "time-series", "overfitting")
    assert (
        "from epoch 8 to epoch 30 the validation loss rose from 0.5 to 0.94 (+88%)"
        in overfit.sentence
    )
    assert "training loss fell from 0.125 to 0.03333" in overfit.sentence
    past = the(report, "time-series", "epochs-past-best")
    assert "trained 22 epochs past the last improvement" in past.sentence
    assert past.evidence[-1] == (
        "category5/starter.py:12: model.fit(train_set, validation_data=valid_set, epochs=30)"
    )
    # Restoring the best weights: the saved model is the best epoch's, so only the overfitting.
    s = Seeded(tmp_path / "b", practice)
    s.script("time-series", series(epochs=30, restore=True))
    s.run("time-series", 10 * M, 20 * M, losses=losses, metric="mae")
    assert codes(s.report(), "time-series") == ["overfitting"]
    # One noisy epoch above the lowest is not a rise that lasted.
    s = Seeded(tmp_path / "noisy", practice)
    s.script("time-series", series(epochs=30))
    noisy = [(1.0 / n, 1.0 - n * 0.03 if n <= 20 else (0.6 if n % 2 == 0 else 0.41))
             for n in range(1, 31)]  # fmt: skip
    s.run("time-series", 10 * M, 20 * M, losses=noisy, metric="mae")
    assert codes(s.report(), "time-series") == []
    # Early stopping caught the rise and restored the best epoch: nothing to add; the same
    # epochs from a script that keeps the last one did overfit.
    stopped = [(1.0 / n, 0.5 + max(0, n - 8) * 0.1 + max(0, 8 - n) * 0.02) for n in range(1, 13)]
    for name, restore, expected in (("caught", True, []), ("kept", False, ["overfitting"])):
        s = Seeded(tmp_path / name, practice)
        s.script("time-series", series(epochs=30, restore=restore))
        s.run("time-series", 10 * M, 20 * M, losses=stopped, asked=30, metric="mae")
        assert codes(s.report(), "time-series") == expected, name
    # A validation loss that keeps falling: neither.
    s = Seeded(tmp_path / "c", practice)
    s.script("time-series", series(epochs=30))
    levelled = [(0.1 + 1 / n**3, 0.11 + 1 / n**3) for n in range(1, 31)]
    s.run("time-series", 10 * M, 20 * M, losses=levelled, metric="mae")
    assert codes(s.report(), "time-series") == []


def test_runs_that_ended_with_an_error(
    tfexam_home: Path, tmp_path: Path, utc: None, practice: Exam
) -> None:
    traceback = (
        "Epoch 1/5\n\x1b[1m 10/63\x1b[0m ━━ loss: 1.2\r"
        'Traceback (most recent call last):\n  File "starter.py", line 21, in <module>\n'
        "ValueError: Arguments `target` and `output` must have the same rank (ndim). "
        "Received: target.shape=(None, 1), output.shape=(None, 3)\n"
    )
    s = Seeded(tmp_path / "a", practice)
    s.script("image-classification", images())
    s.run("image-classification", 10 * M, 12 * M, state="failed", exit_code=1, log=traceback)
    s.run("image-classification", 15 * M, 16 * M, state="failed", exit_code=-9, log="Epoch 1/5\n")
    s.run("image-classification", 20 * M, 30 * M, losses=[(0.9, 0.8), (0.5, 0.45), (0.495, 0.445)])
    report = s.report()
    [error] = mistakes(report, "image-classification")
    assert error.code == "run-error"
    assert error.sentence == (
        "2 runs ended with an error; the last, run 2, (killed by SIGKILL) (a later run finished)."
    )
    assert error.evidence == [
        "run 1, run-600-image-classification.log, ended at 0:12:00: exit code 1: ValueError: "
        "Arguments `target` and `output` must have the same rank (ndim). Received: "
        "target.shape=(None, 1), output.shape=(None, 3)",
        "run 2, run-900-image-classification.log, ended at 0:16:00: killed by SIGKILL",
    ]
    s = Seeded(tmp_path / "b", practice)
    s.run("image-classification", 10 * M, 12 * M, state="stopped", exit_code=-2)
    assert codes(s.report(), "image-classification") == [], "stopped by the candidate: no error"


def test_the_same_model_again_and_a_late_first_score(
    tfexam_home: Path, tmp_path: Path, utc: None, practice: Exam
) -> None:
    s = Seeded(tmp_path / "a", practice)
    s.graded("basic-model", 4 * H, 2, 0.5)
    for minute in (1, 2, 3):
        s.unchanged("basic-model", 4 * H + minute * M, attempt=1)
    report = s.report()
    assert codes(report, "basic-model") == ["unchanged-saves", "first-score-late"]
    same = the(report, "basic-model", "unchanged-saves")
    assert same.sentence.startswith("The same model was saved 3 more times without any change")
    assert same.evidence == [
        "model-unchanged at 4:01:00, 4:02:00, 4:03:00 (the file of attempt #1)"
    ]
    late = the(report, "basic-model", "first-score-late")
    assert late.sentence.startswith("The first score came at 4:00:00 of 5:00:00 (80% of the time)")
    assert late.evidence == ["attempt #1 saved at 4:00:00, graded 2/5"]
    s = Seeded(tmp_path / "b", practice)
    s.graded("basic-model", 1 * H, 2, 0.5)
    for minute in (1, 2):
        s.unchanged("basic-model", 1 * H + minute * M, attempt=1)
    assert codes(s.report(), "basic-model") == []


def test_a_full_score_is_not_told_to_train_longer(
    tfexam_home: Path, tmp_path: Path, utc: None, practice: Exam
) -> None:
    s = Seeded(tmp_path, practice)
    s.script("time-series", series(epochs=3))
    run = s.run("time-series", 50 * M, 55 * M, losses=[(0.09, 0.08), (0.06, 0.055), (0.045, 0.042)],
                metric="mae")  # fmt: skip
    s.graded("time-series", 56 * M, 5, 0.035, run)
    assert codes(s.report(), "time-series") == []


# The reference beside the candidate's work ------------------------------------------------------

EXPLANATION = """# Category 5 - the reference explained

## Why it works

- **One value per window.** The last layer is `Dense(1)`: the grader compares one value
  per window <script>alert(1)</script> & nothing else.
- *Early stopping* on `val_mae`.

## Common mistakes in this category

1. `return_sequences=True` on the last LSTM.

```python
model.fit(train_set, epochs=100)  # <b>not bold</b>
```
"""


@pytest.fixture
def explained(tmp_path: Path) -> Exam:
    """The practice exam with an explanation and reference curves of the test's own for its time
    series, and none for its other questions (as an exam of the user's own that ships none)."""
    root = tmp_path / "exams" / "practice"
    shutil.copytree(PRACTICE_EXAM, root)
    for folder in ("category1", "category2", "category3", "category4"):
        for name in ("explanation.md", "reference_curves.json"):
            (root / folder / name).unlink(missing_ok=True)
    folder = root / "category5"
    (folder / "explanation.md").write_text(EXPLANATION, encoding="utf-8")
    epochs = [{"epoch": n, "loss": 0.01 / n, "mae": 0.1 / n, "val_loss": 0.012 / n,
               "val_mae": 0.11 / n} for n in range(1, 21)]  # fmt: skip
    curves = {"question": "time-series", "seed": 2020, "recorded_by": "tfexam calibrate",
              "machine": "test", "epochs": epochs}  # fmt: skip
    (folder / "reference_curves.json").write_text(json.dumps(curves), encoding="utf-8")
    return find_exam(str(root), None)


def test_the_review_shows_the_diff_the_explanation_and_both_curves(
    tfexam_home: Path, tmp_path: Path, utc: None, explained: Exam
) -> None:
    s = three_mistakes(tmp_path / "session", explained)
    running = s.report(end=False)
    assert all(q.code_diff is None and q.explanation is None for q in running.questions)
    assert all(q.reference_curves is None for q in running.questions), "not before the end"
    assert 'id="review"' not in render_html(running)
    report = s.report()
    series_q = next(q for q in report.questions if q.id == "time-series")
    assert series_q.script == "category5/starter.py" and series_q.curves_run == 2
    assert series_q.code_diff is not None
    diff = series_q.code_diff.splitlines()
    assert diff[:2] == ["--- yours: category5/starter.py", "+++ reference: solution.py"]
    assert "-        tf.keras.layers.LSTM(16, return_sequences=True)," in diff
    assert series_q.explanation == EXPLANATION
    assert series_q.reference_curves is not None and len(series_q.reference_curves) == 20
    assert series_q.reference_curves[0] == {"epoch": 1, "loss": 0.01, "mae": 0.1,
                                            "val_loss": 0.012, "val_mae": 0.11}  # fmt: skip
    assert [c["epoch"] for c in series_q.curves] == [1, 2, 3] and series_q.curves[2][
        "mae"
    ] == 0.9775
    image_q = next(q for q in report.questions if q.id == "image-classification")
    assert image_q.explanation is None and image_q.reference_curves is None
    questions = {q["id"]: q for q in report.to_json()["questions"]}
    assert questions["time-series"]["code_diff"] == series_q.code_diff

    html = render_html(report)
    checker = TagBalance()
    checker.feed(html)
    checker.close()
    assert checker.errors == [] and checker.stack == [] and "script" not in checker.tags
    assert "<script>alert(1)</script>" not in html and "&lt;b&gt;not bold&lt;/b&gt;" in html
    root = parse(html)
    review = next(e for e in root.iter("section") if e.get("id") == "review")
    heads = [text_of(h) for h in review.iter("h3")]
    assert heads[:2] == ["Q3 CNN on real-world images", "Q5 Time series"]
    block = _question_block(review, "review-q5")
    [diff_box] = [e for e in block if "diff" in classes(e)]
    rows = [e for e in diff_box if "row" in classes(e)]
    removed = [text_of(r) for r in rows if "del" in classes(r)]
    assert any("LSTM(16, return_sequences=True)," in line for line in removed)
    assert {"add", "del", "same", "hunk", "file"} <= set().union(*(classes(r) for r in rows))
    keywords = [text_of(e) for e in find_class(diff_box, "k", "span")]
    assert "import" in keywords and "def" in keywords, "the Python is highlighted"
    [explanation] = [e for e in block if "explanation" in classes(e)]
    assert [text_of(h) for h in explanation.iter("h5")] == [
        "Why it works",
        "Common mistakes in this category",
    ]
    assert text_of(next(explanation.iter("strong"))) == "One value per window."
    assert "<script>alert(1)</script>" in text_of(explanation), "shown as text"
    assert next(text_of(c) for c in explanation.iter("code")) == "Dense(1)"
    pairs = [e for e in block if "pair" in classes(e)]
    assert len(pairs) == 2, "the loss and the question's metric (mae)"
    titles = [[text_of(t) for t in find_class(p, "curve-title", "text")] for p in pairs]
    assert titles == [["Yours: run 2", "Reference"], ["Yours: run 2", "Reference"]]
    for pair in pairs:
        lines = [sorted(classes(p)) for p in pair.iter("polyline")]
        assert len(lines) == 4, "training and validation, on both sides"


def _question_block(section: object, anchor: str) -> list[object]:
    """The elements of ``section`` from the h3 with ``anchor`` to the next h3."""
    children = list(section)  # type: ignore[call-overload]
    start = next(i for i, e in enumerate(children) if e.get("id") == anchor)
    end = next(
        (i for i in range(start + 1, len(children)) if children[i].tag == "h3"), len(children)
    )
    return children[start + 1 : end]


def test_every_score_chip_reads_at_4_5_to_1() -> None:
    """The palette itself, without a browser: each score's digits and the not-gradable chip's
    against their backgrounds (WCAG AA), from red to green."""
    pairs = [*zip(SCORE_COLOURS, SCORE_INK, strict=True), (NOT_GRADABLE_COLOUR, NOT_GRADABLE_INK)]
    assert len(pairs) == 7
    for background, ink in pairs:
        assert contrast(background, ink) >= MIN_CONTRAST, (background, ink)
    reds = [int(c[1:3], 16) - int(c[3:5], 16) for c in SCORE_COLOURS]
    assert reds[0] > 0 > reds[-1], "red for 0, green for 5"


def contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@needs_chromium
def test_the_whole_report_passes_the_browser_check(
    tfexam_home: Path, tmp_path: Path, utc: None, explained: Exam
) -> None:
    """Real Chromium at 1280 px: every text of the page, the score chips of every level (0-5)
    and of a not-gradable attempt included, at least 4.5:1 against its background; nothing
    wider than the page (long diff lines wrap)."""
    s = three_mistakes(tmp_path / "session", explained)
    long_line = "    x = " + " + ".join(f"value_{i}" for i in range(60)) + "\n"
    s.script("time-series", series(sequences=True) + long_line)
    for score, question in zip((2, 3, 4, 5), ("basic-model", "learning-dataset",
                                              "basic-model", "text-classification"), strict=True):  # fmt: skip
        s.graded(question, (60 + score) * M, score, 0.5)
    s.not_gradable(
        "text-classification",
        70 * M,
        "the model expects input (None, 120), the question (None, 100)",
    )
    html = render_html(s.report())
    assert 'id="mistakes"' in html and 'id="review"' in html and long_line.strip()[:20] in html
    for chip in ("chip s0", "chip s1", "chip s2", "chip s3", "chip s4", "chip s5", "chip ng"):
        assert f'class="{chip}"' in html, chip
    measured = check_page(html, tmp_path)
    assert measured.low_contrast == [] and measured.lowest_contrast >= MIN_CONTRAST, measured
    assert measured.page_width <= 1280, measured
