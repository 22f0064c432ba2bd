"""Tiny real Keras models for the tests, each built to provoke one behaviour of the grader.

Building them needs TensorFlow in the test process; that is fine (the tests are not the UI), and
the grading itself still happens in worker subprocesses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: The practice exam's category-1 relationship (see mock_exams/practice/category1).
XS = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0], dtype="float32")
YS = 3.0 * XS + 2.0


def _line(weight: float, bias: float):  # type: ignore[no-untyped-def]
    import keras

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.layers[0].set_weights(
        [np.array([[weight]], dtype="float32"), np.array([bias], dtype="float32")]
    )
    return model


def constant_model(value: float):  # type: ignore[no-untyped-def]
    """A model that outputs ``value`` whatever its input (the seeded test exam's answer)."""
    return _line(0.0, value)


def build_all(folder: Path) -> dict[str, Path]:
    """Write every test model into ``folder``; returns name -> path."""
    import keras

    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def save(name: str, model: keras.Model) -> None:
        path = folder / name
        model.save(path)
        files[name] = path

    save("good.h5", _line(3.0, 2.0))  # exactly right: 5/5
    save("good.keras", _line(3.0, 2.0))
    save("close.h5", _line(3.0, 2.05))  # MSE 0.0025: 4/5
    save("poor.h5", _line(1.0, 0.0))  # far off: 0/5
    save("other.h5", _line(2.9, 2.0))  # another content that still grades
    save("wrong_input.h5", keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)]))
    save("wrong_output.h5", keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(3)]))
    save(
        "lambda.keras",
        keras.Sequential(
            [keras.Input(shape=(1,)), keras.layers.Lambda(lambda x: x * 2.0), keras.layers.Dense(1)]
        ),
    )
    # About 3 s per forward pass on a 2-core CPU: a model that is too slow for a short timeout.
    save("slow.h5", _recurrent(4000))
    # Allocates gigabytes of activations while predicting: a model over any sane memory limit.
    save(
        "memory_hog.h5",
        keras.Sequential(
            [
                keras.Input(shape=(1,)),
                keras.layers.RepeatVector(2_000_000),
                keras.layers.Dense(16),
                keras.layers.GlobalAveragePooling1D(),
                keras.layers.Dense(1),
            ]
        ),
    )
    exported = folder / "mymodel"
    _line(3.0, 2.0).export(str(exported), verbose=False)
    files["savedmodel"] = exported
    return files


def _recurrent(steps: int):  # type: ignore[no-untyped-def]
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=(1,)),
            keras.layers.RepeatVector(steps),
            keras.layers.LSTM(4),
            keras.layers.Dense(1),
        ]
    )


def slow_model(path: Path, steps: int) -> Path:
    _recurrent(steps).save(path)
    return path


def last_value_models(folder: Path, window: int, weight: float, bias: float) -> dict[str, Path]:
    """Time-series models whose last-step forecast is ``weight * x[-1] + bias``, in two forms.

    "sequence": ``Input([None, 1]) -> Dense(1)``, one forecast per step, output ``(None, 1)``,
    the form the real sunspots starter's ``w[1:]`` windows trained. "value": ``Input([window, 1])
    -> Flatten -> Dense(1)`` reading only the last month, output ``(1,)``. Same forecasts, so the
    grader must give both the same score. "wide": a sequence with 2 values per step (neither).
    """
    import keras

    folder.mkdir(parents=True, exist_ok=True)
    kernel = np.array([[weight]], dtype="float32")
    offset = np.array([bias], dtype="float32")
    sequence = keras.Sequential([keras.Input(shape=(None, 1)), keras.layers.Dense(1)])
    sequence.layers[-1].set_weights([kernel, offset])
    value = keras.Sequential(
        [keras.Input(shape=(window, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    flat = np.zeros((window, 1), dtype="float32")
    flat[-1, 0] = weight
    value.layers[-1].set_weights([flat, offset])
    wide = keras.Sequential(
        [keras.Input(shape=(window, 1)), keras.layers.LSTM(4, return_sequences=True),
         keras.layers.Dense(2)]
    )  # fmt: skip
    paths = {"sequence": folder / "sequence.h5", "value": folder / "value.h5",
             "wide": folder / "wide.h5"}  # fmt: skip
    sequence.save(paths["sequence"])
    value.save(paths["value"])
    wide.save(paths["wide"])
    return paths


def headline_model(  # type: ignore[no-untyped-def]
    path: Path, sentences: list[str], labels: list[int], tokenizer_sentences: list[str], epochs: int
):
    """A small sarcasm model trained as the real starter trains it, saved at ``path``.

    The tokenizer is the starter's (1,000 words, "<OOV>") fitted on ``tokenizer_sentences``;
    the model is the course's Embedding(16) + GlobalAveragePooling1D + Dense(24). Returns the
    tokenizer, so that a test can compare it with the grader's.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(14)
    tokenizer = tf.keras.preprocessing.text.Tokenizer(num_words=1000, oov_token="<OOV>")
    tokenizer.fit_on_texts(tokenizer_sentences)
    padded = tf.keras.preprocessing.sequence.pad_sequences(
        tokenizer.texts_to_sequences(sentences), maxlen=120, padding="post", truncating="post"
    )
    model = keras.Sequential(
        [
            keras.Input(shape=(120,)),
            keras.layers.Embedding(1000, 16),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(24, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(padded, np.array(labels), epochs=epochs, batch_size=64, verbose=0)
    model.save(path)
    return tokenizer


def news_model(  # type: ignore[no-untyped-def]
    path: Path, texts: list[str], labels: list[int], epochs: int
):
    """A small BBC news model trained on ``texts`` (tokenised as given: with or without the
    starter's stopword removal) and ``labels``: Embedding + GlobalAveragePooling1D + Dense(6)."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(14)
    tokenizer = tf.keras.preprocessing.text.Tokenizer(num_words=1000, oov_token="<OOV>")
    tokenizer.fit_on_texts(texts)
    padded = tf.keras.preprocessing.sequence.pad_sequences(
        tokenizer.texts_to_sequences(texts), maxlen=120, padding="post", truncating="post"
    )
    model = keras.Sequential(
        [
            keras.Input(shape=(120,)),
            keras.layers.Embedding(1000, 16),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(24, activation="relu"),
            keras.layers.Dense(6, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(padded, np.array(labels), epochs=epochs, batch_size=32, verbose=0)
    model.save(path)
