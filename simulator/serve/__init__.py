"""The exam screen in a browser tab (``tfexam serve``): a view layer beside ``simulator.tui``.

The server (:mod:`.server`) guards every route (:mod:`.access`), runs one exam-screen process for
the tab that holds the exam (:mod:`.tabs`, :mod:`.bridge`) and shows the other tabs where the
exam is (:mod:`.notices`). It imports the session store, never Textual's app nor TensorFlow: the
exam screen itself is ``python -m simulator.cli.serve_tab SESSION``, started per tab.
"""

from simulator.serve.server import ExamServer, ServedExam, bind, serve_until_stopped

__all__ = ["ExamServer", "ServedExam", "bind", "serve_until_stopped"]
