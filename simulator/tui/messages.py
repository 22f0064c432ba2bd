"""Textual messages that carry the engine's events into the app's message loop."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message

from simulator.engine import EngineEvent


class EngineEventMessage(Message):
    """An engine event, posted from the engine's thread (``post_message`` is thread-safe)."""

    def __init__(self, event: EngineEvent) -> None:
        super().__init__()
        self.event = event


class QuestionChosen(Message):
    """A widget's cursor moved onto a question (a table row, a tree folder or file).

    ``still_current`` tells whether the cursor is still there when the app handles the message:
    a highlight queued while the app was starting must not undo a key pressed since.
    """

    def __init__(self, question_id: str, still_current: Callable[[], bool]) -> None:
        super().__init__()
        self.question_id = question_id
        self.still_current = still_current


class OpenFileRequested(Message):
    """The Project tree asks for a file to be opened in the candidate's editor."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
