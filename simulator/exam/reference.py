"""What a question's reference shows a learner after the exam: its explanation and its curves.

``explanation.md`` (beside ``solution.py``) says why the reference solution works and what
candidates commonly get wrong in the category. It teaches the solution, so it is sealed like the
solution (:data:`simulator.exam.hidden_files.HIDDEN_FILES`) and read through
:func:`~simulator.exam.hidden_files.hidden_bytes`: a plain file in a checkout, a member of the
exam's ``sealed.zip`` in an installed tfexam.

``reference_curves.json`` (beside it) holds the reference training's loss and metric per epoch,
training and validation, as ``tfexam calibrate --curves`` recorded them with the run hook that
records the candidate's runs, so that the two can be drawn side by side. It stays a plain file:
a curve shows how fast a good model learns and where validation levels off, which the learner
may see during the exam anyway in their own runs; it reveals nothing of the solution's code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.exam.format import Question
from simulator.exam.hidden_files import hidden_bytes

#: The reference's curves, beside its ``solution.py`` in the question folder.
REFERENCE_CURVES = "reference_curves.json"
#: Who wrote the curves (the file's ``recorded_by``).
RECORDED_BY = "tfexam calibrate"
#: The headings every shipped explanation has (tests/test_explanations.py holds them to it).
EXPLANATION_HEADINGS = ("## Why it works", "## Common mistakes in this category")


class ReferenceCurvesError(ValueError):
    """A ``reference_curves.json`` that is not the format below; the message says what."""


@dataclass(frozen=True)
class ReferenceCurves:
    """The reference training's figures per epoch: ``{"epoch": 1, "loss": .., "val_loss": ..,
    "accuracy": .., "val_accuracy": ..}`` (Keras' log names; the metric is the one the reference
    compiled with)."""

    question: str
    seed: int
    epochs: tuple[Mapping[str, float], ...]
    recorded_by: str = RECORDED_BY
    #: Where they were recorded ("Linux x86_64, 2 cores, Python 3.12, TensorFlow 2.20").
    machine: str = ""

    def series(self, name: str) -> list[float]:
        """One curve (``"loss"``, ``"val_accuracy"``), an entry per epoch that logged it."""
        return [epoch[name] for epoch in self.epochs if name in epoch]

    @property
    def names(self) -> list[str]:
        """The figures logged, in the order of the first epoch (``epoch`` left out)."""
        seen: dict[str, None] = {}
        for epoch in self.epochs:
            seen.update(dict.fromkeys(k for k in epoch if k != "epoch"))
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "seed": self.seed,
            "epochs": [
                {k: int(v) if k == "epoch" else v for k, v in epoch.items()}
                for epoch in self.epochs
            ],
            "recorded_by": self.recorded_by,
            "machine": self.machine,
        }

    @classmethod
    def from_dict(cls, raw: object) -> ReferenceCurves:
        if not isinstance(raw, dict):
            raise ReferenceCurvesError("must be a JSON object")
        question, seed, epochs = raw.get("question"), raw.get("seed"), raw.get("epochs")
        if not isinstance(question, str) or not question:
            raise ReferenceCurvesError("'question' must be the question's id")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ReferenceCurvesError("'seed' must be an integer")
        if not isinstance(epochs, list) or not epochs:
            raise ReferenceCurvesError("'epochs' must be a list of at least one epoch")
        parsed: list[dict[str, float]] = []
        for number, epoch in enumerate(epochs, start=1):
            if not isinstance(epoch, dict) or epoch.get("epoch") != number:
                raise ReferenceCurvesError(
                    f"epoch {number} must be an object with 'epoch': {number}"
                )
            figures = {
                str(k): float(v)
                for k, v in epoch.items()
                if isinstance(v, (int, float)) and not isinstance(v, bool)
            }
            if not all(math.isfinite(v) for v in figures.values()):
                raise ReferenceCurvesError(f"epoch {number} has a value that is not finite")
            parsed.append(figures)
        return cls(
            question=question,
            seed=seed,
            epochs=tuple(parsed),
            recorded_by=str(raw.get("recorded_by", "")),
            machine=str(raw.get("machine", "")),
        )


def explanation_text(question: Question) -> str:
    """The question's explanation (Markdown), from its plain file or the exam's sealed archive.

    Raises :class:`FileNotFoundError` for a question that has none (an exam of the user's own
    need not write one)."""
    return hidden_bytes(question.folder, question.explanation).decode("utf-8")


def has_explanation(question: Question) -> bool:
    try:
        return bool(explanation_text(question).strip())
    except FileNotFoundError:
        return False


def curves_path(question: Question) -> Path:
    return question.folder / REFERENCE_CURVES


def reference_curves(question: Question) -> ReferenceCurves | None:
    """The reference's recorded curves; None where none were recorded (data that could not be
    had where the exam was calibrated, or an exam of the user's own). A file that is not valid
    raises :class:`ReferenceCurvesError` naming it."""
    path = curves_path(question)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return ReferenceCurves.from_dict(json.loads(text))
    except (ValueError, ReferenceCurvesError) as error:
        raise ReferenceCurvesError(f"{path}: {error}") from None


def usable_curves(question: Question) -> ReferenceCurves | None:
    """The recorded curves where there are some to go by; None where none were recorded, none
    has an epoch, or the file is not valid. For views and estimates, which show or assume less
    without them rather than fail (``tfexam check`` reports an invalid file)."""
    try:
        curves = reference_curves(question)
    except ReferenceCurvesError:
        return None
    return curves if curves is not None and curves.epochs else None


def write_reference_curves(question: Question, curves: ReferenceCurves) -> Path:
    """Write ``reference_curves.json`` beside the question's solution; its path."""
    path = curves_path(question)
    path.write_text(curves_json(curves), encoding="utf-8")
    return path


def curves_json(curves: ReferenceCurves) -> str:
    """The file's text: one line per epoch, so that a diff of a recalibration reads by epoch."""
    raw = curves.to_dict()
    epochs = raw.pop("epochs")
    head = json.dumps(raw)[:-1]
    lines = ",\n".join(f"  {json.dumps(epoch)}" for epoch in epochs)
    return f'{head}, "epochs": [\n{lines}\n]}}\n'


def epochs_from_hook_lines(lines: Iterable[str]) -> list[dict[str, float]]:
    """The epochs of the run hook's JSON lines (``{"epoch", "epochs", "logs", "at"}``, see
    ``simulator.training.epochs``), as ``{"epoch": n, **logs}``. A second ``fit()`` in the same
    script starts the curve anew, as the Run window's chart does: the last training is the one
    that made the saved model. Lines that are not epochs (the devices line, a half-written
    one) are skipped."""
    epochs: list[dict[str, float]] = []
    for line in lines:
        try:
            raw = json.loads(line)
            number = int(raw["epoch"])
            logs = dict(raw.get("logs") or {})
        except (ValueError, KeyError, TypeError):
            continue
        if number == 1:
            epochs = []
        figures: dict[str, float] = {"epoch": number}
        figures.update(
            {
                str(k): float(v)
                for k, v in logs.items()
                if isinstance(v, (int, float)) and math.isfinite(float(v))
            }
        )
        epochs.append(figures)
    return epochs
