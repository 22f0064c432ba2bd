"""Hidden grader data for the classic Category 4 (sarcasm): never copied into the workspace.

The 3,000 hidden headlines (see ``data.py``) are tokenised exactly as the starter does it: a
``Tokenizer(num_words=1000, oov_token="<OOV>")`` fitted on the first ``training_size = 20000``
headlines of the workspace file (rebuilt here from the dataset cache and the seed, so an edited
file changes nothing; they are the public file's first 20,000 too), then padded and truncated at
the end to 120 tokens.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from simulator.authoring import Mismatch, sibling_module

VOCAB_SIZE = 1000
MAX_LENGTH = 120
TRUNC_TYPE = "post"
PADDING_TYPE = "post"
OOV_TOK = "<OOV>"


def _data_module() -> ModuleType:
    return sibling_module(__file__, "data.py")


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    import tensorflow as tf

    data = _data_module()
    workspace, hidden = data.split(seed)
    training = [record["headline"] for record in workspace[: data.TRAINING_SIZE]]
    tokenizer = tf.keras.preprocessing.text.Tokenizer(num_words=VOCAB_SIZE, oov_token=OOV_TOK)
    tokenizer.fit_on_texts(training)
    sequences = tokenizer.texts_to_sequences([record["headline"] for record in hidden])
    x = tf.keras.preprocessing.sequence.pad_sequences(
        sequences, maxlen=MAX_LENGTH, padding=PADDING_TYPE, truncating=TRUNC_TYPE
    )
    y = np.array([record["is_sarcastic"] for record in hidden], dtype="float32").reshape(-1, 1)
    return np.asarray(x, dtype="int32"), y


def mismatches(seed: int) -> list[Mismatch]:
    """For the hint of a near-chance score: a tokenizer fitted on every headline of the public
    file instead of the starter's first ``training_size``, which numbers the words differently."""
    import tensorflow as tf

    data = _data_module()
    _, hidden = data.split(seed)
    tokenizer = tf.keras.preprocessing.text.Tokenizer(num_words=VOCAB_SIZE, oov_token=OOV_TOK)
    tokenizer.fit_on_texts([record["headline"] for record in data.all_records()])
    x = tf.keras.preprocessing.sequence.pad_sequences(
        tokenizer.texts_to_sequences([record["headline"] for record in hidden]),
        maxlen=MAX_LENGTH,
        padding=PADDING_TYPE,
        truncating=TRUNC_TYPE,
    )
    return [
        Mismatch(
            "a tokenizer fitted on all 26,709 headlines",
            "the grader fits it on the first training_size = 20000 headlines, as the starter does",
            x=np.asarray(x, dtype="int32"),
        )
    ]
