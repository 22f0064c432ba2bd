"""Put on the ``PYTHONPATH`` of every training run tfexam starts: records each epoch's figures.

Keras prints progress only when ``verbose`` allows and in a form made for eyes; tfexam wants the
loss and the metrics of every epoch of every run, for the Run window's chart and the report. So
this ``sitecustomize`` adds one callback to ``keras.Model.fit``: after each epoch it appends a
JSON line to the file named by ``TFEXAM_EPOCHS``::

    {"epoch": 3, "epochs": 10, "logs": {"loss": 0.42, "val_loss": 0.51}, "at": 1795000000.1}

and, as the training begins, the GPUs it sees (``{"devices": ["GPU:0"], "at": ...}``; empty: the
CPU), for the Run window.

With ``TFEXAM_SLICE_S`` set (``tfexam estimate``), the training is a measured slice: the recorder
also times every batch, stops the training once that many seconds of batches have run (but not
before the first epoch's length is known), and writes one ``{"slice": {...}}`` line as it ends,
with what a projection of the full training needs (see :mod:`simulator.training.estimate`).

Nothing is imported early: TensorFlow and Keras load when the script imports them (the hook
waits for ``keras`` to be imported, then wraps ``fit``), so a script that sets environment
variables before its imports behaves as it would outside tfexam. A ``sitecustomize`` of the
candidate's own environment still runs (it is imported after this one). Standard library only:
this runs in the candidate's Python, which may not be tfexam's. Any failure here is swallowed:
the training must never fail because of tfexam.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import json
import math
import os
import sys
import time
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ENV = "TFEXAM_EPOCHS"
SLICE_ENV = "TFEXAM_SLICE_S"
#: A slice whose first epoch has no known length runs on to that epoch's end, up to this many
#: times its own length.
_UNKNOWN_STEPS_FACTOR = 3.0


def _write(path: str, line: dict[str, object]) -> None:
    with contextlib.suppress(OSError), Path(path).open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _devices() -> list[str]:
    """The GPUs TensorFlow sees (``["GPU:0"]``), empty on the CPU; TF is loaded by then."""
    tensorflow = sys.modules.get("tensorflow")
    try:
        found = tensorflow.config.list_physical_devices("GPU") if tensorflow else []
    except Exception:
        return []
    return [
        str(getattr(device, "name", device)).replace("/physical_device:", "") for device in found
    ]


class _Slice:
    """Times a training's batches and epochs, and says when a measured slice has run long enough.

    Only batch *begins* are timed: a callback with a batch-*end* hook makes Keras wait for every
    batch (no asynchronous dispatch), which would make the slice slower than the training it
    measures. A batch's time is the gap between two begins in the same epoch; an epoch's, the gap
    between two epoch begins.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.first_batch_s: float | None = None
        self.batch_s: list[float] = []
        #: Each epoch seen: [its wall time from begin to end, the batches it ran].
        self.epochs_seen: list[list[float]] = []
        #: When each epoch began, in seconds after the first began.
        self.epoch_begins: list[float] = []
        self._started: float | None = None
        self._first_begin: float | None = None
        self._last_begin: float | None = None
        self._measured_at: float | None = None
        self._cpu_at = 0.0
        self._epoch_at = 0.0

    def epoch_begin(self) -> None:
        self._epoch_at = time.perf_counter()
        if self._started is None:
            self._started = self._epoch_at
        self.epoch_begins.append(self._epoch_at - self._started)
        self._last_begin = None
        self.epochs_seen.append([0.0, 0])

    def batch_begin(self) -> None:
        now = time.perf_counter()
        self.epochs_seen[-1][1] += 1
        if self._first_begin is None:
            self._first_begin = now
        elif self._measured_at is None:  # the first batch traced the training step: apart
            self.first_batch_s = now - self._first_begin
            self._measured_at = now
            self._cpu_at = time.process_time()
        if self._last_begin is not None and self._measured_at != now:
            self.batch_s.append(now - self._last_begin)
        self._last_begin = now

    def epoch_end(self) -> None:
        self.epochs_seen[-1][0] = time.perf_counter() - self._epoch_at

    def done(self, steps: object) -> bool:
        """Enough measured: the slice's seconds of batches, and the epoch's length is known."""
        if self._measured_at is None:
            return False
        ran = time.perf_counter() - self._measured_at
        if ran < self.seconds:
            return False
        known = isinstance(steps, int) or len(self.epochs_seen) > 1
        return known or ran > self.seconds * _UNKNOWN_STEPS_FACTOR

    def summary(self, params: dict[str, object]) -> dict[str, object]:
        measured = self._measured_at
        wall = time.perf_counter() - measured if measured is not None else 0.0
        cpu = time.process_time() - self._cpu_at if measured is not None else 0.0
        complete = [int(e[1]) for e in self.epochs_seen[:-1]]
        steps = params.get("steps")
        return {
            "first_batch_s": self.first_batch_s,
            "batch_s": self.batch_s,
            "epochs_seen": self.epochs_seen,
            "epoch_begins": self.epoch_begins,
            "steps": steps if isinstance(steps, int) else (complete[0] if complete else None),
            "epochs": params.get("epochs"),
            "measured_wall_s": wall,
            "measured_cpu_s": cpu,
        }


