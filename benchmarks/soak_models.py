"""The soak's model files, written once by real Keras in a child process (benchmarks/soak.py).

Run:  python benchmarks/soak_models.py OUT_DIR

For each question of the practice exam it saves a small real model with the question's interface
(input and output shape, output kind), and a large one (a few MB) for the first question whose
interface allows it, then writes ``OUT_DIR/manifest.json``: per file, the byte offset of one float32
of the last layer's bias (a sentinel value found exactly once in the file). The soak makes
hundreds of distinct, valid saves out of one file by rewriting those four bytes: HDF5 keeps no
checksum of raw weight data, so each rewrite is a new, gradable model, and the soak process never
imports TensorFlow.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

#: A float32 bias value that no other four bytes of a small model file are likely to equal.
SENTINEL = 0.012345679


def _models() -> dict[str, Any]:
    """question folder -> small model with its interface; "large" -> a ~5 MB category-2 model."""
    import keras
    from keras import layers

    def dense_out(units: int, activation: str | None) -> layers.Dense:
        return layers.Dense(units, activation=activation)

    return {
        "category1": keras.Sequential([keras.Input((1,)), dense_out(1, None)]),
        "category2": keras.Sequential(
            [keras.Input((28, 28)), layers.Flatten(), dense_out(10, "softmax")]
        ),
        "category3": keras.Sequential(
            [
                keras.Input((150, 150, 3)),
                layers.Conv2D(4, 3, strides=4, activation="relu"),
                layers.GlobalAveragePooling2D(),
                dense_out(3, "softmax"),
            ]
        ),
        "category4": keras.Sequential(
            [
                keras.Input((120,)),
                layers.Embedding(1000, 8),
                layers.GlobalAveragePooling1D(),
                dense_out(1, "sigmoid"),
            ]
        ),
        "category5": keras.Sequential([keras.Input((30, 1)), layers.Flatten(), dense_out(1, None)]),
        "large": keras.Sequential(
            [
                keras.Input((28, 28)),
                layers.Flatten(),
                layers.Dense(1600, activation="relu"),
                dense_out(10, "softmax"),
            ]
        ),
    }


def main(out: Path) -> None:
    import absl.logging
    import keras
    import numpy as np

    absl.logging.set_verbosity(absl.logging.ERROR)
    keras.utils.set_random_seed(0)  # the same files every time (the sentinel check holds once)
    out.mkdir(parents=True, exist_ok=True)
    sentinel = struct.pack("<f", SENTINEL)
    manifest: dict[str, dict[str, Any]] = {}
    for name, model in _models().items():
        kernel, bias = model.layers[-1].get_weights()
        bias = np.zeros_like(bias)
        bias[0] = SENTINEL
        model.layers[-1].set_weights([kernel, bias])
        path = out / f"{name}.h5"
        model.save(path)
        data = path.read_bytes()
        if data.count(sentinel) != 1:
            raise SystemExit(
                f"{name}: the sentinel bias is in the file {data.count(sentinel)} times"
            )
        manifest[name] = {
            "file": path.name,
            "offset": data.index(sentinel),
            "question_folder": "category2" if name == "large" else name,
        }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
