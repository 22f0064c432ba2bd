"""Shared fixtures: an isolated data directory, real tiny models, and warm grading workers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.exam.catalog import shipped_exams_root

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FORMATS_EXAM = FIXTURES / "exams" / "formats"
PRACTICE_EXAM = shipped_exams_root() / "practice"


#: Test modules whose module-scoped fixtures cost seconds of CPU each: a grading worker of their
#: own (it imports TensorFlow), a question's generated data, ``tfexam new``, an installed pack, a
#: class of reports. pytest-xdist (``--dist loadgroup`` in pyproject.toml) runs each one's tests
#: in one worker, so each such fixture is built once per run instead of once per worker; every
#: other test goes to whichever worker is free. (test_shipped_exams.py is left out: it is the
#: largest module, and its parts run side by side.)
ONE_WORKER_MODULES = frozenset(
    {
        "test_checks",
        "test_classic_exams",
        "test_classic_verdicts",  # its own instances of test_classic_exams' module fixtures
        "test_cohort",
        "test_engine",
        "test_events_live",
        "test_exam_check",
        "test_exam_packs",
        "test_grading",
        "test_odd_files",
        "test_practice2_category3",
        "test_practice2_category4",
        "test_practice_category2",
        "test_practice_category3",
        "test_practice_category4",
    }
)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in ONE_WORKER_MODULES:
            item.add_marker(pytest.mark.xdist_group(item.path.stem))


@pytest.fixture(scope="session", autouse=True)
def no_real_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test can touch the user's real tfexam home, even one named by TFEXAM_HOME in the
    shell: the whole run (and every ``tfexam`` it starts, which inherits the environment) uses a
    temporary one. A test about sessions still takes ``tfexam_home``, so that tests never see
    each other's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TFEXAM_HOME", str(tmp_path_factory.mktemp("default-home")))
        yield


@pytest.fixture
def tfexam_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private TFEXAM_HOME so that tests never see each other's sessions."""
    home = tmp_path / "home"
    monkeypatch.setenv("TFEXAM_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real Keras model files (built once per test run)."""
    from tests.models import build_all

    return build_all(tmp_path_factory.mktemp("models"))


def copy_model(source: Path, target: Path) -> Path:
    """Copy a model file or SavedModel folder into place (like a download from Colab)."""
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)
    return target


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``tfexam`` in a subprocess, as a user would, with no standard input."""
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=REPO,
    )


@pytest.fixture
def workspace_parent(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "work"
    folder.mkdir()
    yield folder


@pytest.fixture(scope="session")
def practice_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The practice exam's workspace (its own seed), generated once per test run (seconds;
    xdist's workers share it) and copied by the engine and TUI tests."""
    from simulator.exam.format import load_exam
    from simulator.exam.workspace import create_workspace
    from tests.shared_data import shared_folder

    exam = load_exam(PRACTICE_EXAM)

    def write(root: Path) -> None:
        root.mkdir()
        create_workspace(exam, root / "tfexam-practice", seed=exam.seed)

    return shared_folder(tmp_path_factory, "practice-template", write) / "tfexam-practice"


@pytest.fixture(scope="session")
def warm_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One warm grading worker shared by tests (an engine borrows it, one at a time)."""
    from simulator.grading.pool import GradingPool
    from simulator.grading.settings import GradingSettings

    settings = GradingSettings(workers=1, timeout_s=20, memory_limit_mb=2000)
    shared = GradingPool(settings, tmp_path_factory.mktemp("warm-pool-logs"), lambda _event: None)
    shared.start()
    assert shared.wait_ready(120), "grading worker did not start"
    yield shared
    shared.close()


@pytest.fixture
def pool(warm_pool: object) -> object:
    """The warm grading worker (20 s per job) for engine tests. It was one per test module:
    a TensorFlow import each, in each xdist worker, for a worker with the same settings. A test
    that pauses it (``worker_held``) lets it go on before it ends; one that kills it leaves the
    pool to start a fresh one, as it does in a session."""
    return warm_pool


@pytest.fixture
def harness_factory(
    pool: object, tfexam_home: Path, tmp_path: Path, practice_template: Path
) -> Iterator[object]:
    """Makes real engines over copies of the practice workspace; closes every one it made."""
    from tests.engine_helpers import EngineHarness

    made: list[EngineHarness] = []

    def make(**kwargs: object) -> EngineHarness:
        kwargs.setdefault("template", practice_template)
        harness = EngineHarness(pool, tmp_path / f"ws{len(made)}", **kwargs)  # type: ignore[arg-type]
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


@pytest.fixture
def rig(
    warm_pool: object, practice_template: Path, tfexam_home: Path, tmp_path: Path
) -> Iterator[object]:
    """Makes exam apps over real engines sharing the warm worker; closes every engine it made."""
    from tests.tui_helpers import TuiRig

    made = TuiRig(warm_pool, practice_template, tmp_path / "sessions")  # type: ignore[arg-type]
    yield made
    made.close()
