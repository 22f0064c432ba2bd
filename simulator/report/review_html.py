"""The HTML report's review sections: what went wrong (each finding with its evidence) and, after
the session, each question's code beside the reference, its explanation and both curves."""

from __future__ import annotations

from simulator.report import markdown_lite
from simulator.report.curves_svg import curve_chart, figure_names, value_range
from simulator.report.diff_html import diff_html
from simulator.report.markup import tag, text
from simulator.report.records import QuestionEntry, Report

CSS = """
ul.mistakes{list-style:none;padding-left:0}
ul.mistakes>li{margin:6px 0 10px;padding-left:10px;border-left:3px solid #b3261e}
ul.mistakes .code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#57606a}
ul.evidence{margin:2px 0 0;padding-left:18px;color:#1f2328}
ul.evidence li{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
.explanation{border-left:3px solid #2f5fa8;padding:0 0 0 12px;margin:8px 0}
.explanation h4,.explanation h5,.explanation h6{font-size:14px;margin:10px 0 4px}
.explanation pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:6px}
.pair{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px}
svg.chart.curves{width:100%;height:auto}
svg.chart .curve-title{font-size:13px;font-weight:600}
@media (max-width:700px){.pair{grid-template-columns:minmax(0,1fr)}}
"""


def mistakes_section(report: Report) -> str:
    """Every finding, by question; nothing where there is none."""
    blocks = []
    for q in report.questions:
        if not q.mistakes:
            continue
        items = [
            tag(
                "li",
                [
                    text(m.sentence),
                    " ",
                    tag("span", text(f"[{m.code}]"), class_="code"),
                    tag("ul", [tag("li", text(e)) for e in m.evidence], class_="evidence"),
                ],
            )
            for m in q.mistakes
        ]
        blocks.append(
            tag("h3", text(f"Q{q.number} {q.title}"), id=f"mistakes-q{q.number}")
            + tag("ul", items, class_="mistakes")
        )
    if not blocks:
        return ""
    note = tag(
        "p",
        text("Found in your own scripts, training runs and saves; each line says where."),
        class_="muted",
    )
    return _section("mistakes", "What went wrong", note + "".join(blocks))


def review_section(report: Report) -> str:
    """After the session: per question, the diff to the reference, its explanation and the
    curves side by side; nothing while it runs (the solutions are not revealed yet)."""
    if report.summary.ended_how == "running":
        return ""
    blocks = [_question_review(q) for q in report.questions]
    blocks = [b for b in blocks if b]
    if not blocks:
        return ""
    return _section("review", "Your code beside the reference", "".join(blocks))


def _question_review(q: QuestionEntry) -> str:
    parts = []
    if q.code_diff is not None:
        parts.append(tag("h4", text(f"Your {q.script or 'script'} → the reference solution")))
        parts.append(diff_html(q.code_diff))
    if q.explanation:
        parts.append(tag("h4", text("Why the reference works")))
        parts.append(tag("div", markdown_lite.render(q.explanation), class_="explanation"))
    curves = _curves(q)
    if curves:
        parts.append(tag("h4", text("Your curves beside the reference's")))
        parts.append(curves)
    if not parts:
        return ""
    return tag("h3", text(f"Q{q.number} {q.title}"), id=f"review-q{q.number}") + "".join(parts)


def _curves(q: QuestionEntry) -> str:
    mine = q.curves or None
    reference = q.reference_curves or None
    if mine is None and reference is None:
        return ""
    rows = []
    for name in figure_names(q.metric, mine, reference):
        axis = value_range(name, mine, reference)
        left = (
            curve_chart(f"Yours: run {q.curves_run}", name, mine, axis)
            if mine
            else tag("p", text("No run of yours recorded its epochs."), class_="muted")
        )
        right = (
            curve_chart("Reference", name, reference, axis)
            if reference
            else tag("p", text("No reference curves ship with this question."), class_="muted")
        )
        rows.append(tag("div", [tag("figure", left), tag("figure", right)], class_="pair"))
    return "".join(rows)


def _section(anchor: str, heading: str, body: str) -> str:
    return tag("section", tag("h2", text(heading)) + body, id=anchor)
