"""The classic exams: the real exam's interfaces and constants, the refusal to start before the
datasets are prepared, and each real dataset turned into its workspace form and hidden test.

The real datasets are the staged copies in ``../shared/datasets`` beside the repository,
imported into a private dataset cache; without them those tests skip. Datasets that cannot be
had here (Fashion-MNIST images, MNIST, the image zips) are tested on small generated files of the
same formats. Nothing is downloaded.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

from simulator.datasets import REGISTRY, DatasetNotPreparedError, exam_datasets, prepare
from simulator.exam.catalog import shipped_exams_root
from simulator.exam.code import load_module_file
from simulator.exam.format import Exam, load_exam
from simulator.exam.workspace import create_workspace
from simulator.grading.settings import GradingSettings
from simulator.grading.sync import SyncGrader
from tests.conftest import run_cli
from tests.grading_helpers import warm_grader
from tests.test_datasets import SHARED, needs_shared

CLASSIC = load_exam(shipped_exams_root() / "classic")
CLASSIC2 = load_exam(shipped_exams_root() / "classic-2")
STAGED = ("sunspots", "daily-min-temperatures", "sarcasm", "bbc-news")

# What public exam-solution files print for the real starter's normalised sunspots series.
SUNSPOTS_FIRST = [0.24284279, 0.26192868, 0.29306881]
SUNSPOTS_LAST = [0.03314917, 0.03992968, 0.00401808]


def module(exam: Exam, question: str, filename: str) -> ModuleType:
    q = exam.question(question)
    return load_module_file(q.folder / filename, f"tfexam_test_{exam.id}_{q.id}_{filename[:-3]}")


def only(exam: Exam, *question_ids: str) -> Exam:
    """The exam reduced to some questions (those whose data can be had here)."""
    return replace(exam, questions=tuple(exam.question(q) for q in question_ids))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A TFEXAM_HOME whose dataset cache holds the staged real datasets (imported, verified)."""
    if not (SHARED / "SHA256SUMS").is_file():
        pytest.skip(
            "the staged real datasets (../shared/datasets beside the repository) are not here"
        )
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TFEXAM_HOME", str(home))
        prepare([REGISTRY[n] for n in STAGED], source_dir=SHARED, root=home / "datasets")
        yield home


# The exams as declared ---------------------------------------------------------------------------


