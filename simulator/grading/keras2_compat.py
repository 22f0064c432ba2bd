"""Make Keras-2 (``tf.keras``) ``.h5`` model files loadable by Keras 3, in a copy.

Why this exists
---------------
Exam candidates often submit ``.h5`` files saved by Keras 2 (TensorFlow 2.3-2.15). Keras 3
reads the legacy HDF5 format, but it rebuilds layers from the JSON ``model_config``
attribute and rejects some Keras-2-only settings in it. Measured with Keras 3.15:

- ``time_major`` (every Keras-2 RNN config has it, also the layers wrapped by
  ``Bidirectional``): ``Unrecognized keyword arguments passed to LSTM: {'time_major':
  False}``. ``custom_objects`` cannot help because wrappers deserialize their inner layer
  themselves.
- Layers inside wrappers / RNN cells without a ``"module"`` key (TF <= 2.12 wrote none):
  ``Could not locate class 'LSTM'``.
- Keras-2 dtype-policy dicts (``{"class_name": "Policy", ...}``, mixed precision):
  ``AttributeError: 'str' object has no attribute 'quantization_mode'``.
- ``batch_input_shape`` on the first layer of a Sequential that has no ``InputLayer``:
  Keras 3 turns it into ``input_shape`` *including* the batch axis, so the model is built
  with one axis too many: it fails (``expected ndim=3, found ndim=4``) or, worse, loads and
  predicts wrong values. On an ``InputLayer`` and on later layers of a model Keras 3 copes;
  on a layer inside a wrapper it is an unknown argument.
- ``input_length`` on ``Embedding``: Keras >= 3.3 only warns (early Keras 3 rejected it).

The fix is to rewrite those keys to what Keras 3 expects. A copy is made only when at least
one rewrite is *required* (Keras 3 would fail or build a wrong model); the copy then also
gets the harmless normalizations (``input_length``, ``batch_input_shape``). The candidate's
file is never touched: the rewrite happens in a copy under a caller-chosen work directory.

This module deliberately imports neither TensorFlow nor Keras: it only edits JSON, so it
is cheap and it can inspect a file (e.g. look for ``Lambda`` layers) before anything is
deserialized.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py

__all__ = [
    "LegacyFix",
    "find_layer_classes",
    "read_h5_model_config",
    "rewrite_legacy_h5",
]

MODEL_CONFIG_ATTR = "model_config"

# Config keys under which a layer config nests another layer (or cell) config that Keras 3
# deserializes with its *new* deserializer, which needs a "module" key to find built-ins.
_NESTED_LAYER_KEYS = ("layer", "backward_layer", "cell", "cells")
# Keras-2 dtype-policy class names; Keras 3 calls its classes "DTypePolicy" & co.
_KERAS2_POLICY_CLASSES = frozenset({"Policy", "PolicyV1"})
_COPY_SUFFIX = "_keras3compat"

JSONDict = dict[str, Any]


@dataclass(frozen=True)
class LegacyFix:
    """A rewritten copy of a Keras-2 ``.h5`` file.

    ``path`` is the copy to load instead of the original; ``changes`` says, in words, what
    was rewritten (for the grading report), e.g. ``"removed time_major from 2 LSTM layers"``.
    """

    path: Path
    changes: tuple[str, ...]


def read_h5_model_config(path: Path) -> JSONDict | None:
    """Return the parsed ``model_config`` attribute of an HDF5 model file.

    Returns ``None`` when the file has no such attribute (e.g. a weights-only file).
    Raises ``OSError`` if ``path`` is not HDF5 and ``ValueError`` if the attribute is not a
    JSON object. The file is opened read-only.
    """
    with h5py.File(path, "r") as h5:
        raw = h5.attrs.get(MODEL_CONFIG_ATTR)
    if raw is None:
        return None
    text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    config = json.loads(text)
    if not isinstance(config, dict):
        raise ValueError(f"{path}: {MODEL_CONFIG_ATTR} is not a JSON object")
    return config


def _iter_dicts(node: object) -> Iterator[JSONDict]:
    """Yield every dict in a JSON tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))


def _layer_dicts(node: object) -> Iterator[tuple[str, JSONDict, JSONDict]]:
    """Yield ``(class_name, serialized_object, its_config)``, parents before children."""
    for item in _iter_dicts(node):
        class_name = item.get("class_name")
        config = item.get("config")
        if isinstance(class_name, str) and isinstance(config, dict):
            yield class_name, item, config


