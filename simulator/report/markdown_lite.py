"""A small, safe Markdown reader for the reference explanations in the HTML report.

Everything is escaped first; only then are the few constructs an explanation uses turned into
markup: headings, paragraphs, bullet and numbered lists (with continuation lines), fenced code,
and inline code, bold and italics. Raw HTML, links and images stay text: nothing in an
explanation can fetch, run or restyle anything.
"""

from __future__ import annotations

import re

from simulator.report.markup import tag, text

BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
NUMBERED = re.compile(r"^\s{0,3}\d{1,3}[.)]\s+(.*)$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
#: Headings of the explanation are shown under the report's own h3 of the question.
HEADING_OFFSET = 3


def render(markdown: str) -> str:
    """``markdown`` as escaped HTML blocks."""
    blocks: list[str] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if FENCE.match(line):
            fence = FENCE.match(line).group(1)  # type: ignore[union-attr]
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            i += 1
            blocks.append(tag("pre", tag("code", text("\n".join(body)))))
            continue
        heading = HEADING.match(line)
        if heading:
            level = min(6, len(heading.group(1)) + HEADING_OFFSET)
            blocks.append(tag(f"h{level}", inline(heading.group(2))))
            i += 1
            continue
        for pattern, name in ((BULLET, "ul"), (NUMBERED, "ol")):
            if pattern.match(line):
                items, i = _list(lines, i, pattern)
                blocks.append(tag(name, [tag("li", inline(item)) for item in items]))
                break
        else:
            paragraph = []
            while i < len(lines) and lines[i].strip() and not _starts_block(lines[i]):
                paragraph.append(lines[i].strip())
                i += 1
            blocks.append(tag("p", inline(" ".join(paragraph))))
    return "".join(blocks)


def _starts_block(line: str) -> bool:
    return bool(
        HEADING.match(line) or FENCE.match(line) or BULLET.match(line) or NUMBERED.match(line)
    )


def _list(lines: list[str], i: int, pattern: re.Pattern[str]) -> tuple[list[str], int]:
    """The items of a list from line ``i``: an indented line continues the item before it."""
    items: list[str] = []
    while i < len(lines):
        line = lines[i]
        match = pattern.match(line)
        if match:
            items.append(match.group(1).strip())
        elif line.strip() and line[:1].isspace() and items and not _starts_block(line):
            items[-1] += " " + line.strip()
        else:
            break
        i += 1
    return items, i


def inline(value: str) -> str:
    """Inline code, bold and italics in escaped text (code spans first: nothing inside them
    is read as emphasis)."""
    parts = re.split(r"(`[^`]+`)", value)
    out = []
    for part in parts:
        if len(part) >= 2 and part.startswith("`") and part.endswith("`"):
            out.append(tag("code", text(part[1:-1])))
            continue
        escaped = text(part)
        escaped = re.sub(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", r"<strong>\1</strong>", escaped)
        escaped = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"<em>\1</em>", escaped)
        out.append(escaped)
    return "".join(out)