def test_the_classic_exams_have_the_real_interfaces_and_datasets() -> None:
    shapes = {
        q.id: (q.interface.input_shape, q.interface.output_shape, q.interface.output)
        for exam in (CLASSIC, CLASSIC2)
        for q in exam.questions
    }
    assert shapes == {
        "basic-model": ((1,), (1,), "regression"),
        "fashion-mnist": ((28, 28), (10,), "softmax"),
        "horses-or-humans": ((300, 300, 3), (1,), "sigmoid"),
        "sarcasm": ((120,), (1,), "sigmoid"),
        "sunspots": ((None, 1), (1,), "regression"),
        "mnist": ((28, 28), (10,), "softmax"),
        "rock-paper-scissors": ((150, 150, 3), (3,), "softmax"),
        "bbc-news": ((120,), (6,), "softmax"),
        "daily-temperatures": ((None, 1), (1,), "regression"),
    }
    assert [d.name for d in exam_datasets(CLASSIC)] == [
        "fashion-mnist",
        "horses-or-humans",
        "sarcasm",
        "sunspots",
    ]
    assert [d.name for d in exam_datasets(CLASSIC2)] == [
        "mnist",
        "rock-paper-scissors",
        "bbc-news",
        "daily-min-temperatures",
    ]
    assert [q.weight for q in CLASSIC.questions] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("exam", "question", "constants"),
    [
        (CLASSIC, "sunspots", ["split_time = 3000", "window_size = 30", "batch_size = 32",
                               "shuffle_buffer_size = 1000", "series -= min", "series /= max",
                               "sunspots.append(float(row[2]))", "csv.reader(csvfile, delimiter=\",\")",
                               "ds.map(lambda w: (w[:-1], w[1:]))",
                               "rnn_forecast[split_time - window_size:-1, -1, 0]",
                               "min(5, ceil(17 - 100 * result))"]),
        (CLASSIC, "sarcasm", ["vocab_size = 1000", "embedding_dim = 16", "max_length = 120",
                              'trunc_type = "post"', 'padding_type = "post"', 'oov_tok = "<OOV>"',
                              "training_size = 20000"]),
        (CLASSIC2, "bbc-news", ["vocab_size = 1000", "max_length = 120", "training_portion = 0.8"]),
        (CLASSIC, "horses-or-humans", ["target_size=(300, 300)", "rescale=1.0 / 255"]),
        (CLASSIC2, "rock-paper-scissors", ["target_size=(150, 150)", 'TRAINING_DIR = "tmp/rps/"']),
        (CLASSIC, "fashion-mnist", ['load_data(path="fashion_mnist.npz")', "x_train / 255.0"]),
        (CLASSIC2, "mnist", ['load_data(path="mnist.npz")', "x_train / 255.0"]),
        (CLASSIC2, "daily-temperatures", ["SPLIT_TIME = 2500", "WINDOW_SIZE = 64"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)  # fmt: skip
def test_starters_keep_the_real_constants_and_rules(
    exam: Exam, question: str, constants: list[str]
) -> None:
    q = exam.question(question)
    starter = (q.folder / q.starter).read_text()
    for text in [*constants, "Don't use lambda layers", "DO NOT CHANGE", "model.summary()"]:
        assert text in starter, text
    assert 'model.save("mymodel.h5")' in starter and "urllib" not in starter


@pytest.mark.parametrize(
    ("exam", "question", "k", "scale"),
    [(CLASSIC, "sunspots", 13, 200), (CLASSIC2, "daily-temperatures", 19, 200)],
)
def test_time_series_thresholds_are_the_formula_in_the_prompt(
    exam: Exam, question: str, k: int, scale: int
) -> None:
    q = exam.question(question)
    assert f"ceil({k} - {scale} * MAE)" in (q.folder / q.prompt).read_text()
    for mae in np.arange(0.0, 0.2, 0.0005):
        formula = max(0, min(5, math.ceil(k - scale * round(mae, 6))))
        if not np.isclose(mae * scale, round(mae * scale)):  # the formula is strict there
            assert q.scoring.score(float(mae)) == formula, mae


# Refusing to start -----------------------------------------------------------------------------


def test_a_workspace_is_refused_until_the_datasets_are_prepared(
    tfexam_home: Path, tmp_path: Path
) -> None:
    target = tmp_path / "ws"
    with pytest.raises(DatasetNotPreparedError) as raised:
        create_workspace(CLASSIC, target, seed=CLASSIC.seed)
    message = str(raised.value)
    assert "\n" not in message and "run `tfexam prepare classic`" in message
    assert "fashion-mnist, horses-or-humans, sarcasm, sunspots" in message
    assert not target.exists()


def test_tfexam_start_classic_says_how_in_one_line(tfexam_home: Path, tmp_path: Path) -> None:
    target = tmp_path / "ws"
    done = run_cli("start", "classic", "--headless", "--workspace", str(target))
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("tfexam: error: the classic exam needs datasets that are not prepared")
    assert "tfexam prepare classic" in line and "MB to download once" in line
    assert done.stdout == ""  # nothing else, not even an empty line
    assert not target.exists()


# Sunspots -----------------------------------------------------------------------------------------


def starter_series(text: str) -> np.ndarray:
    """The real starter's reading and normalisation, statement for statement."""
    sunspots = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=",")
    next(reader)
    for row in reader:
        sunspots.append(float(row[2]))
    series = np.array(sunspots)
    min = np.min(series)
    max = np.max(series)
    series -= min
    series /= max
    return series


@needs_shared
def test_the_starters_normalised_sunspots_series_is_the_real_one(prepared: Path) -> None:
    whole = starter_series((SHARED / "Sunspots.csv").read_text())
    assert whole.shape == (3235,)
    assert np.round(whole[:3], 8).tolist() == SUNSPOTS_FIRST
    assert np.round(whole[-3:], 8).tolist() == SUNSPOTS_LAST
    data = module(CLASSIC, "sunspots", "data.py")
    original = (SHARED / "Sunspots.csv").read_bytes()
    workspace = data.workspace_bytes()
    assert original.startswith(workspace) and workspace.endswith(b"\r\n3134,2010-03-31,24.0\r\n")
    part = starter_series(workspace.decode())
    assert part.shape == (3135,)
    assert np.array_equal(part, whole[:3135])  # the same min and max: the same values, bit for bit


@needs_shared
def test_the_sunspots_grader_scores_the_hidden_100_months(prepared: Path) -> None:
    whole = starter_series((SHARED / "Sunspots.csv").read_text())
    x, y = module(CLASSIC, "sunspots", "grader.py").test_data(CLASSIC.seed)
    assert x.shape == (100, 30, 1) and y.shape == (100, 1)
    assert np.array_equal(y[:, 0], whole[3135:].astype(np.float32))
    assert np.array_equal(x[0, :, 0], whole[3105:3135].astype(np.float32))
    persistence = float(np.mean(np.abs(x[:, -1, 0] - y[:, 0])))
    assert CLASSIC.question("sunspots").scoring.score(persistence) == 5  # as in the real exam
    assert CLASSIC.question("sunspots").scoring.score(float(np.mean(np.abs(y)))) == 0  # zeros


# Daily minimum temperatures ----------------------------------------------------------------------


@needs_shared
def test_the_temperatures_file_is_1981_to_1989_byte_for_byte(prepared: Path) -> None:
    data = module(CLASSIC2, "daily-temperatures", "data.py")
    workspace = data.workspace_bytes()
    assert (SHARED / "daily-min-temperatures.csv").read_bytes().startswith(workspace)
    assert workspace.endswith(b'"1989-12-31",12.7')  # no newline at the end, like the original
    series = data.read_series(workspace.decode())
    assert len(series) == 3285 and min(series) == 0.0 and max(series) == 26.3
    x, y = module(CLASSIC2, "daily-temperatures", "grader.py").test_data(CLASSIC2.seed)
    assert x.shape == (365, 64, 1) and y.shape == (365, 1)
    full = np.array(data.full_series()) / 26.3
    assert np.allclose(y[:, 0], full[3285:])


# Sarcasm and BBC news ----------------------------------------------------------------------------


@needs_shared
def test_the_sarcasm_split_keeps_3000_hidden_headlines_out_of_the_workspace(
    prepared: Path, tmp_path: Path
) -> None:
    data = module(CLASSIC, "sarcasm", "data.py")
    workspace, hidden = data.split(CLASSIC.seed)
    assert (len(workspace), len(hidden)) == (23_709, 3_000)
    every = json.loads((SHARED / "sarcasm.json").read_bytes())
    assert not {r["headline"] for r in workspace} & {r["headline"] for r in hidden}
    assert Counter(map(json.dumps, workspace + hidden)) == Counter(map(json.dumps, every))
    data.write_data(tmp_path, CLASSIC.seed)
    with (tmp_path / "sarcasm.json").open() as f:
        assert json.load(f) == workspace  # what the starter's json.load reads
    assert data.split(CLASSIC.seed)[1] == hidden  # deterministic
    assert data.split(7)[1] != hidden  # and the seed's
    assert 0.40 < np.mean([r["is_sarcastic"] for r in hidden]) < 0.48


@needs_shared
def test_the_bbc_split_keeps_the_real_label_numbering(prepared: Path, tmp_path: Path) -> None:
    data = module(CLASSIC2, "bbc-news", "data.py")
    data.write_data(tmp_path, CLASSIC2.seed)
    with (tmp_path / "bbc-text.csv").open(encoding="utf-8") as csvfile:
        reader = csv.reader(csvfile, delimiter=",")
        assert next(reader) == ["category", "text"]
        rows = list(reader)
    counts = Counter(row[0] for row in rows)
    assert counts == {"sport": 443, "business": 441, "politics": 361, "tech": 346,
                      "entertainment": 334}  # fmt: skip
    assert [name for name, _ in counts.most_common()] == list(data.CATEGORIES)
    _, workspace, hidden = data.split(CLASSIC2.seed)
    assert len(hidden) == 300 and not set(workspace) & set(hidden)
    original = (SHARED / "bbc-text.csv").read_bytes()
    assert all(line in original for line in workspace[:50])  # rows kept byte for byte


@needs_shared
def test_the_nlp_graders_tokenise_like_the_starters(prepared: Path) -> None:
    x, y = module(CLASSIC, "sarcasm", "grader.py").test_data(CLASSIC.seed)
    assert x.shape == (3000, 120) and y.shape == (3000, 1) and x.dtype == np.int32
    assert x.min() >= 0 and x.max() < 1000 and set(np.unique(y)) == {0.0, 1.0}
    x, y = module(CLASSIC2, "bbc-news", "grader.py").test_data(CLASSIC2.seed)
    assert x.shape == (300, 120) and x.max() < 1000
    assert Counter(y.tolist()) == {1: 68, 2: 69, 3: 56, 4: 55, 5: 52}


@needs_shared
def test_a_classic_workspace_holds_the_training_parts_only(prepared: Path, tmp_path: Path) -> None:
    exam = only(CLASSIC, "basic-model", "sarcasm", "sunspots")
    workspace = create_workspace(exam, tmp_path / "ws", seed=exam.seed)
    names = {p.relative_to(workspace).as_posix() for p in workspace.rglob("*") if p.is_file()}
    assert names == {
        "README.md",
        "category1/prompt.md", "category1/starter.py",
        "category4/prompt.md", "category4/starter.py", "category4/sarcasm.json",
        "category5/prompt.md", "category5/starter.py", "category5/sunspots.csv",
    }  # fmt: skip
    text = (workspace / "category5" / "sunspots.csv").read_text()
    assert "2010-04-30" not in text and "2018-07-31" not in text


@needs_shared
def test_the_fashion_label_files_are_read_like_keras_reads_them(prepared: Path) -> None:
    data = module(CLASSIC, "fashion-mnist", "data.py")
    train = data.read_labels(SHARED / "fashion_mnist" / "train-labels-idx1-ubyte.gz")
    test = data.read_labels(SHARED / "fashion_mnist" / "t10k-labels-idx1-ubyte.gz")
    assert (len(train), len(test)) == (60_000, 10_000)
    assert np.bincount(train).tolist() == [6000] * 10 and np.bincount(test).tolist() == [1000] * 10


# Datasets that cannot be had here: the same code on small generated files of their formats -----


def idx_gz(path: Path, array: np.ndarray, magic: int) -> Path:
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))
    return path