def _patch(keras: object) -> None:
    """Wrap ``keras.Model.fit`` so that every call gets the epoch recorder."""
    model_class = getattr(keras, "Model", None)
    callback_base = getattr(getattr(keras, "callbacks", None), "Callback", None)
    fit = getattr(model_class, "fit", None)
    if model_class is None or callback_base is None or fit is None or hasattr(fit, "_tfexam"):
        return
    path = os.environ[ENV]
    slice_s = _number(os.environ.get(SLICE_ENV))

    class EpochRecorder(callback_base):  # type: ignore[misc, valid-type]
        def on_train_begin(self, logs: dict[str, object] | None = None) -> None:
            """Which devices the training sees: a GPU build and a visible GPU, or the CPU."""
            self._slice = _Slice(slice_s) if slice_s else None
            _write(path, {"devices": _devices(), "at": time.time()})

        def on_epoch_begin(self, epoch: int, logs: dict[str, object] | None = None) -> None:
            if self._slice is not None:
                self._slice.epoch_begin()

        def on_train_end(self, logs: dict[str, object] | None = None) -> None:
            if self._slice is not None:
                params = getattr(self, "params", None) or {}
                _write(path, {"slice": self._slice.summary(params), "at": time.time()})

        def on_epoch_end(self, epoch: int, logs: dict[str, object] | None = None) -> None:
            if self._slice is not None:
                self._slice.epoch_end()
            figures = {k: v for k, v in ((k, _number(v)) for k, v in (logs or {}).items())}
            params = getattr(self, "params", None) or {}
            _write(path, {"epoch": epoch + 1, "epochs": params.get("epochs"),
                          "logs": {k: v for k, v in figures.items() if v is not None},
                          "at": time.time()})  # fmt: skip

    class SliceRecorder(EpochRecorder):
        """A batch hook only in a measured slice: it costs a call per batch."""

        def on_train_batch_begin(self, batch: int, logs: dict[str, object] | None = None) -> None:
            if self._slice is None:
                return
            self._slice.batch_begin()
            if self._slice.done((getattr(self, "params", None) or {}).get("steps")):
                self.model.stop_training = True  # Keras stops after this batch

    def fit_with_recorder(self: object, *args: object, **kwargs: object) -> object:
        try:
            callbacks = list(kwargs.get("callbacks") or [])  # type: ignore[call-overload]
            if not any(isinstance(c, EpochRecorder) for c in callbacks):
                callbacks.append(SliceRecorder() if slice_s else EpochRecorder())
            kwargs["callbacks"] = callbacks
        except Exception:
            pass
        return fit(self, *args, **kwargs)

    fit_with_recorder._tfexam = True  # type: ignore[attr-defined]
    model_class.fit = fit_with_recorder


class _AfterKerasImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself; when ``keras`` is being imported, patches it once it has loaded."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "keras":
            return None
        spec: importlib.machinery.ModuleSpec | None = None
        for finder in [f for f in sys.meta_path if f is not self]:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader: Any = spec.loader
        exec_module = loader.exec_module
        finder_itself = self

        def exec_and_patch(module: types.ModuleType) -> None:
            exec_module(module)
            with contextlib.suppress(Exception):
                _patch(module)
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(finder_itself)

        loader.exec_module = exec_and_patch
        return spec


def _chain_to_the_environments_own() -> None:
    """Import the next ``sitecustomize`` on the path (the environment's own), if there is one."""
    here = Path(__file__).resolve().parent
    ours = sys.modules.pop("sitecustomize", None)
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    try:
        import sitecustomize  # type: ignore[import-not-found]  # noqa: F401  (the environment's)
    except ImportError:
        pass
    except Exception:
        pass
    finally:
        sys.path[:] = saved
        if ours is not None:
            sys.modules["sitecustomize"] = ours


if os.environ.get(ENV):
    try:
        if "keras" in sys.modules:
            _patch(sys.modules["keras"])
        else:
            sys.meta_path.insert(0, _AfterKerasImport())
    except Exception:
        pass
_chain_to_the_environments_own()
