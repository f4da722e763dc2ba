"""Geometry and drawing: one object per 28-px cell, inside its cell, in its exact palette colour and shape."""

from __future__ import annotations

import itertools
import random

import pytest
from PIL import Image, ImageChops
from toyworld_helpers import read_rows

from specs.toyworld.scenes import (
    BACKGROUND,
    CELL,
    PALETTE,
    SHAPES,
    SIZE_RANGE,
    Placed,
    canonical,
    cell_centre,
    jitter,
    render,
    scene_bucket,
    signature,
)

GREY = Image.new("RGB", (CELL, CELL), BACKGROUND)


def cell_box(cell: int) -> tuple[int, int, int, int]:
    x, y = (cell % 3) * CELL, (cell // 3) * CELL
    return x, y, x + CELL, y + CELL


def classify(crop: Image.Image) -> tuple[set[tuple[int, int, int]], str | None]:
    """Colours in a cell and the shape read off the fill fraction of the object's bounding box."""
    colours = {c for _, c in crop.getcolors(CELL * CELL)} - {BACKGROUND}
    box = ImageChops.difference(crop, GREY).getbbox()
    if box is None:
        return colours, None
    filled = sum(n for n, c in crop.getcolors(CELL * CELL) if c != BACKGROUND)
    fraction = filled / ((box[2] - box[0]) * (box[3] - box[1]))
    shape = "square" if fraction > 0.97 else "circle" if fraction > 0.68 else "triangle"
    return colours, shape


@pytest.mark.parametrize("shape", SHAPES)
def test_every_size_and_jitter_stays_in_cell_and_covers_centre(shape: str) -> None:
    for size, dx, dy in itertools.product(range(SIZE_RANGE[0], SIZE_RANGE[1] + 1), range(-2, 3), range(-2, 3)):
        obj = Placed(4, shape, "red", size, dx, dy)
        x0, y0, x1, y1 = obj.bbox()
        assert min(x0, y0) >= CELL + 1 and max(x1, y1) <= 2 * CELL - 2  # one free pixel at each border
        image = render((obj,))
        assert image.size == (84, 84) and image.mode == "RGB"
        assert image.getpixel(cell_centre(4)) == PALETTE["red"], (size, dx, dy)
        colours, seen = classify(image.crop(cell_box(4)))
        assert colours == {PALETTE["red"]} and seen == shape, (size, dx, dy)


def test_palette_is_saturated_and_separable() -> None:
    colours = [*PALETTE.values(), BACKGROUND]
    for a, b in itertools.combinations(colours, 2):
        assert sum(abs(x - y) for x, y in zip(a, b, strict=True)) > 150


def test_signature_and_bucket_are_stable() -> None:
    objs = [(4, "square", "blue"), (0, "circle", "red")]
    assert signature(objs) == "0:circle:red|4:square:blue"
    assert scene_bucket(objs) == scene_bucket(list(reversed(objs))) == 8  # pinned: buckets must never move
    with pytest.raises(ValueError):
        canonical([(1, "square", "red"), (1, "circle", "blue")])


def test_jitter_is_seeded() -> None:
    objs = canonical([(0, "circle", "red"), (8, "triangle", "green")])
    assert jitter(random.Random("a"), objs) == jitter(random.Random("a"), objs)


def test_generated_images_match_their_scenes(splits) -> None:
    for split, path in splits.items():
        for row in read_rows(path)[:300]:
            with Image.open(path.parent / row["images"][0]) as image:
                image = image.convert("RGB")
                assert image.size == (84, 84)
                by_cell = {o["cell"]: o for o in row["meta"]["scene"]}
                assert 2 <= len(by_cell) == len(row["meta"]["scene"]) <= 8
                for cell in range(9):
                    colours, shape = classify(image.crop(cell_box(cell)))
                    obj = by_cell.get(cell)
                    if obj is None:
                        assert not colours, (split, row["id"], cell)
                        continue
                    assert image.getpixel(cell_centre(cell)) == PALETTE[obj["colour"]], (split, row["id"], cell)
                    assert colours == {PALETTE[obj["colour"]]}, (split, row["id"], cell)
                    assert shape == obj["shape"], (split, row["id"], cell)
