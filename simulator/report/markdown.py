"""The report as Markdown, for sharing (an issue, a study group's chat, a notes app)."""

from __future__ import annotations

import html
import re

from simulator.exam.durations import format_duration
from simulator.exam.metrics import score_label
from simulator.report.charts import downsample, sparkline
from simulator.report.records import Report
from simulator.report.values import (
    HOW,
    SOURCE,
    check_mark,
    check_text,
    counted_value,
    elapsed,
    metric_value,
    run_ended,
)


def _text(text: str) -> str:
    """Text from users' files (titles, reasons, model messages), never markup: Markdown viewers
    render raw HTML, so ``<img onerror=...>`` in a reason must arrive as text, as in the HTML report."""
    return html.escape(text, quote=False)


def _code(text: str) -> str:
    """Text as an inline code span (evidence quotes code: ``**kwargs`` must not turn bold). A
    code span shows its content as it is, markup included, so it is not escaped; its fence is
    one backtick longer than any run of them inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text.replace(chr(10), ' ')}{pad}{fence}"


def _cell(text: str) -> str:
    return _text(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    s = report.summary
    over = s.ended_how != "running"
    lines = [
        f"# {_cell(s.exam_title)}: session {s.session}",
        "",
        f"**{'PASS' if s.passed else 'FAIL'}**: {s.points:g} of {s.max_points:g} points "
        f"({s.percent:.1f}%); pass mark {s.pass_mark:g}%, the {s.policy} attempt counts.",
        "",
        f"- Started {s.started_at[:19].replace('T', ' ')}, {HOW.get(s.ended_how, s.ended_how)}"
        + (f" at {s.ended_at[11:19]}" if s.ended_at else ""),
        f"- Time used: {format_duration(s.time_used_s)} of {format_duration(s.duration_s)}",
        f"- {s.attempts} attempts, {s.runs} training runs, tfexam opened {s.engine_sessions} time(s)"
        + (f", {s.crashes} after a crash" if s.crashes else ""),
        f"- Data seed {s.seed} (`tfexam start {s.exam} --seed {s.seed}` gives the same data)",
        "",
        "## Questions",
        "",
        "| # | question | weight | score | counted | first graded | first → best | tries | not gradable |"
        + (" reference |" if over else ""),
        "|---:|---|---:|---:|---|---:|---:|---:|---:|" + ("---|" if over else ""),
    ]
    for q in report.questions:
        tries = len([a for a in q.attempts if a.state != "superseded"])
        row = (
            f"| {q.number} | {_cell(q.title)} | {q.weight:g} | {score_label(q.score)} | {counted_value(q)} "
            f"| {elapsed(q.first_gradable_s)} | {elapsed(q.first_to_best_s)} | {tries} | {q.not_gradable} |"
        )
        if over:
            row += (
                f" {metric_value(q, q.reference_value)} → {score_label(q.reference_score)} |"
                if q.reference_value is not None
                else " — |"
            )
        lines.append(row)
    for q in report.questions:
        if not q.attempts:
            continue
        lines += ["", f"### Q{q.number} {_cell(q.title)}", "", "| # | saved at | source | score | result |",
                  "|---:|---:|---|---:|---|"]  # fmt: skip
        for a in q.attempts:
            result = (
                (a.verdict or metric_value(q, a.value))
                if a.state == "graded"
                else f"{a.state}: {a.reason or ''}"
            )
            source = SOURCE.get(a.source, a.source or "") + (
                f" #{a.run}" if a.run is not None else ""
            )
            score = score_label(a.score)
            lines.append(
                f"| {'★' if a.counted else ''}{a.id} | {format_duration(a.at_s)} | {source} | {score} "
                f"| {_cell(result)} |"
            )
        if q.checks:
            lines += ["", f"Checks of the counted attempt {q.counted_attempt}:", ""]
            lines += [f"- {check_mark(c)} {_text(check_text(c))}" for c in q.checks]
    p = report.parallelism
    lines += ["", "## Timeline", ""]
    if report.runs:
        lines += ["| run | question | start | end | state | epochs | device | CPU s | peak RSS |",
                  "|---:|---|---:|---:|---|---:|---|---:|---:|"]  # fmt: skip
        for r in report.runs:
            lines.append(
                f"| {r.id} | {r.question} | {format_duration(r.start_s)} | {elapsed(r.end_s)} | {run_ended(r)}"
                f" | {r.epoch or 0}/{r.epochs or '?'} | {r.device or '-'} "
                f"| {r.cpu_seconds:.0f} | {r.peak_rss_mb:.0f} MB |"
            )
        lines.append("")
    lines += [f"- {e.label} at {format_duration(e.at_s)}" for e in report.events]
    shares = ", ".join(f"{k}: {v:.0%}" for k, v in p.shares.items())
    lines += [
        "",
        f"Trainings running at once (share of the session): {shares}. "
        + (
            f"Average CPU {p.average_cpu_percent:.0f}%. "
            if p.average_cpu_percent is not None
            else ""
        )
        + f"Idle {p.idle_share:.0%} of the time; longest idle stretch {format_duration(p.longest_idle_gap_s)}."
        + (
            f" tfexam was closed {p.unobserved_share:.0%} of the time."
            if p.unobserved_share
            else ""
        ),
    ]
    if report.samples:
        end = max(s.time_used_s, 1.0)
        cpu = downsample([(x.at_s, x.cpu_percent) for x in report.samples], 0, end, 60)
        total = max(x.memory_total_mb for x in report.samples)
        memory = downsample([(x.at_s, x.memory_used_mb) for x in report.samples], 0, end, 60)
        lines += ["", "## CPU and memory", "", "```", f"CPU    {sparkline(cpu, 100.0)}",
                  f"Memory {sparkline(memory, total)}", "```"]  # fmt: skip
    found = [q for q in report.questions if q.mistakes]
    if found:
        lines += ["", "## What went wrong"]
        for q in found:
            lines += ["", f"### Q{q.number} {_cell(q.title)}", ""]
            for m in q.mistakes:
                lines.append(f"- {_text(m.sentence)} `{m.code}`")
                lines += [f"  - {_code(e)}" for e in m.evidence]
    lines += ["", "## Advice", ""]
    lines += [f"- {_text(line)}" for line in report.advice] or ["Nothing to add."]
    return "\n".join(lines) + "\n"
