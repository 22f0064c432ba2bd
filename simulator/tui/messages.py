"""Textual messages of the exam app: the engine's events, and what widgets ask of the app.

Every engine event class has exactly one message class here (``MESSAGE_FOR_EVENT``), so the app
handles each kind in its own ``@on(...)`` handler, typed by the event it carries. The engine's
subscriber runs on the engine's thread and only posts (``post_message`` is thread-safe).

Messages whose handler only re-reads the attempts (a save detected, a grading started, ...) give
way to any later message that re-reads them too (``can_replace``, as toolong does for file
updates): a burst of 100 saves costs one refresh, not 100.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.message import Message

from simulator.session import events

EventT = TypeVar("EventT", bound=events.SessionEvent)


class EngineMessage(Message, Generic[EventT]):
    """An engine event, in the app's message loop."""

    #: Whether handling this message re-reads the attempts and redraws what shows them.
    refreshes_attempts = False

    def __init__(self, event: EventT) -> None:
        super().__init__()
        self.event = event


class AttemptsChanged(EngineMessage[EventT]):
    """An event whose only effect on screen is that the attempt lists change."""

    refreshes_attempts = True

    def can_replace(self, message: Message) -> bool:
        """A later message that refreshes the attempts shows this one's change as well."""
        return isinstance(message, EngineMessage) and message.refreshes_attempts


class SessionOpenedMessage(EngineMessage[events.SessionOpened]):
    refreshes_attempts = True


class WorkerReadyMessage(EngineMessage[events.WorkerReady]):
    pass


class WorkerExitedMessage(EngineMessage[events.WorkerExited]):
    pass


class ModelDetectedMessage(AttemptsChanged[events.ModelDetected]):
    pass


class GradingStartedMessage(AttemptsChanged[events.GradingStarted]):
    pass


class AttemptGradedMessage(EngineMessage[events.AttemptGraded]):
    refreshes_attempts = True


class AttemptNotGradableMessage(EngineMessage[events.AttemptNotGradable]):
    refreshes_attempts = True


class AttemptSupersededMessage(AttemptsChanged[events.AttemptSuperseded]):
    pass


class AttemptRejectedMessage(EngineMessage[events.AttemptRejected]):
    refreshes_attempts = True


class AttemptRequeuedMessage(AttemptsChanged[events.AttemptRequeued]):
    pass


class ModelUnchangedMessage(EngineMessage[events.ModelUnchanged]):
    pass


class SubmitAndTestFailedMessage(EngineMessage[events.SubmitAndTestFailed]):
    pass


class TimeWarningMessage(EngineMessage[events.TimeWarning]):
    pass


class DeadlineReachedMessage(EngineMessage[events.DeadlineReached]):
    pass


class SubmitRequestedMessage(EngineMessage[events.SubmitRequested]):
    pass


class SessionSubmittedMessage(EngineMessage[events.SessionSubmitted]):
    refreshes_attempts = True


class SolutionsRevealedMessage(EngineMessage[events.SolutionsRevealed]):
    pass


class EngineDetachedMessage(EngineMessage[events.EngineDetached]):
    pass


class EngineFailedMessage(EngineMessage[events.EngineFailed]):
    pass


class RunStartedMessage(EngineMessage[events.RunStarted]):
    pass


class RunEndedMessage(EngineMessage[events.RunEnded]):
    pass


class QuestionReadyMessage(EngineMessage[events.QuestionReady]):
    pass


class QuestionDataFailedMessage(EngineMessage[events.QuestionDataFailed]):
    pass


#: The message class of each event class, one to one.
MESSAGE_FOR_EVENT: dict[type[events.SessionEvent], type[EngineMessage[Any]]] = {
    events.SessionOpened: SessionOpenedMessage,
    events.WorkerReady: WorkerReadyMessage,
    events.WorkerExited: WorkerExitedMessage,
    events.ModelDetected: ModelDetectedMessage,
    events.GradingStarted: GradingStartedMessage,
    events.AttemptGraded: AttemptGradedMessage,
    events.AttemptNotGradable: AttemptNotGradableMessage,
    events.AttemptSuperseded: AttemptSupersededMessage,
    events.AttemptRejected: AttemptRejectedMessage,
    events.AttemptRequeued: AttemptRequeuedMessage,
    events.ModelUnchanged: ModelUnchangedMessage,
    events.SubmitAndTestFailed: SubmitAndTestFailedMessage,
    events.TimeWarning: TimeWarningMessage,
    events.DeadlineReached: DeadlineReachedMessage,
    events.SubmitRequested: SubmitRequestedMessage,
    events.SessionSubmitted: SessionSubmittedMessage,
    events.SolutionsRevealed: SolutionsRevealedMessage,
    events.EngineDetached: EngineDetachedMessage,
    events.EngineFailed: EngineFailedMessage,
    events.RunStarted: RunStartedMessage,
    events.RunEnded: RunEndedMessage,
    events.QuestionReady: QuestionReadyMessage,
    events.QuestionDataFailed: QuestionDataFailedMessage,
}


def engine_message(event: events.SessionEvent) -> EngineMessage[Any]:
    """The message that carries ``event`` into the app."""
    return MESSAGE_FOR_EVENT[type(event)](event)


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


class ErrorReported(Message):
    """Something failed that the candidate must hear of: the app logs it and shows a dialog
    (its one error handler), whichever screen it happened on."""

    def __init__(self, title: str, message: str, error: BaseException | None = None) -> None:
        super().__init__()
        self.title = title
        self.message = message
        self.error = error
