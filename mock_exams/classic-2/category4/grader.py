"""Hidden grader data for classic-2's Category 4 (BBC news): never copied into the workspace.

The 300 hidden articles (see ``data.py``) are prepared exactly as the starter prepares its own:
the stopwords removed the same way, a ``Tokenizer(num_words=1000, oov_token="<OOV>")`` fitted on
the first ``training_portion`` (80 %) of the workspace file's articles (rebuilt here from the
dataset cache and the seed, so an edited file changes nothing), then padded and truncated at the
end to 120 tokens. The labels are numbered like the starter's: a second ``Tokenizer`` fitted on
the workspace file's labels, which gives sport 1, business 2, politics 3, tech 4, entertainment 5
(0 is never a label).
"""

from __future__ import annotations

import csv
import io
from types import ModuleType
from typing import Any

import numpy as np

from simulator.authoring import Mismatch, sibling_module

VOCAB_SIZE = 1000
MAX_LENGTH = 120
TRUNC_TYPE = "post"
PADDING_TYPE = "post"
OOV_TOK = "<OOV>"
TRAINING_PORTION = 0.8
LABELS = {"sport": 1, "business": 2, "politics": 3, "tech": 4, "entertainment": 5}

# The starter's stopwords (the course's list), removed the way the starter removes them.
STOPWORDS = [
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "he'd", "he'll", "he's", "her", "here",
    "here's", "hers", "herself", "him", "himself", "his", "how", "how's", "i", "i'd", "i'll",
    "i'm", "i've", "if", "in", "into", "is", "it", "it's", "its", "itself", "let's", "me", "more",
    "most", "my", "myself", "nor", "of", "on", "once", "only", "or", "other", "ought", "our",
    "ours", "ourselves", "out", "over", "own", "same", "she", "she'd", "she'll", "she's",
    "should", "so", "some", "such", "than", "that", "that's", "the", "their", "theirs", "them",
    "themselves", "then", "there", "there's", "these", "they", "they'd", "they'll", "they're",
    "they've", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was",
    "we", "we'd", "we'll", "we're", "we've", "were", "what", "what's", "when", "when's", "where",
    "where's", "which", "while", "who", "who's", "whom", "why", "why's", "with", "would", "you",
    "you'd", "you'll", "you're", "you've", "your", "yours", "yourself", "yourselves",
]  # fmt: skip


def _data_module() -> ModuleType:
    return sibling_module(__file__, "data.py")


def remove_stopwords(text: str) -> str:
    """What the starter does to every article, step by step."""
    for word in STOPWORDS:
        token = " " + word + " "
        text = text.replace(token, " ")
        text = text.replace("  ", " ")
    return text


def _rows(lines: list[bytes]) -> list[tuple[str, str]]:
    """``(category, text)`` per line, read with ``csv.reader`` as the starter reads the file."""
    text = "\n".join(line.decode("utf-8") for line in lines)
    return [(row[0], row[1]) for row in csv.reader(io.StringIO(text, newline=""), delimiter=",")]


def hidden_rows(seed: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The workspace rows ``(category, text)``, as in the file, and the hidden test rows."""
    _, workspace, hidden = _data_module().split(seed)
    return _rows(workspace), _rows(hidden)


def fit_tokenizers(workspace: list[tuple[str, str]]) -> tuple[Any, Any]:
    """The starter's word tokenizer (fitted on its training articles) and label tokenizer."""
    import tensorflow as tf

    sentences = [remove_stopwords(text) for _, text in workspace]
    train_size = int(len(sentences) * TRAINING_PORTION)
    tokenizer = tf.keras.preprocessing.text.Tokenizer(num_words=VOCAB_SIZE, oov_token=OOV_TOK)
    tokenizer.fit_on_texts(sentences[0:train_size])
    label_tokenizer = tf.keras.preprocessing.text.Tokenizer()
    label_tokenizer.fit_on_texts([category for category, _ in workspace])
    numbering = {name: label_tokenizer.word_index.get(name) for name in LABELS}
    if numbering != LABELS:
        raise RuntimeError(f"unexpected label numbering {numbering}")
    return tokenizer, label_tokenizer


def _padded(tokenizer: Any, texts: list[str]) -> np.ndarray:
    import tensorflow as tf

    x = tf.keras.preprocessing.sequence.pad_sequences(
        tokenizer.texts_to_sequences(texts),
        maxlen=MAX_LENGTH,
        padding=PADDING_TYPE,
        truncating=TRUNC_TYPE,
    )
    return np.asarray(x, dtype="int32")


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    workspace, hidden = hidden_rows(seed)
    tokenizer, label_tokenizer = fit_tokenizers(workspace)
    x = _padded(tokenizer, [remove_stopwords(text) for _, text in hidden])
    y = np.array(label_tokenizer.texts_to_sequences([category for category, _ in hidden]))
    return x, y.reshape(-1).astype("int64")


def mismatches(seed: int) -> list[Mismatch]:
    """What candidates' BBC models commonly did differently from the starter, for the hint of a
    near-chance score: the stopwords kept (the starter left tokenising to the candidate, and many
    skipped the removal), and labels numbered 0-4 instead of the label tokenizer's 1-5."""
    import tensorflow as tf

    workspace, hidden = hidden_rows(seed)
    sentences = [text for _, text in workspace]
    kept = tf.keras.preprocessing.text.Tokenizer(num_words=VOCAB_SIZE, oov_token=OOV_TOK)
    kept.fit_on_texts(sentences[0 : int(len(sentences) * TRAINING_PORTION)])
    _, y = test_data(seed)
    return [
        Mismatch(
            "the stopwords kept",
            "the grader removes them as the starter does (its STOPWORDS list, before tokenising)",
            x=_padded(kept, [text for _, text in hidden]),
        ),
        Mismatch(
            "labels numbered from 0",
            "the grader numbers them 1-5 like the starter's label tokenizer "
            "(sport 1, business 2, politics 3, tech 4, entertainment 5; 0 unused)",
            y=y - 1,
        ),
    ]
