"""Image datasets that come as zips of class folders (horses-or-humans, rock-paper-scissors).

Helpers for the classic exams' image questions: list a zip's pictures by class folder, extract a
chosen subset into the workspace (the layout the real starter's ``zipfile.extractall`` produced),
and decode pictures for a grader exactly as ``flow_from_directory`` reads them (Pillow, RGB,
nearest-neighbour resize, pixel values divided by 255).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


@dataclass(frozen=True)
class Picture:
    """A picture in a zip: its member name and its class (the folder that holds it)."""

    member: str
    label: str


def pictures(archive: Path) -> list[Picture]:
    """Every picture of ``archive`` in member-name order, skipping macOS resource files."""
    found = []
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            if "__MACOSX" in path.parts or path.name.startswith("."):
                continue
            if len(path.parts) < 2:
                continue  # a picture outside any class folder has no label
            found.append(Picture(info.filename, path.parent.name))
    return sorted(found, key=lambda p: p.member)


def classes(chosen: list[Picture]) -> list[str]:
    """Class names in the order ``flow_from_directory`` numbers them (alphabetical)."""
    return sorted({p.label for p in chosen})


def extract(archive: Path, chosen: list[Picture], target: Path) -> None:
    """Write ``chosen`` under ``target`` at their paths in the zip (never outside ``target``)."""
    root = target.resolve()
    with zipfile.ZipFile(archive) as zipped:
        for picture in chosen:
            path = (root / picture.member).resolve()
            if root not in path.parents:
                raise ValueError(f"unsafe path in {archive.name}: {picture.member}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(zipped.read(picture.member))


def load(archive: Path, chosen: list[Picture], size: tuple[int, int]) -> np.ndarray:
    """Decode ``chosen`` as float32 (n, height, width, 3) in [0, 1], like ``rescale=1./255``."""
    from PIL import Image

    height, width = size
    out = np.empty((len(chosen), height, width, 3), dtype=np.float32)
    with zipfile.ZipFile(archive) as zipped:
        for index, picture in enumerate(chosen):
            with Image.open(io.BytesIO(zipped.read(picture.member))) as image:
                rgb = image.convert("RGB")
                if rgb.size != (width, height):
                    rgb = rgb.resize((width, height), Image.Resampling.NEAREST)
                out[index] = np.asarray(rgb, dtype=np.float32) / np.float32(255)
    return out


def split_by_class(
    chosen: list[Picture], per_class: int, rng: np.random.Generator
) -> tuple[list[Picture], list[Picture]]:
    """Draw ``per_class`` pictures of each class at random: (the rest, the drawn), in order."""
    drawn: set[str] = set()
    for label in classes(chosen):
        members = [p.member for p in chosen if p.label == label]
        drawn.update(str(m) for m in rng.choice(members, size=per_class, replace=False))
    return [p for p in chosen if p.member not in drawn], [p for p in chosen if p.member in drawn]
