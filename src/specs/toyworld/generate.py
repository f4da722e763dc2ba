"""Writing a split: ``out_dir/<split>.jsonl`` plus ``out_dir/images/<split>/<id>.png``.

Determinism: every random choice comes from ``random.Random(f"{seed}:{split}")`` (string seeds are hashed with
SHA-512 by ``random``, not with Python's salted ``hash()``), and Pillow writes PNGs without timestamps, so the
same (split, n, seed) gives byte-identical files on any machine.

Separation: a scene (its sorted ``(cell, shape, colour)`` objects; size and jitter excluded) belongs to the
bucket ``sha256(signature) mod 10``. Buckets 0–6 feed train *and* pretrain, 7–8 id-test, 9 ood-test, and
scenes are rejection-sampled until they land in their split's bucket. So no test scene is ever seen in RL
training or in the base model's pretraining, for any seeds; train and pretrain may share scenes, like a real
base model whose pretraining overlaps the RL prompts' domain.

Uniqueness: within one split a (scene, query) pair occurs once; the same scene may recur with another question
(two-object scenes are too few to be unique in a large split). In a very large split a
rejected draw is redrawn whole, which slowly shifts a family toward larger scenes; ``MAX_TRIES`` stops a split
that its bucket cannot fill.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specs.atomic import atomic_file, mark
from specs.data.jsonl import write_jsonl_atomic
from specs.errors import ConfigError
from specs.toyworld.questions import FAMILIES, ID_FAMILIES, OOD_FAMILIES, Item, sample_item
from specs.toyworld.scenes import Placed, jitter, render, scene_bucket, scene_meta, signature

SPLITS = ("train", "id-test", "ood-test", "pretrain")
SPLIT_BUCKETS: dict[str, frozenset[int]] = {
    "train": frozenset(range(7)),
    "pretrain": frozenset(range(7)),
    "id-test": frozenset({7, 8}),
    "ood-test": frozenset({9}),
}
OOD_KINDS = ("family", "format", "both")  # OOD family + tags, ID family + boxed, OOD family + boxed
PRETRAIN_FORMATS = {"tags": 0.60, "boxed": 0.25, "plain": 0.15}
MAX_TRIES = 10_000  # scene draws per example before giving up (a split far too large for its bucket)


@dataclass(frozen=True)
class ToyExample:
    """A canonical record (ready for JSON) and the drawn objects of its image."""

    record: dict[str, Any]
    placed: tuple[Placed, ...]


def _check(split: str, n: int) -> None:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (choose from: {', '.join(SPLITS)})")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")


def _plan(rng: random.Random, split: str) -> tuple[str, str, str | None]:
    """``(family, format, ood_kind)`` of the next example, following the split's mix."""
    if split in ("train", "id-test"):
        return rng.choice(ID_FAMILIES), "tags", None
    if split == "ood-test":
        ood = rng.choice(OOD_KINDS)
        family = rng.choice(ID_FAMILIES if ood == "format" else OOD_FAMILIES)
        return family, ("tags" if ood == "family" else "boxed"), ood
    fmt = rng.choices(list(PRETRAIN_FORMATS), weights=list(PRETRAIN_FORMATS.values()))[0]
    return rng.choice(FAMILIES), fmt, None


def _draw(rng: random.Random, split: str, family: str, seen: set[tuple[str, str]]) -> Item:
    """Rejection-sample until the scene is in the split's bucket and the (scene, query) pair is new."""
    buckets = SPLIT_BUCKETS[split]
    for _ in range(MAX_TRIES):
        item = sample_item(rng, family)
        key = (signature(item.objects), item.query)
        if scene_bucket(item.objects) in buckets and key not in seen:
            seen.add(key)
            return item
    raise ConfigError(f"{split}: no new {family} scene after {MAX_TRIES} draws; the split is too large")


def iter_examples(split: str, n: int, seed: int) -> Iterator[ToyExample]:
    """The examples of a split, in order; image paths are relative to the split's JSONL file."""
    _check(split, n)
    rng = random.Random(f"{seed}:{split}")
    seen: set[tuple[str, str]] = set()
    width = max(6, len(str(n - 1)))
    for index in range(n):
        family, fmt, ood = _plan(rng, split)
        item = _draw(rng, split, family, seen)
        ex_id = f"{split}-{index:0{width}d}"
        meta: dict[str, Any] = {"family": family, "format": fmt}
        if ood is not None:
            meta["ood"] = ood
        meta.update(item.extra)
        meta.update({"solution": item.solution, "scene": scene_meta(item.objects),
                     "split": split, "seed": seed})
        record: dict[str, Any] = {
            "id": ex_id,
            "question": item.query,  # no format request: the recipe's prompt spec adds it, as for real data
            "answer": item.answer,
            "images": [f"images/{split}/{ex_id}.png"],
        }
        if item.choices is not None:
            record["choices"] = list(item.choices)
        record["answer_type"] = item.answer_type
        record["meta"] = meta
        yield ToyExample(record, jitter(rng, item.objects))


def _save_png(image_path: Path, placed: tuple[Placed, ...]) -> None:
    """Temp file in the same folder + ``os.replace``: a crash never leaves a truncated PNG."""
    with atomic_file(image_path, "wb") as handle:
        render(placed).save(handle, format="PNG")


def generate_split(out_dir: str | Path, split: str, n: int, seed: int) -> Path:
    """Write ``n`` examples of ``split``; images first, the JSONL last (atomically). Returns the JSONL path.

    PNGs named like this split's ids but not part of the new file (left by an earlier, larger run) are removed.
    """
    _check(split, n)
    out_dir = Path(out_dir)
    image_dir = out_dir / "images" / split
    image_dir.mkdir(parents=True, exist_ok=True)
    mark(out_dir)  # ours: a later --out here may add splits (and removes only this split's own stale PNGs)
    records = []
    for example in iter_examples(split, n, seed):
        _save_png(out_dir / example.record["images"][0], example.placed)
        records.append(example.record)
    path = write_jsonl_atomic(out_dir / f"{split}.jsonl", records)
    keep = {Path(r["images"][0]).name for r in records}
    pattern = re.compile(rf"{re.escape(split)}-\d+\.png")
    for stale in image_dir.iterdir():
        if pattern.fullmatch(stale.name) and stale.name not in keep:
            stale.unlink(missing_ok=True)
    return path
