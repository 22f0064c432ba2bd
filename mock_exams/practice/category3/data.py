"""Training data for Category 3 (CNN on real-world images): photos of hands playing
rock-paper-scissors, like the real exam's ``rps`` dataset, as 150x150 RGB JPEG files in one folder
per class (the folders sort as paper, rock, scissors: the Keras loaders' labels 0, 1, 2)::

    images/train/<paper|rock|scissors>/<class>NNNN.jpg        400 per class
    images/validation/<paper|rock|scissors>/<class>NNNN.jpg   100 per class

The "photos" are drawn: a hand (palm, forearm or sleeve, fingers out or folded) at a random
position, size, angle and skin or glove colour, with a drop shadow, over a random background
(gradients, stripes, tiles, blotches, wood grain) with clutter, then lit unevenly and given sensor
noise. Only the stretched fingers tell the classes apart (paper five, scissors two, rock none), so
a model has to find shapes anywhere in the picture: convolutions pay, a dense layer on the pixels
does not. The training pictures vary less than the validation and the grader's (see VARIETY), so
augmentation pays too.

NumPy, Pillow and the standard library only: this module runs in the engine process. Every picture
has its own random stream ``[seed, STREAM, split, index]``; the hidden grader (``grader.py``) draws
its pictures from a split ("test") that is never written here. Same seed, same bytes (for a given
Pillow and libjpeg).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

CLASSES = ("paper", "rock", "scissors")  # alphabetical: the order of the Keras loaders' labels
IMAGE_SIZE = 150  # pixels, square, RGB
ROOT = "images"
SPLITS = {"train": 0, "validation": 1, "test": 2}  # "test" is the grader's and never written
PER_CLASS = {"train": 400, "validation": 100, "test": 150}
STREAM = 3  # the question's own random stream under the exam seed
SUPERSAMPLE = 2  # the hand is drawn at twice the size and scaled down (smooth edges)
JPEG_QUALITY = 90  # like a camera's files

Array = np.ndarray


class Variety(NamedTuple):
    """How the hand varies in a split's pictures."""

    turn: float  # the hand turns up to this many half turns either way from upright
    palm: tuple[float, float]  # the palm's width, as a share of the picture's
    middle: tuple[float, float]  # where the middle of the hand lies, as shares of the picture
    left_hands: float  # the share of left hands (the others are right hands)


# The training pictures come from one family of photographers: right hands, fairly upright, at one
# distance. The validation pictures and the grader's come from others, like the real exam's
# rps-test-set: left hands too, turned further, nearer and further away. Augmentation (rotation,
# zoom, shift, horizontal flip) bridges the gap; without it a CNN loses a good part of its accuracy.
NARROW = Variety(turn=0.25, palm=(0.22, 0.28), middle=(0.42, 0.58), left_hands=0.0)
WIDE = Variety(turn=0.5, palm=(0.18, 0.32), middle=(0.38, 0.62), left_hands=0.5)
VARIETY = {"train": NARROW, "validation": WIDE, "test": WIDE}
SKIN_TONES = np.array(
    [
        (255, 224, 196),
        (241, 194, 160),
        (224, 172, 130),
        (198, 134, 86),
        (160, 100, 60),
        (120, 75, 45),
        (85, 55, 38),
    ],
    dtype=np.float64,
)


@cache
def _grid(size: int) -> tuple[Array, Array]:
    """Pixel coordinates in [-0.5, 0.5] (x to the right, y down)."""
    axis = (np.arange(size, dtype=np.float32) + 0.5) / size - 0.5
    return np.meshgrid(axis, axis)


def _skin(rng: np.random.Generator) -> Array:
    position = rng.uniform(0, len(SKIN_TONES) - 1)
    low = int(position)
    high = min(low + 1, len(SKIN_TONES) - 1)
    tone = SKIN_TONES[low] + (position - low) * (SKIN_TONES[high] - SKIN_TONES[low])
    jittered: Array = np.clip(tone * rng.uniform(0.92, 1.08, 3), 0, 255)
    return jittered


