"""A real exam-era answer gets the verdict the real exam gave it (issue: classic fidelity).

The classic time-series questions accept both output forms the exam era used and grade a
sequence on its last step, as the real tester did; the sunspots score that counts is the real
starter's own rule, with the calibrated strict view and trivial baselines beside it. Real small
models, the real staged datasets (skipped without them), graded by real worker processes.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest

from simulator.exam.format import Exam
from simulator.exam.workspace import create_workspace
from simulator.grading.sync import SyncGrader
from simulator.paths import data_paths
from simulator.report.build import build_report
from simulator.report.markdown import render_markdown
from simulator.report.text import render_text
from simulator.session.sessions import NewSession, record_session
from simulator.storage.store import Store
from tests import test_classic_exams as classic
from tests.conftest import run_cli
from tests.models import headline_model, last_value_models, news_model
from tests.test_classic_exams import CLASSIC, CLASSIC2, module, only
from tests.test_datasets import SHARED, needs_shared

# The staged real datasets and a warm grader, shared with the classic exams' own tests.
prepared = classic.prepared
grader = classic.grader


@needs_shared
@pytest.mark.parametrize(("exam", "question", "window"),
                         [(CLASSIC, "sunspots", 30), (CLASSIC2, "daily-temperatures", 64)],
                         ids=["sunspots", "daily-temperatures"])  # fmt: skip
def test_a_sequence_output_and_a_single_output_get_the_same_score(
    exam: Exam,
    question: str,
    window: int,
    grader: SyncGrader,
    tmp_path: Path,
) -> None:
    models = last_value_models(tmp_path, window, weight=1.0, bias=0.0)  # repeat the last value
    sequence = grader.grade(models["sequence"], exam.root, question, seed=exam.seed)
    value = grader.grade(models["value"], exam.root, question, seed=exam.seed)
    assert sequence.state == value.state == "graded", (sequence.message, value.message)
    assert sequence.score == value.score
    assert sequence.metric_value == pytest.approx(value.metric_value, rel=1e-5)
    assert sequence.message == value.message
    x, y = module(exam, question, "grader.py").test_data(exam.seed)
    persistence = float(np.mean(np.abs(x[:, -1, 0] - y[:, 0])))
    assert sequence.metric_value == pytest.approx(persistence, rel=1e-5)
    wide = grader.grade(models["wide"], exam.root, question, seed=exam.seed)
    assert wide.state == "not-gradable"
    assert f"a sequence of {window} steps with 2 values each" in (wide.message or "")
    assert "end with Dense(1)" in (wide.message or "")
    assert "sequence outputs are graded on their last step" in (wide.message or "")


@needs_shared
def test_sunspots_counts_the_real_rule_and_shows_the_strict_view_in_the_json(
    prepared: Path,
    tmp_path: Path,
) -> None:
    """A forecast 0.08 above the last month: 5/5 by the real exam's rule on its tester's months
    (MAE 0.088), 0/5 on the calibrated scale, worse than repeating the last month (0.034)."""
    model = last_value_models(tmp_path, 30, weight=1.0, bias=0.08)["sequence"]
    done = run_cli("grade", str(model), "--exam", "classic", "--question", "sunspots", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    x, y = module(CLASSIC, "sunspots", "grader.py").test_data(CLASSIC.seed)
    rx, ry = module(CLASSIC, "sunspots", "grader.py").real_exam_data(CLASSIC.seed)
    assert rx.shape == (235, 30, 1)  # series[3000:] of the whole file, as the real tester read
    held_out = float(np.mean(np.abs(x[:, -1, 0] + 0.08 - y[:, 0])))
    tester = float(np.mean(np.abs(rx[:, -1, 0] + 0.08 - ry[:, 0])))
    assert result["score"] == 5 == min(5, math.ceil(17 - 100 * tester))
    assert result["metric"] == {"name": "mae", "value": pytest.approx(held_out, rel=1e-5)}
    views = result["views"]
    assert views["scale"] == "real-exam" and views["calibrated_score"] == 0
    assert views["real_exam"]["metric_value"] == pytest.approx(tester, rel=1e-5)
    assert views["real_exam"]["rule"] == "min(5, ceil(17 - 100 * MAE))"
    baselines = {b["name"]: b["value"] for b in views["baselines"]}
    persistence = float(np.mean(np.abs(x[:, -1, 0] - y[:, 0])))
    assert baselines["repeat the last value"] == pytest.approx(persistence, rel=1e-5)
    assert baselines["window mean"] == pytest.approx(
        float(np.mean(np.abs(x.mean(1) - y))), rel=1e-5
    )
    message = result["message"]
    assert message.startswith("5/5 by the real exam's rule (min(5, ceil(17 - 100 * MAE))")
    assert "on the 100 hidden months MAE 0.08" in message and "-> 0/5 calibrated" in message
    assert "worse than repeat the last value 0.03364, worse than window mean 0.07586" in message


# Sarcasm: the public file's tokenizer is the grader's -----------------------------------------------


@needs_shared
def test_a_sarcasm_model_trained_on_the_public_file_is_graded_as_well_as_one_trained_on_the_workspace(
    grader: SyncGrader, tmp_path: Path
) -> None:
    """The first 20,000 headlines of the workspace file are the public file's, byte for byte, so
    the starter's tokenizer is the same wherever the candidate trained (here: in "Colab", on the
    whole public file, which includes hidden headlines, as it could in the real exam)."""
    public = json.loads((SHARED / "sarcasm.json").read_bytes())
    workspace_dir = tmp_path / "ws"
    workspace_dir.mkdir()
    module(CLASSIC, "sarcasm", "data.py").write_data(workspace_dir, CLASSIC.seed)
    with (workspace_dir / "sarcasm.json").open() as f:
        workspace = json.load(f)
    assert workspace[:20_000] == public[:20_000]

    def headlines(records: list[dict[str, object]]) -> tuple[list[str], list[int]]:
        return [str(r["headline"]) for r in records], [int(str(r["is_sarcastic"])) for r in records]

    ws_sentences, ws_labels = headlines(workspace)
    pub_sentences, pub_labels = headlines(public)
    ws_tokenizer = headline_model(tmp_path / "workspace.h5", ws_sentences[:20_000],
                                  ws_labels[:20_000], ws_sentences[:20_000], epochs=6)  # fmt: skip
    pub_tokenizer = headline_model(tmp_path / "public.h5", pub_sentences, pub_labels,
                                   pub_sentences[:20_000], epochs=6)  # fmt: skip
    assert ws_tokenizer.word_index == pub_tokenizer.word_index
    on_workspace = grader.grade(tmp_path / "workspace.h5", CLASSIC.root, "sarcasm", CLASSIC.seed)
    on_public = grader.grade(tmp_path / "public.h5", CLASSIC.root, "sarcasm", CLASSIC.seed)
    assert on_workspace.state == on_public.state == "graded"
    assert on_workspace.metric_value is not None and on_public.metric_value is not None
    assert on_workspace.metric_value >= 0.75, on_workspace.message
    assert on_public.metric_value >= on_workspace.metric_value - 0.01, on_public.message
    assert on_public.score is not None and on_workspace.score is not None
    assert on_public.score >= on_workspace.score >= 3


@needs_shared
def test_the_report_says_the_real_rule_counted_and_shows_the_strict_view(
    grader: SyncGrader, tmp_path: Path
) -> None:
    """A real grading result stored with its views: the report's JSON says which rule gave the
    score, and its text and Markdown show the verdict with the strict view and baselines."""
    exam = only(CLASSIC, "sunspots")
    model = last_value_models(tmp_path / "models", 30, weight=1.0, bias=0.08)["value"]
    result = grader.grade(model, CLASSIC.root, "sunspots", seed=CLASSIC.seed)
    assert result.views is not None and result.views.real_exam is not None
    store = Store(data_paths().database)
    workspace = create_workspace(exam, tmp_path / "ws", seed=exam.seed)
    started = time.time() - 600
    session = record_session(store, NewSession(exam, workspace=workspace), workspace, started)
    made = store.add_attempt(
        session_id=session.id, question_id="sunspots", source_path=str(model), blob=None,
        sha256="0" * 64, size=1000, origin="watch", saved_at=started + 60,
        detected_at=started + 60.1, state="queued", queued_at=started + 60.1, source="local",
    )  # fmt: skip
    store.mark_grading(made.id, started + 61)
    stored = store.finish_attempt(
        made.id, state="graded", finished_at=started + 63, score=result.score,
        metric_name=result.metric_name, metric_value=result.metric_value,
        message=result.message, timings=result.timings, views=result.views,
    )  # fmt: skip
    assert stored.views == result.views  # kept in the store as they came
    report = build_report(store, store.get_session(session.id), exam)
    question = report.questions[0]
    assert (question.score, question.scale) == (5, "real-exam")
    attempt = question.attempts[0]
    assert (attempt.scale, attempt.calibrated_score, attempt.score) == ("real-exam", 0, 5)
    assert attempt.verdict == result.message
    for rendered in (render_markdown(report), render_text(report, width=400, color=False)):
        assert "5/5 by the real exam's rule" in rendered
        assert "worse than repeat the last value 0.03364" in rendered
        assert "score by the real exam's rule" in rendered
    assert report.to_json()["questions"][0]["attempts"][0]["scale"] == "real-exam"


# Near-chance hints ------------------------------------------------------------------------------


@needs_shared
def test_a_bbc_model_trained_with_the_stopwords_kept_is_told_so(
    grader: SyncGrader, tmp_path: Path
) -> None:
    """Trained on the workspace's articles without the starter's stopword removal, the model
    scores near chance on the grader's prepared articles; the message says what it would reach
    with the stopwords kept. A model trained on labels 0-4 is told about the numbering."""
    bbc = module(CLASSIC2, "bbc-news", "grader.py")
    workspace, _ = bbc.hidden_rows(CLASSIC2.seed)
    train = workspace[: int(len(workspace) * 0.8)]
    texts = [text for _, text in train]
    labels = [bbc.LABELS[category] for category, _ in train]
    news_model(tmp_path / "kept.h5", texts, labels, epochs=25)
    kept = grader.grade(tmp_path / "kept.h5", CLASSIC2.root, "bbc-news", CLASSIC2.seed)
    assert kept.state == "graded" and kept.views is not None, kept.message
    chance = kept.views.baselines[0].value
    assert kept.metric_value is not None and kept.metric_value <= chance + 0.1, kept.message
    assert kept.score == 0  # the score stays what the rule gives
    hint = kept.views.hint or ""
    assert hint.startswith("With the stopwords kept this model reaches 0.")
    assert "the grader removes them as the starter does" in hint and hint in (kept.message or "")
    reached = float(hint.split("reaches ")[1].split(":")[0])
    assert reached >= 0.8

    stripped = [bbc.remove_stopwords(text) for text in texts]
    news_model(tmp_path / "zero.h5", stripped, [label - 1 for label in labels], epochs=25)
    zero = grader.grade(tmp_path / "zero.h5", CLASSIC2.root, "bbc-news", CLASSIC2.seed)
    assert zero.views is not None and zero.score == 0, zero.message
    assert (zero.views.hint or "").startswith("With labels numbered from 0 this model reaches 0.")

    news_model(tmp_path / "right.h5", stripped, labels, epochs=25)
    right = grader.grade(tmp_path / "right.h5", CLASSIC2.root, "bbc-news", CLASSIC2.seed)
    assert right.views is not None and right.views.hint is None, right.message
    assert right.score is not None and right.score >= 4, right.message
