"""The report in the terminal (rich): summary, questions, attempts, timeline, resources, advice."""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from simulator.exam.durations import format_duration
from simulator.exam.metrics import score_label
from simulator.report.charts import downsample, sparkline, timeline_lanes
from simulator.report.records import QuestionEntry, Report
from simulator.report.values import (
    HOW,
    SOURCE,
    check_mark,
    check_text,
    counted_value,
    elapsed,
    metric_value,
)


def render_text(report: Report, width: int = 100, color: bool = True) -> str:
    """The whole report as terminal text (ANSI colours when ``color``)."""
    console = Console(width=width, record=True, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, file=io.StringIO())  # fmt: skip
    console.print(report_renderable(report, width))
    return console.export_text(styles=color)


def report_renderable(report: Report, width: int = 100) -> RenderableType:
    return Group(
        summary_panel(report),
        questions_table(report),
        *attempts_tables(report),
        timeline_panel(report, width),
        resources_panel(report, width),
        *mistakes_panels(report),
        advice_panel(report),
    )


def mistakes_panels(report: Report) -> list[Panel]:
    """What went wrong, each finding with its evidence; no panel where there is none."""
    body = Text()
    for q in report.questions:
        if not q.mistakes:
            continue
        if body:
            body.append("\n")
        body.append(f"Q{q.number} {q.title}\n", "bold")
        for m in q.mistakes:
            body.append(f"• {m.sentence} ")
            body.append(f"[{m.code}]\n", "dim")
            for line in m.evidence:
                body.append(f"    {line}\n", "dim")
    if not body:
        return []
    body.rstrip()
    return [Panel(body, title="What went wrong", title_align="left")]


def summary_panel(report: Report) -> Panel:
    s = report.summary
    verdict = (
        Text(" PASS ", "bold white on green") if s.passed else Text(" FAIL ", "bold white on red")
    )
    lines = Text.assemble(
        verdict,
        (f"  {s.points:g} of {s.max_points:g} points ({s.percent:.1f}%)", "bold"),
        f"; pass mark {s.pass_mark:g}%, the {s.policy} attempt counts\n",
        f"Started {s.started_at[:19].replace('T', ' ')}, ",
        f"{HOW.get(s.ended_how, s.ended_how)}",
        f" at {s.ended_at[11:19]}" if s.ended_at else "",
        f"; used {format_duration(s.time_used_s)} of {format_duration(s.duration_s)}\n",
        f"{s.attempts} attempts, {s.runs} training runs, tfexam opened {s.engine_sessions} time(s)",
        f" ({s.crashes} after a crash)" if s.crashes else "",
        f"; data seed {s.seed}",
    )
    return Panel(lines, title=f"{escape(s.exam_title)} · session {s.session}", title_align="left")


def questions_table(report: Report) -> Table:
    over = report.summary.ended_how != "running"
    table = Table(title="Questions", title_justify="left", expand=True)
    for name, justify in (("#", "right"), ("Question", "left"), ("Score", "right"),
                          ("Counted", "left"), ("First graded", "right"), ("First→best", "right"),
                          ("Tries", "right"), ("Not gradable", "right")):  # fmt: skip
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    if over:
        table.add_column("Reference", justify="left")
    for q in report.questions:
        row = [
            str(q.number), f"{q.title} (x{q.weight:g})", score_label(q.score), counted_value(q),
            elapsed(q.first_gradable_s), elapsed(q.first_to_best_s),
            str(len([a for a in q.attempts if a.state != "superseded"])), str(q.not_gradable),
        ]  # fmt: skip
        if over:
            row.append(
                f"{metric_value(q, q.reference_value)} -> {score_label(q.reference_score)}"
                if q.reference_value is not None
                else "—"
            )
        table.add_row(*row)
    return table


def attempts_tables(report: Report) -> list[Table]:
    tables = []
    for q in report.questions:
        if not q.attempts:
            continue
        table = Table(title=f"Q{q.number} {q.title}: attempts", title_justify="left", expand=True)
        table.add_column("#", justify="right")
        table.add_column("Saved at", justify="right")
        table.add_column("Source")
        table.add_column("Score", justify="right")
        table.add_column("Result", ratio=1)
        for a in q.attempts:
            score = score_label(a.score)
            result = (
                (a.verdict or metric_value(q, a.value))
                if a.state == "graded"
                else f"{a.state}: {a.reason or ''}"
            )
            marker = "★" if a.counted else ""
            source = SOURCE.get(a.source, a.source or "")
            if a.run is not None:
                source += f" #{a.run}"
            table.add_row(f"{marker}{a.id}", format_duration(a.at_s), source, score, result)
        tables.append(table)
        if q.checks:
            tables.append(checks_table(q))
    return tables


