"""Reading Keras' training progress from a run's output.

Understands both progress styles of ``model.fit``: ``verbose=1`` (a bar redrawn with ``\\r`` and
backspaces: ``12/57 ━━━━━━━ 0s 5ms/step - accuracy: 0.81 - loss: 0.42``) and ``verbose=2`` (one
line per epoch: ``57/57 - 1s - 9ms/step - accuracy: 0.57 - loss: 0.66``), each after an
``Epoch 3/10`` line. Validation metrics (``val_loss``...) are kept like the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from simulator.training.terminal_text import hold_back_escape, plain, split_segments

EPOCH = re.compile(r"^\s*Epoch (\d+)/(\d+)\s*$")
STEP = re.compile(r"^\s*(\d+)/(\d+)\s+(?:\S*━|-\s)")
METRIC = re.compile(r"\s-\s([A-Za-z_][\w.]*):\s(-?(?:\d+(?:\.\d*)?(?:e[-+]?\d+)?|nan|inf))", re.I)
#: An unfinished line longer than this is not progress output; it is dropped, not kept growing.
MAX_PARTIAL = 4096


@dataclass(frozen=True)
class TrainingProgress:
    """Where a run is: epoch i of n, step j of m within it, and the latest metrics."""

    epoch: int | None = None
    epochs: int | None = None
    step: int | None = None
    steps: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def fraction(self) -> float | None:
        """Share of all epochs done (0-1), counting the current epoch's steps."""
        if not self.epoch or not self.epochs:
            return None
        within = self.step / self.steps if self.step and self.steps else 0.0
        return min(1.0, (self.epoch - 1 + within) / self.epochs)

    def label(self) -> str:
        """``epoch 3/10 · step 12/57 · loss 0.421``; empty before the first epoch."""
        parts = []
        if self.epoch and self.epochs:
            parts.append(f"epoch {self.epoch}/{self.epochs}")
        if self.step and self.steps and self.step < self.steps:
            parts.append(f"step {self.step}/{self.steps}")
        loss = self.metrics.get("loss")
        if loss is not None:
            parts.append(f"loss {loss:.4g}")
        return " · ".join(parts)


class ProgressParser:
    """Feed it output as it comes (any chunking); ``progress`` is the latest state."""

    def __init__(self) -> None:
        self.progress = TrainingProgress()
        self.epochs_seen = 0
        self._partial = ""
        self._escape = ""

    def feed(self, chunk: str) -> TrainingProgress:
        complete, self._escape = hold_back_escape(self._escape + chunk)
        segments = split_segments(self._partial + plain(complete))
        self._partial = segments.pop()
        if len(self._partial) > MAX_PARTIAL:
            self._partial = ""
        for segment in segments:
            self._read(segment)
        if STEP.match(self._partial):
            self._read(self._partial)  # a bar redrawn in place has no line end yet
        return self.progress

    def _read(self, segment: str) -> None:
        epoch = EPOCH.match(segment)
        if epoch:
            number, total = int(epoch.group(1)), int(epoch.group(2))
            if number != self.progress.epoch:
                self.epochs_seen += 1
            self.progress = replace(self.progress, epoch=number, epochs=total, step=0)
            return
        step = STEP.match(segment)
        if step:
            metrics = {name: float(value) for name, value in METRIC.findall(segment)}
            self.progress = replace(
                self.progress,
                step=int(step.group(1)),
                steps=int(step.group(2)),
                metrics={**self.progress.metrics, **metrics},
            )
