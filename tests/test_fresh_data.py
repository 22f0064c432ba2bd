"""Fresh data per session: a retake of a generated exam gets new data, and ``--seed`` repeats it.

The data of every question, the hidden grading split included, follows the session's seed, and
the grader of a session uses that seed, also after a resume.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from simulator.exam.catalog import find_exam
from simulator.exam.code import load_question_module
from simulator.exam.format import Exam, load_exam
from simulator.grading.pool import GradingPool
from simulator.paths import DataPaths, data_paths
from simulator.session.engine import Engine
from simulator.session.events import AttemptGraded, SessionEvent
from simulator.session.sessions import NewSession, create_session, record_session
from simulator.session.watcher import WatchTimings
from simulator.storage.store import Store
from tests.conftest import FIXTURES, run_cli
from tests.question_helpers import file_hashes
from tests.shared_data import shared_folder
from tests.waiting import wait_until

SEEDED_EXAM = FIXTURES / "exams" / "seeded"
NOT_DATA = {"prompt.md", "starter.py"}


def data_hashes(exam: Exam, workspace: Path) -> dict[str, str]:
    """sha256 of every data file a session's workspace got, by ``<folder>/<path>``."""
    found = {}
    for question in exam.questions:
        folder = workspace / question.workspace_folder
        for name, digest in file_hashes(folder).items():
            if name not in NOT_DATA:
                found[f"{question.workspace_folder}/{name}"] = digest
    return found


