"""Finished batches of samples on disk, so a killed eval or distillation resumes instead of sampling again.

Why: at 7B scale one distillation samples two models for hours (4 responses × 10k tokens per prompt); a crash
at 90% used to lose all of it. The sampler now works in chunks of prompts and, given a cache folder, writes each
finished chunk as one JSONL file (atomically) and reads it back on a rerun. ``meta.json`` records what was
sampled (model, sampling settings, prompt, the examples' ids): a cache made for anything else is discarded, never
mixed in. The caller deletes the folder once its own output is written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from specs.data.jsonl import write_json_atomic, write_jsonl_atomic
from specs.data.records import Example
from specs.generation.hf import Sample


def samples_cache(out: Path) -> Path:
    """Where a sampling stage writing ``out`` keeps its finished chunks until ``out`` is written."""
    return out.parent / f".{out.name}.samples"


class SampleCache:
    """One folder of chunk files for one (model, sampling, prompt, examples) combination."""

    def __init__(self, root: Path, identity: dict[str, Any], examples: Sequence[Example]):
        self.root = Path(root)
        ids = hashlib.sha256("\n".join(e.id for e in examples).encode()).hexdigest()
        self.identity = {**identity, "examples": ids}

    def open(self, main: bool) -> None:
        """Keep a matching cache, discard a stale one (main process only; the others just read). Nothing is
        written until the first chunk is: a run that fails before sampling leaves no folder."""
        meta = self.root / "meta.json"
        if main and self.root.is_dir() and (not meta.is_file() or _load(meta) != self.identity):
            shutil.rmtree(self.root)

    def path(self, chunk: int) -> Path:
        return self.root / f"chunk-{chunk:05d}.jsonl"

    def read(self, chunk: int, examples: Sequence[Example]) -> list[list[Sample]] | None:
        """The chunk's samples, or None when it is missing or does not hold exactly these examples."""
        path = self.path(chunk)
        if not path.is_file():
            return None
        try:
            rows = [json.loads(line) for line in path.read_text().splitlines()]
            if [row["id"] for row in rows] != [e.id for e in examples]:
                return None
            return [[Sample(**sample) for sample in row["samples"]] for row in rows]
        except (ValueError, KeyError, TypeError):
            return None  # a damaged file is sampled again

    def write(self, chunk: int, examples: Sequence[Example], samples: list[list[Sample]]) -> None:
        rows = [{"id": e.id, "samples": [dataclasses.asdict(s) for s in per]}
                for e, per in zip(examples, samples, strict=True)]
        if not (self.root / "meta.json").is_file():
            write_json_atomic(self.root / "meta.json", self.identity)
        write_jsonl_atomic(self.path(chunk), rows)


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except ValueError:
        return None
