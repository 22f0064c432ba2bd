"""Importing an exam's own Python files (a question's ``grader.py`` or ``data.py``) by path.

Exam folders are data, not packages: their code is loaded from its file under a module name of
its own, so two questions can both have a ``grader.py``.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

from simulator.exam_format import Question


def load_question_module(question: Question, filename: str, role: str) -> ModuleType:
    """Execute ``question.folder / filename`` as a module named after its role and folder."""
    path = question.folder / filename
    spec = importlib.util.spec_from_file_location(f"tfexam_{role}_{question.folder.name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
