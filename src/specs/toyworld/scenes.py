"""Scenes of the toy world: objects on a 3×3 grid, their split bucket, and their drawing.

The geometry follows the measured toy-world notes: an 84×84 image made of nine 28-px cells, one object at most
per cell. With a Qwen2.5-VL-style processor (patch 14, merge 2) every cell is exactly one visual token, which is
what lets a ~1M-parameter vision tower learn the task in minutes. Objects never cross their cell's border.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

GRID = 3
CELL = 28
IMAGE_SIZE = GRID * CELL  # 84
N_CELLS = GRID * GRID
MIN_OBJECTS, MAX_OBJECTS = 2, 8
SIZE_RANGE = (17, 21)  # object width/height in pixels (inclusive)
MAX_JITTER = 2  # centre offset in pixels; keeps the cell centre inside every shape and the object in its cell

SHAPES = ("square", "circle", "triangle")
COLOURS = ("red", "green", "blue", "yellow")
PLURALS = {"square": "squares", "circle": "circles", "triangle": "triangles"}
BACKGROUND = (224, 224, 224)
# Saturated and far apart in RGB (and from the grey background), so a tiny model separates them easily.
PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 170, 70),
    "blue": (40, 90, 220),
    "yellow": (235, 200, 40),
}

#: One object's identity: (cell, shape, colour). Cells are numbered row-major: cell = row * 3 + col.
Obj = tuple[int, str, str]


@dataclass(frozen=True)
class Placed:
    """An object with its drawing parameters (size and jitter are not part of the scene's identity)."""

    cell: int
    shape: str
    colour: str
    size: int
    dx: int
    dy: int

    def bbox(self) -> tuple[int, int, int, int]:
        """Inclusive pixel box ``(x0, y0, x1, y1)``; its centre is the cell centre shifted by the jitter."""
        ox, oy = (self.cell % GRID) * CELL, (self.cell // GRID) * CELL
        x0 = ox + CELL // 2 + self.dx - self.size // 2
        y0 = oy + CELL // 2 + self.dy - self.size // 2
        return x0, y0, x0 + self.size - 1, y0 + self.size - 1


def cell_centre(cell: int) -> tuple[int, int]:
    """The pixel every object in ``cell`` covers, whatever its size, jitter or shape."""
    return (cell % GRID) * CELL + CELL // 2, (cell // GRID) * CELL + CELL // 2


def canonical(objects: list[Obj] | tuple[Obj, ...]) -> tuple[Obj, ...]:
    """Sorted by cell: the scene's identity, independent of the order in which it was sampled."""
    objs = tuple(sorted((int(c), str(s), str(k)) for c, s, k in objects))
    cells = [c for c, _, _ in objs]
    if len(set(cells)) != len(cells) or not all(0 <= c < N_CELLS for c in cells):
        raise ValueError(f"objects need distinct cells in 0..{N_CELLS - 1}: {cells}")
    return objs


def signature(objects: list[Obj] | tuple[Obj, ...]) -> str:
    """A stable text key for a scene, e.g. ``"0:circle:red|4:square:blue"``."""
    return "|".join(f"{c}:{s}:{k}" for c, s, k in canonical(objects))


def scene_bucket(objects: list[Obj] | tuple[Obj, ...]) -> int:
    """Bucket 0–9 from sha256 of the signature: the same scene lands in the same split whatever the seed."""
    digest = hashlib.sha256(signature(objects).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 10


def place(rng: random.Random, kinds: list[tuple[str, str]]) -> tuple[Obj, ...]:
    """Put ``(shape, colour)`` kinds into distinct random cells."""
    cells = rng.sample(range(N_CELLS), len(kinds))
    return canonical([(cell, shape, colour) for cell, (shape, colour) in zip(cells, kinds, strict=True)])


def jitter(rng: random.Random, objects: tuple[Obj, ...]) -> tuple[Placed, ...]:
    """Draw a size (17–21 px) and a small offset for every object; sampled after the scene is accepted."""
    placed = []
    for cell, shape, colour in objects:
        size = rng.randint(*SIZE_RANGE)
        dx, dy = rng.randint(-MAX_JITTER, MAX_JITTER), rng.randint(-MAX_JITTER, MAX_JITTER)
        placed.append(Placed(cell, shape, colour, size, dx, dy))
    return tuple(placed)


def render(placed: tuple[Placed, ...]) -> Image.Image:
    """Flat colours, no anti-aliasing: every pixel is the background or exactly one palette colour."""
    image = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for obj in placed:
        x0, y0, x1, y1 = obj.bbox()
        fill = PALETTE[obj.colour]
        if obj.shape == "square":
            draw.rectangle((x0, y0, x1, y1), fill=fill)
        elif obj.shape == "circle":
            draw.ellipse((x0, y0, x1, y1), fill=fill)
        elif obj.shape == "triangle":
            draw.polygon([((x0 + x1) / 2, y0), (x0, y1), (x1, y1)], fill=fill)
        else:
            raise ValueError(f"unknown shape {obj.shape!r}")
    return image


def scene_meta(objects: tuple[Obj, ...]) -> list[dict[str, Any]]:
    """The scene as stored in ``meta.scene``: ``[{"cell", "shape", "colour"}, …]`` sorted by cell."""
    return [{"cell": c, "shape": s, "colour": k} for c, s, k in canonical(objects)]
