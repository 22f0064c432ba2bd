"""Building a session's report: read the store once and compute every figure and the advice.

The renderers (text, Markdown, HTML, JSON) only read the :class:`Report` built here, so the
formats never disagree.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from simulator.exam.durations import iso_time
from simulator.exam.format import Exam, Policy
from simulator.exam.metrics import MAX_SCORE
from simulator.exam.workspace import REFERENCE_NAME
from simulator.report.advice import advise
from simulator.report.intervals import Interval, concurrency_shares, gaps, union
from simulator.report.mistakes import QuestionWork, final_script, find_mistakes, run_of_record
from simulator.report.records import (
    IDLE_CPU_PERCENT,
    SAMPLE_SPAN_S,
    SCHEMA_VERSION,
    AttemptEntry,
    EpochLoss,
    GradingEntry,
    Parallelism,
    QuestionEntry,
    Report,
    RunEntry,
    Sample,
    Summary,
    TimelineEvent,
)
from simulator.report.reference_view import code_diff, explanation, reference_curves
from simulator.session import events
from simulator.session.scoring import exam_result
from simulator.storage.records import AttemptRecord, EventRecord, RunRecord, SessionRecord
from simulator.storage.store import Store
from simulator.training.epochs import EpochFigures, EpochReader, device_label, read_epochs

#: After the last sample, the next one is not due before this (the span and one engine tick):
#: a report made sooner than that after the last sample has not seen tfexam closed.
NEXT_SAMPLE_DUE_S = SAMPLE_SPAN_S + 1.0


def build_report(
    store: Store, session: SessionRecord, exam: Exam, now: float | None = None
) -> Report:
    """Read the session's attempts, runs, events and samples and compute the whole report."""
    now = time.time() if now is None else now
    generated = now
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        # The reproducible-builds convention: a fixed "generated at", so the same session gives
        # byte-identical reports.
        generated = float(os.environ["SOURCE_DATE_EPOCH"])
    start = session.started_at
    # The candidate's time ends at the deadline: grading what was saved takes a moment longer.
    end = min(session.ended_at if session.ended_at is not None else now, session.deadline)
    policy: Policy = session.settings.get("policy", exam.policy)
    attempts = store.attempts(session.id)
    runs = store.runs(session.id)
    logged = store.events(session.id)
    samples = [
        Sample(s.at - start, s.cpu_percent, s.memory_used_mb, s.memory_total_mb, s.runs)
        for s in store.system_samples(session.id)
    ]
    result = exam_result(exam, attempts, policy)
    over = session.state == "submitted"
    run_numbers = {run.id: run.number for run in runs}
    recorded = {run.id: read_epochs(run.log_path) for run in runs}
    figures = {run_id: epochs.figures for run_id, epochs in recorded.items()}
    questions = [
        _reviewed(
            _question_entry(number, item, attempts, session, over, run_numbers),
            item,
            session,
            over,
            runs,
            figures,
            logged,
        )
        for number, item in enumerate(result.questions, start=1)
    ]
    run_entries = [_run_entry(run, start, recorded[run.id]) for run in runs]
    opened = [e for e in logged if e.kind == events.SessionOpened.KIND]
    timeline = _timeline_events(logged, start)
    # The timeline already tells each opening that followed one that never left: a crash.
    crashes = sum(1 for e in timeline if e.kind == "crash")
    summary = Summary(
        session=session.id,
        exam=exam.id,
        exam_title=exam.title,
        workspace=str(session.workspace),
        policy=policy,
        seed=int(session.settings.get("seed", exam.seed)),
        started_at=iso_time(start),
        deadline=iso_time(session.deadline),
        ended_at=iso_time(session.ended_at) if session.ended_at is not None else None,
        ended_how=session.end_reason if over and session.end_reason else "running",
        duration_s=round(session.deadline - start, 3),
        time_used_s=round(end - start, 3),
        points=result.points,
        max_points=result.max_points,
        percent=round(result.percent, 2),
        pass_mark=result.pass_mark,
        passed=result.passed,
        attempts=len(attempts),
        runs=len(runs),
        engine_sessions=len(opened),
        crashes=crashes,
        candidate=session.settings.get("candidate"),
    )
    report = Report(
        schema=SCHEMA_VERSION,
        generated_at=iso_time(generated),
        summary=summary,
        questions=questions,
        runs=run_entries,
        grading=[_grading_entry(a, start) for a in attempts if a.queued_at is not None],
        events=timeline,
        parallelism=_parallelism(
            runs, samples, start, end, session.settings.get("cores"), _remote(logged, attempts)
        ),
        samples=samples,
    )
    return Report(**{**report.__dict__, "advice": advise(report)})


