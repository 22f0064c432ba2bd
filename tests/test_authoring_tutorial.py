"""The authoring guide's tutorial, run as written: every shell block of it, in order, in a fresh
folder, with ``tfexam``, ``python3`` and ``pip`` being this checkout's. What the guide says a
step prints is what the step printed.

``pip install`` goes into a folder of its own (``PIP_TARGET``, then on ``PYTHONPATH``), offline
and without build isolation, so the test changes nothing outside its temporary folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

GUIDE = REPO / "docs" / "authoring.md"


def tutorial_blocks() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## Tutorial") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```bash\n(.*?)```", section, re.S)


def _tools(folder: Path) -> Path:
    """A bin folder whose tfexam, python3 and pip are this checkout's interpreter."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    for name, args in (("tfexam", "-m simulator"), ("python3", ""), ("pip", "-m pip")):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" {args} "$@"\n', encoding="utf-8")
        script.chmod(0o755)
    return bin_dir


# Three checks (each regenerates every question's hidden data), a calibration and a pip install.
@pytest.mark.timeout(900)
def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    blocks = tutorial_blocks()
    assert len(blocks) == 5, "the tutorial's five steps"
    site = tmp_path / "site"
    env = {
        **os.environ,
        "PATH": f"{_tools(tmp_path)}{os.pathsep}{os.environ['PATH']}",
        "TFEXAM_HOME": str(tmp_path / "home"),
        "PIP_TARGET": str(site),
        "PIP_NO_INDEX": "1",
        "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's spelling: "0" turns build isolation off
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONPATH": os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH")) if p),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "COLUMNS": "200",  # tables as wide as a wide terminal: one row per exam
    }
    work = tmp_path / "work"
    work.mkdir()

    def run(block: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", block], cwd=work, env=env, capture_output=True, text=True,
            timeout=600, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    new_and_check = run(blocks[0])
    assert new_and_check.returncode == 0, new_and_check.stdout + new_and_check.stderr
    assert "our-exam: no problems" in new_and_check.stdout

    mistake = run(blocks[1])
    assert mistake.returncode == 1, mistake.stdout + mistake.stderr
    said = re.search(r"prints `(category4/starter\.py:\d+: saves [^`]*)`", GUIDE.read_text())
    assert said, "the guide says what step 2 prints"
    assert " ".join(said.group(1).split()) in mistake.stdout

    calibrated = run(blocks[2])
    assert calibrated.returncode == 0, calibrated.stdout + calibrated.stderr
    assert "our-exam: no problems (the scale holds)" in calibrated.stdout

    packed = run(blocks[3])
    assert packed.returncode == 0, packed.stderr
    installed = run(blocks[4])
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert re.search(r"our-exam .*package our-course-exams 1\.0", installed.stdout), (
        installed.stdout
    )