def _colour(rng: np.random.Generator) -> Array:
    """A random colour: often muted, sometimes vivid, sometimes skin-like."""
    kind = rng.uniform()
    if kind < 0.2:
        return _skin(rng)
    if kind < 0.6:
        grey = rng.uniform(30, 230)
        return np.clip(grey + rng.normal(0, 25, 3), 0, 255)
    return rng.uniform(0, 255, 3)


# ---------------------------------------------------------------------------------------------
# Backgrounds


def _mix(weight: Array, first: Array, second: Array) -> Array:
    weight = weight.astype(np.float32)[..., None]
    mixed: Array = first.astype(np.float32) + weight * (second - first).astype(np.float32)
    return mixed


def _smooth_noise(rng: np.random.Generator, size: int, cells: int) -> Array:
    coarse = Image.fromarray((rng.uniform(0, 255, (cells, cells))).astype(np.uint8))
    return np.asarray(coarse.resize((size, size), Image.Resampling.BICUBIC), np.float32) / 255


def _background(rng: np.random.Generator, size: int) -> Array:
    x, y = _grid(size)
    angle = rng.uniform(0, 2 * math.pi)
    along = x * math.cos(angle) + y * math.sin(angle)
    across = -x * math.sin(angle) + y * math.cos(angle)
    first, second = _colour(rng), _colour(rng)
    kind = int(rng.integers(6))
    if kind == 0:  # linear gradient
        weight = np.clip(along * rng.uniform(0.8, 2.0) + 0.5, 0, 1)
    elif kind == 1:  # radial gradient
        cx, cy = rng.uniform(-0.4, 0.4, 2)
        weight = np.clip(np.hypot(x - cx, y - cy) * rng.uniform(1.2, 2.5), 0, 1)
    elif kind == 2:  # stripes, soft or hard
        wave = np.sin(2 * math.pi * along * rng.uniform(3, 14) + rng.uniform(0, 6.3))
        weight = (wave > 0).astype(np.float32) if rng.uniform() < 0.5 else (wave + 1) / 2
    elif kind == 3:  # tiles
        frequency = rng.uniform(3, 10)
        weight = (np.floor(along * frequency) + np.floor(across * frequency)) % 2
    elif kind == 4:  # blotches (plaster, carpet, foliage)
        weight = _smooth_noise(rng, size, int(rng.integers(3, 9)))
    else:  # wood grain
        grain = _smooth_noise(rng, size, int(rng.integers(3, 6))) * rng.uniform(2, 6)
        weight = (np.sin(2 * math.pi * (across * rng.uniform(4, 12) + grain)) + 1) / 2
    picture: Array = np.clip(_mix(weight * rng.uniform(0.2, 0.7), first, second), 0, 255)
    return picture


def _clutter(rng: np.random.Generator, picture: Image.Image) -> None:
    """Objects lying around: discs, boxes, sticks and lines in random colours."""
    size = picture.width
    draw = ImageDraw.Draw(picture)
    for _ in range(int(rng.integers(0, 4))):
        colour = tuple(int(c) for c in _colour(rng))
        cx, cy = rng.uniform(-0.1, 1.1, 2) * size
        extent = rng.uniform(0.04, 0.25) * size
        kind = int(rng.choice(4, p=[0.35, 0.35, 0.15, 0.15]))
        if kind == 0:
            ratio = rng.uniform(0.4, 1.0)
            draw.ellipse(
                [cx - extent, cy - extent * ratio, cx + extent, cy + extent * ratio], colour
            )
        elif kind == 1:
            corners = _rotated(
                np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * [extent, extent * 0.6],
                rng.uniform(0, 2 * math.pi),
            )
            draw.polygon([(cx + px, cy + py) for px, py in corners], colour)
        else:  # a stick or a pen: finger-sized on purpose
            angle = rng.uniform(0, 2 * math.pi)
            dx, dy = math.cos(angle) * extent, math.sin(angle) * extent
            width = max(1, int(rng.uniform(0.01, 0.05) * size))
            draw.line([(cx - dx, cy - dy), (cx + dx, cy + dy)], colour, width)
            if kind == 3:
                for px, py in ((cx - dx, cy - dy), (cx + dx, cy + dy)):
                    r = width / 2
                    draw.ellipse([px - r, py - r, px + r, py + r], colour)


# ---------------------------------------------------------------------------------------------
# The hand, in its own units (palm width 1, fingers towards -y), then placed in the picture