def _question_entry(
    number: int,
    item: Any,
    attempts: list[AttemptRecord],
    session: SessionRecord,
    over: bool,
    run_numbers: dict[int, int],
) -> QuestionEntry:
    question = item.question
    start = session.started_at
    own = sorted((a for a in attempts if a.question_id == question.id), key=lambda a: a.id)
    counted_id = item.counted.id if item.counted else None
    entries = [
        _attempt_entry(a, start, counted=a.id == counted_id, run_numbers=run_numbers) for a in own
    ]
    considered = [e for e in entries if e.state != "superseded"]
    graded = [e for e in entries if e.state == "graded" and e.score is not None]
    best = max(graded, key=lambda e: (e.score or 0, -e.at_s)) if graded else None
    first_graded = graded[0].at_s if graded else None
    counted = next((e for e in entries if e.counted), None)
    reference = question.scoring.reference if over else None
    reference_file = session.workspace / question.workspace_folder / REFERENCE_NAME
    return QuestionEntry(
        id=question.id,
        number=number,
        title=question.title,
        category=question.category,
        weight=question.weight,
        folder=question.workspace_folder,
        metric=question.scoring.metric,
        lower_is_better=question.scoring.lower_is_better,
        score=item.score,
        points=item.points,
        max_points=question.weight * MAX_SCORE,
        best_value=counted.value if counted else None,
        counted_attempt=item.counted.number if item.counted else None,
        attempts=entries,
        first_submission_s=considered[0].at_s if considered else None,
        first_gradable_s=first_graded,
        best_s=best.at_s if best else None,
        first_to_best_s=round(best.at_s - first_graded, 3)
        if best and first_graded is not None
        else None,
        not_gradable=sum(1 for e in entries if e.state == "not-gradable"),
        external=sum(1 for e in considered if e.source == "external"),
        reference_value=reference,
        reference_score=question.scoring.score(reference) if reference is not None else None,
        reference_file=str(reference_file) if over and reference_file.exists() else None,
        scale=counted.scale if counted else None,
        checks=item.counted.checks if item.counted else None,
    )


def _reviewed(
    entry: QuestionEntry,
    item: Any,
    session: SessionRecord,
    over: bool,
    runs: list[RunRecord],
    figures: dict[int, list[EpochFigures]],
    logged: list[EventRecord],
) -> QuestionEntry:
    """The question's entry with what went wrong, the curves of its run of record and, after
    the session, the reference beside the candidate's work."""
    question = item.question
    work = QuestionWork(
        question=question,
        workspace=session.workspace,
        runs=[r for r in runs if r.question_id == question.id],
        figures=figures,
        counted_run=item.counted.run_id if item.counted else None,
        attempts=entry.attempts,
        unchanged=[
            e
            for e in logged
            if e.kind == events.ModelUnchanged.KIND and e.payload.get("question") == question.id
        ],
        score=entry.score,
        session_start=session.started_at,
        duration_s=session.deadline - session.started_at,
    )
    script = final_script(work)
    shown = _relative(script, session.workspace) if script is not None else None
    run = run_of_record(work)
    review: dict[str, Any] = {}
    if over:
        review = {
            "code_diff": code_diff(question, script, shown or "") if script is not None else None,
            "explanation": explanation(question),
            "reference_curves": reference_curves(question),
        }
    return replace(
        entry,
        mistakes=find_mistakes(work),
        script=shown,
        curves_run=run.number if run is not None else None,
        curves=_curves(figures[run.id]) if run is not None else [],
        **review,
    )


