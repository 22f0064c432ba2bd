"""The class view as one self-contained HTML page, for a course team to keep or share.

No script, no external file; text colours meet WCAG AA (4.5:1) on their backgrounds, and the
page fits a 1280-px window: long names wrap instead of widening the page.
"""

from __future__ import annotations

from html import escape

from simulator.exam.durations import format_duration
from simulator.report.cohort import MAX_SCORE, NEEDS_HELP_AT_MOST, Cohort, QuestionView

CSS = """
body { font-family: system-ui, sans-serif; color: #1a1a1a; background: #ffffff;
       margin: 0 auto; padding: 24px; max-width: 1200px; line-height: 1.45; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 28px 0 8px; }
p.lead { color: #3d3d3d; margin: 0 0 16px; }
table { border-collapse: collapse; width: 100%; table-layout: auto; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #d0d0d0;
         vertical-align: top; overflow-wrap: break-word; }
td.num, th.num { white-space: nowrap; }
.help, .reasons { overflow-wrap: anywhere; }
th { background: #f0f0f0; color: #1a1a1a; }
.spread { display: flex; gap: 2px; align-items: flex-end; height: 40px; }
.spread span { display: inline-block; width: 18px; background: #1f5fa8; }
.spread-labels { display: flex; gap: 2px; font-size: 0.75rem; color: #3d3d3d; }
.spread-labels span { width: 18px; text-align: center; }
.help { color: #8a1c1c; }
.nobody { color: #22662a; }
ul.left-out li { color: #3d3d3d; }
"""


def _time(seconds: float | None) -> str:
    return "—" if seconds is None else format_duration(seconds)


def _spread(question: QuestionView) -> str:
    """Learners per score as a small bar chart, the counts written under it (for screen
    readers and print, the same numbers in the bar's title)."""
    tallest = max(question.scores) or 1
    bars = "".join(
        f'<span style="height:{max(2, round(38 * count / tallest))}px" '
        f'title="{count} scored {score}"></span>'
        for score, count in enumerate(question.scores)
    )
    labels = "".join(f"<span>{score}</span>" for score in range(MAX_SCORE + 1))
    counts = " ".join(f"{score}:{count}" for score, count in enumerate(question.scores))
    return (
        f'<div class="spread" aria-hidden="true">{bars}</div>'
        f'<div class="spread-labels" aria-hidden="true">{labels}</div>'
        f'<div class="counts">{escape(counts)}</div>'
    )


def _reasons(question: QuestionView) -> str:
    if not question.not_gradable:
        return "—"
    items = "".join(
        f"<li><b>{escape(r.code)}</b>: {r.attempts} attempts by {r.learners} learner(s)"
        f"<br>{escape(r.text)}</li>"
        for r in question.not_gradable
    )
    return f"<ul>{items}</ul>"


def render_cohort_html(cohort: Cohort) -> str:
    rows = "".join(
        "<tr>"
        f"<td>{q.number}</td><td>{escape(q.title)}<br><small>{escape(q.id)}</small></td>"
        f"<td>{_spread(q)}</td><td class=num>{q.median_score:g}</td>"
        f"<td class=num>{q.full_marks_rate:.0%}</td>"
        f"<td class=num>{_time(q.median_first_score_s)}</td>"
        f"<td class=num>{_time(q.median_best_s)}</td><td class=reasons>{_reasons(q)}</td>"
        "</tr>"
        for q in cohort.questions
    )
    help_rows = "".join(
        f"<tr><td>Q{q.number} {escape(q.title)}</td><td>"
        + (
            f'<span class="help">{escape(", ".join(q.needs_help))}</span>'
            if q.needs_help
            else '<span class="nobody">nobody</span>'
        )
        + "</td></tr>"
        for q in cohort.questions
    )
    learners = "".join(
        f"<tr><td>{escape(learner.name)}</td><td>{learner.percent:.1f}%</td>"
        f"<td>{'pass' if learner.passed else 'fail'}</td>"
        + "".join(f"<td>{learner.scores.get(q.id, 0)}</td>" for q in cohort.questions)
        + "</tr>"
        for learner in sorted(cohort.learners, key=lambda item: (item.percent, item.name))
    )
    question_heads = "".join(f"<th>Q{q.number}</th>" for q in cohort.questions)
    left_out = ""
    if cohort.left_out:
        items = "".join(
            f"<li>{escape(item.path)}: {escape(item.reason)}</li>" for item in cohort.left_out
        )
        left_out = f'<h2>Left out</h2><ul class="left-out">{items}</ul>'
    title = f"Class view: {cohort.exam_title}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p class="lead">{escape(cohort.exam)}: {len(cohort.learners)} learners,
{cohort.pass_rate:.0%} passed, median {cohort.median_percent:.1f}%</p>
<h2>Questions</h2>
<table>
<thead><tr><th>Q</th><th>Question</th><th>Learners per score (0-5)</th><th class=num>Median</th>
<th class=num>5/5</th><th>Median time to first score</th><th>Median time to best</th>
<th>Most frequent not-gradable reasons</th></tr></thead>
<tbody>{rows}</tbody>
</table>
<h2>Who needs help where (score {NEEDS_HELP_AT_MOST} or less)</h2>
<table><tbody>{help_rows}</tbody></table>
<h2>Learners</h2>
<table>
<thead><tr><th>Name</th><th>Total</th><th>Result</th>{question_heads}</tr></thead>
<tbody>{learners}</tbody>
</table>
{left_out}
</body>
</html>
"""
