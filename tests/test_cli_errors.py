"""How the tfexam command fails: a mistake of the user's is one line that says what to do; a bug
(a KeyError anywhere) is shown as a bug, never dressed up as a usage message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simulator.exam.catalog import find_exam
from simulator.exam.format import UnknownQuestionError
from simulator.paths import data_paths
from tests.conftest import REPO, run_cli

KNOWN = "basic-model, learning-dataset, image-classification, text-classification, time-series"


@pytest.mark.parametrize(
    "args",
    [
        ("notebook", "99", "--exam", "practice"),
        ("grade", "missing.h5", "--exam", "practice", "--question", "99"),
    ],
    ids=["notebook", "grade"],
)
def test_an_unknown_question_is_one_line_naming_the_known_ones(
    tfexam_home: Path, args: tuple[str, ...]
) -> None:
    done = run_cli(*args)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == f"tfexam: error: exam 'practice' has no question '99' (known: {KNOWN})\n"


def test_an_unknown_question_is_its_own_error_not_a_key_error(tfexam_home: Path) -> None:
    exam = find_exam("practice", data_paths())
    with pytest.raises(UnknownQuestionError, match="has no question 'nope'") as raised:
        exam.question("nope")
    assert not isinstance(raised.value, KeyError)


def _exams_with_a_key_error(*flags: str) -> subprocess.CompletedProcess[str]:
    """``tfexam exams`` where listing the exams hits a KeyError (a bug, planted here)."""
    probe = (
        "import simulator.cli, simulator.cli.exams as exams;"
        "exams.list_exams = lambda paths: {}['planted'];"
        f"simulator.cli.main([*{list(flags)!r}, 'exams'])"
    )
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=120
    )


def test_a_key_error_is_reported_as_a_bug_with_its_traceback_under_debug(
    tfexam_home: Path,
) -> None:
    plain = _exams_with_a_key_error()
    assert plain.returncode == 1
    assert plain.stderr == (
        "tfexam: error: KeyError: 'planted' (run with --debug for the traceback)\n"
    )
    debug = _exams_with_a_key_error("--debug")
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().endswith("KeyError: 'planted'")
