"""``convert``: a benchmark's local files → one canonical JSONL file + PNGs beside it.

Layout written (image paths in the JSONL are relative to its folder, as ``specs.data.records`` requires)::

    <out>/<benchmark>.jsonl
    <out>/images/<benchmark>/<id>_<k>.png      # k = 1, 2, … in the benchmark's image order

Images go first, each atomically; the JSONL is written last and atomically, so it only ever names images that
exist. A failed run leaves the previous JSONL (if any) untouched, and removes the folders it made.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

from specs.atomic import mark
from specs.benchmarks.adapters import ADAPTERS, DEFAULT_SPLITS, Draft
from specs.benchmarks.images import store_image
from specs.benchmarks.sources import Row, iter_rows
from specs.data.jsonl import write_jsonl_atomic
from specs.errors import ConfigError, DataError

BENCHMARKS = ("mathvista", "mathverse", "mathvision", "mmmu")
# Every item of these has at least one image; a row without one means a wrong column or a broken file.
# (MathVerse's "Text Only" version may legitimately come without its diagram.)
NEEDS_IMAGE = ("mathvista", "mathvision", "mmmu")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_stem(ex_id: str) -> str:
    """A filesystem-safe, still-unique name for an id (a hash suffix when characters had to be replaced)."""
    safe = _UNSAFE.sub("_", ex_id)[:80]
    if safe != ex_id:
        safe += "-" + hashlib.sha1(ex_id.encode("utf-8")).hexdigest()[:8]
    return safe


def store_images(draft: Draft, row: Row, folder: Path, out_dir: Path, keep_encoding: bool = False) -> list[str]:
    """Save a draft's ``(column, cell)`` images; their paths relative to ``out_dir`` (posix), in order."""
    stem = file_stem(str(draft["id"]))
    paths = []
    for column, cell in draft["images"]:
        stored = store_image(cell, row, column, folder / f"{stem}_{len(paths) + 1}", keep_encoding)
        if stored is not None:
            paths.append(stored[0].relative_to(out_dir).as_posix())
    return paths


def finish(draft: Draft, images: list[str]) -> dict[str, Any]:
    """The canonical record, absent optional fields omitted. No format request is added: the recipe's prompt
    spec asks for the format at every stage (``specs.data.prompt``)."""
    record: dict[str, Any] = {"id": draft["id"], "question": draft["question"], "answer": draft["answer"]}
    record["images"] = images
    for key in ("choices", "answer_type", "precision"):
        if draft.get(key) is not None:
            record[key] = draft[key]
    record["meta"] = dict(draft.get("meta") or {})
    return record


def convert(
    benchmark: str,
    path: str | Path,
    out_dir: str | Path,
    limit: int | None = None,
    *,
    split: str | None = None,
) -> Path:
    """Convert ``benchmark`` files at ``path`` (a file or a folder) into ``<out_dir>/<benchmark>.jsonl``.

    ``split`` narrows a folder of several splits to one by file/folder name (default: the split each
    benchmark reports on — MathVista/MathVerse ``testmini``, MATH-Vision ``test``, MMMU ``validation``; a folder
    with no matching names is read whole). Raises ``DataError`` on bad input.
    """
    path, out_dir = Path(path), Path(out_dir)
    if benchmark not in ADAPTERS:
        raise DataError(path, None, f"unknown benchmark {benchmark!r} (known: {', '.join(BENCHMARKS)})", "benchmark")
    if limit is not None and limit < 1:
        raise ConfigError(f"--limit must be at least 1, got {limit}")
    adapter, folder = ADAPTERS[benchmark], out_dir / "images" / benchmark
    made = [p for p in (out_dir, out_dir / "images", folder) if not p.exists()]  # removed again if we fail
    try:
        return _convert(benchmark, adapter, path, out_dir, folder, limit, split)
    except BaseException:
        for created in reversed(made):  # images this run wrote into folders it made: no partial output
            shutil.rmtree(created, ignore_errors=True)
        raise


def _convert(benchmark: str, adapter, path: Path, out_dir: Path, folder: Path, limit: int | None,
             split: str | None) -> Path:
    records: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for row in iter_rows(path, split or DEFAULT_SPLITS[benchmark]):
        if limit is not None and len(records) >= limit:
            break
        draft = adapter(row)
        where = f"{row.file.name}:{row.line}"
        if draft["id"] in seen:
            raise row.error(f"duplicate id {draft['id']!r} (first at {seen[draft['id']]})", "id")
        seen[draft["id"]] = where
        draft["meta"] = {"benchmark": benchmark, **(draft.get("meta") or {})}
        images = store_images(draft, row, folder, out_dir)
        if not images and benchmark in NEEDS_IMAGE:
            raise row.error("no image in this row", draft["images"][0][0] if draft["images"] else "image")
        records.append(finish(draft, images))
    if not records:
        raise DataError(path, None, "no rows")
    out_dir.mkdir(parents=True, exist_ok=True)
    mark(out_dir)
    return write_jsonl_atomic(out_dir / f"{benchmark}.jsonl", records)
