"""The one image loader: every consumer (training's datasets, sampling, eval, distillation, lmms-eval, reports,
pre-flight and ``data check``) sees the same picture.

Why one: an EXIF-rotated JPEG was seen rotated by training (``datasets`` applies the EXIF orientation) and
unrotated by eval and distillation (plain ``Image.open``), and ``data check`` only ``verify()``-ed headers, so a
truncated JPEG or a 10000×10 strip (beyond the Qwen-VL processor's aspect-ratio limit) passed and failed stages
later. Here: EXIF orientation applied, RGB, the whole file decoded, and the processor's limits checked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_ASPECT_RATIO = 200  # Qwen-VL's smart_resize refuses a longer side over 200 times the shorter one
MIN_SIDE = 1


class ImageProblem(ValueError):
    """Why an image cannot be used, as a phrase that follows the image's name."""


def open_image(path: str | Path) -> Image.Image:
    """The image at ``path`` as every stage sees it: EXIF orientation applied, RGB, decoded whole (the file is
    closed again). Raises :class:`ImageProblem` (too large to decode safely, truncated, not an image, outside the
    processor's aspect-ratio limit)."""
    try:
        with Image.open(path) as img, _strict_decoding():
            img.load()  # the whole file: a truncated JPEG fails here, not at verify()
            upright = ImageOps.exif_transpose(img) or img
            rgb = upright.convert("RGB")
    except Image.DecompressionBombError as exc:  # a 20000x20000 PNG is a few KB on disk and GBs decoded
        raise ImageProblem(f"is too large to decode safely ({exc}); resize it") from None
    except FileNotFoundError:
        raise ImageProblem("not found") from None
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
        raise ImageProblem(f"is unreadable ({exc})") from None
    width, height = rgb.size
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ImageProblem(f"is {width}×{height}: beyond the processor's aspect-ratio limit "
                           f"({MAX_ASPECT_RATIO}:1); crop or pad it")
    return rgb


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    """A truncated file fails to decode even where another library has told PIL to pad it (lmms-eval sets
    ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` when it is imported); the setting is put back afterwards."""
    setting, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = setting


def image_size(path: str | Path) -> tuple[int, int]:
    """(width, height) as :func:`open_image` sees it (EXIF orientation applied), from the header alone."""
    with Image.open(path) as img:
        orientation = img.getexif().get(0x0112, 1)
        return img.size[::-1] if orientation in (5, 6, 7, 8) else img.size