def find_layer_classes(config: object) -> set[str]:
    """Return every ``class_name`` anywhere in a Keras model config.

    Searches the whole JSON tree, so layers inside nested models, ``Bidirectional`` /
    ``TimeDistributed`` wrappers, RNN cells and Functional configs are all found. It
    over-approximates on purpose (initializers, regularizers and dtype policies have a
    ``class_name`` too): it is meant for deny-list checks such as "is there a ``Lambda``?"
    before deserializing, where missing a nested layer would be worse than an extra name.
    """
    return {
        item["class_name"]
        for item in _iter_dicts(config)
        if isinstance(item.get("class_name"), str)
    }


class _ChangeLog:
    """Counts rewrites per (sentence, layer class) and remembers if any was *required*.

    Required rewrites are those without which Keras 3 fails (or silently builds the wrong
    model). The others only normalize deprecated spellings Keras 3 still accepts; they are
    applied when a copy is made anyway, but never cause one.
    """

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str]] = Counter()
        self.required = False

    def add(self, template: str, class_name: str, *, required: bool) -> None:
        self._counts[(template, class_name)] += 1
        self.required = self.required or required

    def render(self) -> tuple[str, ...]:
        lines = []
        for (template, class_name), count in self._counts.items():
            plural = "" if count == 1 else "s"
            lines.append(
                template.format(n=count, cls=class_name, layers=f"layer{plural}", s=plural)
            )
        return tuple(lines)


def _legacy_path_layers(config: object) -> set[int]:
    """Ids of the layer dicts Keras 3 rebuilds with its *legacy* H5 deserializer.

    Those are the entries of a model's ``layers`` list without a ``"module"`` key. Keras 3
    pops ``batch_input_shape`` from them itself; every other layer dict (wrapped layers,
    RNN cells, entries that have a ``"module"``) goes through the new deserializer, which
    rejects ``batch_input_shape`` as an unknown argument.
    """
    ids: set[int] = set()
    for _, _, layer_config in _layer_dicts(config):
        layers = layer_config.get("layers")
        if isinstance(layers, list):
            ids.update(id(x) for x in layers if isinstance(x, dict) and "module" not in x)
    return ids


def _input_layer_for(first_config: JSONDict, batch_shape: object) -> JSONDict:
    """Build the ``InputLayer`` config that Keras 2 implied for a Sequential's first layer."""
    input_config: JSONDict = {"batch_shape": batch_shape}
    dtype = first_config.get("dtype")
    if isinstance(dtype, str) and not dtype.startswith("mixed_"):
        input_config["dtype"] = dtype
    name = first_config.get("name")
    if isinstance(name, str):
        input_config["name"] = f"{name}_input"
    return {"class_name": "InputLayer", "config": input_config}


def _fix_sequential_without_input(class_name: str, config: JSONDict, log: _ChangeLog) -> None:
    """Give a Sequential whose first layer carries ``batch_input_shape`` an ``InputLayer``.

    Keras 3 would turn that shape (batch axis included) into ``input_shape`` and build the
    model with one axis too many: loading fails or, for Dense-only models, succeeds and
    predicts wrong values. An explicit ``InputLayer(batch_shape=...)`` is exact and keeps a
    fixed batch size (stateful RNNs). Keras 2 (tf.keras) always saves that InputLayer, but
    older standalone Keras 2 did not.
    """
    if class_name != "Sequential":
        return
    layers = config.get("layers")
    if not isinstance(layers, list) or not layers or not isinstance(layers[0], dict):
        return
    first = layers[0]
    first_config = first.get("config")
    if first.get("class_name") == "InputLayer" or not isinstance(first_config, dict):
        return
    batch_shape = first_config.pop("batch_input_shape", None)
    if batch_shape is None:
        return
    layers.insert(0, _input_layer_for(first_config, batch_shape))
    log.add(
        "added the InputLayer implied by batch_input_shape to {n} {cls} model{s}",
        class_name,
        required=True,
    )


