"""Helpers for the tests of one exam question: run a candidate's script in the question's folder
and grade what it saved, the way the exam does, and fingerprint the generated data."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from simulator.exam.format import Exam
from simulator.grading.job import grade
from simulator.grading.protocol import GradingJob, GradingResult


def run_script(folder: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in ``folder``, as a candidate runs a starter; it must succeed."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def grade_saved(exam: Exam, question_id: str, model: Path, seed: int) -> GradingResult:
    """Grade ``model`` in this process with the question's hidden grader; it must be gradable."""
    result = grade(GradingJob(1, str(model), str(exam.root), question_id, seed))
    assert result.state == "graded", result.message
    return result


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path: two writes of data compare equal."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def pixel_hash(picture: np.ndarray) -> str:
    """A fingerprint of a picture's 8-bit pixels, to find the same picture in two sets."""
    return hashlib.sha256(np.ascontiguousarray(picture, dtype=np.uint8).tobytes()).hexdigest()


def hidden_picture_hashes(pictures: np.ndarray) -> set[str]:
    """Fingerprints of a grader's hidden pictures (floats in [0, 1], as the model sees them)."""
    return {pixel_hash(np.rint(picture * 255)) for picture in pictures}


def jpeg_picture_hashes(folder: Path) -> set[str]:
    """Fingerprints of every JPEG under ``folder`` (a workspace's pictures), decoded to RGB."""
    found = set()
    for path in folder.rglob("*.jpg"):
        with Image.open(path) as picture:
            found.add(pixel_hash(np.asarray(picture.convert("RGB"))))
    return found
