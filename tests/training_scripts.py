"""Real, tiny training scripts for the format test exam's questions (Keras, random data)."""

from __future__ import annotations

from pathlib import Path

SERIES = """
import numpy as np
import keras

rng = np.random.default_rng(1)
x = rng.random((256, 30, 1)).astype("float32")
y = x.mean(axis=1)
model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
model.compile("adam", "mae")
model.fit(x, y, epochs={epochs}, batch_size=32, verbose={verbose})
model.save("mymodel.h5")
"""

TEXT = """
import numpy as np
import keras

rng = np.random.default_rng(2)
x = rng.integers(1, 1000, (256, 120))
y = (x[:, 0] > 500).astype("float32")
model = keras.Sequential([
    keras.Input((120,)), keras.layers.Embedding(1000, 8), keras.layers.GlobalAveragePooling1D(),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs={epochs}, batch_size=32, verbose={verbose})
model.save("mymodel.h5")
"""

CRASH = """
import numpy as np
import keras

model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
model.compile("adam", "mae")
model.fit(np.zeros((64, 30, 1)), np.zeros((64, 1)), epochs=1, verbose=2)
raise ValueError("the candidate's script broke after one epoch")
"""


def write(folder: Path, name: str, template: str, *, epochs: int = 3, verbose: int = 1) -> str:
    (folder / name).write_text(template.format(epochs=epochs, verbose=verbose), encoding="utf-8")
    return name
