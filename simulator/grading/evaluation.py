"""Checking a model's interface against the question and computing its metric (NumPy only).

The real exam's grader was "very strict about the shape requirements"; this module says exactly
what was expected and what was found, and refuses outputs of the wrong kind (logits where
probabilities are required) with a reason instead of a silent low score.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simulator.exam_format import ModelInterface, Scoring, format_shape
from simulator.grading.reasons import Reason

Shape = tuple[int | None, ...]


class NotGradableError(Exception):
    """The model cannot be graded; ``str(error)`` is the one-line reason for the candidate and
    ``reason.code`` what a program may act on."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.text)
        self.reason = reason


def check_interface(
    interface: ModelInterface, input_shapes: Sequence[Shape], output_shapes: Sequence[Shape]
) -> None:
    """Raise :class:`NotGradableError` unless the model takes and returns the question's shapes."""
    expected_in = format_shape(interface.input_shape)
    expected_out = format_shape(interface.output_shape)
    if len(input_shapes) != 1:
        raise NotGradableError(
            Reason(
                "wrong-shape",
                f"the model has {len(input_shapes)} inputs; the question expects one input of shape {expected_in}",
            )
        )
    if len(output_shapes) != 1:
        raise NotGradableError(
            Reason(
                "wrong-shape",
                f"the model has {len(output_shapes)} outputs; the question expects one output of shape {expected_out}",
            )
        )
    if not _fits(interface.input_shape, input_shapes[0], free_expected=True):
        raise NotGradableError(
            Reason(
                "wrong-shape",
                f"wrong input shape: the question expects {expected_in} but the model takes "
                f"{format_shape(input_shapes[0])} (batch axis not counted)",
            )
        )
    if not _fits(tuple(interface.output_shape), output_shapes[0], free_expected=False):
        raise NotGradableError(
            Reason(
                "wrong-shape",
                f"wrong output shape: the question expects {expected_out} but the model returns "
                f"{format_shape(output_shapes[0])} (batch axis not counted)",
            )
        )


def _fits(expected: Shape, found: Shape, *, free_expected: bool) -> bool:
    """A found axis of None (the model accepts any length) fits; an expected None fits anything."""
    if len(expected) != len(found):
        return False
    for want, have in zip(expected, found, strict=True):
        if have is None or (free_expected and want is None):
            continue
        if want != have:
            return False
    return True


def check_output_kind(interface: ModelInterface, predictions: np.ndarray) -> None:
    """Refuse logits where the question's fixed interface says sigmoid or softmax probabilities."""
    if not np.all(np.isfinite(predictions)):
        return
    if interface.output == "softmax":
        sums = predictions.sum(axis=-1)
        if np.any(predictions < -1e-6) or not np.allclose(sums, 1.0, atol=1e-3):
            raise NotGradableError(
                Reason(
                    "wrong-output",
                    "the output is not a softmax: each row must be probabilities that sum to 1 "
                    f"(end with Dense({interface.output_shape[-1]}, activation='softmax'))",
                )
            )
    elif interface.output == "sigmoid" and (
        np.any(predictions < -1e-6) or np.any(predictions > 1 + 1e-6)
    ):
        raise NotGradableError(
            Reason(
                "wrong-output",
                "the output is not a sigmoid probability: values must lie in [0, 1] "
                "(end with Dense(1, activation='sigmoid'))",
            )
        )


def compute_metric(
    scoring: Scoring, interface: ModelInterface, predictions: np.ndarray, targets: np.ndarray
) -> float:
    """The question's metric over the hidden test set; NaN if the model predicts NaN."""
    predictions = np.asarray(predictions, dtype="float64")
    targets = np.asarray(targets)
    if not np.all(np.isfinite(predictions)):
        return float("nan")
    if scoring.metric == "accuracy":
        if interface.output == "softmax":
            predicted = predictions.reshape(len(predictions), -1).argmax(axis=-1)
            labels = targets.reshape(len(targets), -1)
            labels = labels.argmax(axis=-1) if labels.shape[-1] > 1 else labels[:, 0]
        else:
            predicted = (predictions.reshape(len(predictions), -1)[:, 0] > 0.5).astype("int64")
            labels = targets.reshape(len(targets), -1)[:, 0]
        return float(np.mean(predicted == labels.astype("int64")))
    reference = targets.astype("float64").reshape(predictions.shape)
    errors = predictions - reference
    if scoring.metric == "mse":
        return float(np.mean(errors**2))
    return float(np.mean(np.abs(errors)))
