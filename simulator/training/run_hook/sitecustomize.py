"""Put on the ``PYTHONPATH`` of every training run tfexam starts: records each epoch's figures.

Keras prints progress only when ``verbose`` allows and in a form made for eyes; tfexam wants the
loss and the metrics of every epoch of every run, for the Run window's chart and the report. So
this ``sitecustomize`` adds one callback to ``keras.Model.fit``: after each epoch it appends a
JSON line to the file named by ``TFEXAM_EPOCHS``::

    {"epoch": 3, "epochs": 10, "logs": {"loss": 0.42, "val_loss": 0.51}, "at": 1795000000.1}

and, as the training begins, the GPUs it sees (``{"devices": ["GPU:0"], "at": ...}``; empty: the
CPU), for the Run window.

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


def _patch(keras: object) -> None:
    """Wrap ``keras.Model.fit`` so that every call gets the epoch recorder."""
    model_class = getattr(keras, "Model", None)
    callback_base = getattr(getattr(keras, "callbacks", None), "Callback", None)
    fit = getattr(model_class, "fit", None)
    if model_class is None or callback_base is None or fit is None or hasattr(fit, "_tfexam"):
        return
    path = os.environ[ENV]

    class EpochRecorder(callback_base):  # type: ignore[misc, valid-type]
        def on_train_begin(self, logs: dict[str, object] | None = None) -> None:
            """Which devices the training sees: a GPU build and a visible GPU, or the CPU."""
            _write(path, {"devices": _devices(), "at": time.time()})

        def on_epoch_end(self, epoch: int, logs: dict[str, object] | None = None) -> None:
            figures = {k: v for k, v in ((k, _number(v)) for k, v in (logs or {}).items())}
            params = getattr(self, "params", None) or {}
            _write(path, {"epoch": epoch + 1, "epochs": params.get("epochs"),
                          "logs": {k: v for k, v in figures.items() if v is not None},
                          "at": time.time()})  # fmt: skip

    def fit_with_recorder(self: object, *args: object, **kwargs: object) -> object:
        try:
            callbacks = list(kwargs.get("callbacks") or [])  # type: ignore[call-overload]
            if not any(isinstance(c, EpochRecorder) for c in callbacks):
                callbacks.append(EpochRecorder())
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
