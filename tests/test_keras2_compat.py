"""Keras-2 ``.h5`` files (saved by real tf-keras) must load under Keras 3 after the rewrite.

The fixtures come from ``tests/fixtures/keras2/make_fixtures.py`` (see its docstring). Every
test that checks a Keras 3 failure asserts on the error text, so that the day Keras 3 learns
to load a file by itself the test says so. Models are only ever loaded with
``safe_mode=True``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras

from simulator.grading.keras2_compat import (
    LegacyFix,
    find_layer_classes,
    read_h5_model_config,
    rewrite_legacy_h5,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`:UserWarning"),
    pytest.mark.filterwarnings("ignore:Argument `input_length` is deprecated:UserWarning"),
]

FIXTURES = Path(__file__).parent / "fixtures" / "keras2"
MODULE_FILE = Path(__file__).parents[1] / "simulator" / "grading" / "keras2_compat.py"
ATOL = 1e-5

# Fixtures plain Keras 3 cannot load, with the error it gives. A fixture missing here must
# load as it is (and then rewrite_legacy_h5 must leave it alone).
KNOWN_FAILURES: dict[str, tuple[type[Exception], str]] = {
    "lstm_time_major": (
        ValueError,
        "Unrecognized keyword arguments passed to LSTM: {'time_major': False}",
    ),
}
PREDICTION_FIXTURES = ["lstm_time_major", "embedding_input_length", "dense_basic"]

Config = dict[str, Any]


@pytest.fixture(scope="module")
def expected() -> dict[str, np.ndarray]:
    with np.load(FIXTURES / "expected.npz") as data:
        return {key: data[key] for key in data.files}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load(path: Path) -> Any:
    return keras.saving.load_model(path, compile=False, safe_mode=True)


def _predict(model: Any, x: np.ndarray) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(model(x, training=False)))


def _candidate_copy(stem: str, tmp_path: Path) -> Path:
    """A private copy of a fixture, standing for the candidate's file."""
    target = tmp_path / "candidate" / f"{stem}.h5"
    target.parent.mkdir()
    shutil.copyfile(FIXTURES / f"{stem}.h5", target)
    return target


def _mutated(stem: str, tmp_path: Path, mutate: Callable[[Config], None]) -> Path:
    """A candidate copy whose model_config was edited, e.g. to look like an older Keras 2."""
    target = _candidate_copy(stem, tmp_path)
    with h5py.File(target, "r+") as h5:
        config = json.loads(h5.attrs["model_config"])
        mutate(config)
        h5.attrs["model_config"] = json.dumps(config)
    return target


def _all_dicts(node: object) -> list[Config]:
    found: list[Config] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_all_dicts(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_all_dicts(value))
    return found


def _drop_key_everywhere(key: str) -> Callable[[Config], None]:
    def mutate(config: Config) -> None:
        for item in _all_dicts(config):
            item.pop(key, None)

    return mutate


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.h5")))
def test_fixtures_are_small(name: str) -> None:
    assert (FIXTURES / name).stat().st_size < 200_000


def test_fixtures_are_keras2_files() -> None:
    for path in FIXTURES.glob("*.h5"):
        with h5py.File(path, "r") as h5:
            assert str(h5.attrs["keras_version"]).startswith("2."), path


@pytest.mark.parametrize("stem", PREDICTION_FIXTURES)
def test_plain_keras3_load(stem: str, expected: dict[str, np.ndarray]) -> None:
    path = FIXTURES / f"{stem}.h5"
    if stem in KNOWN_FAILURES:
        error, message = KNOWN_FAILURES[stem]
        with pytest.raises(error) as excinfo:
            _load(path)
        assert message in str(excinfo.value)
    else:
        model = _load(path)
        np.testing.assert_allclose(
            _predict(model, expected[f"{stem}__x"]), expected[f"{stem}__y"], atol=ATOL
        )


@pytest.mark.parametrize("stem", PREDICTION_FIXTURES)
def test_rewrite_then_load_reproduces_keras2(
    stem: str, tmp_path: Path, expected: dict[str, np.ndarray]
) -> None:
    original = _candidate_copy(stem, tmp_path)
    digest, mtime = _sha256(original), original.stat().st_mtime_ns
    workdir = tmp_path / "work"

    fix = rewrite_legacy_h5(original, workdir)

    if stem in KNOWN_FAILURES:
        assert isinstance(fix, LegacyFix)
        assert fix.path.parent == workdir
        assert fix.path.suffix == ".h5"
        assert _sha256(fix.path) != digest
        loadable = fix.path
    else:
        assert fix is None
        assert not workdir.exists()
        loadable = original
    model = _load(loadable)
    np.testing.assert_allclose(
        _predict(model, expected[f"{stem}__x"]), expected[f"{stem}__y"], atol=ATOL
    )
    assert _sha256(original) == digest == _sha256(FIXTURES / f"{stem}.h5")
    assert original.stat().st_mtime_ns == mtime