def _fix_layer(
    class_name: str, item: JSONDict, config: JSONDict, legacy_ids: set[int], log: _ChangeLog
) -> None:
    """Rewrite the Keras-2-only keys of one serialized layer, in place."""
    # time_major=False is Keras 2's default and Keras 3's only behaviour. True has no
    # Keras 3 equivalent: it is left in so that loading fails loudly, not silently wrong.
    if "time_major" in config and config["time_major"] is False:
        del config["time_major"]
        log.add("removed time_major from {n} {cls} {layers}", class_name, required=True)

    if class_name == "Embedding" and "input_length" in config:
        # Keras 3 (>= 3.1) drops it with a deprecation warning; the shape is already in the
        # InputLayer / batch_input_shape.
        del config["input_length"]
        log.add("removed input_length from {n} {cls} {layers}", class_name, required=False)

    if "batch_input_shape" in config:
        shape = config.pop("batch_input_shape")
        if class_name == "InputLayer":
            # Keras 3's InputLayer still accepts the old name; batch_shape is the new one.
            config.setdefault("batch_shape", shape)
            log.add(
                "renamed batch_input_shape to batch_shape on {n} input {layers}", "", required=False
            )
        else:
            # Redundant: the model's InputLayer fixes the shape (see the Sequential fix).
            log.add(
                "removed batch_input_shape from {n} {cls} {layers}",
                class_name,
                required=id(item) not in legacy_ids,
            )

    dtype = config.get("dtype")
    if isinstance(dtype, dict) and dtype.get("class_name") in _KERAS2_POLICY_CLASSES:
        policy_config = dtype.get("config")
        if isinstance(policy_config, dict) and isinstance(policy_config.get("name"), str):
            # Keras 3 accepts the policy name ("mixed_float16") wherever a dtype goes.
            config["dtype"] = policy_config["name"]
            log.add(
                "replaced the Keras-2 dtype Policy dict on {n} {cls} {layers}",
                class_name,
                required=True,
            )

    for key in _NESTED_LAYER_KEYS:
        nested = config.get(key)
        for child in nested if isinstance(nested, list) else [nested]:
            if isinstance(child, dict) and "class_name" in child and "module" not in child:
                # No "registered_name" on purpose: Keras 3 then falls back to class_name,
                # so registered custom classes still resolve.
                child["module"] = "keras.layers"
                log.add(
                    "added the missing module to {n} {cls} {layers} inside wrappers/RNNs",
                    str(child["class_name"]),
                    required=True,
                )


def _rewrite_config(config: JSONDict) -> _ChangeLog:
    """Rewrite ``config`` in place; return the log of what changed."""
    log = _ChangeLog()
    legacy_ids = _legacy_path_layers(config)
    # Materialized first: the fixes insert and edit dicts while we would be iterating.
    for class_name, item, layer_config in list(_layer_dicts(config)):
        _fix_sequential_without_input(class_name, layer_config, log)
        _fix_layer(class_name, item, layer_config, legacy_ids, log)
    return log


def rewrite_legacy_h5(path: Path, workdir: Path) -> LegacyFix | None:
    """Copy a Keras-2 ``.h5`` into ``workdir`` with its config fixed for Keras 3.

    Returns ``None`` (and copies nothing) when the file has no ``model_config`` or nothing
    in it breaks Keras 3 (deprecated spellings Keras 3 still accepts do not count); then the
    original can be loaded as it is. Otherwise the copy is
    ``workdir/<stem>_keras3compat<suffix>`` (the suffix is kept because Keras picks the
    loader by extension) and its ``model_config`` keeps the original attribute type
    (``bytes`` for old Keras, ``str`` for newer). The original is only ever opened
    read-only.
    """
    config = read_h5_model_config(path)
    if config is None:
        return None
    log = _rewrite_config(config)
    if not log.required:
        return None

    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"{path.stem}{_COPY_SUFFIX}{path.suffix}"
    if target.resolve() == path.resolve():
        raise ValueError(f"refusing to overwrite the original file {path}")
    # copyfile, not copy2: a read-only original must not give a read-only copy.
    shutil.copyfile(path, target)

    with h5py.File(target, "r+") as h5:
        _write_like_before(h5.attrs, MODEL_CONFIG_ATTR, json.dumps(config))
    return LegacyFix(path=target, changes=log.render())


def _write_like_before(attrs: Any, name: str, text: str) -> None:
    """Replace a string attribute keeping its HDF5 string type.

    Old Keras (h5py 2) stored fixed-length byte strings, read back as ``bytes``; newer
    Keras stores variable-length strings, read back as ``str``. Loaders that test for one
    or the other keep working. ``text`` is ASCII (``json.dumps`` escapes the rest), so any
    string encoding fits it.
    """
    info = h5py.check_string_dtype(attrs.get_id(name).dtype)
    encoding = info.encoding if info is not None else "utf-8"
    if info is not None and info.length is not None:
        data = text.encode(encoding)
        attrs.create(name, data, dtype=h5py.string_dtype(encoding, len(data)))
    else:
        attrs.create(name, text, dtype=h5py.string_dtype(encoding))
