"""Checking a model's interface against the question and computing its metric (NumPy only).

The real exam's grader was "very strict about the shape requirements"; this module says exactly
what was expected and what was found, and refuses outputs of the wrong kind (logits where
probabilities are required) with a reason instead of a silent low score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from simulator.exam.format import ModelInterface, Scoring, format_shape
from simulator.grading.reasons import Reason
from simulator.grading.views import Baseline

Shape = tuple[int | None, ...]
#: How a model's output fits the question: one value per window, or a sequence graded on its
#: last step (only where the question's interface allows ``sequence_output``).
OutputForm = Literal["value", "sequence"]


class NotGradableError(Exception):
    """The model cannot be graded; ``str(error)`` is the one-line reason for the candidate and
    ``reason.code`` what a program may act on."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.text)
        self.reason = reason


def check_interface(
    interface: ModelInterface, input_shapes: Sequence[Shape], output_shapes: Sequence[Shape]
) -> OutputForm:
    """Raise :class:`NotGradableError` unless the model takes and returns the question's shapes.

    Returns the form of the output: "sequence" where the question accepts a sequence of
    ``output_shape`` per step and the model returns one, else "value".
    """
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
    found = output_shapes[0]
    if _fits(tuple(interface.output_shape), found, free_expected=False):
        return "value"
    if (
        interface.sequence_output
        and len(found) == len(interface.output_shape) + 1
        and _fits(tuple(interface.output_shape), found[1:], free_expected=False)
    ):
        return "sequence"
    raise NotGradableError(Reason("wrong-shape", output_mismatch(interface, found)))


def output_mismatch(interface: ModelInterface, found: Shape) -> str:
    """Why an output shape does not fit, what it is in words, and the likely Keras fix."""
    expected = tuple(interface.output_shape)
    wanted = format_shape(expected)
    if interface.sequence_output:
        wanted += f" or a sequence {format_shape((None, *expected))}"
    text = (
        f"wrong output shape: the question expects {wanted} but the model returns "
        f"{format_shape(found)} (batch axis not counted)"
    )
    what = _describe_output(found)
    per_window = expected[-1] if len(expected) == 1 else None
    if per_window is None:
        return f"{text}: {what}"
    if len(found) == 2:  # a sequence of steps
        fixes = [f"end with Dense({per_window})"] if found[-1] != per_window else []
        if interface.sequence_output:
            fixes.append(
                "the last layer returns sequences: use return_sequences=False on the last LSTM, "
                "or keep it: sequence outputs are graded on their last step"
            )
        else:
            fixes.append(
                "the last layer returns sequences: use return_sequences=False on the last LSTM "
                "(or Flatten before the last Dense): this question grades one value per window"
            )
        return f"{text}: {what}; " + "; ".join(fixes)
    if len(found) > 2:
        return f"{text}: {what}; flatten or pool the steps and end with Dense({per_window})"
    return f"{text}: {what}; end with Dense({per_window})"


def _describe_output(found: Shape) -> str:
    """ "the model returns a sequence of 30 steps with 2 values each" and the like."""

    def values(n: int | None) -> str:
        return "a free number of values" if n is None else f"{n} value{'s' if n != 1 else ''}"

    if len(found) == 1:
        return f"the model returns {values(found[0])} per window"
    if len(found) == 2:
        steps = "a free number of" if found[0] is None else str(found[0])
        plural = "" if found[0] == 1 else "s"
        return f"the model returns a sequence of {steps} step{plural} with {values(found[1])} each"
    return f"the model returns {len(found)} axes per window, {format_shape(found)}"


def last_step(predictions: np.ndarray, form: OutputForm) -> np.ndarray:
    """The predictions the tester reads: a sequence output's last step, as in the real tester."""
    if form == "sequence":
        return np.asarray(predictions)[:, -1, ...]
    return np.asarray(predictions)


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


#: The baselines' names, as the messages and docs/calibration.md write them.
REPEAT_LAST = "repeat the last value"
WINDOW_MEAN = "window mean"
MOST_COMMON = "chance (always the most common class)"


def trivial_baselines(
    scoring: Scoring, interface: ModelInterface, x: np.ndarray, y: np.ndarray
) -> tuple[Baseline, ...]:
    """What doing nothing clever reaches on the hidden test, in the question's metric.

    Time series (windows of shape (steps, features)): repeat the window's last value, and the
    window's mean. Classification: always the most common class of the hidden test. Other
    questions (a line's single input): none.
    """
    if interface.output == "regression":
        x = np.asarray(x, dtype="float64")
        if x.ndim != 3:
            return ()
        baselines = []
        for name, guess in ((REPEAT_LAST, x[:, -1, :]), (WINDOW_MEAN, x.mean(axis=1))):
            shaped = _shaped_like(guess, np.asarray(y))
            if shaped is not None:
                baselines.append(Baseline(name, compute_metric(scoring, interface, shaped, y)))
        return tuple(baselines)
    labels = _class_labels(interface, np.asarray(y))
    values, counts = np.unique(labels, return_counts=True)
    majority = int(values[counts.argmax()])
    if interface.output == "softmax":
        guess = np.zeros((len(labels), interface.output_shape[-1]))
        guess[:, majority] = 1.0
    else:
        guess = np.full((len(labels), 1), float(majority))
    return (Baseline(MOST_COMMON, compute_metric(scoring, interface, guess, y)),)


def _shaped_like(guess: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """A per-window guess (n, features) in the targets' shape, repeated over their steps."""
    if guess.size == y.size:
        return guess.reshape(y.shape)
    if y.ndim == 3 and y.shape[0] == guess.shape[0] and y.shape[2] == guess.shape[1]:
        return np.broadcast_to(guess[:, np.newaxis, :], y.shape)
    return None


def _class_labels(interface: ModelInterface, targets: np.ndarray) -> np.ndarray:
    labels = targets.reshape(len(targets), -1)
    if interface.output == "softmax" and labels.shape[-1] > 1:
        return np.asarray(labels.argmax(axis=-1))
    return labels[:, 0].astype("int64")
