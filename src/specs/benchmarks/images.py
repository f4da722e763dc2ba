"""Image cells → files beside the JSONL, and the Qwen-VL image-token estimate.

Image cells come as HF structs ``{"bytes": ..., "path": ...}``, raw bytes, a path relative to the data file,
or an already decoded PIL image (``datasets`` with decoding on). Each is fully decoded once with Pillow so a
truncated or foreign file fails *here*, with the row and column named, not hours later in a training step.
Every file is written to a temp name and ``os.replace`` d, so an interrupted run never leaves half an image.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from specs.atomic import atomic_file
from specs.benchmarks.sources import Row, is_null

# Qwen2-VL / Qwen2.5-VL processor defaults: 14-px patches merged 2x2 → one token per 28x28 pixels.
QWEN_FACTOR = 28
QWEN_MIN_PIXELS = 56 * 56
QWEN_MAX_PIXELS = 28 * 28 * 16384
_KEEP_ENCODING = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
_PNG_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}


def _source_bytes(cell: Any, row: Row, field: str, roots: Sequence[Path]) -> tuple[bytes | None, Any]:
    """``(raw bytes, PIL image)`` — one of them set — for a non-null cell."""
    from PIL import Image

    if isinstance(cell, Image.Image):
        return None, cell
    if isinstance(cell, (bytes, bytearray, memoryview)):
        return bytes(cell), None
    if isinstance(cell, dict):
        if cell.get("bytes"):
            if not isinstance(cell["bytes"], (bytes, bytearray, memoryview)):
                raise row.error(f"image bytes must be binary (parquet/arrow), got {type(cell['bytes']).__name__}",
                                field)
            return bytes(cell["bytes"]), None
        cell = cell.get("path")
        if not cell:
            raise row.error("image struct has neither bytes nor path", field)
    if isinstance(cell, str):
        relative = Path(cell)
        candidates = [relative] if relative.is_absolute() else [root / relative for root in roots]
        for candidate in candidates:
            if candidate.is_file():
                try:
                    return candidate.read_bytes(), None
                except OSError as exc:
                    raise row.error(f"cannot read image {cell}: {exc.strerror or exc}", field) from None
        tried = ", ".join(str(c.parent) for c in candidates)
        raise row.error(f"image not found: {cell} (looked in {tried})", field)
    raise row.error(f"unsupported image cell of type {type(cell).__name__}", field)


def decode(cell: Any, row: Row, field: str, roots: Sequence[Path]) -> tuple[bytes | None, Any]:
    """Decode a cell fully; ``(original bytes or None, loaded PIL image)``; bad data → ``DataError``."""
    from PIL import Image

    data, image = _source_bytes(cell, row, field, roots)
    if image is not None:
        return None, image
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise row.error(f"undecodable image: {exc}", field) from None
    return data, image


def image_roots(row: Row) -> list[Path]:
    """Where a relative image path may live: beside the data file, its ``images/``, or one folder up."""
    folder = row.file if row.file.is_dir() else row.file.parent
    return [folder, folder / "images", folder.parent]


def save_decoded(data: bytes | None, image: Any, dest_stem: Path, keep_encoding: bool = False) -> Path:
    """Write a decoded image as ``dest_stem + suffix``: PNG, or the original bytes when ``keep_encoding``.

    Benchmarks are re-encoded as PNG (one lossless, predictable format). ``keep_encoding`` copies PNG/JPEG/
    WebP bytes unchanged instead: training sets hold tens of thousands of photos, and JPEG → PNG would cost
    minutes and several times the disk for no gain.
    """
    suffix = _KEEP_ENCODING.get(image.format or "") if keep_encoding and data is not None else None
    if suffix is not None:
        dest = dest_stem.with_name(dest_stem.name + suffix)
        with atomic_file(dest, "wb") as handle:
            handle.write(data)
        return dest
    if image.mode not in _PNG_MODES:
        image = image.convert("RGB")
    dest = dest_stem.with_name(dest_stem.name + ".png")
    with atomic_file(dest, "wb") as handle:
        image.save(handle, format="PNG")
    return dest


def is_empty_cell(cell: Any) -> bool:
    """No image: null, NaN or an empty path string."""
    return is_null(cell) or (isinstance(cell, str) and not cell.strip())


def store_image(
    cell: Any, row: Row, field: str, dest_stem: Path, keep_encoding: bool = False
) -> tuple[Path, tuple[int, int]] | None:
    """Decode and save one image cell; ``(path, (width, height))``, or None for an empty cell."""
    if is_empty_cell(cell):
        return None
    data, image = decode(cell, row, field, image_roots(row))
    return save_decoded(data, image, dest_stem, keep_encoding), image.size


def smart_resize(
    height: int, width: int, factor: int = QWEN_FACTOR, min_pixels: int = QWEN_MIN_PIXELS,
    max_pixels: int = QWEN_MAX_PIXELS,
) -> tuple[int, int]:
    """The size the Qwen-VL processor resizes to: sides multiples of ``factor``, area within the bounds."""
    h_bar = max(factor, round(height / factor) * factor)
    w_bar = max(factor, round(width / factor) * factor)
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


def image_tokens(width: int, height: int, max_pixels: int | None = None, factor: int = QWEN_FACTOR) -> int:
    """Vision tokens of one image for Qwen2/2.5-VL: (H/28)·(W/28) after ``smart_resize`` to ≤ ``max_pixels``.

    >>> image_tokens(280, 280)
    100
    >>> image_tokens(2800, 2800, max_pixels=280 * 280)
    100
    """
    h_bar, w_bar = smart_resize(height, width, factor, max_pixels=max_pixels or QWEN_MAX_PIXELS)
    return (h_bar // factor) * (w_bar // factor)
