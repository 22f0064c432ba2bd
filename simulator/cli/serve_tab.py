"""The exam screen of one browser tab: ``python -m simulator.cli.serve_tab SESSION``.

``tfexam serve`` (:mod:`simulator.serve`) starts this ahead of need: it imports the exam screen,
then waits for one JSON line on its input (the tab's terminal size, and ``after_pids``: the
tab processes still ending, whose engines this one's follows). Then it runs the app under Textual's web driver, whose
protocol uses this process's standard input and output.

So, first of all, the protocol's two descriptors are moved aside and descriptors 0, 1 and 2 are
pointed at ``/dev/null`` and the session's ``serve-tab.log``: a print, a warning or a child
process (grading workers, training runs, the data writer) writing to an inherited descriptor
cannot corrupt the stream.

It always runs the TUI (never the headless printer: its input and output are pipes) and always
resumes the one session ``serve`` created or chose. When the tab goes away the server asks the app
to quit: the unsaved editor texts are kept in the store at once, then the engine detaches as after
``q`` in a terminal (the clock and the runs keep going). The next tab's app is drawn meanwhile;
its engine starts once this one has let the session go (``after_pids``).

Exit codes: 0 the app ended, 3 the session has a live engine in another tfexam, 1 anything else
(a line on stderr, the traceback in ``serve-tab.log``).
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from simulator.logfile import log_to

if TYPE_CHECKING:
    from simulator.session.facade import SessionFacade
    from simulator.storage.store import Store

#: The session is open in another tfexam: the server says so in the tab instead of an error.
EXIT_BUSY = 3
#: How often the tab's process checks that ``tfexam serve`` is still there.
PARENT_CHECK_S = 0.5
#: How long the engine waits for the previous tab's engine to let the session go (it is ending:
#: the server forces it after 15 s and its claim goes stale 10 s after that).
FOLLOW_WAIT_S = 60.0
FOLLOW_POLL_S = 0.05

log = logging.getLogger(__name__)


def _protect_protocol_channel(log_file: Path) -> IO[bytes]:
    """Move the web driver's channel off descriptors 0 and 1; return the original stderr.

    ``os.dup`` gives descriptors that child processes do not inherit. Textual's web driver and
    its input reader use ``sys.__stdout__``/``sys.__stdin__``, so those are rebound to the moved
    descriptors; ``sys.stdout``/``sys.stderr`` go to the log.
    """
    protocol_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    server_err = os.fdopen(os.dup(2), "wb", buffering=0)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(null_fd)
    os.close(log_fd)
    # (setattr: typeshed marks the dunder streams final; Textual reads them, so they must move.)
    setattr(sys, "__stdin__", protocol_in)  # noqa: B010
    setattr(sys, "__stdout__", protocol_out)  # noqa: B010
    sys.stdin = protocol_in
    sys.stdout = sys.stderr = os.fdopen(1, "w", encoding="utf-8", closefd=False)
    return server_err


def _read_go_line(channel: IO[str]) -> dict[str, Any] | None:
    """The server's one line, read a byte at a time: the protocol's packets follow it, and a
    buffered read would take them from the web driver. None: the server let this spare go."""
    fd = channel.fileno()
    line = bytearray()
    while not line.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            return None
        line += byte
    go = json.loads(line)
    return go if isinstance(go, dict) else None


def _watch_parent(app: Any, parent: int) -> None:
    """End the app if ``tfexam serve`` goes away without saying so (killed): a tab's process
    must not hold the session's engine for nobody."""

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_S)
            if os.getppid() != parent:
                app.call_from_thread(app.exit, "detached")
                return

    threading.Thread(target=watch, name="serve-parent-watch", daemon=True).start()


def _wait_for_release(
    store: Store, session_id: str, after_pids: frozenset[int], closing: threading.Event
) -> None:
    """Until no tab process that is ending (``after_pids``) holds the session, or this app ends."""
    from simulator.storage.liveness import engine_is_live

    give_up = time.monotonic() + FOLLOW_WAIT_S
    while time.monotonic() < give_up and not closing.is_set():
        current = store.get_session(session_id)
        if current.engine_pid not in after_pids or not engine_is_live(current):
            return
        closing.wait(FOLLOW_POLL_S)


