"""Training data for Category 2 (model from a learning dataset): Fashion-MNIST-like images.

28x28 grayscale pictures of ten kinds of clothing and shoes (the class names of Fashion-MNIST),
drawn with NumPy from simple shapes in a canonical frame (u to the right, v downwards, both in
[-1, 1]) as signed distances: positive inside, negative outside. Each picture gets its own
proportions, position, scale, rotation, shear, stroke thickness, brightness, texture, noise and
sometimes an occluding patch. The confusable pairs of the real dataset are kept on purpose: a
shirt with rolled-up sleeves looks like a T-shirt, pullovers, coats and shirts share a silhouette,
a high-top sneaker looks like an ankle boot.

The workspace file holds only the training images and a small local validation part (the
candidate's ``x_test``); the hidden grading images come from another random stream of the same
generator (see ``grader.py``) and are never written. NumPy and the standard library only: this
module runs in the engine process.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

NPZ_NAME = "fashion_items.npz"
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
SIZE = 28
TRAIN_SIZE = 20_000  # x_train in the workspace file
LOCAL_TEST_SIZE = 2_000  # x_test in the workspace file: the candidate's own validation part
STREAM = 2  # the question's own random stream under the exam seed
WORKSPACE_PART = 0  # sub-stream of the workspace file; grader.py uses another one
BATCH = 2_000  # images rendered at once (bounds the memory used)

Array = np.ndarray
Value = Array | float  # a per-image parameter (n, 1), or one value for all
Shape = tuple[Array, Array]  # (signed distance, shade factor), both (n, 784)

_CENTRES = np.arange(SIZE, dtype=np.float32) - (SIZE - 1) / 2.0
_PY, _PX = (axis.reshape(1, -1) for axis in np.meshgrid(_CENTRES, _CENTRES, indexing="ij"))


# ---------------------------------------------------------------- signed-distance primitives
def _box(u: Array, v: Array, x0: Value, x1: Value, y0: Value, y1: Value) -> Array:
    return np.minimum(np.minimum(u - x0, x1 - u), np.minimum(v - y0, y1 - v))


def _convex(u: Array, v: Array, points: list[tuple[Value, Value]]) -> Array:
    """Approximate signed distance to a convex polygon (vertices in either order)."""
    cx = sum(x for x, _ in points) / len(points)
    cy = sum(y for _, y in points) / len(points)
    distance: Array | None = None
    for (ax, ay), (bx, by) in zip(points, points[1:] + points[:1], strict=True):
        nx, ny = by - ay, ax - bx
        norm = np.sqrt(nx * nx + ny * ny) + 1e-6
        nx, ny = nx / norm, ny / norm
        # orient the edge normal towards the centroid
        sign = np.sign((cx - ax) * nx + (cy - ay) * ny + 1e-9)
        edge = sign * ((u - ax) * nx + (v - ay) * ny)
        distance = edge if distance is None else np.minimum(distance, edge)
    assert distance is not None
    return distance


def _capsule(u: Array, v: Array, ax: Value, ay: Value, bx: Value, by: Value, r: Value) -> Array:
    dx, dy = bx - ax, by - ay
    t = np.clip(((u - ax) * dx + (v - ay) * dy) / (dx * dx + dy * dy + 1e-6), 0.0, 1.0)
    return r - np.sqrt((u - ax - t * dx) ** 2 + (v - ay - t * dy) ** 2)


def _ellipse(u: Array, v: Array, cx: Value, cy: Value, rx: Value, ry: Value) -> Array:
    q = np.sqrt(((u - cx) / rx) ** 2 + ((v - cy) / ry) ** 2)
    return (1.0 - q) * np.minimum(rx, ry)


def _cut(shape: Array, hole: Array) -> Array:
    return np.minimum(shape, -hole)


def _line(u: Array, v: Array, ax: Value, ay: Value, bx: Value, by: Value, width: Value) -> Array:
    """Signed distance of a thin stroke, used for darker details (seams, zips, laces)."""
    return _capsule(u, v, ax, ay, bx, by, width)


class _Draw:
    """Per-class random parameters of shape (n, 1), and detail strokes folded into a shade."""

    def __init__(self, rng: np.random.Generator, n: int, u: Array, v: Array, pixels: Array) -> None:
        self.rng, self.n, self.u, self.v, self.pixels = rng, n, u, v, pixels
        self.shade = np.ones_like(u)

    def uniform(self, low: float, high: float) -> Array:
        return self.rng.uniform(low, high, (self.n, 1)).astype(np.float32)

    def chance(self, p: float) -> Array:
        return (self.rng.random((self.n, 1)) < p).astype(np.float32)

    def darken(self, detail: Array, contrast: Value) -> None:
        """Darken where ``detail`` (a signed distance) is inside, by ``contrast`` (0..1)."""
        cover = np.clip(0.5 + detail * self.pixels, 0.0, 1.0)
        self.shade *= 1.0 - contrast * cover

    def pattern(self, amplitude: Array) -> None:
        """Stripes or checks in a random direction (prints and fabrics)."""
        angle = self.uniform(0.0, np.pi)
        frequency = self.uniform(8.0, 22.0)
        phase = self.uniform(0.0, 2 * np.pi)
        along = self.u * np.cos(angle) + self.v * np.sin(angle)
        across = -self.u * np.sin(angle) + self.v * np.cos(angle)
        stripes = np.sin(frequency * along + phase)
        checks = stripes * np.sign(np.sin(frequency * across))
        wave = np.where(self.chance(0.5) > 0, stripes, checks)
        self.shade *= 1.0 - amplitude * 0.5 * (1.0 + wave)


# ---------------------------------------------------------------- the ten classes
def _torso(d: _Draw, bottom: tuple[float, float], widen: float = 0.0) -> tuple[Array, ...]:
    half = d.uniform(0.32, 0.45) + widen
    top = d.uniform(-0.82, -0.68)
    low = d.uniform(*bottom)
    flare = d.uniform(-0.04, 0.08)
    u, v = d.u, d.v
    body = _convex(u, v, [(-half, top), (half, top), (half + flare, low), (-half - flare, low)])
    return body, half, top, low


def _sleeves(
    d: _Draw, half: Array, top: Array, length: Array, angle: Array, radius: Array
) -> Array:
    u, v = d.u, d.v
    sx, sy = half - 0.04, top + radius * 0.9
    dx, dy = np.cos(angle) * length, np.sin(angle) * length
    left = _capsule(u, v, -sx, sy, -sx - dx, sy + dy, radius)
    right = _capsule(u, v, sx, sy, sx + dx, sy + dy, radius)
    return np.maximum(left, right)


def _neck(d: _Draw, top: Array, body: Array, deep: float = 0.1) -> Array:
    hole = _ellipse(d.u, d.v, 0.0, top, d.uniform(0.1, 0.2), d.uniform(0.04, deep))
    return _cut(body, hole)


def _tshirt(d: _Draw) -> Array:
    body, half, top, _ = _torso(d, (0.6, 0.92))
    sleeves = _sleeves(
        d, half, top, d.uniform(0.2, 0.45), d.uniform(0.35, 0.8), d.uniform(0.11, 0.17)
    )
    shape = _neck(d, top, np.maximum(body, sleeves))
    d.pattern(d.uniform(0.0, 0.3) * d.chance(0.35))
    # a print on the chest
    printed = _ellipse(
        d.u,
        d.v,
        d.uniform(-0.1, 0.1),
        d.uniform(-0.2, 0.2),
        d.uniform(0.1, 0.3),
        d.uniform(0.08, 0.25),
    )
    d.darken(printed, d.uniform(-0.3, 0.5) * d.chance(0.35))
    return shape


def _long_sleeves(d: _Draw, half: Array, top: Array, rolled: float) -> Array:
    length = d.uniform(0.8, 1.2)
    length = np.where(d.chance(rolled) > 0, d.uniform(0.35, 0.65), length)
    return _sleeves(d, half, top, length, d.uniform(1.05, 1.35), d.uniform(0.09, 0.14))


def _pullover(d: _Draw) -> Array:
    body, half, top, low = _torso(d, (0.55, 0.9), widen=0.03)
    shape = _neck(d, top, np.maximum(body, _long_sleeves(d, half, top, 0.08)))
    # ribbed hem
    hem = _box(d.u, d.v, -1.0, 1.0, low - d.uniform(0.08, 0.16), low + 0.1)
    d.darken(hem, d.uniform(0.0, 0.35))
    d.pattern(d.uniform(0.0, 0.3) * d.chance(0.4))
    return shape


def _coat(d: _Draw) -> Array:
    body, half, top, low = _torso(d, (0.8, 0.98), widen=0.05)
    shape = _neck(d, top, np.maximum(body, _long_sleeves(d, half, top, 0.05)), deep=0.2)
    zip_x = d.uniform(-0.05, 0.05)
    d.darken(_line(d.u, d.v, zip_x, top, zip_x, low, d.uniform(0.015, 0.04)), d.uniform(0.1, 0.7))
    pockets = d.chance(0.5) * d.uniform(0.2, 0.6)
    for side in (-1.0, 1.0):
        x0 = side * half * 0.3
        x1 = side * half * 0.8
        y = d.uniform(0.25, 0.45)
        d.darken(_line(d.u, d.v, x0, y, x1, y, 0.02), pockets)
    d.pattern(d.uniform(0.0, 0.2) * d.chance(0.2))
    return shape


def _shirt(d: _Draw) -> Array:
    body, half, top, low = _torso(d, (0.6, 0.95))
    shape = np.maximum(body, _long_sleeves(d, half, top, 0.22))
    # a collar: a small V cut out at the neck
    depth = d.uniform(0.05, 0.2)
    width = d.uniform(0.08, 0.18)
    collar = _convex(d.u, d.v, [(-width, top - 0.05), (width, top - 0.05), (0.0, top + depth)])
    shape = _cut(shape, collar)
    # the button placket and buttons
    contrast = d.uniform(0.0, 0.4)
    d.darken(_line(d.u, d.v, 0.0, top + depth, 0.0, low, 0.015), contrast)
    for y in (-0.3, 0.0, 0.3, 0.6):
        d.darken(_ellipse(d.u, d.v, 0.0, y, 0.05, 0.05), contrast * d.chance(0.7))
    d.pattern(d.uniform(0.05, 0.4) * d.chance(0.55))
    return shape


def _dress(d: _Draw) -> Array:
    u, v = d.u, d.v
    top = d.uniform(-0.88, -0.72)
    waist = d.uniform(-0.35, -0.05)
    low = d.uniform(0.75, 0.97)
    shoulder = d.uniform(0.15, 0.3)
    waist_half = d.uniform(0.13, 0.25)
    hem_half = d.uniform(0.4, 0.72)
    bodice = _convex(
        u, v, [(-shoulder, top), (shoulder, top), (waist_half, waist), (-waist_half, waist)]
    )
    skirt = _convex(
        u,
        v,
        [
            (-waist_half, waist - 0.02),
            (waist_half, waist - 0.02),
            (hem_half, low),
            (-hem_half, low),
        ],
    )
    shape = np.maximum(bodice, skirt)
    # short sleeves on some dresses
    sleeves = _sleeves(
        d, shoulder, top, d.uniform(0.1, 0.35), d.uniform(0.5, 1.1), d.uniform(0.07, 0.12)
    )
    shape = np.where(d.chance(0.3) > 0, np.maximum(shape, sleeves), shape)
    shape = _neck(d, top, shape)
    d.darken(_box(u, v, -1.0, 1.0, waist - 0.03, waist + 0.03), d.uniform(0.0, 0.4))
    d.pattern(d.uniform(0.0, 0.35) * d.chance(0.4))
    return shape


def _trouser(d: _Draw) -> Array:
    u, v = d.u, d.v
    waist_half = d.uniform(0.24, 0.38)
    top = d.uniform(-0.95, -0.8)
    band = d.uniform(0.08, 0.16)
    low = d.uniform(0.82, 0.98)
    leg = d.uniform(0.1, 0.18)
    flare = d.uniform(-0.05, 0.12)
    crotch = d.uniform(-0.45, -0.2)
    waistband = _box(u, v, -waist_half, waist_half, top, top + band + 0.05)
    legs = []
    for side in (-1.0, 1.0):
        outer_top = side * waist_half
        outer_low = side * (waist_half + flare)
        inner_low = outer_low - side * 2 * (leg + flare * 0.5)
        legs.append(
            _convex(
                u,
                v,
                [
                    (outer_top, top + band),
                    (0.0, top + band),
                    (0.0, crotch),
                    (inner_low, low),
                    (outer_low, low),
                ],
            )
        )
    d.darken(_box(u, v, -1.0, 1.0, top + band - 0.015, top + band + 0.015), d.uniform(0.0, 0.4))
    d.darken(_line(u, v, 0.0, top + band, 0.0, crotch, 0.02), d.uniform(0.0, 0.5))
    d.pattern(d.uniform(0.0, 0.2) * d.chance(0.25))
    return np.maximum(waistband, np.maximum(*legs))


def _sole(d: _Draw, sole_top: Array) -> Array:
    thickness = d.uniform(0.07, 0.16)
    return _box(
        d.u, d.v, d.uniform(-0.98, -0.85), d.uniform(0.85, 0.98), sole_top, sole_top + thickness
    )


def _foot(d: _Draw, sole_top: Array, height: Array) -> Array:
    """The upper of a shoe: low at the toe (left), rising to the collar at the back."""
    u, v = d.u, d.v
    toe = d.uniform(-0.95, -0.82)
    back = d.uniform(0.82, 0.95)
    instep = d.uniform(-0.35, 0.1)
    upper = _convex(
        u,
        v,
        [
            (toe, sole_top + 0.02),
            (toe + 0.15, sole_top - height * 0.35),
            (instep, sole_top - height * 0.85),
            (back - 0.1, sole_top - height),
            (back, sole_top - height * 0.8),
            (back, sole_top + 0.02),
        ],
    )
    return upper


def _sneaker(d: _Draw) -> Array:
    sole_top = d.uniform(0.25, 0.5)
    height = np.where(d.chance(0.15) > 0, d.uniform(0.75, 1.0), d.uniform(0.4, 0.7))
    shape = np.maximum(_sole(d, sole_top), _foot(d, sole_top, height))
    d.darken(_box(d.u, d.v, -1.0, 1.0, sole_top - 0.02, sole_top + 0.02), d.uniform(0.0, 0.6))
    laces = d.uniform(0.0, 0.6)
    for k in range(3):
        x = -0.35 + 0.15 * k
        d.darken(
            _line(d.u, d.v, x, sole_top - height * 0.45, x + 0.12, sole_top - height * 0.75, 0.02),
            laces,
        )
    d.pattern(d.uniform(0.0, 0.3) * d.chance(0.3))
    return shape


def _ankle_boot(d: _Draw) -> Array:
    u, v = d.u, d.v
    sole_top = d.uniform(0.45, 0.7)
    foot = _foot(d, sole_top, d.uniform(0.3, 0.5))
    shaft_top = sole_top - d.uniform(0.95, 1.35)
    shaft = _box(u, v, d.uniform(-0.1, 0.3), d.uniform(0.78, 0.95), shaft_top, sole_top + 0.02)
    heel = _box(
        u, v, d.uniform(0.45, 0.65), d.uniform(0.8, 0.92), sole_top, sole_top + d.uniform(0.15, 0.3)
    )
    shape = np.maximum(np.maximum(foot, shaft), np.maximum(heel, _sole(d, sole_top)))
    zip_x = d.uniform(0.3, 0.6)
    d.darken(_line(u, v, zip_x, shaft_top, zip_x, sole_top - 0.2, 0.02), d.uniform(0.0, 0.5))
    d.pattern(d.uniform(0.0, 0.25) * d.chance(0.25))
    return shape


def _sandal(d: _Draw) -> Array:
    u, v = d.u, d.v
    sole_top = d.uniform(0.3, 0.6)
    shape = _sole(d, sole_top)
    heeled = d.chance(0.3)
    heel = _convex(
        u,
        v,
        [
            (0.45, sole_top),
            (0.9, sole_top),
            (0.85, sole_top + d.uniform(0.2, 0.4)),
            (0.65, sole_top + d.uniform(0.2, 0.4)),
        ],
    )
    shape = np.where(heeled > 0, np.maximum(shape, heel), shape)
    width = d.uniform(0.045, 0.11)
    strap_height = d.uniform(0.3, 0.7)
    count = d.rng.integers(2, 6, (d.n, 1))
    for k in range(5):
        x = -0.75 + 0.38 * k + d.uniform(-0.1, 0.1)
        lean = d.uniform(-0.25, 0.25)
        strap = _capsule(
            u, v, x, sole_top, x + lean, sole_top - strap_height * d.uniform(0.6, 1.0), width
        )
        shape = np.where(count > k, np.maximum(shape, strap), shape)
    # a strap along the top joining the others, on some sandals
    top_strap = _capsule(
        u, v, -0.6, sole_top - strap_height * 0.7, 0.85, sole_top - strap_height, width
    )
    return np.where(d.chance(0.4) > 0, np.maximum(shape, top_strap), shape)


def _bag(d: _Draw) -> Array:
    u, v = d.u, d.v
    top = d.uniform(-0.45, 0.05)
    low = d.uniform(0.7, 0.95)
    top_half = d.uniform(0.45, 0.8)
    low_half = top_half + d.uniform(-0.05, 0.15)
    body = _convex(u, v, [(-top_half, top), (top_half, top), (low_half, low), (-low_half, low)])
    rx, ry = d.uniform(0.2, 0.5), d.uniform(0.25, 0.6)
    thickness = d.uniform(0.05, 0.12)
    ring = _cut(
        _ellipse(u, v, 0.0, top, rx, ry), _ellipse(u, v, 0.0, top, rx - thickness, ry - thickness)
    )
    handle = np.minimum(ring, top + 0.02 - v)
    shape = np.where(d.chance(0.75) > 0, np.maximum(body, handle), body)
    flap = d.uniform(0.0, 0.2)
    d.darken(_box(u, v, -1.0, 1.0, top + flap + 0.1, top + flap + 0.14), d.uniform(0.0, 0.5))
    d.pattern(d.uniform(0.0, 0.3) * d.chance(0.3))
    return shape


_CLASSES: tuple[Callable[[_Draw], Array], ...] = (
    _tshirt,
    _trouser,
    _pullover,
    _dress,
    _coat,
    _sandal,
    _shirt,
    _sneaker,
    _bag,
    _ankle_boot,
)


# ---------------------------------------------------------------- rendering
def _render_class(label: int, n: int, rng: np.random.Generator) -> Array:
    """``n`` images of class ``label`` as float32 (n, 784) in [0, 1]."""
    f32 = np.float32

    def uniform(low: float, high: float) -> Array:
        return rng.uniform(low, high, (n, 1)).astype(f32)

    scale = uniform(11.0, 14.0)  # pixels per canonical unit
    angle = np.clip(rng.normal(0.0, 0.08, (n, 1)), -0.25, 0.25).astype(f32)
    shear = uniform(-0.12, 0.12)
    aspect = uniform(0.85, 1.15)
    shift_x, shift_y = uniform(-1.5, 1.5), uniform(-1.5, 1.5)
    flip = np.where(rng.random((n, 1)) < 0.5, f32(-1.0), f32(1.0))
    # pixel = R(angle) @ Shear(shear) @ diag(aspect, 1) @ canonical * scale + shift; invert it
    px, py = (_PX - shift_x) / scale, (_PY - shift_y) / scale
    cos, sin = np.cos(angle), np.sin(angle)
    rx, ry = cos * px + sin * py, -sin * px + cos * py
    u = flip * (rx - shear * ry) / aspect
    v = ry

    draw = _Draw(rng, n, u.astype(f32), v.astype(f32), scale)
    distance = _CLASSES[label](draw) + uniform(-0.05, 0.05)  # stroke thickness
    cover = np.clip(0.5 + distance * scale, 0.0, 1.0)
    brightness = uniform(0.3, 1.0)
    gradient = 1.0 + uniform(-0.3, 0.3) * v + uniform(-0.2, 0.2) * u
    image = cover * brightness * draw.shade * gradient
    image += cover * rng.normal(0.0, 1.0, image.shape).astype(f32) * uniform(0.0, 0.1)
    # faint sensor noise on the background of some images
    speckle = np.maximum(rng.normal(0.0, 1.0, image.shape).astype(f32), 0.0) * uniform(0.0, 0.08)
    image += speckle * (rng.random((n, 1)) < 0.3)
    # an occluding patch (cut out, or a grey object in front) on some images
    centre_x, centre_y = uniform(-12.0, 12.0), uniform(-12.0, 12.0)
    half_x, half_y = uniform(1.5, 5.5), uniform(1.5, 5.5)
    patch = (np.abs(_PX - centre_x) <= half_x) & (np.abs(_PY - centre_y) <= half_y)
    patch &= rng.random((n, 1)) < 0.3
    image = np.where(patch, uniform(0.0, 0.9) * (rng.random((n, 1)) < 0.6), image)
    return np.clip(image, 0.0, 1.0)


def render(labels: Array, rng: np.random.Generator) -> Array:
    """Images for ``labels`` as uint8 (n, 28, 28), 0-255, drawn from ``rng``."""
    images = np.zeros((len(labels), SIZE * SIZE), dtype=np.uint8)
    for start in range(0, len(labels), BATCH):
        part = labels[start : start + BATCH]
        for label in range(len(CLASS_NAMES)):
            rows = np.flatnonzero(part == label)
            if len(rows):
                pixels = _render_class(label, len(rows), rng)
                images[start + rows] = np.rint(pixels * 255.0).astype(np.uint8)
    return images.reshape(-1, SIZE, SIZE)


def balanced_labels(n: int, rng: np.random.Generator) -> Array:
    """``n`` labels, each class equally often (as in Fashion-MNIST), in random order."""
    labels = (np.arange(n) % len(CLASS_NAMES)).astype(np.uint8)
    return rng.permutation(labels)


def make_split(seed: int, part: int, sizes: tuple[int, ...]) -> tuple[Array, Array]:
    """Images (uint8, (n, 28, 28)) and labels (uint8, (n,)) of sub-stream ``part``.

    ``sizes`` are consecutive parts (e.g. training and local test), each with every class equally
    often; ``n`` is their sum.
    """
    rng = np.random.default_rng([seed, STREAM, part])
    labels = np.concatenate([balanced_labels(size, rng) for size in sizes])
    return render(labels, rng), labels


def _npy_bytes(array: Array) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def write_data(folder: Path, seed: int) -> None:
    """Write ``folder / NPZ_NAME`` with x_train, y_train, x_test, y_test (same seed, same bytes).

    ``np.savez_compressed`` stamps the current time into the zip entries; the entries here carry
    a fixed date so that the file is byte-for-byte reproducible. ``np.load`` reads it as usual.
    """
    x, y = make_split(seed, WORKSPACE_PART, (TRAIN_SIZE, LOCAL_TEST_SIZE))
    arrays = {
        "x_train": x[:TRAIN_SIZE],
        "y_train": y[:TRAIN_SIZE],
        "x_test": x[TRAIN_SIZE:],
        "y_test": y[TRAIN_SIZE:],
    }
    with zipfile.ZipFile(folder / NPZ_NAME, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, _npy_bytes(array))
