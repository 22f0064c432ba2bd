"""The per-epoch figures of a run, as the run hook records them (one JSON line per epoch).

Every run tfexam starts has :mod:`simulator.training.run_hook` on its ``PYTHONPATH``; its
``sitecustomize`` adds a Keras callback that appends ``{"epoch", "epochs", "logs", "at"}`` to the
run's ``*.epochs.jsonl`` file after each epoch, whatever ``verbose`` says. The Run window draws
its chart from these, and the progress of a ``verbose=0`` training comes from them; the output
parser stays the fallback for a script that runs outside tfexam's hook (another framework, an
old Keras).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Where the hook lives and the variable it reads: with the data paths, so that calibration (a
# lower layer) runs the reference solutions with the same hook.
from simulator.paths import EPOCHS_ENV as EPOCHS_ENV
from simulator.paths import RUN_HOOK_DIR as RUN_HOOK_DIR

#: A loss that spans more than this factor is drawn on a log scale (a regression's MSE falls by
#: orders of magnitude: on a linear scale every epoch after the first few would look flat).
LOG_SCALE_SPAN = 100.0


def wants_log_scale(values: list[float]) -> bool:
    """Whether a curve of ``values`` reads better on a log scale (the Run window's chart and the
    report's loss curves draw the same values the same way)."""
    return bool(values) and min(values) > 0 and max(values) / min(values) > LOG_SCALE_SPAN


@dataclass(frozen=True)
class EpochFigures:
    """One finished epoch: its number (from 1), the epochs asked for, and Keras' logs."""

    epoch: int
    epochs: int | None
    logs: dict[str, float] = field(default_factory=dict)
    at: float | None = None


def epochs_path(log_path: Path) -> Path:
    """Where a run's epochs are recorded: beside its log (``run-3-q.log`` -> ``run-3-q.epochs.jsonl``)."""
    return log_path.with_suffix(".epochs.jsonl")


def parse_line(line: str) -> EpochFigures | None:
    """One recorded line; None for a line that is not one (half written, or foreign)."""
    try:
        raw = json.loads(line)
        epoch = int(raw["epoch"])
        epochs = raw.get("epochs")
        logs = {
            str(name): float(value)
            for name, value in dict(raw.get("logs") or {}).items()
            if isinstance(value, (int, float)) and math.isfinite(float(value))
        }
        at = raw.get("at")
    except (ValueError, KeyError, TypeError):
        return None
    return EpochFigures(epoch, int(epochs) if isinstance(epochs, int) else None, logs,
                        float(at) if isinstance(at, (int, float)) else None)  # fmt: skip


def parse_devices(line: str) -> list[str] | None:
    """The GPUs of a ``{"devices": [...]}`` line (empty: the CPU); None for another line."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    devices = raw.get("devices") if isinstance(raw, dict) else None
    return [str(d) for d in devices] if isinstance(devices, list) else None


def device_label(devices: Sequence[str] | None) -> str | None:
    """Where a run trained, for people: ``GPU:0`` (GPUs), ``CPU`` (none seen), None (unknown).

    The one wording for the report and the Run window."""
    if devices is None:
        return None
    return ", ".join(devices) if devices else "CPU"


class EpochReader:
    """Reads a run's epochs file as it grows; a line still being written waits for its end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.figures: list[EpochFigures] = []
        #: The GPUs the training saw when fit() began (empty: the CPU; None: not known yet).
        self.devices: list[str] | None = None
        self._offset = 0
        self._partial = b""

    def read(self) -> bool:
        """Read what was added since last time; True if an epoch was added.

        The monitor asks four times a second and epochs end far less often: a look at the size
        (one ``stat``) spares the open, seek, read and close while nothing was added."""
        try:
            if self.path.stat().st_size <= self._offset:
                return False
            with self.path.open("rb") as stream:
                stream.seek(self._offset)
                data = stream.read()
        except OSError:
            return False
        if not data:
            return False
        self._offset += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        added = False
        for line in lines:
            devices = parse_devices(line.decode("utf-8", "replace"))
            if devices is not None:
                self.devices = devices
                continue
            figures = parse_line(line.decode("utf-8", "replace"))
            if figures is not None:
                if figures.epoch == 1 and self.figures:
                    self.figures = []  # a second fit() in the same script: its curve starts anew
                self.figures.append(figures)
                added = True
        return added


def read_epochs(log_path: Path) -> EpochReader:
    """Everything recorded for the run whose log is ``log_path`` (an ended run's, at once)."""
    reader = EpochReader(epochs_path(log_path))
    reader.read()
    return reader
