"""Creating the candidate's workspace: one folder per question with its prompt, starter and data.

This is the "PyCharm project" of the real exam. The hidden grader and the reference solution stay
in the exam package; only what a candidate may see is copied. Data that a question generates is
written by its exam's data module (see docs/authoring.md), deterministically from the exam seed.
"""

from __future__ import annotations

import datetime as dt
import errno
import shutil
import uuid
from collections.abc import Callable, Collection
from pathlib import Path

from simulator.exam.code import load_question_module
from simulator.exam.format import Exam, Question
from simulator.exam.hidden_files import copy_hidden


class WorkspaceError(RuntimeError):
    pass


class DataNotReadyError(WorkspaceError):
    """A question's data cannot be written yet (e.g. a dataset must be downloaded once first).

    A question's data module may define ``check_data(exam)`` that raises this with one line saying
    how to get ready; :func:`create_workspace` asks every question before it creates anything.
    """


def default_workspace(
    exam: Exam, today: dt.date | None = None, base: Path | None = None, name: str | None = None
) -> Path:
    """``./tfexam-<name>-<date>`` (default name: the exam's id), with ``-2``, ``-3``... when that
    folder is already taken."""
    stamp = (today or dt.date.today()).isoformat()
    parent = base or Path.cwd()
    name = name or exam.id
    candidate = parent / f"tfexam-{name}-{stamp}"
    counter = 2
    while candidate.exists():
        candidate = parent / f"tfexam-{name}-{stamp}-{counter}"
        counter += 1
    return candidate


#: A workspace is built in a hidden folder next to its target, named with this, and renamed into
#: place once complete: an interrupted start leaves no half-made workspace under the target name.
STAGING_MARK = ".tfexam-partial-"


def create_workspace(
    exam: Exam,
    target: Path,
    seed: int,
    on_question: Callable[[Question], None] | None = None,
    data_for: Collection[str] | None = None,
) -> Path:
    """Create ``target`` with every question's files; refuses a folder that has files in it.

    ``on_question`` is called before each question's files are written (for a progress display:
    generating image or text data takes a few seconds). ``data_for``: the questions whose data
    is written now (default all); the others get their prompt and starter, and their data later
    (:mod:`simulator.session.dataprep`). The files are written into a hidden staging folder beside
    ``target`` and renamed into place at the end, so Ctrl+C (or a kill) in the middle leaves
    ``target`` as it was and the same ``--workspace`` can be used again.
    """
    _refuse_undecodable(target)
    target = target.expanduser().resolve()
    check_data(exam)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise WorkspaceError(
            f"{target} already exists and is not empty: choose another --workspace"
        )
    try:
        _build(exam, target, seed, on_question, data_for)
    except OSError as error:
        if error.errno in NO_SPACE_ERRNOS:
            raise WorkspaceError(no_space_text(target)) from None
        raise
    return target


#: What a write answers on a full disk (ENOSPC) or a spent quota (EDQUOT).
NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def no_space_text(target: Path) -> str:
    """The one line for a workspace that does not fit on its disk."""
    return (
        f"no space left on the device of {target}: free some space there or choose a "
        "--workspace on another disk, then start again"
    )


def _build(
    exam: Exam,
    target: Path,
    seed: int,
    on_question: Callable[[Question], None] | None,
    data_for: Collection[str] | None,
) -> None:
    """Write the workspace in a staging folder and rename it into place (see create_workspace)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}{STAGING_MARK}*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a start that was killed
    staging = target.parent / f".{target.name}{STAGING_MARK}{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        for question in exam.questions:
            if on_question is not None:
                on_question(question)
            folder = staging / question.workspace_folder
            folder.mkdir()
            shutil.copyfile(question.folder / question.prompt, folder / "prompt.md")
            shutil.copyfile(question.folder / question.starter, folder / question.starter)
            if question.data is not None and (data_for is None or question.id in data_for):
                _data_writer(question)(folder, seed)
        (staging / "README.md").write_text(_readme(exam), encoding="utf-8")
        staging.rename(target)  # atomic; replaces an empty folder of that name
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _refuse_undecodable(target: Path) -> None:
    """A path that is not valid UTF-8 cannot be stored or shown: refuse it before creating anything."""
    text = str(target.expanduser().absolute())
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise WorkspaceError(
            f"the workspace path {shown} is not valid UTF-8: choose a folder whose name is UTF-8"
        ) from None


REFERENCE_NAME = "reference_solution.py"


def reveal_solutions(exam: Exam, workspace: Path) -> list[Path]:
    """Copy each question's reference solution into its folder: only once the session has ended."""
    written = []
    for question in exam.questions:
        folder = workspace / question.workspace_folder
        if folder.is_dir():
            target = folder / REFERENCE_NAME
            copy_hidden(question.folder, question.solution, target)
            written.append(target)
    return written


def check_data(exam: Exam) -> None:
    """Call each question's optional ``check_data(exam)`` hook; raises :class:`DataNotReadyError`."""
    for question in exam.questions:
        if question.data is not None:
            module = load_question_module(question, question.data, "data")
            check: Callable[[Exam], None] | None = getattr(module, "check_data", None)
            if check is not None:
                check(exam)


def write_question_data(question: Question, folder: Path, seed: int) -> None:
    """Write a question's generated data into ``folder`` (what a workspace gets)."""
    if question.data is not None:
        _data_writer(question)(folder, seed)


def _data_writer(question: Question) -> Callable[[Path, int], None]:
    assert question.data is not None
    writer: Callable[[Path, int], None] = load_question_module(
        question, question.data, "data"
    ).write_data
    return writer


def _readme(exam: Exam) -> str:
    lines = [
        f"# {exam.title}",
        "",
        "Each folder is one question. Read its prompt.md, complete the starter file, run it, and",
        "save the model in the same folder under the name the starter uses (mymodel.h5). tfexam",
        'grades every save automatically, like the exam\'s "Submit and Test" button.',
        "",
        "| folder | category | question | model file |",
        "|---|---|---|---|",
    ]
    for q in exam.questions:
        lines.append(f"| {q.workspace_folder}/ | {q.category} | {q.title} | {q.model_files[0]} |")
    return "\n".join(lines) + "\n"