def test_lstm_rewrite_reports_changes_and_keeps_str_attribute(tmp_path: Path) -> None:
    fix = rewrite_legacy_h5(FIXTURES / "lstm_time_major.h5", tmp_path)
    assert fix is not None
    assert "removed time_major from 2 LSTM layers" in fix.changes
    with h5py.File(fix.path, "r") as h5:
        assert isinstance(h5.attrs["model_config"], str)
        info = h5py.check_string_dtype(h5.attrs.get_id("model_config").dtype)
        assert info is not None and info.length is None  # still variable-length
    config = read_h5_model_config(fix.path)
    assert config is not None
    assert not any("time_major" in d for d in _all_dicts(config))
    assert not any("batch_input_shape" in d for d in _all_dicts(config))
    wrapped = config["config"]["layers"][2]["config"]["layer"]
    assert wrapped["class_name"] == "LSTM"
    assert "time_major" not in wrapped["config"]


def test_bytes_attribute_stays_bytes(tmp_path: Path, expected: dict[str, np.ndarray]) -> None:
    """Old Keras wrote model_config as a fixed-length bytes attribute."""
    original = _candidate_copy("lstm_time_major", tmp_path)
    with h5py.File(original, "r+") as h5:
        h5.attrs["model_config"] = np.bytes_(str(h5.attrs["model_config"]).encode("utf-8"))
    fix = rewrite_legacy_h5(original, tmp_path / "work")
    assert fix is not None
    with h5py.File(fix.path, "r") as h5:
        assert isinstance(h5.attrs["model_config"], bytes)
        info = h5py.check_string_dtype(h5.attrs.get_id("model_config").dtype)
        assert info is not None and info.length is not None  # still fixed-length
    np.testing.assert_allclose(
        _predict(_load(fix.path), expected["lstm_time_major__x"]),
        expected["lstm_time_major__y"],
        atol=ATOL,
    )


def test_find_layer_classes() -> None:
    lstm = read_h5_model_config(FIXTURES / "lstm_time_major.h5")
    assert {"Sequential", "LSTM", "Bidirectional", "Dense"} <= find_layer_classes(lstm)
    assert "Lambda" in find_layer_classes(read_h5_model_config(FIXTURES / "lambda_layer.h5"))
    for stem in PREDICTION_FIXTURES:
        assert "Lambda" not in find_layer_classes(read_h5_model_config(FIXTURES / f"{stem}.h5"))


def test_find_layer_classes_searches_nested_configs() -> None:
    lambda_layer = {"class_name": "Lambda", "config": {"name": "l"}}
    functional = {
        "class_name": "Functional",
        "config": {
            "layers": [
                {"class_name": "TimeDistributed", "config": {"layer": lambda_layer}},
                {
                    "class_name": "Sequential",
                    "config": {"layers": [{"class_name": "Bidirectional", "config": {}}]},
                },
            ]
        },
    }
    assert {"Functional", "TimeDistributed", "Lambda", "Sequential", "Bidirectional"} <= (
        find_layer_classes(functional)
    )


def test_lambda_layer_is_refused_in_safe_mode(tmp_path: Path) -> None:
    path = FIXTURES / "lambda_layer.h5"
    with pytest.raises(ValueError, match="Lambda"):
        _load(path)
    # Nothing Keras 3 rejects apart from the Lambda: no copy, the refusal stays.
    assert rewrite_legacy_h5(path, tmp_path) is None


def test_nested_layers_without_module_tf212_style(
    tmp_path: Path, expected: dict[str, np.ndarray]
) -> None:
    """TF <= 2.12 wrote no "module" key; Keras 3 then cannot find the wrapped LSTM class."""

    def mutate(config: Config) -> None:
        _drop_key_everywhere("module")(config)
        _drop_key_everywhere("registered_name")(config)
        _drop_key_everywhere("time_major")(config)  # isolate the module problem

    original = _mutated("lstm_time_major", tmp_path, mutate)
    with pytest.raises(TypeError, match="Could not locate class 'LSTM'"):
        _load(original)
    fix = rewrite_legacy_h5(original, tmp_path / "work")
    assert fix is not None
    assert any("module" in change for change in fix.changes)
    np.testing.assert_allclose(
        _predict(_load(fix.path), expected["lstm_time_major__x"]),
        expected["lstm_time_major__y"],
        atol=ATOL,
    )


