"""Hidden grader data for Category 4: never copied into the workspace.

The hidden headlines come from the same generator as the workspace's ``sarcasm.json``
(``data.py``), drawn from another random stream, and none of them is in the workspace file. They
are tokenised exactly as the starter does it: a ``Tokenizer(num_words=1000, oov_token="<OOV>")``
fitted on the first ``training_size`` headlines of the workspace file (regenerated here from the
seed, so an edited file changes nothing), then padded and truncated at the end to 120 tokens.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from simulator.authoring import sibling_module

VOCAB_SIZE = 1000
MAX_LENGTH = 120
TRUNC_TYPE = "post"
PADDING_TYPE = "post"
OOV_TOK = "<OOV>"
TEST_SIZE = 2_500  # the real split left 6,709 of 26,709 headlines for testing; scaled down


def _data_module() -> ModuleType:
    return sibling_module(__file__, "data.py")


def hidden_records(seed: int) -> tuple[list[str], list[dict[str, object]]]:
    """The training headlines the starter fits its tokenizer on, and the hidden test records."""
    data = _data_module()
    workspace = data.workspace_records(seed)
    training = [str(record["headline"]) for record in workspace[: data.TRAINING_SIZE]]
    exclude = frozenset(str(record["headline"]) for record in workspace)
    hidden = data.generate(seed, data.TEST_STREAM, TEST_SIZE, exclude=exclude)
    return training, hidden


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    import tensorflow as tf

    training, hidden = hidden_records(seed)
    tokenizer = tf.keras.preprocessing.text.Tokenizer(num_words=VOCAB_SIZE, oov_token=OOV_TOK)
    tokenizer.fit_on_texts(training)
    sequences = tokenizer.texts_to_sequences([str(record["headline"]) for record in hidden])
    x = tf.keras.preprocessing.sequence.pad_sequences(
        sequences, maxlen=MAX_LENGTH, padding=PADDING_TYPE, truncating=TRUNC_TYPE
    )
    y = np.array([record["is_sarcastic"] for record in hidden], dtype="float32").reshape(-1, 1)
    return np.asarray(x, dtype="int32"), y
