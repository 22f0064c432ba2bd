"""Training data for practice-2's Category 3 (binary CNN on real-world images): pictures of horses
and of people, like the real exam's ``horse-or-human`` dataset, as 150x150 RGB JPEG files in one
folder per class (the folders sort as horses, humans: the Keras loaders' labels 0 and 1)::

    images/train/<horses|humans>/<horse|human>NNNN.jpg        400 per class
    images/validation/<horses|humans>/<horse|human>NNNN.jpg   100 per class

The "photos" are drawn: a horse (mostly from the side, standing, walking, galloping or grazing;
sometimes from the front or behind; bay, chestnut, black, grey, palomino, brown or a painted toy
colour) or a person (mostly from the front, arms down, raised, waving or on the hips; sometimes
from the side, walking; any skin tone, shirt, trousers, shorts or dress), at a random position,
size and tilt, with a drop shadow, sometimes behind a fence post, a rail or a bush, over the
practice exam's backgrounds (gradients, stripes, tiles, blotches, wood grain) with clutter, then
lit unevenly and given sensor noise. Both classes draw their colours from overlapping palettes
(brown coats and skin tones, clothes of any colour), so the colours of a picture say next to
nothing about its class: the shapes do, and they can be anywhere in the picture (a dense layer on
the pixels learns little). The training pictures vary less than the validation and the grader's
(see VARIETY): the training horses (and walking people) all face right, and the figures are all
of one size near the middle, upright, so augmentation pays.

The backgrounds, clutter, colours, JPEG encoding and the drawing helpers come from the practice
exam's rock-paper-scissors question (``../../practice/category3/data.py``), loaded with
``sibling_module``. NumPy, Pillow and the standard library only (no TensorFlow): this module runs
in the engine process. Every picture has its own random stream ``[seed, STREAM, split, index]``;
the hidden grader (``grader.py``) draws its pictures from a split ("test") that is never written
here. Same seed, same bytes (for a given Pillow and libjpeg).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from simulator.authoring import sibling_module

# The practice exam's image question: backgrounds, clutter, colours, JPEG files.
rps = sibling_module(__file__, "../../practice/category3/data.py")

CLASSES = ("horses", "humans")  # alphabetical: the order of the Keras loaders' labels (0, 1)
FILE_PREFIX = {"horses": "horse", "humans": "human"}
IMAGE_SIZE = rps.IMAGE_SIZE  # 150 pixels, square, RGB (the real exam's pictures were 300x300)
ROOT = "images"
SPLITS = {"train": 0, "validation": 1, "test": 2}  # "test" is the grader's and never written
PER_CLASS = {"train": 400, "validation": 100, "test": 200}
STREAM = 32  # the question's own random stream under the exam seed (practice's rps uses 3)
SUPERSAMPLE = 2  # the figure is drawn at twice the size and scaled down (smooth edges)

Array = np.ndarray
Part = tuple[Array, Array]  # an outline (n, 2) and its fill colour (3,)
jpeg_bytes = rps.jpeg_bytes


class Variety(NamedTuple):
    """How the figure varies in a split's pictures."""

    size: tuple[float, float]  # the figure's longer side, as a share of the picture's
    middle: tuple[float, float]  # where the middle of the figure lies, as shares of the picture
    tilt: float  # the camera is tilted up to this many radians either way
    mirrored: float  # the share of pictures seen from the other side (horses facing left)


# The training pictures come from one photographer: every horse (and every walking person) faces
# right, the figures are of one size, upright and near the middle. The validation pictures and the
# grader's come from others: figures facing either way, nearer and further away, off centre
# (sometimes cut by the edge of the picture), the camera tilted more. Augmentation (flips, zoom,
# shifts, rotation) bridges the gap.
NARROW = Variety(size=(0.7, 0.8), middle=(0.45, 0.55), tilt=0.04, mirrored=0.0)
WIDE = Variety(size=(0.4, 0.95), middle=(0.3, 0.7), tilt=0.3, mirrored=0.5)
VARIETY = {"train": NARROW, "validation": WIDE, "test": WIDE}