def _rotated(points: Array, angle: float) -> Array:
    c, s = math.cos(angle), math.sin(angle)
    turned: Array = points @ np.array([[c, s], [-s, c]])
    return turned


def _capsule(base: tuple[float, float], direction: float, length: float, half: float) -> Array:
    """A finger: a rounded bar from ``base`` along ``direction`` (radians from -y, clockwise)."""
    arc = np.linspace(0, math.pi, 9)
    tip = np.stack([np.cos(arc) * half, -length - np.sin(arc) * half], axis=1)
    root = np.array([[-half, 0.0], [half, 0.0]])
    outline = np.concatenate([root[1:], tip, root[:1]])
    placed: Array = _rotated(outline, direction) + np.array(base)
    return placed


def _superellipse(half_x: float, half_y: float, power: float) -> Array:
    t = np.linspace(0, 2 * math.pi, 40, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    return np.stack(
        [
            half_x * np.sign(c) * np.abs(c) ** (2 / power),
            half_y * np.sign(s) * np.abs(s) ** (2 / power),
        ],
        axis=1,
    )


def _hand_parts(rng: np.random.Generator, label: str) -> list[tuple[str, Array]]:
    """The hand's outlines, back to front, each with its role ("arm", "sleeve", "skin")."""
    parts: list[tuple[str, Array]] = []
    arm_width = rng.uniform(0.3, 0.4)
    parts.append(
        ("arm", np.array([[-arm_width, 0.3], [arm_width, 0.3], [0.45, 6.0], [-0.45, 6.0]]))
    )
    if rng.uniform() < 0.5:
        cuff = rng.uniform(0.9, 1.6)
        parts.append(("sleeve", np.array([[-0.5, cuff], [0.5, cuff], [0.6, 6.0], [-0.6, 6.0]])))

    bases = [-0.36, -0.12, 0.12, 0.36]
    lengths = np.array([0.85, 0.95, 0.88, 0.68]) * rng.uniform(0.85, 1.15)
    half = rng.uniform(0.095, 0.12)
    out = {"paper": [0, 1, 2, 3], "rock": [], "scissors": [0, 1]}[label]
    spread = math.radians(rng.uniform(1, 12))
    folded_thumb = label != "paper"
    if not folded_thumb:
        angle = math.radians(rng.uniform(35, 80))
        parts.append(("skin", _capsule((0.38, 0.05), angle, rng.uniform(0.55, 0.7), half * 1.25)))
    for finger, x in enumerate(bases):
        if finger in out:
            if label == "scissors":
                angle = math.radians(rng.uniform(8, 25)) * (1 if finger == 1 else -1)
            else:
                angle = (finger - 1.5) * spread
            parts.append(("skin", _capsule((x, -0.3), angle, lengths[finger] + 0.25, half)))
        else:  # a folded finger: only its knuckle shows above the palm
            parts.append(("skin", _capsule((x, -0.3), 0.0, rng.uniform(0.18, 0.28), half * 1.1)))
    parts.append(("skin", _superellipse(0.5, 0.55, rng.uniform(2.5, 4.0)) + np.array([0.0, 0.05])))
    if folded_thumb:  # lying across the front of the palm
        direction = -math.radians(rng.uniform(50, 85))
        parts.append(("skin", _capsule((0.35, 0.2), direction, rng.uniform(0.4, 0.6), half * 1.2)))
    return parts


def _draw_hand(
    rng: np.random.Generator, label: str, size: int, variety: Variety
) -> tuple[Image.Image, Image.Image]:
    """The hand's colours and its coverage mask, both ``size`` x ``size``."""
    big = size * SUPERSAMPLE
    skin = _skin(rng) if rng.uniform() < 0.8 else _colour(rng)  # bare hand or a glove
    sleeve = _colour(rng)
    palm_width = rng.uniform(*variety.palm) * big
    # The arm comes in from the bottom or a side, never from the top; the middle of the hand
    # (between the wrist and the fingertips) lies near the middle of the picture.
    angle = rng.uniform(-variety.turn, variety.turn) * math.pi
    middle = _rotated(np.array([[0.0, -0.6]]) * palm_width, angle)[0]
    centre = rng.uniform(*variety.middle, 2) * big - middle
    left = rng.uniform() < variety.left_hands
    squash = np.array([rng.uniform(0.75, 1.1) * (-1 if left else 1), 1.0])
    edge = tuple(int(c) for c in skin * rng.uniform(0.45, 0.7))
    colours = Image.new("RGB", (big, big), edge)
    mask = Image.new("L", (big, big), 0)
    paint, cover = ImageDraw.Draw(colours), ImageDraw.Draw(mask)
    line = max(1, round(palm_width / 22))
    for role, outline in _hand_parts(rng, label):
        points = _rotated(outline * squash * palm_width, angle) + centre
        polygon = [(float(px), float(py)) for px, py in points]
        base = sleeve if role == "sleeve" else skin
        fill = tuple(int(c) for c in np.clip(base * rng.uniform(0.93, 1.07), 0, 255))
        paint.polygon(polygon, fill=fill, outline=edge, width=line)
        cover.polygon(polygon, fill=255)
    return (
        colours.resize((size, size), Image.Resampling.BOX),
        mask.resize((size, size), Image.Resampling.BOX),
    )


def render(
    rng: np.random.Generator, label: str, variety: Variety, size: int = IMAGE_SIZE
) -> Image.Image:
    """One picture of a hand showing ``label`` (one of CLASSES)."""
    background = Image.fromarray(_background(rng, size).astype(np.uint8))
    _clutter(rng, background)
    hand, mask = _draw_hand(rng, label, size, variety)

    # A soft shadow below the hand, then the hand itself.
    offset = rng.uniform(-0.05, 0.05, 2) * size
    shadow = mask.transform(
        mask.size, Image.Transform.AFFINE, (1, 0, -offset[0], 0, 1, -offset[1])
    ).filter(ImageFilter.GaussianBlur(rng.uniform(1.5, 4)))
    picture = np.asarray(background, np.float32)
    darkness = np.asarray(shadow, np.float32)[..., None] * np.float32(rng.uniform(0.2, 0.5) / 255)
    picture *= 1 - darkness
    alpha = np.asarray(mask, np.float32)[..., None] * np.float32(1 / 255)
    picture += (np.asarray(hand, np.float32) - picture) * alpha

    # Uneven light, a colour cast, exposure and sensor noise.
    x, y = _grid(size)
    light = rng.uniform(0, 2 * math.pi)
    ramp = 1 + rng.uniform(0, 0.8) * (x * math.cos(light) + y * math.sin(light))
    picture *= ramp.astype(np.float32)[..., None]
    picture *= (rng.uniform(0.7, 1.25) * rng.uniform(0.9, 1.1, 3)).astype(np.float32)
    noise = rng.standard_normal(picture.shape, dtype=np.float32)
    picture += noise * np.float32(rng.uniform(0, 4))
    return Image.fromarray(np.clip(np.rint(picture), 0, 255).astype(np.uint8))


def image_rng(seed: int, split: str, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, STREAM, SPLITS[split], index])


def images(seed: int, split: str) -> Iterator[tuple[int, int, Image.Image]]:
    """The split's pictures as (class index, number within its class, image), classes interleaved."""
    for index in range(PER_CLASS[split] * len(CLASSES)):
        label, number = index % len(CLASSES), index // len(CLASSES)
        rng = image_rng(seed, split, index)
        yield label, number, render(rng, CLASSES[label], VARIETY[split])


def jpeg_bytes(picture: Image.Image) -> bytes:
    """The picture as a JPEG file (the same bytes every time, for a given Pillow and libjpeg)."""
    encoded = io.BytesIO()
    picture.save(encoded, "JPEG", quality=JPEG_QUALITY)
    return encoded.getvalue()


def write_data(folder: Path, seed: int) -> None:
    """Write the training and validation pictures under ``folder / ROOT`` (same seed, same bytes)."""
    for split in ("train", "validation"):
        for name in CLASSES:
            (folder / ROOT / split / name).mkdir(parents=True, exist_ok=True)
        for label, number, picture in images(seed, split):
            name = CLASSES[label]
            (folder / ROOT / split / name / f"{name}{number:04d}.jpg").write_bytes(
                jpeg_bytes(picture)
            )
