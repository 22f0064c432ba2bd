"""The reference beside the candidate's work, for the review after the session: the diff from the
candidate's final script to the reference solution, the reference's explanation and its curves.

Only read once the session is over (the solutions are revealed then). The explanation is sealed
like the solution and read through :func:`~simulator.exam.hidden_files.hidden_bytes`; the curves
(``reference_curves.json``, written by ``tfexam calibrate``) are a plain file beside
``solution.py``. A question without them simply has none: an exam of the user's own need not
ship either.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path

from simulator.exam.format import Question
from simulator.exam.hidden_files import hidden_bytes
from simulator.exam.reference import explanation_text, usable_curves

#: Lines of context around each change in the diff (``diff -u``'s default).
DIFF_CONTEXT = 3


def reference_source(question: Question) -> str | None:
    try:
        return hidden_bytes(question.folder, question.solution).decode("utf-8", "replace")
    except FileNotFoundError:
        return None


def code_diff(question: Question, script: Path, shown_as: str) -> str | None:
    """The unified diff from the candidate's ``script`` to the reference solution ("" where they
    are the same); None where either cannot be read."""
    reference = reference_source(question)
    try:
        mine = script.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if reference is None:
        return None
    lines = difflib.unified_diff(
        mine.splitlines(keepends=True),
        reference.splitlines(keepends=True),
        fromfile=f"yours: {shown_as}",
        tofile=f"reference: {question.solution}",
        n=DIFF_CONTEXT,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def explanation(question: Question) -> str | None:
    """The reference's explanation (Markdown); None where the question has none."""
    try:
        text = explanation_text(question)
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return text if text.strip() else None


def reference_curves(question: Question) -> list[dict[str, float]] | None:
    """The reference training's figures per epoch (``{"epoch": 1, "loss": .., ...}``); None
    where none were recorded or the file is not valid (the report shows what it has)."""
    curves = usable_curves(question)
    if curves is None:
        return None
    return [
        {**{k: float(v) for k, v in epoch.items() if math.isfinite(float(v))}, "epoch": number}
        for number, epoch in enumerate(curves.epochs, start=1)
    ]