# Horse coats: (coat, mane and tail, lower legs), roughly as common as on a farm.
COATS = {
    "bay": ((150, 85, 45), (35, 25, 20), (35, 25, 20)),
    "chestnut": ((170, 90, 45), (150, 75, 35), (170, 90, 45)),
    "black": ((40, 35, 32), (25, 22, 20), (40, 35, 32)),
    "grey": ((190, 190, 185), (140, 140, 140), (160, 160, 155)),
    "palomino": ((215, 170, 100), (240, 230, 205), (215, 170, 100)),
    "brown": ((105, 70, 45), (60, 40, 28), (60, 40, 28)),
}
COAT_NAMES = tuple(COATS)
COAT_CHANCES = (0.25, 0.2, 0.1, 0.15, 0.1, 0.2)
FRONT_VIEWS = 0.3  # the share of horses seen from the front or behind
SIDE_VIEWS = 0.3  # the share of people seen from the side, walking
OCCLUDED = 0.3  # the share of pictures with a post, a rail or a bush in front of the figure
HAIR = np.array(
    [(25, 20, 18), (70, 45, 30), (120, 80, 45), (200, 165, 100), (150, 150, 150), (140, 50, 30)],
    dtype=np.float64,
)


# ---------------------------------------------------------------------------------------------
# Shapes, in the figure's own units (y down; directions in radians from "up", clockwise)


def _towards(start: Array, direction: float, length: float) -> Array:
    end: Array = start + length * np.array([math.sin(direction), -math.cos(direction)])
    return end


def _limb(start: Array, direction: float, length: float, half: tuple[float, float]) -> Array:
    """A tapering limb from ``start``: ``half`` widths at the root and at the rounded end."""
    outline: Array = rps._capsule((0.0, 0.0), 0.0, length, half[1])
    # Widen the root: the two root corners are the capsule's first and last points.
    outline[0, 0], outline[-1, 0] = half[0], -half[0]
    placed: Array = rps._rotated(outline, direction) + start
    return placed


def _ellipse(
    centre: tuple[float, float], half_x: float, half_y: float, power: float = 2.0
) -> Array:
    outline: Array = rps._superellipse(half_x, half_y, power) + np.array(centre)
    return outline


def _shade(colour: Array, factor: float) -> Array:
    shaded: Array = np.clip(colour * factor, 0, 255)
    return shaded


def _jitter(rng: np.random.Generator, colour: Array | tuple[int, int, int], spread: float) -> Array:
    jittered: Array = np.clip(
        np.asarray(colour, np.float64) * rng.uniform(1 - spread, 1 + spread, 3), 0, 255
    )
    return jittered


def _horse_colours(rng: np.random.Generator) -> tuple[Array, Array, Array]:
    """The coat, the mane and tail, the lower legs."""
    if rng.uniform() < 0.15:  # a painted toy or a rug-covered horse: any colour
        coat = rps._colour(rng)
        return coat, _shade(coat, rng.uniform(0.3, 0.8)), coat
    name = COAT_NAMES[int(rng.choice(len(COAT_NAMES), p=COAT_CHANCES))]
    coat, mane, legs = (_jitter(rng, c, 0.12) for c in COATS[name])
    return coat, mane, legs


def _horse(rng: np.random.Generator) -> list[Part]:
    """A horse, back to front: mostly from the side, sometimes from the front."""
    return _horse_front(rng) if rng.uniform() < FRONT_VIEWS else _horse_side(rng)


# A horse from the front: (x, shade, top) of each leg. The hind legs first: further apart, behind,
# shorter and in the shade; then the front legs.
FRONT_VIEW_LEGS = ((-0.13, 0.75, 0.06), (0.13, 0.75, 0.06), (-0.1, 1.0, 0.12), (0.1, 1.0, 0.12))


