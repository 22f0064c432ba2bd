"""How values are fitted into the screen's cells, so no value is ever shown cut into another.

A value either fits its cell whole or is written shorter in a way that still reads true:
a number loses significant digits (and is written in scientific notation when very small or
very large, so a loss of 5.798e-09 never reads ``5.``), text ends in ``…``. Widths are counted
in terminal cells. The Run window, the Exam window and the status bar all format through here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text

#: Significant digits a number is shown with when there is room for them.
SIGNIFICANT_DIGITS = 4
#: Magnitudes below SMALL or from LARGE up are written in scientific notation (``5.8e-9``).
SMALL = 1e-3
LARGE = 1e6
ELLIPSIS = "…"


def format_number(value: float, width: int | None = None) -> str:
    """``value`` with up to SIGNIFICANT_DIGITS significant digits, fewer where ``width`` asks.

    Never cut: when even one significant digit is wider than ``width``, the one-digit form is
    returned anyway (the caller's column must grow, not the value lie).
    """
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = ""
    for digits in range(SIGNIFICANT_DIGITS, 0, -1):
        text = _with_digits(value, digits)
        if width is None or len(text) <= width:
            return text
    return text


def _with_digits(value: float, digits: int) -> str:
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < SMALL or magnitude >= LARGE):
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        return f"{_strip_zeros(mantissa)}e{int(exponent)}"
    if magnitude == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(magnitude)))
    return _strip_zeros(f"{value:.{decimals}f}")


def _strip_zeros(number: str) -> str:
    if "." not in number:
        return number
    return number.rstrip("0").rstrip(".")


def shorten(text: str, width: int) -> str:
    """``text`` as it fits in ``width`` cells: whole, or cut with ``…`` as its last cell."""
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    kept = text
    while kept and cell_len(kept) > width - 1:
        kept = kept[:-1]
    return kept.rstrip() + ELLIPSIS


def shorten_text(text: Text, width: int) -> Text:
    """A styled ``text`` cut to ``width`` cells the same way as :func:`shorten`."""
    if text.cell_len <= width:
        return text
    shortened = text.copy()
    shortened.truncate(max(0, width), overflow="ellipsis")
    return shortened


def share_width(available: int, wanted: Sequence[int], minimum: Sequence[int]) -> list[int]:
    """Widths for flexible columns: each gets what it ``wanted`` when the room allows, else
    the room is shared in proportion above each column's ``minimum``."""
    if sum(wanted) <= available:
        return list(wanted)
    spare = max(0, available - sum(minimum))
    extra = [w - m for w, m in zip(wanted, minimum, strict=True)]
    total_extra = sum(extra) or 1
    return [m + spare * e // total_extra for m, e in zip(minimum, extra, strict=True)]
