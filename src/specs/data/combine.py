"""Several canonical JSONL files → one training file (and a held-out slice of it as the ID test set).

Real recipes train on a union of sources (Orsta-47K + ViRL39K) and measure in-distribution gains on prompts
held out from that union. Image paths are rewritten relative to the output file, so the result can live in
any folder; ids that collide across sources are prefixed with the source file's stem.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

from specs.data.jsonl import read_jsonl, write_jsonl_atomic
from specs.data.records import content_key, parse_example
from specs.errors import ConfigError, DataError


def _same_file(a: Path, b: Path) -> bool:
    try:
        return Path(a).samefile(b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def combine(
    inputs: list[Path], out: Path, holdout: int = 0, holdout_out: Path | None = None, seed: int = 0
) -> dict[str, int]:
    """Validate and merge ``inputs`` into ``out``; move ``holdout`` random records into ``holdout_out``."""
    if holdout and holdout_out is None:
        raise ConfigError("--holdout needs --holdout-out (where the held-out records go)")
    for i, path in enumerate(inputs):
        if first := next((p for p in inputs[:i] if _same_file(p, path)), None):
            raise ConfigError(f"{path} is given twice ({first} is the same file): its records would be held out "
                              "and trained on at once")
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    where: dict[str, str] = {}  # a record's content → where it first came
    for path in inputs:
        for line, obj in read_jsonl(path):
            example = parse_example(obj, Path(path), line)  # validates fields and that every image exists
            key = content_key(example)
            if key in where:
                raise DataError(path, line, f"the same question, answer and images as {where[key]}: a held-out "
                                "copy would also train; remove one")
            where[key] = f"{path}:{line}"
            row = dict(obj, images=[str(p) for p in example.images])
            row["id"] = example.id if example.id not in seen else f"{Path(path).stem}/{example.id}"
            if row["id"] in seen:
                raise DataError(path, line, f"{row['id']!r} repeats even with its source prefix", "id")
            seen.add(row["id"])
            rows.append(row)
    if holdout >= len(rows):
        raise ConfigError(f"--holdout {holdout} leaves no training records (only {len(rows)} in all)")
    held = set(random.Random(seed).sample(range(len(rows)), holdout))
    train = [_relative(r, out) for i, r in enumerate(rows) if i not in held]
    write_jsonl_atomic(out, train)
    if holdout_out is not None:
        write_jsonl_atomic(holdout_out, [_relative(r, holdout_out) for i, r in enumerate(rows) if i in held])
    return {"train": len(train), "holdout": len(held)}


def _relative(row: dict[str, Any], out: Path) -> dict[str, Any]:
    folder = Path(out).resolve().parent
    return dict(row, images=[os.path.relpath(p, folder) for p in row["images"]])
