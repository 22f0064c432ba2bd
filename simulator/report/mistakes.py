"""What went wrong, found in the candidate's own work: the code, the recorded runs, the attempts.

Each finding is a :class:`~simulator.report.records.Mistake`: a stable code, one sentence, and
the evidence that shows it (a file and line with the code there, a run's epochs and values,
attempts and their times). The rule is to say only what the evidence shows: a learner must be
able to trust every line, so a check that cannot read something stays silent rather than guess.
Every threshold is a constant here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from simulator.exam.durations import format_duration
from simulator.exam.format import Question
from simulator.exam.hidden_files import hidden_bytes
from simulator.exam.metrics import MAX_SCORE
from simulator.exam.workspace import REFERENCE_NAME
from simulator.report.code_checks import Script, check_script
from simulator.report.records import AttemptEntry, Mistake
from simulator.storage.records import EventRecord, RunRecord
from simulator.training.epochs import EpochFigures
from simulator.training.runs import exit_label
from simulator.training.terminal_text import plain

#: Overfitting: each of the last OVERFIT_MIN_EPOCHS epochs' validation loss is this share above
#: its lowest (a rise that lasted, not one noisy epoch), the lowest at least that many epochs
#: before the end, while the training loss kept falling.
OVERFIT_RISE = 0.10
OVERFIT_MIN_EPOCHS = 3
#: Trained far past the best validation epoch: at least this many epochs after it, and at least
#: this share of all the epochs (20 of 40, not 10 of 200 with a slow start).
PAST_BEST_EPOCHS = 10
PAST_BEST_SHARE = 0.5
#: Stopped while still improving: the last epoch lowered the loss by more than this share of the
#: epoch before's (and the validation loss, where there is one, fell too).
STILL_FALLING = 0.02
#: The same model saved this many times again without a change is worth a word.
UNCHANGED_SAVES = 3
#: A first graded submission after this share of the exam is late: a basic model should come
#: early (the advice says it too).
LATE_SHARE = 0.6
#: How much of a failed run's log is read for its last error line.
ERROR_TAIL_BYTES = 64 * 1024
#: Runs listed as evidence of errors, the last ones.
ERROR_RUNS_SHOWN = 3
#: A line that ends a Python traceback (``ValueError: ...``) or says the process was killed.
ERROR_LINE = re.compile(
    r"^\s*(?:[A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)\b.*|Killed\b.*|Segmentation fault.*)$"
)


@dataclass(frozen=True)
class QuestionWork:
    """Everything of one question the findings read."""

    question: Question
    workspace: Path
    #: The question's runs, oldest first, and each one's recorded epochs (by the run's store id).
    runs: list[RunRecord]
    figures: dict[int, list[EpochFigures]]
    #: The store id of the run that made the counted attempt's model, if a run made it.
    counted_run: int | None
    attempts: list[AttemptEntry]
    #: The question's ``model-unchanged`` events.
    unchanged: list[EventRecord]
    score: int
    session_start: float
    duration_s: float


def question_scripts(work: QuestionWork) -> list[Path]:
    """The training scripts of the question: the starter file, then each ``.py`` its runs ran
    (as they are in the workspace now); never the revealed reference solution."""
    found = [work.workspace / work.question.workspace_folder / work.question.starter]
    for run in work.runs:
        for part in run.command[1:]:
            if part.endswith(".py"):
                found.append((run.cwd / part).resolve())
    seen: dict[Path, None] = {}
    for path in found:
        if path.name != REFERENCE_NAME and path.is_file():
            seen.setdefault(path.resolve(), None)
    return list(seen)


def final_script(work: QuestionWork) -> Path | None:
    """The candidate's final training script: the last run's script, else the starter."""
    for run in reversed(work.runs):
        scripts = [(run.cwd / p).resolve() for p in run.command[1:] if p.endswith(".py")]
        existing = [p for p in scripts if p.is_file() and p.name != REFERENCE_NAME]
        if existing:
            return existing[0]
    starter = work.workspace / work.question.workspace_folder / work.question.starter
    return starter if starter.is_file() else None


def run_of_record(work: QuestionWork) -> RunRecord | None:
    """The run whose curves speak for the question: the counted attempt's run where it recorded
    epochs, else the latest run that did."""
    recorded = [r for r in work.runs if work.figures.get(r.id)]
    counted = next((r for r in recorded if r.id == work.counted_run), None)
    return counted or (recorded[-1] if recorded else None)


def find_mistakes(work: QuestionWork) -> list[Mistake]:
    """Every finding for the question: the code's first, then the runs', then the attempts'."""
    found: list[Mistake] = []
    scripts = {path: Script.read(path) for path in question_scripts(work)}
    reference = _reference(work.question)
    for path, script in scripts.items():
        if script is None:
            continue
        for finding in check_script(script, work.question, reference):
            shown = _shown(path, work.workspace)
            evidence = [f"{shown}:{line}: {snippet}" for line, snippet in finding.lines]
            found.append(_mistake(work, finding.code, _capital(finding.sentence), evidence))
    run = run_of_record(work)
    if run is not None:
        script = next((scripts.get(p) for p in _run_scripts(run) if scripts.get(p)), None)
        found += _curve_findings(work, run, work.figures[run.id], script)
    found += _run_errors(work)
    found += _unchanged_saves(work)
    found += _first_score_late(work)
    return found


