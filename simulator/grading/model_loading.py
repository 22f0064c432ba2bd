"""Loading a candidate's model file safely, in a grading worker (imports TensorFlow).

Supported: ``.keras`` and ``.h5`` (also Keras-2-era ``.h5`` files, fixed in a temporary copy) and
SavedModel folders. Always ``compile=False`` (compiled configs of old files do not deserialize and
the grader computes its own metric) and ``safe_mode=True`` (a Lambda layer's code would otherwise
run while loading). Lambda layers are refused by reading the config before Keras sees it.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from simulator.grading.checks import CheckLog
from simulator.grading.evaluation import NotGradableError, Shape
from simulator.grading.filecheck import check_model_file
from simulator.grading.keras2_compat import (
    find_layer_classes,
    read_h5_model_config,
    rewrite_legacy_h5,
)
from simulator.grading.reasons import (
    LAMBDA_REASON,
    WEIGHTS_ONLY_REASON,
    Reason,
    load_error_reason,
)

#: Rows per forward pass; small inputs go through one eager call (no tf.function tracing).
PREDICT_BATCH = 256


@dataclass(frozen=True)
class CandidateModel:
    """A loaded model reduced to what grading needs: its shapes and a predict function."""

    input_shapes: list[Shape]
    output_shapes: list[Shape]
    predict: Callable[[np.ndarray], np.ndarray]
    kind: str
    notes: tuple[str, ...] = ()


def load_candidate(path: Path, workdir: Path, log: CheckLog | None = None) -> CandidateModel:
    """Load ``path`` or raise :class:`NotGradableError` with the reason in one line.

    ``log`` records the checks this makes (file, no Lambda layer, loads), up to a failed one.
    """
    log = log if log is not None else CheckLog()
    with log.failing("file"):
        check = check_model_file(path)
        if not check.complete:
            raise NotGradableError(check.as_reason())
    if path.is_dir():
        log.passed("file", f"a complete SavedModel folder {path.name}/")
        return _load_savedmodel(path, log)
    with log.failing("file"):
        config = _read_config(path)
        if config is None:
            raise NotGradableError(Reason("weights-only", WEIGHTS_ONLY_REASON))
    size = path.stat().st_size
    log.passed("file", f"a complete {path.suffix} file ({size:,} bytes) with its model config")
    with log.failing("no-lambda"):
        if "Lambda" in find_layer_classes(config):
            raise NotGradableError(Reason("lambda-layer", LAMBDA_REASON))
    log.passed("no-lambda", "no Lambda layer in the model's config")
    load_path: Path = path
    notes: tuple[str, ...] = ()
    if path.suffix == ".h5":
        fix = rewrite_legacy_h5(path, workdir)
        if fix is not None:
            load_path, notes = fix.path, fix.changes
    with log.failing("loads"):
        try:
            model = keras.saving.load_model(load_path, compile=False, safe_mode=True)
        except Exception as error:
            raise NotGradableError(load_error_reason(error)) from error
    detail = f"Keras {keras.__version__} loads it (compile=False, safe_mode=True)"
    if notes:
        detail += "; older Keras file: " + "; ".join(notes)
    log.passed("loads", detail)
    return CandidateModel(
        input_shapes=[_shape(t.shape) for t in model.inputs],
        output_shapes=[_shape(t.shape) for t in model.outputs],
        predict=lambda x: _predict_keras(model, x),
        kind="keras" if path.suffix == ".keras" else "h5",
        notes=tuple(notes),
    )


def _read_config(path: Path) -> dict[str, Any] | None:
    if path.suffix == ".keras":
        with zipfile.ZipFile(path) as archive:
            loaded = json.loads(archive.read("config.json"))
        return loaded if isinstance(loaded, dict) else None
    return read_h5_model_config(path)


def _shape(shape: Any) -> Shape:
    dims = tuple(shape)[1:]
    return tuple(None if d is None else int(d) for d in dims)


def _predict_keras(model: keras.Model, x: np.ndarray) -> np.ndarray:
    if len(x) <= PREDICT_BATCH:
        return np.asarray(model(x, training=False))
    return np.asarray(model.predict(x, batch_size=PREDICT_BATCH, verbose=0))


def _load_savedmodel(folder: Path, log: CheckLog) -> CandidateModel:
    """A SavedModel (``tf.saved_model.save`` or ``model.export``) through its serving signature.

    It has no Keras config to read, so it gets no "no-lambda" check.
    """
    with log.failing("loads"):
        try:
            loaded = tf.saved_model.load(str(folder))
        except Exception as error:
            raise NotGradableError(load_error_reason(error)) from error
        signatures = dict(loaded.signatures)
        name = next((n for n in ("serving_default", "serve") if n in signatures), None)
        if name is None:
            raise NotGradableError(
                Reason(
                    "load-failed",
                    f"the SavedModel {folder.name}/ has no serving signature: save it with "
                    "model.export() or, better, model.save('mymodel.h5')",
                )
            )
    log.passed("loads", f"TensorFlow {tf.__version__} loads its '{name}' signature")
    function = signatures[name]
    _, inputs = function.structured_input_signature
    outputs = function.structured_outputs
    input_specs = list(inputs.values())
    output_names = sorted(outputs)

    def predict(x: np.ndarray) -> np.ndarray:
        key = next(iter(inputs))
        dtype = input_specs[0].dtype
        parts = [
            function(**{key: tf.constant(x[i : i + PREDICT_BATCH], dtype=dtype)})[
                output_names[0]
            ].numpy()
            for i in range(0, len(x), PREDICT_BATCH)
        ]
        return np.concatenate(parts)

    return CandidateModel(
        input_shapes=[_shape(spec.shape) for spec in input_specs],
        output_shapes=[_shape(outputs[n].shape) for n in output_names],
        predict=predict,
        kind="savedmodel",
    )
