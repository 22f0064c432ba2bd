"""Build hook: in the wheel, each shipped exam's graders and reference solutions are packed into
one ``sealed.zip`` instead of plain files (see ``simulator/exam/hidden_files.py``, which reads them).

A development checkout and an editable install keep the plain files, to write and review them.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _sealing(root: Path) -> ModuleType:
    """``simulator/exam/hidden_files.py`` on its own (standard library only; nothing else of tfexam
    is installed in the build environment)."""
    path = root / "simulator" / "exam" / "hidden_files.py"
    spec = importlib.util.spec_from_file_location("tfexam_build_hidden_files", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SealHiddenFiles(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        sealing = _sealing(root)
        self._scratch = Path(tempfile.mkdtemp(prefix="tfexam-sealed-"))
        for exam_toml in sorted((root / "mock_exams").glob("*/exam.toml")):
            exam = exam_toml.parent
            archive = self._scratch / exam.name / sealing.SEALED_ARCHIVE
            if sealing.seal(exam, sealing.HIDDEN_FILES, archive):
                target = f"mock_exams/{exam.name}/{sealing.SEALED_ARCHIVE}"
                build_data["force_include"][str(archive)] = target

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
