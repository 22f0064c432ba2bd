"""``tfexam notebook``: export a session's question as a Colab notebook, and record that it was.

Which session and exam: the one named, else the newest session of the exam (the exam named,
else the newest session's, else the default exam). The notebook holds the candidate's code as
saved in that session's workspace (the original starter without one), the question's data files
as uploads (or, for a classic question, a cell that downloads them from the original URLs) and
the session's data seed. An export during a running session is recorded as a typed
:class:`~simulator.session.events.NotebookExported` event, from which the report counts a Colab
training as parallel work; a home that cannot be written still exports, unrecorded.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from simulator.colab.data import download_code, has_recipe
from simulator.colab.notebook import DataItem, data_items, question_notebook, write_notebook
from simulator.exam.catalog import DEFAULT_EXAM, find_exam
from simulator.exam.format import Exam, Question
from simulator.exam.workspace import write_question_data
from simulator.paths import DataPaths
from simulator.session.events import NotebookExported, record_event
from simulator.session.sessions import seed_of
from simulator.storage.home import open_store_if_any
from simulator.storage.records import SessionRecord
from simulator.storage.store import StoreError


@dataclass(frozen=True)
class NotebookExport:
    """What was exported, from where, and whether the export was recorded."""

    exam: Exam
    question: Question
    #: The notebook file written.
    target: Path
    #: The file whose code the notebook holds (the saved starter, else the exam's original).
    source: Path
    #: The data the notebook asks to upload (empty for a question whose data it downloads).
    data: list[DataItem]
    #: Whether the notebook downloads the data from the original URLs (a classic question).
    downloads: bool
    #: The session whose workspace and seed were used (None: the exam's own).
    session: SessionRecord | None
    #: Whether a NotebookExported event was written to the session's log.
    recorded: bool

    @property
    def unrecorded(self) -> bool:
        """A running session's export that could not be recorded (a home that cannot be
        written): the report will not count its Colab training."""
        return self.session is not None and self.session.state == "running" and not self.recorded


def export_notebook(
    paths: DataPaths,
    question_key: str,
    *,
    exam_name: str | None = None,
    session_key: str | None = None,
    output: Path | None = None,
) -> NotebookExport:
    """Write the notebook of ``question_key`` (to ``output``, else ``<exam>-<folder>.ipynb`` in
    the current folder) and record the export if its session is running."""
    # Exporting only reads the store; on a home that cannot be written it is not recorded.
    store = open_store_if_any(paths)
    sessions_found = store.list_sessions() if store is not None else []
    if session_key is not None and store is None:
        raise StoreError(f"no session {session_key!r}: no sessions yet")
    session = store.find_session(session_key) if session_key and store is not None else None
    if exam_name is None:
        exam_name = (
            session.exam_id
            if session
            else (sessions_found[0].exam_id if sessions_found else DEFAULT_EXAM)
        )
    exam = find_exam(exam_name, paths)
    question = exam.question(question_key)
    if session is None:
        session = next((s for s in sessions_found if s.exam_id == exam.id), None)
    folder = session.workspace / question.workspace_folder if session else None
    seed = seed_of(session, exam) if session else exam.seed
    with tempfile.TemporaryDirectory() as scratch:
        # What the question's data code writes, and nothing else of the folder (notes, models,
        # checkpoints): written once more in a scratch folder to learn the names.
        write_question_data(question, Path(scratch), seed)
        data = data_items(question, Path(scratch))
    # A classic question's data is downloaded in Colab from the original URLs, not uploaded.
    download = download_code(question, seed) if has_recipe(question) else None
    # The candidate's code as saved, not the original starter.
    saved = folder / question.starter if folder is not None else None
    source = saved if saved is not None and saved.is_file() else question.folder / question.starter
    document = question_notebook(
        exam,
        question,
        source.read_text(encoding="utf-8"),
        (question.folder / question.prompt).read_text(encoding="utf-8"),
        data,
        download=download,
    )
    target = output or Path.cwd() / f"{exam.id}-{question.workspace_folder}.ipynb"
    write_notebook(document, target)
    recorded = False
    running = session is not None and session.state == "running"
    if running and session is not None and store is not None and not store.read_only:
        # The report counts a Colab training as parallel work from now to the model's arrival.
        exported = NotebookExported(
            at=time.time(),
            session_id=session.id,
            question_id=question.id,
            notebook=target.resolve(),
            starter=source,
        )
        record_event(store, exported)
        recorded = True
    return NotebookExport(
        exam, question, target, source, data, download is not None, session, recorded
    )