# From the recorded runs ----------------------------------------------------------------------------


def _curve_findings(
    work: QuestionWork, run: RunRecord, figures: list[EpochFigures], script: Script | None
) -> list[Mistake]:
    found = []
    losses = [(f.epoch, f.logs.get("loss"), f.logs.get("val_loss")) for f in figures]
    validated = [(e, loss, val) for e, loss, val in losses if val is not None and loss is not None]
    name = f"run {run.number}"
    if len(validated) >= 2:
        best = min(validated, key=lambda x: (x[2], x[0]))
        last = validated[-1]
        best_epoch, best_loss, best_val = best
        last_epoch, last_loss, last_val = last
        assert best_val is not None and last_val is not None
        assert best_loss is not None and last_loss is not None
        after = last_epoch - best_epoch
        tail = [val for _, _, val in validated[-OVERFIT_MIN_EPOCHS:]]
        stopped_early = figures[-1].epochs is not None and figures[-1].epoch < figures[-1].epochs
        caught = stopped_early and script is not None and script.restores_best_weights()
        if (
            after >= OVERFIT_MIN_EPOCHS
            and all(val is not None and val >= best_val * (1 + OVERFIT_RISE) for val in tail)
            and last_loss < best_loss
            and not caught
        ):
            found.append(
                _mistake(
                    work,
                    "overfitting",
                    f"Run {run.number} overfitted: from epoch {best_epoch} to epoch {last_epoch} "
                    f"the validation loss rose from {best_val:.4g} to {last_val:.4g} "
                    f"({_change(best_val, last_val)}) while the training loss fell from "
                    f"{best_loss:.4g} to {last_loss:.4g}: the model learnt the training data, "
                    "not the task (regularise, augment, or stop at the best epoch).",
                    [
                        f"{name}, epoch {best_epoch}: loss {best_loss:.4g}, val_loss {best_val:.4g}"
                        " (the lowest val_loss)",
                        f"{name}, epoch {last_epoch}: loss {last_loss:.4g}, val_loss {last_val:.4g}",
                    ],
                )
            )
        restored = script is not None and script.restores_best_weights()
        if after >= PAST_BEST_EPOCHS and after >= PAST_BEST_SHARE * last_epoch and not restored:
            evidence = [
                f"{name}, epoch {best_epoch}: val_loss {best_val:.4g} (the lowest)",
                f"{name}, epochs {best_epoch + 1}-{last_epoch}: none lower; epoch {last_epoch} "
                f"val_loss {last_val:.4g}",
            ]
            line = script.epochs_line() if script is not None else None
            if script is not None and line is not None:
                evidence.append(
                    f"{_shown(script.path, work.workspace)}:{line}: {script.snippet(line)}"
                )
            found.append(
                _mistake(
                    work,
                    "epochs-past-best",
                    f"Run {run.number} trained {after} epochs past the last improvement of the "
                    f"validation loss (lowest at epoch {best_epoch} of {last_epoch}) and saved "
                    "the last epoch's model: EarlyStopping(restore_best_weights=True) keeps the "
                    "best one and saves the time.",
                    evidence,
                )
            )
    trained = [(e, loss, val) for e, loss, val in losses if loss is not None]
    completed = figures[-1].epochs is None or figures[-1].epoch >= figures[-1].epochs
    if len(trained) >= 2 and run.state == "finished" and completed and work.score < MAX_SCORE:
        (before_epoch, before, before_val), (final_epoch, final, final_val) = (
            trained[-2],
            trained[-1],
        )
        assert before is not None and final is not None
        val_falling = before_val is None or final_val is None or final_val < before_val
        if before > 0 and (before - final) > STILL_FALLING * before and val_falling:
            val = (
                f", val_loss {before_val:.4g} -> {final_val:.4g}"
                if before_val is not None and final_val is not None
                else ""
            )
            found.append(
                _mistake(
                    work,
                    "stopped-while-improving",
                    f"Run {run.number} stopped after {final_epoch} epochs while the loss was still "
                    f"falling ({before:.4g} -> {final:.4g}, {_change(before, final)} in the last "
                    "epoch): more epochs, with early stopping on the validation loss, would "
                    "have gone further.",
                    [
                        f"{name}, epochs {before_epoch}-{final_epoch}: loss {before:.4g} -> "
                        f"{final:.4g}{val}"
                    ],
                )
            )
    return found


