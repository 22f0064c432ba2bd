"""Hidden grader data for Category 3 of practice-2 (horses or humans): never copied into the
workspace.

The grader draws 200 new pictures per class with the question's ``data.py``, from a random stream
of their own (split "test") and with the wider variety of the validation pictures, so none of them
is in the workspace. Each goes through the same JPEG encoding as the workspace files and is read
back with Pillow (what ``flow_from_directory`` uses), then scaled to [0, 1] by dividing by 255,
exactly like the starter's ``ImageDataGenerator(rescale=1.0 / 255)``. Labels are 0 for horses and
1 for humans, the alphabetical order of the class folders that ``flow_from_directory``
(``class_mode='binary'``) and ``image_dataset_from_directory`` use; a sigmoid output above 0.5
counts as "humans".
"""

from __future__ import annotations

import io
from types import ModuleType

import numpy as np
from PIL import Image

from simulator.authoring import sibling_module


def _data_module() -> ModuleType:
    return sibling_module(__file__, "data.py")


def test_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Pictures of shape (400, 150, 150, 3) as float32 in [0, 1], and their 0/1 labels (400,)."""
    data = _data_module()
    pictures, labels = [], []
    for label, _, picture in data.images(seed, "test"):
        with Image.open(io.BytesIO(data.jpeg_bytes(picture))) as decoded:
            pictures.append(np.asarray(decoded.convert("RGB"), dtype=np.uint8))
        labels.append(label)
    x = np.stack(pictures).astype(np.float32) / np.float32(255)
    return x, np.array(labels, dtype=np.int64)