def _horse_front(rng: np.random.Generator) -> list[Part]:
    """A horse coming towards the camera: as tall as it is wide, like a person, but with a long
    face, ears, a broad chest and thin legs; height about 1.1."""
    coat, mane, legs = _horse_colours(rng)
    parts: list[Part] = []
    upper, lower = rng.uniform(0.22, 0.27), rng.uniform(0.22, 0.27)
    for x, shade, top in FRONT_VIEW_LEGS:
        hip = np.array([x + rng.uniform(-0.02, 0.02), top])
        swing = rng.uniform(-0.12, 0.12)
        knee = _towards(hip, math.pi + swing, upper * (0.85 if shade < 1 else 1.0))
        parts.append((_limb(hip, math.pi + swing, upper, (0.06, 0.045)), _shade(coat, shade)))
        parts.append((_limb(knee, math.pi + swing, lower, (0.045, 0.035)), _shade(legs, shade)))
    if rng.uniform() < 0.5:  # seen from behind: the tail hangs over the hind legs
        tail = math.pi + rng.uniform(-0.3, 0.3)
        parts.append((_limb(np.array([0.0, -0.1]), tail, 0.4, (0.04, 0.07)), mane))
    chest = _ellipse((0.0, 0.0), rng.uniform(0.2, 0.26), rng.uniform(0.2, 0.25), 2.4)
    parts.append((chest, coat))
    turn = rng.uniform(-0.3, 0.3)
    neck_top = _towards(np.array([0.0, -0.12]), turn, 0.3)
    parts.append((_limb(np.array([0.0, -0.12]), turn, 0.3, (0.13, 0.09)), coat))
    for ear in (-0.5, 0.5):
        parts.append((_limb(neck_top, turn + ear, 0.11, (0.03, 0.012)), _shade(coat, 0.85)))
    # The long face hangs in front of the neck, the forelock over its top.
    forehead = neck_top + np.array([0.0, -0.06])
    face = _limb(forehead, math.pi + turn * 0.5, rng.uniform(0.36, 0.42), (0.095, 0.06))
    parts.append((face, coat))
    parts.append((_limb(forehead + np.array([0.0, 0.01]), math.pi, 0.1, (0.05, 0.02)), mane))
    return parts


def _horse_side(rng: np.random.Generator) -> list[Part]:
    """A horse seen from the side, facing right (+x), back to front; body length about 1."""
    coat, mane, legs = _horse_colours(rng)
    far = 0.8  # the legs on the far side are in the shade
    parts: list[Part] = []
    half_y = rng.uniform(0.19, 0.24)
    gait = rng.choice(["stand", "walk", "gallop"], p=[0.4, 0.35, 0.25])
    grazing = gait != "gallop" and rng.uniform() < 0.3
    upper, lower = rng.uniform(0.24, 0.29), rng.uniform(0.23, 0.28)

    def leg(x: float, swing: float, bend: float, shade: float) -> None:
        hip = np.array([x, half_y * 0.55])
        knee = _towards(hip, math.pi + swing, upper)
        parts.append((_limb(hip, math.pi + swing, upper, (0.065, 0.045)), _shade(coat, shade)))
        shin = _limb(knee, math.pi + swing + bend, lower, (0.045, 0.035))
        parts.append((shin, _shade(legs, shade)))

    def swing(largest: float) -> float:
        return float(rng.uniform(-largest, largest))

    if gait == "stand":
        moves = [(swing(0.12), swing(0.05)) for _ in range(4)]
    elif gait == "walk":
        a, b = rng.uniform(0.15, 0.4), rng.uniform(0.15, 0.4)
        moves = [(-a, 0.1), (a, -0.3), (b, 0.1), (-b, -0.3)]  # front near/far, hind near/far
    else:  # gallop: front legs reach forward (towards +x: a negative swing), hind legs back
        moves = [(-rng.uniform(0.5, 1.0), rng.uniform(0.3, 1.2)), (-rng.uniform(0.2, 0.6), 0.4),
                 (rng.uniform(0.4, 0.9), -0.2), (rng.uniform(0.1, 0.5), -0.5)]  # fmt: skip
    # Far legs first (in the shade), then the tail, the body, the neck and head, the near legs.
    leg(0.27, *moves[1], far)
    leg(-0.39, *moves[3], far)
    tail_root = np.array([-0.47, -half_y * 0.55])
    tail_direction = math.pi + rng.uniform(0.25, 1.0 if gait != "gallop" else 1.6)
    parts.append((_limb(tail_root, tail_direction, rng.uniform(0.35, 0.5), (0.04, 0.07)), mane))
    parts.append((_ellipse((0.0, 0.0), 0.5, half_y, rng.uniform(2.2, 3.0)), coat))

    neck_root = np.array([0.33, -half_y * 0.35])
    neck_direction = rng.uniform(1.9, 2.4) if grazing else rng.uniform(0.35, 0.85)
    neck_length = rng.uniform(0.4, 0.5)
    head_root = _towards(neck_root, neck_direction, neck_length)
    head_direction = neck_direction + rng.uniform(0.9, 1.4)
    back = np.array([-math.cos(neck_direction), -math.sin(neck_direction)])  # the crest's side
    ears = _shade(coat, 0.85)
    crest = _limb(neck_root + back * 0.06, neck_direction, neck_length * 0.95, (0.07, 0.04))
    parts.append((crest, mane))
    for ear in (-0.25, -0.05):
        parts.append((_limb(head_root, neck_direction + ear, 0.1, (0.03, 0.012)), ears))
    parts.append((_limb(neck_root, neck_direction, neck_length, (0.14, 0.085)), coat))
    head = _limb(head_root, head_direction, rng.uniform(0.28, 0.33), (0.085, 0.055))
    parts.append((head, coat))
    leg(0.35, *moves[0], 1.0)
    leg(-0.31, *moves[2], 1.0)
    return parts