def test_bidirectional_backward_layer(tmp_path: Path, expected: dict[str, np.ndarray]) -> None:
    def mutate(config: Config) -> None:
        bidirectional = config["config"]["layers"][2]["config"]
        backward = copy.deepcopy(bidirectional["layer"])
        backward["config"].update(name="lstm_backward", go_backwards=True)
        bidirectional["backward_layer"] = backward

    original = _mutated("lstm_time_major", tmp_path, mutate)
    with pytest.raises(ValueError, match="time_major"):
        _load(original)
    fix = rewrite_legacy_h5(original, tmp_path / "work")
    assert fix is not None
    assert "removed time_major from 3 LSTM layers" in fix.changes
    np.testing.assert_allclose(
        _predict(_load(fix.path), expected["lstm_time_major__x"]),
        expected["lstm_time_major__y"],
        atol=ATOL,
    )


def _drop_input_layer(config: Config) -> None:
    layers = config["config"]["layers"]
    config["config"]["layers"] = [x for x in layers if x["class_name"] != "InputLayer"]


def test_sequential_without_input_layer_silently_wrong(
    tmp_path: Path, expected: dict[str, np.ndarray]
) -> None:
    """batch_input_shape on a first layer becomes input_shape *with* the batch axis."""
    original = _mutated("dense_basic", tmp_path, _drop_input_layer)
    x, y = expected["dense_basic__x"], expected["dense_basic__y"]
    assert not np.allclose(_predict(_load(original), x), y, atol=ATOL)
    fix = rewrite_legacy_h5(original, tmp_path / "work")
    assert fix is not None
    np.testing.assert_allclose(_predict(_load(fix.path), x), y, atol=ATOL)


def test_sequential_without_input_layer_fails(
    tmp_path: Path, expected: dict[str, np.ndarray]
) -> None:
    original = _mutated("embedding_input_length", tmp_path, _drop_input_layer)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        _load(original)
    fix = rewrite_legacy_h5(original, tmp_path / "work")
    assert fix is not None
    np.testing.assert_allclose(
        _predict(_load(fix.path), expected["embedding_input_length__x"]),
        expected["embedding_input_length__y"],
        atol=ATOL,
    )


def test_keras2_mixed_precision_policy_dict(
    tmp_path: Path, expected: dict[str, np.ndarray]
) -> None:
    def mutate(config: Config) -> None:
        dense = config["config"]["layers"][1]
        assert dense["class_name"] == "Dense"
        dense["config"]["dtype"] = {"class_name": "Policy", "config": {"name": "mixed_float16"}}

    original = _mutated("dense_basic", tmp_path, mutate)
    with pytest.raises(AttributeError, match="quantization_mode"):
        _load(original)
    fix = rewrite_legacy_h5(original, tmp_path / "work")
    assert fix is not None
    # float16 compute: only roughly equal to the float32 predictions.
    np.testing.assert_allclose(
        _predict(_load(fix.path), expected["dense_basic__x"]),
        expected["dense_basic__y"],
        rtol=1e-2,
        atol=1e-2,
    )


def _write_config_only(path: Path, config: Config | None) -> Path:
    with h5py.File(path, "w") as h5:
        if config is not None:
            h5.attrs["model_config"] = json.dumps(config)
    return path


def test_time_major_true_is_not_silently_dropped(tmp_path: Path) -> None:
    """Keras 3 has no time-major RNNs: dropping True would change the model's meaning."""
    config = {
        "class_name": "Sequential",
        "config": {"layers": [{"class_name": "LSTM", "config": {"time_major": True}}]},
    }
    assert rewrite_legacy_h5(_write_config_only(tmp_path / "m.h5", config), tmp_path) is None


def test_file_without_model_config(tmp_path: Path) -> None:
    path = _write_config_only(tmp_path / "weights.h5", None)
    assert read_h5_model_config(path) is None
    assert rewrite_legacy_h5(path, tmp_path / "work") is None


def test_rewrite_never_writes_through_to_the_original(tmp_path: Path) -> None:
    original = _candidate_copy("lstm_time_major", tmp_path)
    digest = _sha256(original)
    workdir = tmp_path / "work"
    workdir.mkdir()
    # A stale link where the copy would go must not lead the rewrite into the original.
    (workdir / "lstm_time_major_keras3compat.h5").symlink_to(original)
    with pytest.raises(ValueError, match="refusing to overwrite"):
        rewrite_legacy_h5(original, workdir)
    assert _sha256(original) == digest


def test_module_imports_neither_tensorflow_nor_keras() -> None:
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('keras2_compat', {str(MODULE_FILE)!r})\n"
        "module = sys.modules['keras2_compat'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'tensorflow', 'keras'})\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_keras3_h5_files_are_left_alone(tmp_path: Path) -> None:
    """Keras 3's own legacy-format saves need no rewrite (and must not get one)."""
    model = keras.Sequential(
        [
            keras.Input((30, 1)),
            keras.layers.LSTM(4, return_sequences=True),
            keras.layers.Bidirectional(keras.layers.LSTM(2)),
            keras.layers.Dense(1, dtype="mixed_float16"),
        ]
    )
    path = tmp_path / "keras3.h5"
    keras.saving.save_model(model, path)
    assert rewrite_legacy_h5(path, tmp_path / "work") is None
