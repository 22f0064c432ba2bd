"""An attempt's grading checks on the exam screen (``tfexam start --feedback checks``).

By default the screen shows what the real exam showed: the score and its message. With the
checks shown, the attempt's detail line (two lines high, readable at 80x24) becomes the checks
in one row of marks, then the sentence that teaches most: the first failed check's, else the
counted score line's ("0.0015 short of the 5/5 line (mse at most 0.001)").
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from simulator.grading.checks import Check

#: Each check's short name, for the row of marks.
SHORT_NAMES = {
    "file": "file",
    "no-lambda": "no Lambda",
    "loads": "loads",
    "interface": "shapes",
    "predicts": "predicts",
    "output-kind": "output",
    "metric": "score lines",
    "real-exam-rule": "real rule",
    "baselines": "baselines",
}


def checks_text(checks: Sequence[Check]) -> Text:
    """``✓ file ✓ no Lambda ✓ loads ... ✗ score lines`` and, on the next line, the sentence."""
    marks = Text()
    for check in checks:
        if marks:
            marks.append(" ")
        marks.append(
            f"{'✓' if check.passed else '✗'} {SHORT_NAMES.get(check.name, check.name)}",
            "green" if check.passed else "bold red",
        )
    teaching = _teaching(checks)
    if teaching is not None:
        marks.append("\n")
        marks.append(teaching)
    return marks


def _teaching(checks: Sequence[Check]) -> str | None:
    failed = next((c for c in checks if not c.passed), None)
    if failed is not None:
        found = (
            f" (found {failed.found})" if failed.found and failed.found not in failed.detail else ""
        )
        return f"{SHORT_NAMES.get(failed.name, failed.name)}: {failed.detail}{found}"
    counted = next((c for c in checks if c.counts), None)
    return None if counted is None else counted.detail