class Look(NamedTuple):
    """A person's colours and clothes."""

    skin: Array
    shirt: Array
    trousers: Array
    shoes: Array
    hair: Array
    long_sleeves: bool
    shorts: bool
    dress: bool


def _look(rng: np.random.Generator) -> Look:
    skin = rps._skin(rng)
    shirt, trousers = rps._colour(rng), rps._colour(rng)
    shoes = _shade(rps._colour(rng), rng.uniform(0.3, 0.8))
    hair = _jitter(rng, HAIR[int(rng.integers(len(HAIR)))], 0.1)
    long_sleeves, shorts, dress = (bool(b) for b in rng.uniform(size=3) < (0.5, 0.25, 0.2))
    return Look(skin, shirt, trousers, shoes, hair, long_sleeves, shorts, dress)


def _human(rng: np.random.Generator) -> list[Part]:
    """A person, back to front: mostly from the front, sometimes from the side, walking."""
    look = _look(rng)
    return _human_side(rng, look) if rng.uniform() < SIDE_VIEWS else _human_front(rng, look)


def _leg(
    parts: list[Part], look: Look, hip: Array, direction: float, bend: float, toes: float,
    shade: float = 1.0,
) -> None:  # fmt: skip
    thigh, shin = 0.24, 0.23
    knee = _towards(hip, direction, thigh)
    ankle = _towards(knee, direction + bend, shin)
    lower = look.skin if look.shorts else look.trousers
    parts.append((_limb(hip, direction, thigh, (0.065, 0.05)), _shade(look.trousers, shade)))
    parts.append((_limb(knee, direction + bend, shin, (0.05, 0.04)), _shade(lower, shade)))
    parts.append((_ellipse((ankle[0] + toes, ankle[1] + 0.01), 0.045, 0.025), look.shoes))


def _arm(
    parts: list[Part], look: Look, root: Array, direction: float, bend: float, shade: float = 1.0
) -> None:
    upper, fore = 0.16, 0.15
    elbow = _towards(root, direction, upper)
    hand = _towards(elbow, direction + bend, fore)
    lower = look.shirt if look.long_sleeves else look.skin
    parts.append((_limb(root, direction, upper, (0.05, 0.04)), _shade(look.shirt, shade)))
    parts.append((_limb(elbow, direction + bend, fore, (0.04, 0.033)), _shade(lower, shade)))
    parts.append((_ellipse((hand[0], hand[1]), 0.032, 0.032), _shade(look.skin, shade)))


def _head(parts: list[Part], look: Look, x: float) -> None:
    """The hair behind the head, and the neck."""
    parts.append((_ellipse((x, -0.46), 0.065, 0.07), look.hair))
    neck = np.array([[-0.022, -0.43], [0.022, -0.43], [0.025, -0.36], [-0.025, -0.36]])
    parts.append((neck + np.array([x * 0.5, 0.0]), look.skin))


def _face(parts: list[Part], rng: np.random.Generator, look: Look, x: float) -> None:
    parts.append((_ellipse((x, -0.465), 0.055, 0.065), look.skin))
    if rng.uniform() < 0.5:  # hair on top, or a hat
        cap = look.hair if rng.uniform() < 0.7 else rps._colour(rng)
        parts.append((_ellipse((x, -0.515), 0.058, 0.028), cap))