def _curves(figures: list[EpochFigures]) -> list[dict[str, float]]:
    return [
        {"epoch": f.epoch, **{k: float(f"{v:.6g}") for k, v in f.logs.items()}} for f in figures
    ]


def _relative(path: Path, workspace: Path) -> str:
    try:
        return path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return str(path)


def _attempt_entry(
    attempt: AttemptRecord, start: float, *, counted: bool, run_numbers: dict[int, int]
) -> AttemptEntry:
    """``id`` and ``run`` are the numbers the candidate saw (1, 2, ... within the session)."""
    grading_s = None
    if attempt.finished_at is not None and attempt.started_at is not None:
        grading_s = round(attempt.finished_at - attempt.started_at, 3)
    return AttemptEntry(
        id=attempt.number,
        question=attempt.question_id,
        at_s=round(attempt.saved_at - start, 3),
        state=attempt.state,
        source=attempt.source,
        origin=attempt.origin,
        run=None if attempt.run_id is None else run_numbers.get(attempt.run_id),
        score=attempt.score,
        metric=attempt.metric_name,
        value=attempt.metric_value,
        reason=None if attempt.state == "graded" else attempt.message,
        reason_code=attempt.reason_code,
        counted=counted,
        grading_s=grading_s,
        scale=attempt.views.scale if attempt.views else None,
        calibrated_score=attempt.views.calibrated_score if attempt.views else None,
        verdict=attempt.message if attempt.state == "graded" and attempt.views else None,
    )


def _run_entry(run: RunRecord, start: float, recorded: EpochReader) -> RunEntry:
    return RunEntry(
        id=run.number,
        question=run.question_id,
        start_s=round(run.started_at - start, 3),
        end_s=round(run.ended_at - start, 3) if run.ended_at is not None else None,
        state=run.state,
        exit_code=run.exit_code,
        epoch=run.epoch,
        epochs=run.epochs,
        metrics=run.metrics,
        cpu_seconds=round(run.cpu_seconds, 2),
        peak_rss_mb=round(run.peak_rss_mb, 1),
        losses=[
            EpochLoss(f.epoch, _rounded(f.logs.get("loss")), _rounded(f.logs.get("val_loss")))
            for f in recorded.figures
        ],
        device=device_label(recorded.devices),
    )


def _rounded(value: float | None) -> float | None:
    """Six significant digits: enough for any chart, and the same bytes on every report."""
    return None if value is None else float(f"{value:.6g}")


def _grading_entry(attempt: AttemptRecord, start: float) -> GradingEntry:
    assert attempt.queued_at is not None
    return GradingEntry(
        attempt=attempt.number,
        question=attempt.question_id,
        queued_s=round(attempt.queued_at - start, 3),
        start_s=round(attempt.started_at - start, 3) if attempt.started_at is not None else None,
        end_s=round(attempt.finished_at - start, 3) if attempt.finished_at is not None else None,
        state=attempt.state,
        score=attempt.score,
    )


