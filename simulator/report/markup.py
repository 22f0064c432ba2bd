"""The markup builders the HTML report and its SVG charts share, and the score colours of both.

Every attribute value and text is escaped. The output is valid HTML5 and well-formed XML at once
(SVG shapes without content are written ``<rect ... />``, which HTML allows for SVG), so a report
can be checked with an XML parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

Attr = str | float | int | None

# The score palette, the one place for it: the HTML report's chips (background and ink) and the
# SVG charts' score marks. Every ink is at least 4.5:1 (WCAG AA for text) on its background: red
# (0), a darker orange-red (1), orange (2), yellow (3), light green (4), a darker green (5); the
# ends carry white digits, the middle ones dark digits.
#: Scores 0-5 from red to green.
SCORE_COLOURS = ("#b3261e", "#b4441c", "#e8891c", "#d8b000", "#7cab2f", "#237a3b")
#: The digits on each of :data:`SCORE_COLOURS`.
SCORE_INK = ("#ffffff", "#ffffff", "#1f2328", "#1f2328", "#1f2328", "#ffffff")
#: An attempt that could not be graded: no score, a neutral grey (no colour of the scale).
NOT_GRADABLE_COLOUR = "#5f6670"
NOT_GRADABLE_INK = "#ffffff"


def score_index(score: int) -> int:
    """The index into :data:`SCORE_COLOURS` of ``score`` (clamped to 0-5)."""
    return max(0, min(len(SCORE_COLOURS) - 1, score))


def num(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros: short and stable output."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def attrs(values: dict[str, Attr]) -> str:
    """`` name="value"`` pairs; None leaves an attribute out, floats are rounded by :func:`num`."""
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        text = num(value) if isinstance(value, float) else str(value)
        parts.append(f' {name}="{escape(text, quote=True)}"')
    return "".join(parts)


def tag(name: str, content: str | Iterable[str] = "", **values: Attr) -> str:
    """An element; ``content`` is markup (already escaped). ``class_`` stands for ``class`` and
    other underscores for dashes (``stroke_width`` -> ``stroke-width``)."""
    body = content if isinstance(content, str) else "".join(content)
    names = {("class" if k == "class_" else k.replace("_", "-")): v for k, v in values.items()}
    if not body and name in SELF_CLOSING:
        return f"<{name}{attrs(names)} />"
    return f"<{name}{attrs(names)}>{body}</{name}>"


#: SVG shapes written as ``<x />`` when empty (HTML elements such as ``<td>`` always get a pair).
SELF_CLOSING = frozenset({"rect", "line", "circle", "path", "polygon", "polyline", "use"})


def text(value: str) -> str:
    """Plain text as markup."""
    return escape(value, quote=False)


def title(value: str) -> str:
    """A tooltip (and accessible name) for the SVG element it is placed in."""
    return tag("title", text(value))
