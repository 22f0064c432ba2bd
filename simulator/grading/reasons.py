"""One-line reasons for the candidate, translated from what Keras and HDF5 raise.

Keras' own messages are long and sometimes misleading (a truncated ``.keras`` file reports
"File not found"); the full traceback goes to the worker log, the candidate gets a sentence that
says what to do.
"""

from __future__ import annotations

import re

LAMBDA_REASON = (
    "the model uses a Lambda layer; the exam's rule is \"don't use lambda layers\" "
    "(the grader rejects them): use built-in layers instead"
)
WEIGHTS_ONLY_REASON = (
    "the file holds weights only, no model: save the whole model with model.save('mymodel.h5'), "
    "not model.save_weights()"
)
_MAX_DETAIL = 160


def load_error_reason(error: BaseException) -> str:
    """Translate an exception raised while loading a model file into one line."""
    text = " ".join(str(error).split())
    if "Lambda" in text and ("deserializ" in text or "safe_mode" in text):
        return LAMBDA_REASON
    if "truncated file" in text:
        return "the file is truncated (was the save or copy interrupted?): save the model again"
    if "file signature not found" in text:
        return "not an HDF5 model file: save it with model.save('mymodel.h5')"
    if "No model config found" in text or ("model_config" in text and "None" in text):
        return WEIGHTS_ONLY_REASON
    unknown = re.search(r"Unrecognized keyword arguments passed to (\w+): \{'?(\w+)", text)
    if unknown:
        layer, key = unknown.groups()
        return (
            f"the file was saved by an older Keras: its {layer} layer has '{key}', which Keras 3 "
            "cannot read; re-save the model with a current TensorFlow"
        )
    missing = re.search(r"(?:Could not locate class|Unknown layer)[:]? '?(\w+)'?", text)
    if missing:
        return (
            f"the model uses a custom or unknown layer '{missing.group(1)}' that the grader cannot "
            "load: use built-in Keras layers"
        )
    return f"the model could not be loaded: {_shorten(text)}"


def evaluation_error_reason(error: BaseException) -> str:
    """Translate an exception raised while the model predicts on the test data."""
    text = " ".join(str(error).split())
    if "Table not initialized" in text:
        return (
            "a TextVectorization layer lost its vocabulary (it does not survive .h5): "
            "save as mymodel.keras or tokenise outside the model"
        )
    return f"the model failed on the test data: {_shorten(text)}"


def _shorten(text: str) -> str:
    first = text.split(". ")[0]
    return first if len(first) <= _MAX_DETAIL else first[: _MAX_DETAIL - 1] + "…"