def _run_errors(work: QuestionWork) -> list[Mistake]:
    failed = [r for r in work.runs if r.state == "failed"]
    if not failed:
        return []
    last = failed[-1]
    error = _last_error_line(last.log_path)
    how = _ended(last)
    later = any(r.started_at > last.started_at and r.state == "finished" for r in work.runs)
    lead = (
        f"Run {last.number} ended with an error"
        if len(failed) == 1
        else f"{len(failed)} runs ended with an error; the last, run {last.number},"
    )
    sentence = (
        f"{lead} ({how})"
        + (f": {error}" if error else "")
        + (" (a later run finished)." if later else ".")
    )
    evidence = []
    for run in failed[-ERROR_RUNS_SHOWN:]:
        line = _last_error_line(run.log_path)
        at = format_duration(max(0.0, (run.ended_at or run.started_at) - work.session_start))
        evidence.append(
            f"run {run.number}, {run.log_path.name}, ended at {at}: {_ended(run)}"
            + (f": {line}" if line else "")
        )
    return [_mistake(work, "run-error", _capital(sentence), evidence)]


def _ended(run: RunRecord) -> str:
    if run.exit_code is not None and run.exit_code < 0:
        return f"killed by {exit_label(run.exit_code)}"
    return f"exit code {exit_label(run.exit_code)}" if run.exit_code is not None else "failed"


def _last_error_line(log: Path) -> str | None:
    """The last line of a log that ends a traceback or says the process was killed."""
    try:
        with log.open("rb") as stream:
            size = stream.seek(0, 2)
            stream.seek(max(0, size - ERROR_TAIL_BYTES))
            tail = stream.read().decode("utf-8", "replace")
    except OSError:
        return None
    lines = [line.strip() for line in re.split(r"\r\n|\r|\n", plain(tail))]
    found = next((line for line in reversed(lines) if ERROR_LINE.match(line)), None)
    if found is not None and len(found) > 200:
        found = found[:199] + "…"
    return found


# From the attempts ---------------------------------------------------------------------------------


def _unchanged_saves(work: QuestionWork) -> list[Mistake]:
    if len(work.unchanged) < UNCHANGED_SAVES:
        return []
    times = [format_duration(max(0.0, e.at - work.session_start)) for e in work.unchanged]
    previous = sorted(
        {int(n) for e in work.unchanged if isinstance(n := e.payload.get("attempt"), int)}
    )
    same = ", ".join(f"#{n}" for n in previous)
    return [
        _mistake(
            work,
            "unchanged-saves",
            f"The same model was saved {len(work.unchanged)} more times without any change "
            f"(byte for byte attempt {same}): an unchanged file is not graded again; change the "
            "model or its training before saving.",
            [
                f"model-unchanged at {', '.join(times)}"
                + (f" (the file of attempt {same})" if same else "")
            ],
        )
    ]


def _first_score_late(work: QuestionWork) -> list[Mistake]:
    graded = [a for a in work.attempts if a.state == "graded" and a.score is not None]
    if not graded or graded[0].at_s <= LATE_SHARE * work.duration_s:
        return []
    first = graded[0]
    at, of = format_duration(first.at_s), format_duration(work.duration_s)
    return [
        _mistake(
            work,
            "first-score-late",
            f"The first score came at {at} of {of} ({first.at_s / work.duration_s:.0%} of the "
            "time): a basic model saved early secures points while a better one trains.",
            [f"attempt #{first.id} saved at {at}, graded {first.score}/{MAX_SCORE}"],
        )
    ]


# Small pieces --------------------------------------------------------------------------------------


def _mistake(work: QuestionWork, code: str, sentence: str, evidence: list[str]) -> Mistake:
    return Mistake(code=code, question=work.question.id, sentence=sentence, evidence=evidence)


def _reference(question: Question) -> Script | None:
    """The question's reference solution, parsed (the standard some checks hold a script to)."""
    try:
        source = hidden_bytes(question.folder, question.solution).decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    return Script.parse(source, question.folder / question.solution)


def _run_scripts(run: RunRecord) -> list[Path]:
    return [(run.cwd / p).resolve() for p in run.command[1:] if p.endswith(".py")]


def _shown(path: Path, workspace: Path) -> str:
    """A path as the candidate knows it: relative to the workspace where it is inside it."""
    try:
        return path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return str(path)


def _change(before: float, after: float) -> str:
    if before == 0:
        return "from 0"
    return f"{(after - before) / abs(before):+.0%}"


def _capital(sentence: str) -> str:
    sentence = sentence[:1].upper() + sentence[1:]
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."