def _human_front(rng: np.random.Generator, look: Look) -> list[Part]:
    """A person seen from the front; height about 1, the hips at the origin."""
    parts: list[Part] = []
    shoulder = rng.uniform(0.1, 0.13)
    # Legs (outwards is a negative swing on the person's right, x < 0, positive on the left).
    spread = rng.uniform(0.0, 0.3)
    for side in (-1, 1):
        direction = math.pi - side * (spread + rng.uniform(-0.05, 0.1))
        bend = side * rng.uniform(-0.1, 0.25)
        _leg(parts, look, np.array([0.055 * side, 0.0]), direction, bend, 0.02 * side)
    # Torso (a dress reaches down to the knees), neck, hair, head.
    hips = 0.095 if not look.dress else rng.uniform(0.14, 0.2)
    bottom = 0.03 if not look.dress else rng.uniform(0.18, 0.26)
    torso = np.array([[-shoulder, -0.37], [shoulder, -0.37], [0.085, -0.1], [hips, bottom],
                      [-hips, bottom], [-0.085, -0.1]])  # fmt: skip
    _head(parts, look, 0.0)
    parts.append((torso, look.shirt))
    _face(parts, rng, look, 0.0)
    # Arms: down, raised, waving or hands on the hips, each arm on its own.
    for side in (-1, 1):
        pose = rng.choice(["down", "raised", "waving", "hips"], p=[0.45, 0.2, 0.2, 0.15])
        if pose == "down":
            out, bend = rng.uniform(0.05, 0.35), rng.uniform(-0.1, 0.2)
        elif pose == "raised":
            out, bend = rng.uniform(0.8, 2.7), rng.uniform(-0.2, 0.2)
        elif pose == "waving":
            out, bend = rng.uniform(1.2, 1.8), -rng.uniform(1.0, 1.5)
        else:
            out, bend = rng.uniform(0.6, 0.9), -rng.uniform(1.6, 2.1)
        root = np.array([(shoulder - 0.02) * side, -0.35])
        _arm(parts, look, root, math.pi - side * out, -side * bend)
    return parts


def _human_side(rng: np.random.Generator, look: Look) -> list[Part]:
    """A person walking to the right (+x), seen from the side; the far arm and leg in the shade."""
    parts: list[Part] = []
    stride, swing = rng.uniform(0.1, 0.45), rng.uniform(0.1, 0.6)
    lean = rng.uniform(-0.03, 0.08)
    shoulder = np.array([lean * 0.4, -0.35])
    # Far side: the arm swings forward (towards +x is a negative swing), the leg goes back.
    _arm(parts, look, shoulder, math.pi - swing, -rng.uniform(0.2, 0.8), 0.75)
    _leg(parts, look, np.array([0.0, 0.0]), math.pi + stride, -rng.uniform(0.1, 0.5), 0.03, 0.75)
    _head(parts, look, lean * 0.5)
    depth = rng.uniform(0.065, 0.085)
    bottom = 0.03 if not look.dress else rng.uniform(0.18, 0.26)
    hem = depth * (1.0 if not look.dress else 1.6)
    torso = np.array([[-depth, -0.37], [depth, -0.37], [depth * 0.9, -0.1], [hem, bottom],
                      [-hem, bottom], [-depth * 0.9, -0.1]])  # fmt: skip
    parts.append((rps._rotated(torso, -lean) if lean else torso, look.shirt))
    _leg(parts, look, np.array([0.0, 0.0]), math.pi - stride, rng.uniform(0.0, 0.3), 0.03)
    _face(parts, rng, look, lean * 0.5)
    parts.append((_ellipse((lean * 0.5 + 0.055, -0.455), 0.018, 0.012), look.skin))  # the nose
    _arm(parts, look, shoulder, math.pi + swing, -rng.uniform(0.1, 0.4))
    return parts


FIGURES = {"horses": _horse, "humans": _human}


