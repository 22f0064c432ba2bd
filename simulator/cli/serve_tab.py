"""The exam screen of one browser tab: ``python -m simulator.cli.serve_tab SESSION``.

``tfexam serve`` (:mod:`simulator.serve`) starts this ahead of need: it imports the exam screen,
then waits for one JSON line on its input (the tab's terminal size, and ``after_pid``: the tab
process whose engine this one follows). Then it runs the app under Textual's web driver, whose
protocol uses this process's standard input and output.

So, first of all, the protocol's two descriptors are moved aside and descriptors 0, 1 and 2 are
pointed at ``/dev/null`` and the session's ``serve-tab.log``: a print, a warning or a child
process (grading workers, training runs, the data writer) writing to an inherited descriptor
cannot corrupt the stream.

It always runs the TUI (never the headless printer: its input and output are pipes) and always
resumes the one session ``serve`` created or chose. When the tab goes away the server asks the app
to quit: the unsaved editor texts are kept in the store at once, then the engine detaches as after
``q`` in a terminal (the clock and the runs keep going). The next tab's app is drawn meanwhile;
its engine starts once this one has let the session go (``after_pid``).

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


def _wait_for_release(store: Store, session_id: str, after_pid: int) -> None:
    """Until the previous tab's engine (``after_pid``) no longer holds the session."""
    from simulator.storage.liveness import engine_is_live

    give_up = time.monotonic() + FOLLOW_WAIT_S
    while time.monotonic() < give_up:
        current = store.get_session(session_id)
        if current.engine_pid != after_pid or not engine_is_live(current):
            return
        time.sleep(FOLLOW_POLL_S)
    log.warning("the previous tab's engine (pid %s) still holds the session", after_pid)


def _following(engine: Any, after_pid: int | None) -> SessionFacade:
    """The app's facade; its engine starts once the previous tab's has let the session go."""
    from simulator.session.facade import SessionFacade

    class FollowingFacade(SessionFacade):
        def start(self) -> None:
            if after_pid is not None:
                _wait_for_release(engine.store, engine.session.id, after_pid)
            super().start()

    return FollowingFacade(engine)


def _browser_app(facade: SessionFacade, log_path: Path) -> Any:
    """The exam app, with two differences a browser tab needs (kept here, not in the app):

    - when the tab goes away (the server's ``quit``), the editor tabs' unsaved texts are kept
      in the store before the app ends, not only every few seconds;
    - texts kept that way come back in their tabs, unsaved, without the "Restore unsaved
      changes?" question a crash asks: a closed tab is not a crash.
    """
    from simulator.tui.app import ExamApp
    from simulator.tui.editor_area import EditorArea

    class BrowserExamApp(ExamApp):
        # Textual finds a relative CSS_PATH beside the module of the class: this one is elsewhere.
        CSS_PATH = str(Path(inspect.getfile(ExamApp)).with_name(str(ExamApp.CSS_PATH)))

        async def _on_exit_app(self) -> None:
            try:
                self.query_one(EditorArea).keep_unsaved()
            except Exception:  # the screen may be gone already; the periodic copy stands
                log.exception("keeping unsaved texts on exit")
            await super()._on_exit_app()

        def _offer_unsaved(self) -> None:
            area = self.query_one(EditorArea)
            for buffer in self.facade.unsaved_buffers():
                try:
                    on_disk = buffer.path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    on_disk = None
                if on_disk == buffer.text:
                    self.facade.drop_unsaved(buffer.path)
                else:
                    area.open_file(buffer.path, text=buffer.text)

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
    log_path = paths.logs_dir(session_id) / "engine.log"
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().handlers[:] = [handler]
    logging.getLogger().setLevel(logging.INFO)
    # The imports a tab waits for, done before it asks.
    import textual.drivers.web_driver  # noqa: F401

    import simulator.tui.app
    import simulator.tui.editor_area  # noqa: F401
    from simulator.session.engine import Engine
    from simulator.session.sessions import exam_of
    from simulator.storage.liveness import engine_is_live

    go = _read_go_line(sys.stdin)
    if go is None:
        return 0
    os.environ["COLUMNS"] = str(int(go.get("width", 80)))
    os.environ["ROWS"] = str(int(go.get("height", 24)))
    after_pid = go.get("after_pid")
    after_pid = int(after_pid) if after_pid is not None else None

    current = store.get_session(session_id)
    if engine_is_live(current) and current.engine_pid != after_pid:
        return EXIT_BUSY
    engine = Engine(store, paths, current, exam_of(current, paths))
    app = _browser_app(_following(engine, after_pid), log_path)
    _watch_parent(app, os.getppid())
    try:
        app.run()
    finally:
        engine.close()
    return int(app.return_code or 0)


def main() -> None:
    if len(sys.argv) != 2:
        print("usage: python -m simulator.cli.serve_tab SESSION", file=sys.stderr)
        sys.exit(2)
    sys.exit(run(sys.argv[1]))


if __name__ == "__main__":
    main()