def _timeline_events(logged: list[EventRecord], start: float) -> list[TimelineEvent]:
    found = []
    open_now = False
    for event in logged:
        at = round(event.at - start, 3)
        payload = event.payload
        if event.kind == events.SessionOpened.KIND:
            if open_now:
                found.append(
                    TimelineEvent(at, "crash", "tfexam had stopped without leaving (crash or kill)")
                )
            if payload.get("resumed"):
                found.append(TimelineEvent(at, "resumed", "tfexam resumed"))
            open_now = True
        elif event.kind == events.EngineDetached.KIND:
            open_now = False
            found.append(TimelineEvent(at, "detached", "left tfexam (the clock kept running)"))
        elif event.kind == events.TimeWarning.KIND:
            found.append(
                TimelineEvent(at, "time-warning", f"{payload.get('minutes')} minutes left")
            )
        elif event.kind == events.DeadlineReached.KIND:
            found.append(TimelineEvent(at, "deadline", "time is up: auto-submit"))
        elif event.kind == events.SubmitRequested.KIND:
            found.append(TimelineEvent(at, "submit", "Submit and End Exam"))
        elif event.kind == events.SessionSubmitted.KIND:
            open_now = False
            found.append(TimelineEvent(at, "end", f"exam over ({payload.get('reason')})"))
    return found


def _remote(logged: list[EventRecord], attempts: list[AttemptRecord]) -> list[Interval]:
    """Trainings on Colab: each notebook export of a question, until the first model of that
    question that arrived from outside tfexam (``external``) after it. An export whose model
    never came back is not counted: nothing says it trained."""
    found: list[Interval] = []
    for export in (e for e in logged if e.kind == events.NotebookExported.KIND):
        question = export.payload.get("question")
        arrivals = [
            a.saved_at
            for a in attempts
            if a.question_id == question and a.source == "external" and a.saved_at >= export.at
        ]
        if arrivals:
            found.append((export.at, min(arrivals)))
    return found


def _parallelism(
    runs: list[RunRecord],
    samples: list[Sample],
    start: float,
    end: float,
    cores: int | None,
    remote: list[Interval] | None = None,
) -> Parallelism:
    span = max(end - start, 1e-9)
    local: list[Interval] = [
        (run.started_at, run.ended_at if run.ended_at is not None else end) for run in runs
    ]
    remote = [(max(a, start), min(b, end)) for a, b in remote or [] if min(b, end) > max(a, start)]
    running = local + remote
    seconds = concurrency_shares(running, start, end)
    local_seconds = concurrency_shares(local, start, end)
    shares = {
        "0": seconds.get(0, 0.0) / span,
        "1": seconds.get(1, 0.0) / span,
        "2": seconds.get(2, 0.0) / span,
        "3+": sum(v for k, v in seconds.items() if k >= 3) / span,
    }
    # Only time that tfexam watched can be called idle: while it was closed nothing is known.
    spans = [(start + x.at_s - SAMPLE_SPAN_S, start + x.at_s) for x in samples]
    if samples and end - (start + samples[-1].at_s) <= NEXT_SAMPLE_DUE_S:
        # The next sample is not due yet: the time since the last one is not time tfexam was closed.
        spans.append((start + samples[-1].at_s, end))
    observed = union(spans)
    unobserved = gaps(observed, start, end)
    busy_cpu: list[Interval] = [
        (start + x.at_s - SAMPLE_SPAN_S, start + x.at_s)
        for x in samples
        if x.cpu_percent >= IDLE_CPU_PERCENT
    ]
    idle = gaps(running + busy_cpu + unobserved, start, end)
    longest = max(idle, key=lambda g: g[1] - g[0], default=None)
    return Parallelism(
        shares={k: round(v, 4) for k, v in shares.items()},
        average_cpu_percent=round(sum(s.cpu_percent for s in samples) / len(samples), 1)
        if samples
        else None,
        idle_share=round(sum(b - a for a, b in idle) / span, 4),
        unobserved_share=round(sum(b - a for a, b in unobserved) / span, 4),
        longest_idle_gap_s=round(longest[1] - longest[0], 3) if longest else 0.0,
        longest_idle_gap_start_s=round(longest[0] - start, 3) if longest else None,
        oversubscribed_s=round(sum(v for k, v in local_seconds.items() if cores and k > cores), 3),
        cores=cores,
        remote_training_s=round(sum(b - a for a, b in union(remote)), 3),
    )
