"""One-line reasons for the candidate, translated from what Keras and HDF5 raise.

Keras' own messages are long and sometimes misleading (a truncated ``.keras`` file reports
"File not found"); the full traceback goes to the worker log, the candidate gets a sentence that
says what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: What went wrong, for programs: views decide on the code, people read the sentence.
ReasonCode = Literal[
    "file-broken",  # empty, truncated, damaged or not a model file at all (no TF needed to tell)
    "not-a-regular-file",  # a FIFO, socket, device or a link to nothing: never opened
    "file-too-large",  # over the model size limit: not copied
    "copy-failed",  # the session's copy could not be made (no room, unreadable)
    "weights-only",  # weights saved without the model
    "lambda-layer",  # refused by the exam's rule
    "old-keras",  # a Keras-2-era key that Keras 3 cannot read
    "unknown-layer",  # a custom or unknown layer class
    "load-failed",  # any other failure while loading
    "wrong-shape",  # the model's inputs or outputs do not match the question's interface
    "wrong-output",  # the right shape, but not the kind of output the question fixes
    "prediction-failed",  # the model raised on the hidden test data
    "timeout",  # the job ran past the grading time limit
    "memory-limit",  # the job went over the grading memory limit
    "worker-crashed",  # the grading process died while grading
    "worker-unavailable",  # no grading process could be started at all
    "worker-recycled",  # a worker retired after its job quota (not a failure)
    "pool-closed",  # the pool shut down (not a failure)
    "copy-missing",  # the session's stored copy of the file is gone
    "exam-closed",  # the exam ended before grading finished
    "after-deadline",  # saved after the exam ended: recorded, not graded
    "no-model-file",  # Submit and Test with nothing saved yet
    "unknown",  # recorded before reasons carried codes
]


@dataclass(frozen=True)
class Reason:
    """Why something could not be done: a code to act on and a sentence for the candidate."""

    code: ReasonCode
    text: str

    def __str__(self) -> str:
        return self.text


LAMBDA_REASON = (
    "the model uses a Lambda layer; the exam's rule is \"don't use lambda layers\" "
    "(the grader rejects them): use built-in layers instead"
)
WEIGHTS_ONLY_REASON = (
    "the file holds weights only, no model: save the whole model with model.save('mymodel.h5'), "
    "not model.save_weights()"
)
_MAX_DETAIL = 160


def load_error_reason(error: BaseException) -> Reason:
    """Translate an exception raised while loading a model file into one line."""
    text = " ".join(str(error).split())
    if "Lambda" in text and ("deserializ" in text or "safe_mode" in text):
        return Reason("lambda-layer", LAMBDA_REASON)
    if "truncated file" in text:
        return Reason(
            "file-broken",
            "the file is truncated (was the save or copy interrupted?): save the model again",
        )
    if "file signature not found" in text:
        return Reason(
            "file-broken", "not an HDF5 model file: save it with model.save('mymodel.h5')"
        )
    if "No model config found" in text or ("model_config" in text and "None" in text):
        return Reason("weights-only", WEIGHTS_ONLY_REASON)
    unknown = re.search(r"Unrecognized keyword arguments passed to (\w+): \{'?(\w+)", text)
    if unknown:
        layer, key = unknown.groups()
        return Reason(
            "old-keras",
            f"the file was saved by an older Keras: its {layer} layer has '{key}', which Keras 3 "
            "cannot read; re-save the model with a current TensorFlow",
        )
    missing = re.search(r"(?:Could not locate class|Unknown layer)[:]? '?(\w+)'?", text)
    if missing:
        return Reason(
            "unknown-layer",
            f"the model uses a custom or unknown layer '{missing.group(1)}' that the grader cannot "
            "load: use built-in Keras layers",
        )
    return Reason("load-failed", f"the model could not be loaded: {_shorten(text)}")


def evaluation_error_reason(error: BaseException) -> Reason:
    """Translate an exception raised while the model predicts on the test data."""
    text = " ".join(str(error).split())
    if "Table not initialized" in text:
        return Reason(
            "prediction-failed",
            "a TextVectorization layer lost its vocabulary (it does not survive .h5): "
            "save as mymodel.keras or tokenise outside the model",
        )
    return Reason("prediction-failed", f"the model failed on the test data: {_shorten(text)}")


def _shorten(text: str) -> str:
    first = text.split(". ")[0]
    return first if len(first) <= _MAX_DETAIL else first[: _MAX_DETAIL - 1] + "…"