def test_fashion_mnist_idx_files_become_the_workspace_npz(tmp_path: Path) -> None:
    data = module(CLASSIC, "fashion-mnist", "data.py")
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (60, 28, 28))
    labels = np.arange(60) % 10
    x, y = data.read_pair(
        idx_gz(tmp_path / "i.gz", images, 2051), idx_gz(tmp_path / "l.gz", labels, 2049)
    )
    assert x.shape == (60, 28, 28) and x.dtype == np.uint8 and np.array_equal(x, images)
    data.WORKSPACE_TRAIN = 50
    data.write_npz(tmp_path / "fashion_mnist.npz", x, y)
    with np.load(tmp_path / "fashion_mnist.npz") as npz:
        assert npz["x_train"].shape == (50, 28, 28) and npz["x_test"].shape == (10, 28, 28)
        assert np.array_equal(npz["y_test"], labels[50:])
    with pytest.raises(ValueError, match="not an IDX image file"):
        data.read_images(tmp_path / "l.gz")


def test_the_mnist_npz_becomes_the_workspace_npz(tmp_path: Path) -> None:
    data = module(CLASSIC2, "mnist", "data.py")
    rng = np.random.default_rng(1)
    source = tmp_path / "source.npz"
    np.savez(
        source,
        x_train=rng.integers(0, 256, (60, 28, 28), dtype=np.uint8),
        y_train=np.arange(60, dtype=np.uint8) % 10,
        x_test=rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        y_test=np.arange(10, dtype=np.uint8),
    )
    data.WORKSPACE_TRAIN = 50
    data.write_npz(tmp_path / "mnist.npz", data.read_source(source))
    with np.load(tmp_path / "mnist.npz") as npz:
        assert npz["x_train"].shape == (50, 28, 28) and len(npz["y_test"]) == 10


