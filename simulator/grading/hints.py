"""Telling a near-chance classifier that its preprocessing, not the model, may be the problem.

A model trained on text with the stopwords kept, or on labels numbered from 0, scores at chance
on a grader that prepares the data as the starter does; the score is right, but "0/5" alone does
not tell the candidate that the model is fine. A question's grader may list the mismatches it
knows about (``mismatches(seed)`` in ``grader.py``); when a model scores near chance, each is
tried and the first that makes it clearly better is named in the message. The score stays what
the rule gives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

#: A classifier within this much accuracy of the best trivial baseline counts as near chance.
NEAR_CHANCE_MARGIN = 0.10
#: A mismatch is named only if it raises the accuracy by at least this much.
CLEARLY_BETTER = 0.15


@dataclass(frozen=True)
class Mismatch:
    """One way a candidate's data preparation commonly differs from the starter's.

    ``condition`` completes "with ... this model reaches 0.91" ("the stopwords kept");
    ``explanation`` says what the grader does instead ("the grader removes them as the starter
    does"). ``x`` replaces the hidden inputs, ``y`` the hidden targets (None: unchanged).
    """

    condition: str
    explanation: str
    x: np.ndarray | None = None
    y: np.ndarray | None = None


def near_chance(value: float, chance: float) -> bool:
    return bool(np.isfinite(value)) and value <= chance + NEAR_CHANCE_MARGIN


def find_hint(
    value: float,
    mismatches: Sequence[Mismatch],
    x: np.ndarray,
    y: np.ndarray,
    evaluate: Callable[[np.ndarray, np.ndarray], float],
) -> str | None:
    """The message for the first mismatch that makes the model clearly better, or None.

    ``evaluate(x, y)`` predicts on ``x`` and returns the accuracy against ``y``.
    """
    for mismatch in mismatches:
        better = evaluate(
            x if mismatch.x is None else mismatch.x, y if mismatch.y is None else mismatch.y
        )
        if np.isfinite(better) and better >= value + CLEARLY_BETTER:
            return (
                f"With {mismatch.condition} this model reaches {better:.2f}: {mismatch.explanation}"
            )
    return None


def unnormalised_pixels(x: np.ndarray) -> Mismatch:
    """The image questions' common mismatch: a model trained on raw 0-255 pixels."""
    return Mismatch(
        "unnormalised pixels (0-255)",
        "the grader divides the pixels by 255 as the starter does",
        x=np.asarray(x, dtype="float32") * 255.0,
    )
