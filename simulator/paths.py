"""Where tfexam keeps its state: ``$TFEXAM_HOME`` if set, else the platform's user data folder.

All sessions of a user share one SQLite store there; each session also gets a folder for its
graded-file copies and grading logs. Keeping the layout in one module keeps it documented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

HOME_ENV = "TFEXAM_HOME"
#: The folder put first on the ``PYTHONPATH`` of a training run whose epochs tfexam records (the
#: candidate's runs, and the reference's in ``tfexam calibrate``): it holds the run hook's
#: ``sitecustomize.py``, which appends each epoch's figures to the file named by
#: :data:`EPOCHS_ENV`. The format is read by ``simulator.training.epochs``.
RUN_HOOK_DIR = Path(__file__).resolve().parent / "training" / "run_hook"
#: The variable that tells the run hook where to write.
EPOCHS_ENV = "TFEXAM_EPOCHS"


@dataclass(frozen=True)
class DataPaths:
    """The files and folders under the data directory."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "tfexam.db"

    @property
    def user_exams(self) -> Path:
        """Exams a user added by hand; shown by ``tfexam exams`` beside the shipped ones."""
        return self.root / "exams"

    def session_dir(self, session_id: str) -> Path:
        return self.root / "sessions" / session_id

    def blobs_dir(self, session_id: str) -> Path:
        """Content-addressed copies of every graded model file of a session."""
        return self.session_dir(session_id) / "attempts"

    def logs_dir(self, session_id: str) -> Path:
        return self.session_dir(session_id) / "logs"

    def engine_log(self, session_id: str) -> Path:
        """The log of the process that runs the session's engine (``simulator.logfile``)."""
        return self.logs_dir(session_id) / "engine.log"

    @property
    def scratch_logs(self) -> Path:
        """Logs of grading done outside any session (``tfexam grade``)."""
        return self.root / "logs"

    @property
    def check_cache(self) -> Path:
        """What ``tfexam check`` found about each grader's hidden data, so a check after a change
        runs only the graders the change could affect (``simulator.grading.check_cache``)."""
        return self.root / "cache" / "check"


def data_paths() -> DataPaths:
    """Resolve the data directory from the environment, creating it on first use."""
    override = os.environ.get(HOME_ENV)
    root = (
        Path(override).expanduser()
        if override
        else Path(platformdirs.user_data_dir("tfexam", appauthor=False))
    )
    root.mkdir(parents=True, exist_ok=True)
    return DataPaths(root=root.resolve())


def run_hook_env(epochs_file: Path, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a run whose epochs the hook records into ``epochs_file``: ``environ``
    (default this process's) with the hook's folder first on ``PYTHONPATH``."""
    env = dict(os.environ if environ is None else environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(RUN_HOOK_DIR), env.get("PYTHONPATH", "")) if p
    )
    env[EPOCHS_ENV] = str(epochs_file)
    return env