def image_zip(path: Path, members: dict[str, tuple[int, int, int]], size: int = 12) -> Path:
    """A zip of small PNG pictures at the given member paths, each of one colour."""
    with zipfile.ZipFile(path, "w") as zipped:
        for name, colour in members.items():
            buffer = io.BytesIO()
            Image.new("RGBA", (size, size), (*colour, 255)).save(buffer, format="PNG")
            zipped.writestr(name, buffer.getvalue())
        zipped.writestr("__MACOSX/horses/._a.png", b"resource fork")
    return path


def test_horses_or_humans_zips_become_the_starter_folders_and_a_hidden_test(
    tmp_path: Path,
) -> None:
    data = module(CLASSIC, "horses-or-humans", "data.py")
    train = image_zip(tmp_path / "train.zip", {
        **{f"horses/horse{i}.png": (200, 0, 0) for i in range(3)},
        **{f"humans/human{i}.png": (0, 0, 200) for i in range(3)},
    })  # fmt: skip
    validation = image_zip(tmp_path / "validation.zip", {
        **{f"horses/v-horse{i:03}.png": (200, 0, 0) for i in range(128)},
        **{f"humans/v-human{i:03}.png": (0, 0, 200) for i in range(128)},
    }, size=4)  # fmt: skip
    folder = tmp_path / "ws"
    data.write_folders(folder, train, validation, CLASSIC.seed)
    assert len(list((folder / "tmp/horse-or-human/horses").iterdir())) == 3
    assert len(list((folder / "tmp/testdata/humans").iterdir())) == 32
    assert not (folder / "tmp/horse-or-human/__MACOSX").exists()
    visible = {p.name for p in (folder / "tmp/testdata").rglob("*.png")}
    grader = module(CLASSIC, "horses-or-humans", "grader.py")
    x, y = grader.hidden_test(validation, CLASSIC.seed)
    assert x.shape == (192, 300, 300, 3) and x.dtype == np.float32 and y.shape == (192, 1)
    assert float(y.mean()) == 0.5
    assert np.allclose(x[y[:, 0] == 0][..., 0], 200 / 255)  # horses 0 (red), scaled by 255
    _, hidden = data.validation_split(validation, CLASSIC.seed)
    assert not visible & {Path(p.member).name for p in hidden}


