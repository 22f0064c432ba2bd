"""Importing an exam's own Python files (a question's ``grader.py`` or ``data.py``) by path.

Exam folders are data, not packages: their code is loaded from its file under a module name of
its own, so two questions can both have a ``grader.py``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from simulator.exam.format import Question
from simulator.exam.hidden_files import hidden_bytes


def load_module_file(path: Path, name: str) -> ModuleType:
    """Execute a Python file as a module called ``name`` (not registered in ``sys.modules``)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_question_module(question: Question, filename: str, role: str) -> ModuleType:
    """Execute ``question.folder / filename`` as a module named after its role and folder; a
    hidden file of an installed exam is read from its sealed archive (:mod:`hidden_files`),
    with ``__file__`` where the plain file would be, so ``sibling_module`` finds its data code."""
    path = question.folder / filename
    name = f"tfexam_{role}_{question.folder.name}"
    if path.exists():
        return load_module_file(path, name)
    module = ModuleType(name)
    module.__file__ = str(path)
    exec(compile(hidden_bytes(question.folder, filename), str(path), "exec"), module.__dict__)
    return module


def sibling_module(anchor: str, filename: str) -> ModuleType:
    """For an exam's own code: load ``filename`` from the folder of the file ``anchor``.

    A question's ``grader.py`` calls ``sibling_module(__file__, "data.py")`` to regenerate the
    data its ``data.py`` wrote, from the same code.
    """
    folder = Path(anchor).resolve().parent
    return load_module_file(
        folder / filename,
        f"tfexam_sibling_{folder.parent.name}_{folder.name}_{Path(filename).stem}",
    )