def checks_table(q: QuestionEntry) -> Table:
    """The checks that made the counted attempt's score, one line each."""
    table = Table(
        title=f"Q{q.number} {q.title}: checks of the counted attempt {q.counted_attempt}",
        title_justify="left",
        expand=True,
        show_header=False,
    )
    table.add_column("", width=1)
    table.add_column("Check", ratio=1)
    for check in q.checks or ():
        mark = Text(check_mark(check), "green" if check.passed else "red")
        table.add_row(mark, check_text(check))
    return table


def timeline_panel(report: Report, width: int) -> Panel:
    end = max(report.summary.time_used_s, 1.0)
    label_width = 24
    cols = max(20, width - label_width - 6)
    lines = Text()
    for lane in timeline_lanes(report):
        row = [" "] * cols
        styles = [""] * cols
        for bar in lane.bars:
            a = min(cols - 1, int(bar.start_s / end * cols))
            b = min(cols, max(a + 1, int(bar.end_s / end * cols + 0.999)))
            glyph, style = ("▬", "cyan") if bar.kind == "grading" else ("━", _run_style(bar.kind))
            for i in range(a, b):
                row[i], styles[i] = glyph, style
        for mark in lane.marks:
            i = min(cols - 1, int(mark.at_s / end * cols))
            row[i], styles[i] = _mark(mark.kind)
        lines.append(f"{lane.label[:label_width]:<{label_width}} ")
        for ch, st in zip(row, styles, strict=True):
            lines.append(ch, st)
        lines.append("\n")
    axis = f"{'':<{label_width}} 0:00:00{format_duration(end):>{cols - 7}}"
    lines.append(axis, "dim")
    p = report.parallelism
    shares = "  ".join(f"{k} running {v:.0%}" for k, v in p.shares.items())
    cpu = (
        f"average CPU {p.average_cpu_percent:.0f}%"
        if p.average_cpu_percent is not None
        else "no CPU samples"
    )
    idle_at = (
        f" at {format_duration(p.longest_idle_gap_start_s)}"
        if p.longest_idle_gap_start_s is not None
        else ""
    )
    lines.append(
        f"\nTrainings at once: {shares}\n{cpu}; idle {p.idle_share:.0%} of the time, longest idle "
        f"stretch {format_duration(p.longest_idle_gap_s)}{idle_at}"
        + (
            f"; tfexam was closed {p.unobserved_share:.0%} of the time"
            if p.unobserved_share
            else ""
        )
    )
    legend = "━ run ▬ grading 0-5 score ✗ not gradable ! warning ■ end ↻ resumed ⚡ crash"
    return Panel(
        lines, title="Timeline", subtitle=legend, title_align="left", subtitle_align="left"
    )


def _run_style(kind: str) -> str:
    return {"run-failed": "red", "run-stopped": "yellow", "run-running": "blue"}.get(kind, "green")


def _mark(kind: str) -> tuple[str, str]:
    if kind.startswith("score-"):
        score = int(kind.split("-")[1])
        return str(
            score
        ), "bold green" if score >= 4 else "bold yellow" if score >= 2 else "bold red"
    return {
        "not-gradable": ("✗", "yellow"), "rejected": ("✗", "red"), "time-warning": ("!", "yellow"),
        "deadline": ("■", "red"), "end": ("■", "bold"), "submit": ("■", "bold"),
        "resumed": ("↻", "cyan"), "crash": ("⚡", "red"), "detached": ("⏸", "dim"),
    }.get(kind, ("·", ""))  # fmt: skip


def resources_panel(report: Report, width: int) -> Panel:
    samples = report.samples
    end = max(report.summary.time_used_s, 1.0)
    cols = max(20, width - 36)
    if not samples:
        return Panel(
            Text("No samples recorded.", "dim"), title="CPU and memory", title_align="left"
        )
    cpu = downsample([(s.at_s, s.cpu_percent) for s in samples], 0, end, cols)
    total = max(s.memory_total_mb for s in samples)
    memory = downsample([(s.at_s, s.memory_used_mb) for s in samples], 0, end, cols)
    peak_cpu = max(s.cpu_percent for s in samples)
    peak_memory = max(s.memory_used_mb for s in samples)
    body = Text.assemble(
        ("CPU     ", "bold"), (sparkline(cpu, 100.0), "cyan"), f"  peak {peak_cpu:.0f}%\n",
        ("Memory  ", "bold"), (sparkline(memory, total), "magenta"),
        f"  peak {peak_memory / 1024:.1f} of {total / 1024:.1f} GB",
    )  # fmt: skip
    return Panel(body, title="CPU and memory", title_align="left")


def advice_panel(report: Report) -> Panel:
    if not report.advice:
        return Panel(Text("Nothing to add: well done.", "dim"), title="Advice", title_align="left")
    return Panel(
        Text("\n".join(f"• {line}" for line in report.advice)), title="Advice", title_align="left"
    )