class _Following:
    """When the engine of this tab may start, and that it never starts once the app has ended.

    The previous tabs' processes (``after_pids``) are ending: one may still hold the session, or
    even be about to claim it (its engine was starting when its tab went away), so a start that
    finds one of them live waits and tries again. An app that ends while its engine waits (a
    quick second reload) never starts it; one that ends while it starts lets it finish first,
    then closes it.
    """

    def __init__(self, engine: Any, after_pids: frozenset[int]) -> None:
        self.engine = engine
        self.after_pids = after_pids
        self.closing = threading.Event()
        self.starting = threading.Lock()

    def facade(self) -> SessionFacade:
        from simulator.session.engine import EngineBusyError
        from simulator.session.facade import SessionFacade

        following = self

        class FollowingFacade(SessionFacade):
            def start(self) -> None:
                give_up = time.monotonic() + FOLLOW_WAIT_S
                while True:
                    following.wait()
                    with following.starting:
                        if following.closing.is_set():
                            return
                        try:
                            super().start()
                            return
                        except EngineBusyError:
                            if not following.held_by_predecessor() or time.monotonic() > give_up:
                                raise

        return FollowingFacade(self.engine)

    def wait(self) -> None:
        _wait_for_release(self.engine.store, self.engine.session.id, self.after_pids, self.closing)

    def held_by_predecessor(self) -> bool:
        holder = self.engine.store.get_session(self.engine.session.id).engine_pid
        return holder in self.after_pids

    def close(self) -> None:
        """The app has ended: no start from now on; one under way finishes, then the engine
        closes (and lets the session go)."""
        self.closing.set()
        with self.starting:
            self.engine.close()


def _browser_app(facade: SessionFacade, log_path: Path) -> Any:
    """The exam app, with three differences a browser tab needs (kept here, not in the app):

    - when the tab goes away (the server's ``quit``), the editor tabs' unsaved texts are kept
      in the store before the app ends, not only every few seconds;
    - texts kept that way come back in their tabs, unsaved, without the "Restore unsaved
      changes?" question a crash asks: a closed tab is not a crash;
    - the report offers no drill (the tab shows the one session its server runs).
    """
    from simulator.tui.app import ExamApp
    from simulator.tui.editor_area import EditorArea

    class BrowserExamApp(ExamApp):
        # Textual finds a relative CSS_PATH beside the module of the class: this one is elsewhere.
        CSS_PATH = str(Path(inspect.getfile(ExamApp)).with_name(str(ExamApp.CSS_PATH)))

        ASK_TO_RESTORE_UNSAVED = False
        # The tab shows the one session its server runs: a drill is started from a terminal.
        OFFERS_DRILLS = False

        async def _on_exit_app(self) -> None:
            try:
                self.exam_screen.query_one(EditorArea).keep_unsaved()
            except Exception:  # the screen may be gone already; the periodic copy stands
                log.exception("keeping unsaved texts on exit")
            await super()._on_exit_app()

    return BrowserExamApp(facade, log_path=log_path)


def run(session_key: str) -> int:
    """Wait for the server's word, then run the exam screen of ``session_key``; the exit code."""
    from simulator.paths import data_paths
    from simulator.storage.store import Store

    paths = data_paths()
    store = Store(paths.database)
    session = store.find_session(session_key)
    server_err = _protect_protocol_channel(paths.logs_dir(session.id) / "serve-tab.log")
    try:
        return _run(paths, store, session.id)
    except Exception as error:
        log.exception("the exam screen of a browser tab failed")
        server_err.write(f"{type(error).__name__}: {error}\n".encode())
        return 1


def _run(paths: Any, store: Store, session_id: str) -> int:
    log_path = paths.engine_log(session_id)
    log_to(log_path)
    # The imports a tab waits for, done before it asks.
    import textual.drivers.web_driver  # noqa: F401

    import simulator.tui.app
    import simulator.tui.editor_area  # noqa: F401
    from simulator.session.sessions import engine_of
    from simulator.storage.liveness import engine_is_live

    go = _read_go_line(sys.stdin)
    if go is None:
        return 0
    os.environ["COLUMNS"] = str(int(go.get("width", 80)))
    os.environ["ROWS"] = str(int(go.get("height", 24)))
    after_pids = frozenset(int(pid) for pid in go.get("after_pids", ()))

    current = store.get_session(session_id)
    if engine_is_live(current) and current.engine_pid not in after_pids:
        return EXIT_BUSY
    following = _Following(engine_of(store, paths, current), after_pids)
    app = _browser_app(following.facade(), log_path)
    _watch_parent(app, os.getppid())
    try:
        app.run()
    finally:
        following.close()
    return int(app.return_code or 0)


def main() -> None:
    if len(sys.argv) != 2:
        print("usage: python -m simulator.cli.serve_tab SESSION", file=sys.stderr)
        sys.exit(2)
    sys.exit(run(sys.argv[1]))


if __name__ == "__main__":
    main()
