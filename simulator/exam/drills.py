"""Drills: one question of an exam as a timed session of its own, and how long one lasts.

A learner whose weak spot is one category should not have to sit a five-hour exam to practise
it. A drill is a session of a *one-question exam*: the exam narrowed to the drilled question,
with everything else (fresh data from the session's own seed, the hidden grader, the policy, the
auto-submit at the deadline) unchanged, so every part of tfexam that works on a session works on
a drill without knowing it is one. A drill session records which question it drills (the session
setting ``drill_question``, :class:`simulator.storage.records.SessionSettings`), and :func:`simulator.session.sessions.exam_of` narrows the exam
again whenever the session is reopened, reported on or listed.
"""

from __future__ import annotations

import shlex
from dataclasses import replace

from simulator.exam.durations import format_short
from simulator.exam.format import Exam

#: A drill's default length per category (``--duration`` overrides it). A drill is practice, not
#: the exam's time pressure: it should leave room for three or four cycles of train, read the
#: grader's verdict, change and train again. Categories 1 and 2 (a dense network on numbers or
#: 28x28 pictures) train in a minute or two on a laptop's CPU, so an hour is plenty; categories
#: 3 to 5 (a CNN on real pictures, embeddings on text, a windowed time series) take 5 to 15
#: minutes a training on a CPU, so the same number of cycles needs an hour and a half. Together
#: (6h30m) they are longer than the exam's 5 hours because a drill cannot train one question
#: while the candidate works on another.
DRILL_DURATIONS_S: dict[int, int] = {1: 3600, 2: 3600, 3: 5400, 4: 5400, 5: 5400}
#: For a category outside 1-5 (a user's own exam may number its questions otherwise).
DEFAULT_DRILL_DURATION_S = 5400


def drill_duration_s(category: int) -> int:
    """How long a drill of a question of ``category`` lasts unless ``--duration`` says otherwise."""
    return DRILL_DURATIONS_S.get(category, DEFAULT_DRILL_DURATION_S)


def drill_exam(exam: Exam, key: str) -> Exam:
    """``exam`` narrowed to the question ``key`` (id, folder name or category number).

    The title says it is a drill, so every view (the exam screen, the report, ``status``) shows
    it without knowing about drills; the length is the drill's default. The id stays the exam's:
    the drill's data, grader and history belong to that exam. Raises ``UnknownQuestionError``
    (one line naming the known questions) for a key that names no question.
    """
    question = exam.question(key)
    return replace(
        exam,
        questions=(question,),
        title=f"Drill: {question.title}, from {exam.title}",
        duration_s=drill_duration_s(question.category),
    )


def drill_argv(exam_name: str, question_id: str, duration_s: int | None = None) -> list[str]:
    """The arguments of ``tfexam`` that start a drill (for a subprocess, e.g. from the review)."""
    argv = ["drill", exam_name, question_id]
    if duration_s is not None:
        argv += ["--duration", format_short(duration_s)]
    return argv


def drill_command(exam_name: str, question_id: str, duration_s: int | None = None) -> str:
    """The exact command line that starts a drill, to show a user (quoted for a POSIX shell)."""
    return shlex.join(["tfexam", *drill_argv(exam_name, question_id, duration_s)])