def hidden_split(exam: Exam, question_id: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    question = exam.question(question_id)
    x, y = load_question_module(question, question.grader, "grader").test_data(seed)
    return np.asarray(x), np.asarray(y)


def _two_practice_sessions(root: Path) -> None:
    """Two practice sessions started without ``--seed``, as two retakes; their seeds and
    workspaces in ``sessions.json``."""
    paths = DataPaths(root / "home")
    store = Store(paths.database)
    exam = find_exam("practice", paths)
    made = [create_session(store, NewSession(exam, workspace=root / name)) for name in ("1", "2")]
    store.close()
    (root / "sessions.json").write_text(
        json.dumps([{"seed": s.settings["seed"], "workspace": str(s.workspace)} for s in made])
    )


@pytest.fixture(scope="module")
def two_retakes(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[int, Path]]:
    """The seed and workspace of two fresh practice sessions, made once per test run (every
    picture of the practice exam, twice: a minute and more on a busy machine), so that the two
    checks below can run side by side."""
    root = shared_folder(tmp_path_factory, "two-practice-retakes", _two_practice_sessions)
    made = json.loads((root / "sessions.json").read_text())
    return [(entry["seed"], Path(entry["workspace"])) for entry in made]


#: The first test to ask for ``two_retakes`` writes them (in its setup, which pytest-timeout
#: counts): a minute on a quiet 2-core machine, four at load 12. Only a hang should stop it.
RETAKES_TIMEOUT_S = 900


@pytest.mark.timeout(RETAKES_TIMEOUT_S)
def test_each_practice_session_gets_new_data(two_retakes: list[tuple[int, Path]]) -> None:
    exam = find_exam("practice", None)
    (first_seed, first), (second_seed, second) = two_retakes
    assert first_seed != second_seed and exam.seed not in (first_seed, second_seed)
    before, after = data_hashes(exam, first), data_hashes(exam, second)
    assert len(before) > 1000  # the npz, the JSON, the CSV and every picture
    assert before.keys() == after.keys()
    same = [name for name in before if before[name] == after[name]]
    assert not same, f"{len(same)} data files are the same in both sessions, e.g. {same[:3]}"


@pytest.mark.timeout(RETAKES_TIMEOUT_S)
def test_the_hidden_split_follows_the_session_seed(two_retakes: list[tuple[int, Path]]) -> None:
    exam = find_exam("practice", None)
    (first_seed, _), (second_seed, _) = two_retakes
    for question in exam.questions:
        x1, _ = hidden_split(exam, question.id, first_seed)
        x2, _ = hidden_split(exam, question.id, second_seed)
        assert x1.shape == x2.shape and not np.array_equal(x1, x2), question.id


@pytest.mark.timeout(RETAKES_TIMEOUT_S)
def test_a_session_seed_repeats_its_data(
    two_retakes: list[tuple[int, Path]], tfexam_home: Path, tmp_path: Path
) -> None:
    store = Store(data_paths().database)
    exam = find_exam("practice", data_paths())
    seed, first = two_retakes[0]
    again = create_session(store, NewSession(exam, workspace=tmp_path / "again", seed=seed))
    store.close()
    assert again.settings["seed"] == seed
    assert data_hashes(exam, again.workspace) == data_hashes(exam, first)


def test_classic_exams_keep_their_fixed_seed_and_refuse_another(tfexam_home: Path) -> None:
    classic = find_exam("classic", data_paths())
    assert not classic.fresh_data
    refused = run_cli("start", "classic", "--seed", "3", "--headless")
    assert refused.returncode == 2
    assert refused.stderr.strip().startswith(
        "tfexam: usage error: Invalid value for '--seed': classic uses fixed data"
    ), refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_status_report_and_history_show_the_session_seed(tfexam_home: Path, tmp_path: Path) -> None:
    store = Store(data_paths().database)
    exam = find_exam("practice", data_paths())
    workspace = tmp_path / "ws"
    workspace.mkdir()
    session = record_session(store, NewSession(exam, seed=4242), workspace, time.time())
    store.close()
    status = json.loads(run_cli("status", session.id, "--json").stdout)
    assert status["seed"] == 4242
    assert "data seed 4242" in run_cli("status", session.id).stdout
    report = json.loads(run_cli("report", session.id, "--format", "json").stdout)
    assert report["summary"]["seed"] == 4242
    assert "--seed 4242" in run_cli("report", session.id, "--format", "md").stdout
    history = json.loads(run_cli("history", "--json").stdout)
    assert [entry["seed"] for entry in history] == [4242]


def _constant_model(value: float, path: Path) -> Path:
    """A model that answers ``value`` for any input: right for one seed's data only."""
    import keras

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.layers[0].set_weights(
        [np.zeros((1, 1), dtype="float32"), np.array([value], dtype="float32")]
    )
    model.save(path)
    return path


class _Graded:
    def __init__(self) -> None:
        self.scores: list[int | None] = []

    def __call__(self, event: SessionEvent) -> None:
        if isinstance(event, AttemptGraded):
            self.scores.append(event.attempt.score)

    def wait(self, count: int, timeout: float = 60.0) -> list[int | None]:
        wait_until(
            lambda: len(self.scores) >= count,
            timeout,
            f"{count} gradings",
            seen=lambda: self.scores,
        )
        return self.scores


def test_a_resumed_session_is_graded_with_its_own_seed(
    warm_pool: GradingPool, tfexam_home: Path, tmp_path: Path
) -> None:
    paths = data_paths()
    store = Store(paths.database)
    exam = load_exam(SEEDED_EXAM)
    session = create_session(
        store, NewSession(exam, workspace=tmp_path / "ws", grading=warm_pool.settings)
    )
    assert session.settings["seed"] != exam.seed
    folder = session.workspace / "constant"
    target = float((folder / "target.txt").read_text(encoding="utf-8"))
    models = tmp_path / "models"
    models.mkdir()
    reference = _constant_model(target, models / "reference.h5")
    # The same model is wrong for the exam's own seed: the check below can tell the seeds apart.
    assert abs(load_question_module(exam.questions[0], "data.py", "data").target(exam.seed)
               - target) > 1.0  # fmt: skip

    graded = _Graded()
    engine = Engine(store, paths, session, exam, pool=warm_pool, watch_timings=WatchTimings())
    engine.subscribe(graded)
    engine.start()
    (folder / "mymodel.h5").write_bytes(reference.read_bytes())
    assert graded.wait(1) == [5]
    engine.detach()
    engine.wait(10)
    engine.close()

    # Saved while nobody watched; the resumed engine finds it and grades it with the same seed.
    _constant_model(target + 1e-4, folder / "mymodel.h5")
    resumed_graded = _Graded()
    resumed = Engine(
        store, paths, store.get_session(session.id), exam, pool=warm_pool,
        watch_timings=WatchTimings(),
    )  # fmt: skip
    resumed.subscribe(resumed_graded)
    resumed.start()
    try:
        assert resumed_graded.wait(1) == [5]
    finally:
        resumed.detach()
        resumed.wait(10)
        resumed.close()
    scores = [a.score for a in store.attempts(session.id) if a.state == "graded"]
    assert scores == [5, 5]


def test_fresh_data_must_be_a_boolean(tmp_path: Path) -> None:
    from simulator.exam.format import ExamFormatError

    exam_dir = tmp_path / "seeded"
    exam_dir.mkdir()
    text = (SEEDED_EXAM / "exam.toml").read_text(encoding="utf-8")
    (exam_dir / "exam.toml").write_text(
        text.replace("fresh_data = true", "fresh_data = 1"), encoding="utf-8"
    )
    with pytest.raises(ExamFormatError, match=r"exam\.fresh_data: must be true or false"):
        load_exam(exam_dir)