def test_rock_paper_scissors_zips_become_tmp_rps_and_the_hidden_test_set(tmp_path: Path) -> None:
    data = module(CLASSIC2, "rock-paper-scissors", "data.py")
    colours = {"paper": (250, 250, 250), "rock": (90, 60, 30), "scissors": (10, 10, 240)}
    train = image_zip(tmp_path / "rps.zip", {
        f"rps/{label}/{label}{i}.png": colour for label, colour in colours.items() for i in range(2)
    })  # fmt: skip
    test = image_zip(tmp_path / "rps-test-set.zip", {
        f"rps-test-set/{label}/t{i}.png": colour for label, colour in colours.items() for i in range(4)
    }, size=300)  # fmt: skip
    data.write_folders(tmp_path / "ws", train)
    assert sorted(p.name for p in (tmp_path / "ws/tmp/rps").iterdir()) == [
        "paper",
        "rock",
        "scissors",
    ]
    x, y = module(CLASSIC2, "rock-paper-scissors", "grader.py").hidden_test(test)
    assert x.shape == (12, 150, 150, 3) and y.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert np.allclose(x[8], np.array(colours["scissors"]) / 255)


# The starter as a candidate runs it ----------------------------------------------------------------


@pytest.fixture(scope="module")
def grader(prepared: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncGrader]:
    instance = warm_grader(GradingSettings(workers=1), tmp_path_factory.mktemp("logs"))
    yield instance
    instance.close()


def run_starter(script: Path) -> Path:
    done = subprocess.run(
        [sys.executable, script.name], cwd=script.parent, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Total params" in done.stdout
    return script.parent / "mymodel.h5"


@needs_shared
def test_the_sunspots_starter_runs_and_its_model_is_graded(
    prepared: Path, grader: SyncGrader, tmp_path: Path
) -> None:
    exam = only(CLASSIC, "sunspots")
    workspace = create_workspace(exam, tmp_path / "ws", seed=exam.seed)
    model = run_starter(workspace / "category5" / "starter.py")
    result = grader.grade(model, CLASSIC.root, "sunspots", seed=CLASSIC.seed)
    assert result.state == "graded", result.message
    assert result.metric_name == "mae" and result.metric_value is not None


@needs_shared
@pytest.mark.slow
@pytest.mark.parametrize(
    ("exam", "question"),
    [(CLASSIC, "basic-model"), (CLASSIC, "sarcasm"), (CLASSIC2, "basic-model"),
     (CLASSIC2, "bbc-news"), (CLASSIC2, "daily-temperatures")],
    ids=lambda v: v if isinstance(v, str) else v.id,
)  # fmt: skip
def test_each_available_starter_skeleton_saves_a_gradable_model(
    exam: Exam, question: str, prepared: Path, grader: SyncGrader, tmp_path: Path
) -> None:
    """Slow: a TensorFlow process per starter (run with -m slow)."""
    q = exam.question(question)
    workspace = create_workspace(only(exam, question), tmp_path / "ws", seed=exam.seed)
    model = run_starter(workspace / q.workspace_folder / q.starter)
    result = grader.grade(model, exam.root, q.id, seed=exam.seed)
    assert result.state == "graded", result.message
    assert result.score is not None and result.score <= 1
