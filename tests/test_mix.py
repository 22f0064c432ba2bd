"""``tfexam start --mix``: an exam drawn from the bank of every installed offline question."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.exam.mix import CATEGORIES, draw, question_bank
from simulator.paths import data_paths
from simulator.session.sessions import NewSession, create_session, drawn_exam
from simulator.storage.store import Store
from tests.conftest import run_cli
from tests.test_fresh_data import data_hashes


def test_the_bank_holds_offline_questions_only_one_per_folder(tfexam_home: Path) -> None:
    bank = question_bank(data_paths())
    keys = {category: [item.key for item in bank[category]] for category in CATEGORIES}
    # The classic exams' categories 2-5 read prepared real datasets: not in the bank.
    assert keys[1] == [
        "classic/basic-model", "classic-2/basic-model", "practice/basic-model",
        "practice-2/basic-model",
    ]  # fmt: skip
    assert keys[2] == ["practice/learning-dataset"]  # practice-2 reuses that folder
    assert keys[3] == ["practice/image-classification", "practice-2/binary-images"]
    assert all(not key.startswith("classic") for c in (2, 3, 4, 5) for key in keys[c])
    draws = {tuple(item.key for item in draw(bank, seed)) for seed in range(40)}
    assert len(draws) > 1, "different seeds draw different exams"


def test_a_seed_repeats_the_draw_and_the_data_and_no_seed_draws_afresh(
    tfexam_home: Path, tmp_path: Path
) -> None:
    paths = data_paths()
    store = Store(paths.database)
    exam, seed = drawn_exam(paths, 3)
    again, same_seed = drawn_exam(paths, 3)
    assert (exam.id, seed, same_seed) == ("mix-3", 3, 3)
    assert [q.id for q in again.questions] == [q.id for q in exam.questions]
    assert [q.category for q in exam.questions] == list(CATEGORIES)
    # The report and the history show the exam's title and description: they name the draw.
    described = exam.description.split(": ", 1)[1].rstrip(".").split(", ")
    assert [key.replace("/", "-") for key in described] == [q.id for q in exam.questions]

    first = create_session(store, NewSession(exam, workspace=tmp_path / "first", seed=seed))
    second = create_session(store, NewSession(again, workspace=tmp_path / "second", seed=3))
    assert data_hashes(exam, first.workspace) == data_hashes(again, second.workspace)

    # Without --seed each start draws its own seed; a session's data follows its seed
    # (tests/test_fresh_data.py), so two such sessions differ.
    seeds = {drawn_exam(paths, None)[1] for _ in range(3)}
    assert len(seeds) == 3 and seed not in seeds
    store.close()


def test_start_mix_runs_a_session_of_the_drawn_exam(tfexam_home: Path, tmp_path: Path) -> None:
    refused = run_cli("start", "practice", "--mix", "--headless")
    assert refused.returncode == 2
    assert "--mix draws its own exam: leave EXAM out" in refused.stderr

    workspace = tmp_path / "ws"
    done = run_cli(
        "start", "--mix", "--seed", "3", "--duration", "3s", "--workspace", str(workspace),
        "--json", timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    kinds = [line["event"] for line in lines]
    assert "session-submitted" in kinds
    assert (workspace / "category5" / "starter.py").is_file()
    listed = json.loads(run_cli("sessions", "--json").stdout)
    assert [s["exam"] for s in listed] == ["mix-3"]