def _draw_figure(
    rng: np.random.Generator, label: str, size: int, variety: Variety
) -> tuple[Image.Image, Image.Image]:
    """The figure's colours and its coverage mask, both ``size`` x ``size``."""
    big = size * SUPERSAMPLE
    parts = FIGURES[label](rng)
    points = np.concatenate([outline for outline, _ in parts])
    low, high = points.min(axis=0), points.max(axis=0)
    scale = rng.uniform(*variety.size) * big / float(np.max(high - low))
    flip = np.array([-1.0 if rng.uniform() < variety.mirrored else 1.0, 1.0])
    tilt = rng.uniform(-variety.tilt, variety.tilt)
    centre = rng.uniform(*variety.middle, 2) * big
    middle = (low + high) / 2
    colours = Image.new("RGB", (big, big), (0, 0, 0))
    mask = Image.new("L", (big, big), 0)
    paint, cover = ImageDraw.Draw(colours), ImageDraw.Draw(mask)
    line = max(1, round(scale / 90))
    for outline, colour in parts:
        placed = rps._rotated((outline - middle) * flip * scale, tilt) + centre
        polygon = [(float(px), float(py)) for px, py in placed]
        fill = tuple(int(c) for c in np.clip(colour * rng.uniform(0.95, 1.05), 0, 255))
        edge = tuple(int(c) for c in colour * 0.55)
        paint.polygon(polygon, fill=fill, outline=edge, width=line)
        cover.polygon(polygon, fill=255)
    return (
        colours.resize((size, size), Image.Resampling.BOX),
        mask.resize((size, size), Image.Resampling.BOX),
    )


def _occlude(rng: np.random.Generator, picture: Array, box: tuple[int, int, int, int]) -> Array:
    """Something in front of the figure: a fence post, a rail or a bush."""
    image = Image.fromarray(np.clip(np.rint(picture), 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    colour = tuple(int(c) for c in rps._colour(rng))
    size = image.width
    x, y = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
    kind = int(rng.integers(3))
    if kind == 0:  # a post, standing on the ground
        half = rng.uniform(0.015, 0.04) * size
        draw.rectangle([x - half, y - rng.uniform(0.1, 0.4) * size, x + half, size], colour)
    elif kind == 1:  # a rail across the picture
        half = rng.uniform(0.01, 0.025) * size
        draw.rectangle([0, y - half, size, y + half], colour)
    else:  # a bush or a ball
        radius = rng.uniform(0.05, 0.12) * size
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], colour)
    occluded: Array = np.asarray(image, np.float32).copy()
    return occluded


def render(
    rng: np.random.Generator, label: str, variety: Variety, size: int = IMAGE_SIZE
) -> Image.Image:
    """One picture of a horse or a person (``label`` is one of CLASSES)."""
    background = Image.fromarray(rps._background(rng, size).astype(np.uint8))
    rps._clutter(rng, background)
    figure, mask = _draw_figure(rng, label, size, variety)

    # A soft shadow beside the figure, then the figure itself.
    offset = rng.uniform(-0.05, 0.05, 2) * size
    shadow = mask.transform(
        mask.size, Image.Transform.AFFINE, (1, 0, -offset[0], 0, 1, -offset[1])
    ).filter(ImageFilter.GaussianBlur(rng.uniform(1.5, 4)))
    picture = np.asarray(background, np.float32)
    darkness = np.asarray(shadow, np.float32)[..., None] * np.float32(rng.uniform(0.2, 0.5) / 255)
    picture *= 1 - darkness
    alpha = np.asarray(mask, np.float32)[..., None] * np.float32(1 / 255)
    picture += (np.asarray(figure, np.float32) - picture) * alpha
    box = mask.getbbox()
    if box is not None and rng.uniform() < OCCLUDED:
        picture = _occlude(rng, picture, box)

    # Uneven light, a colour cast, exposure and sensor noise.
    x, y = rps._grid(size)
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
    """The split's pictures as (class index, number in its class, image), classes interleaved."""
    for index in range(PER_CLASS[split] * len(CLASSES)):
        label, number = index % len(CLASSES), index // len(CLASSES)
        rng = image_rng(seed, split, index)
        yield label, number, render(rng, CLASSES[label], VARIETY[split])


def file_name(label: int, number: int) -> str:
    """Where a picture goes under its split: ``horses/horse0000.jpg``, ``humans/human0000.jpg``."""
    name = CLASSES[label]
    return f"{name}/{FILE_PREFIX[name]}{number:04d}.jpg"


def write_data(folder: Path, seed: int) -> None:
    """Write the training and validation pictures under ``folder / ROOT``: same seed, same bytes."""
    for split in ("train", "validation"):
        for name in CLASSES:
            (folder / ROOT / split / name).mkdir(parents=True, exist_ok=True)
        for label, number, picture in images(seed, split):
            (folder / ROOT / split / file_name(label, number)).write_bytes(jpeg_bytes(picture))
