"""A unified diff as HTML: one row per line, added and removed lines on their own background,
the Python in them highlighted by Pygments' lexer (no Pygments formatter: the classes and colours
are the report's own, each at least 4.5:1 against every line background).

It reads only the diff text (the report's record), so each hunk's two sides are lexed as
contiguous Python: a string or a bracket opened before the hunk may colour a line differently
from the whole file, never change its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pygments.lexers.python import PythonLexer
from pygments.token import Comment, Keyword, Name, Number, Operator, String, _TokenType

from simulator.report.markup import tag, text

HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
#: Token kinds and the class the report's CSS colours them with.
TOKEN_CLASSES: tuple[tuple[_TokenType, str], ...] = (
    (Comment, "c"),
    (String, "s"),
    (Number, "n"),
    (Keyword, "k"),
    (Operator.Word, "k"),
    (Name.Builtin, "b"),
    (Name.Function, "f"),
    (Name.Class, "f"),
    (Name.Decorator, "f"),
)
#: The colours of those classes and of the line backgrounds (contrast checked by the tests).
CSS = """
.diff{border:1px solid #d8dee4;border-radius:4px;margin:8px 0;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.diff .row{display:grid;grid-template-columns:3.2em 3.2em 1.4em minmax(0,1fr)}
.diff .row>span{padding:0 4px}
.diff .ln{color:#57606a;text-align:right;user-select:none}
.diff .sign{color:#1f2328;user-select:none}
.diff code{font:inherit;white-space:pre-wrap;overflow-wrap:anywhere;color:#1f2328}
.diff .add{background:#e6ffec}.diff .del{background:#ffebe9}
.diff .hunk{background:#ddf4ff;color:#1f2328}.diff .file{background:#f6f8fa;color:#1f2328;font-weight:600}
.diff .k{color:#a40e26}.diff .s{color:#0a3069}.diff .c{color:#57606a}.diff .n{color:#0550ae}
.diff .b{color:#953800}.diff .f{color:#6639ba}
"""


@dataclass(frozen=True)
class _Line:
    kind: str  # "add", "del", "same"
    old: int | None
    new: int | None
    code: str


def diff_html(diff: str) -> str:
    """The diff as a ``<div class="diff">`` (empty text: a note that the files are the same)."""
    if not diff.strip():
        return tag("p", text("Your script and the reference are the same."), class_="muted")
    rows: list[str] = []
    hunk: list[_Line] = []
    old_no = new_no = 0
    started = False
    for raw in diff.splitlines():
        if not started and raw.startswith(("--- ", "+++ ")):
            rows.append(_row("file", "", "", "", text(raw[4:])))
            continue
        match = HUNK.match(raw)
        if match:
            started = True
            rows += _hunk_rows(hunk)
            hunk = []
            old_no, new_no = int(match.group(1)), int(match.group(2))
            rows.append(_row("hunk", "", "", "", text(raw)))
            continue
        sign, code = raw[:1], raw[1:]
        if sign == "-":
            hunk.append(_Line("del", old_no, None, code))
            old_no += 1
        elif sign == "+":
            hunk.append(_Line("add", None, new_no, code))
            new_no += 1
        elif sign == " ":
            hunk.append(_Line("same", old_no, new_no, code))
            old_no += 1
            new_no += 1
        # "\ No newline at end of file" and anything else: not a line of either file
    rows += _hunk_rows(hunk)
    return tag(
        "div", rows, class_="diff", role="figure", aria_label="Your script beside the reference"
    )


def _hunk_rows(lines: list[_Line]) -> list[str]:
    """Each side of the hunk lexed as one piece of Python, then its lines placed in order."""
    old = _highlight([ln.code for ln in lines if ln.kind != "add"])
    new = _highlight([ln.code for ln in lines if ln.kind != "del"])
    rows = []
    old_i = new_i = 0
    for ln in lines:
        if ln.kind == "del":
            code = old[old_i]
            old_i += 1
        elif ln.kind == "add":
            code = new[new_i]
            new_i += 1
        else:
            code = new[new_i]
            old_i += 1
            new_i += 1
        sign = {"add": "+", "del": "−", "same": ""}[ln.kind]
        rows.append(_row(ln.kind, _number(ln.old), _number(ln.new), sign, code))
    return rows


def _highlight(lines: list[str]) -> list[str]:
    """``lines`` as markup, one string per line, each token in its class."""
    out: list[list[str]] = [[]]
    for kind, value in PythonLexer(stripnl=False, ensurenl=False).get_tokens("\n".join(lines)):
        css = next((c for k, c in TOKEN_CLASSES if kind in k), None)
        for i, piece in enumerate(value.split("\n")):
            if i:
                out.append([])
            if piece:
                out[-1].append(tag("span", text(piece), class_=css) if css else text(piece))
    while len(out) < len(lines):
        out.append([])
    return ["".join(parts) for parts in out[: len(lines)]]


def _row(kind: str, old: str, new: str, sign: str, code: str) -> str:
    return tag(
        "div",
        [
            tag("span", text(old), class_="ln"),
            tag("span", text(new), class_="ln"),
            tag("span", text(sign), class_="sign"),
            tag("span", tag("code", code or " ")),
        ],
        class_=f"row {kind}",
    )


def _number(value: int | None) -> str:
    return "" if value is None else str(value)
