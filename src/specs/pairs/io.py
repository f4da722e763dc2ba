"""The pairs JSONL file: one canonical record plus its preference pair per line.

::

    {"id": "s0001", "question": "How many circles?", "answer": "3", "images": ["images/s0001.png"],
     "choices": null, "answer_type": "integer", "precision": null, "meta": {},      # canonical (data/records.py)
     "chosen": "<think>…</think><answer>3</answer>", "rejected": "… Answer: 3", "corruption": "answer_to_plain",
     "rejected_original": "<think>…</think><answer>3</answer>",
     "provenance": {"prompt_id": "s0001", "chosen_model": "grpo-zero", "chosen_sample": 2,
                    "rejected_model": "base", "rejected_sample": 5}}

Images are stored relative to the pairs file, like canonical files, so a pairs folder can be moved as a whole.
Reading re-checks the format invariants: a pairs file edited by hand or by an older tool fails loudly, located.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specs.data.jsonl import read_jsonl, write_jsonl_atomic
from specs.data.prompt import PromptSpec
from specs.data.records import Example, parse_example
from specs.errors import DataError
from specs.grading.formatcheck import format_ok
from specs.pairs.corruptions import CORRUPTIONS, check_rejected
from specs.pairs.selection import Pair

CANONICAL_KEYS = ("id", "question", "answer", "images", "choices", "answer_type", "precision", "meta")
PAIR_KEYS = ("chosen", "rejected", "corruption", "rejected_original", "provenance")
PROVENANCE_KEYS: dict[str, type] = {
    "prompt_id": str,
    "chosen_model": str,
    "chosen_sample": int,
    "rejected_model": str,
    "rejected_sample": int,
}


@dataclass(frozen=True)
class PairRecord:
    """A validated line of a pairs file: the prompt's canonical record and its pair (images are absolute)."""

    example: Example
    chosen: str
    rejected: str
    corruption: str
    rejected_original: str
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not format_ok(self.chosen):
            raise ValueError(f"pair {self.example.id}: chosen response is not well formatted")
        check_rejected(self.rejected)
        if self.corruption not in CORRUPTIONS:
            raise ValueError(f"pair {self.example.id}: unknown corruption {self.corruption!r}")


def pair_record(example: Example, pair: Pair) -> PairRecord:
    """Join a prompt's record with the pair built for it."""
    if pair.example_id != example.id:
        raise ValueError(f"pair for {pair.example_id!r} joined with example {example.id!r}")
    return PairRecord(example, pair.chosen, pair.rejected, pair.corruption, pair.rejected_original, pair.provenance())


def _row(record: PairRecord, folder: Path) -> dict[str, Any]:
    ex = record.example
    row: dict[str, Any] = {
        "id": ex.id,
        "question": ex.question,
        "answer": ex.answer,
        "images": [Path(os.path.relpath(Path(img).resolve(), folder)).as_posix() for img in ex.images],
    }
    if ex.choices is not None:
        row["choices"] = list(ex.choices)
    if ex.answer_type is not None:
        row["answer_type"] = ex.answer_type
    if ex.precision is not None:
        row["precision"] = ex.precision
    if ex.meta:
        row["meta"] = ex.meta
    row.update(
        chosen=record.chosen,
        rejected=record.rejected,
        corruption=record.corruption,
        rejected_original=record.rejected_original,
        provenance=dict(record.provenance),
    )
    return row


def write_pairs(path: str | Path, rows: Iterable[PairRecord]) -> Path:
    """Write pair records atomically; image paths become relative to ``path``'s folder."""
    path = Path(path)
    folder = path.parent.resolve()
    return write_jsonl_atomic(path, [_row(record, folder) for record in rows])


def _string(obj: dict[str, Any], key: str, path: Path, line: int) -> str:
    if key not in obj or obj[key] is None:
        raise DataError(path, line, "missing", key)
    value = obj[key]
    if not isinstance(value, str):
        raise DataError(path, line, f"expected str, got {type(value).__name__}", key)
    if not value.strip():
        raise DataError(path, line, "empty", key)
    return value


def _provenance(obj: dict[str, Any], ex_id: str, path: Path, line: int) -> dict[str, Any]:
    if "provenance" not in obj or obj["provenance"] is None:
        raise DataError(path, line, "missing", "provenance")
    prov = obj["provenance"]
    if not isinstance(prov, dict):
        raise DataError(path, line, f"expected dict, got {type(prov).__name__}", "provenance")
    for key, kind in PROVENANCE_KEYS.items():
        if key not in prov:
            raise DataError(path, line, f"missing key {key!r}", "provenance")
        if not isinstance(prov[key], kind) or isinstance(prov[key], bool):
            got = type(prov[key]).__name__
            raise DataError(path, line, f"key {key!r}: expected {kind.__name__}, got {got}", "provenance")
    if prov["prompt_id"] != ex_id:
        raise DataError(path, line, f"prompt_id {prov['prompt_id']!r} differs from id {ex_id!r}", "provenance")
    return prov


def parse_pair(obj: dict[str, Any], path: Path, line: int, check_images: bool = True) -> PairRecord:
    """Validate one decoded line of a pairs file; errors name the file, the line and the field."""
    unknown = sorted(set(obj) - set(CANONICAL_KEYS) - set(PAIR_KEYS))
    if unknown:
        allowed = ", ".join(CANONICAL_KEYS + PAIR_KEYS)
        raise DataError(path, line, f"unknown field (allowed: {allowed})", unknown[0])
    example = parse_example({k: obj[k] for k in CANONICAL_KEYS if k in obj}, path, line, check_images)
    chosen = _string(obj, "chosen", path, line)
    rejected = _string(obj, "rejected", path, line)
    corruption = _string(obj, "corruption", path, line)
    rejected_original = _string(obj, "rejected_original", path, line)
    if corruption not in CORRUPTIONS:
        known = ", ".join(CORRUPTIONS)
        raise DataError(path, line, f"unknown corruption {corruption!r} (known: {known})", "corruption")
    if not format_ok(chosen):
        raise DataError(path, line, "not well formatted (a chosen response must pass format_ok)", "chosen")
    if format_ok(rejected):
        raise DataError(path, line, "well formatted (a rejected response must fail format_ok)", "rejected")
    provenance = _provenance(obj, example.id, path, line)
    return PairRecord(example, chosen, rejected, corruption, rejected_original, provenance)


def read_pairs(path: str | Path, check_images: bool = True) -> list[PairRecord]:
    """Read and validate a whole pairs file; raise ``DataError`` on the first problem (or an empty file)."""
    path = Path(path)
    records = [parse_pair(obj, path, line, check_images) for line, obj in read_jsonl(path)]
    if not records:
        raise DataError(path, None, "empty file: no pairs")
    return records


def _assistant(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def _images(record: PairRecord) -> list[str]:
    return [str(img) for img in record.example.images]


def to_dpo_rows(records: Iterable[PairRecord], prompt: PromptSpec) -> dict[str, list]:
    """Columns for TRL's DPOTrainer, conversational vision layout: ``prompt``/``chosen``/``rejected``/``images``.

    The prompt is the recipe's (the same messages the sampler and GRPO use); string contents: TRL inserts one
    image placeholder per entry of ``images`` before the user text.
    """
    records = list(records)
    return {
        "prompt": [prompt.messages(r.example) for r in records],
        "chosen": [_assistant(r.chosen) for r in records],
        "rejected": [_assistant(r.rejected) for r in records],
        "images": [_images(r) for r in records],
    }


def to_sft_rows(records: Iterable[PairRecord], prompt: PromptSpec) -> dict[str, list]:
    """Columns for TRL's SFTTrainer (prompt-completion, conversational): the chosen side only."""
    records = list(records)
    return {
        "prompt": [prompt.messages(r.example) for r in records],
        "completion": [_assistant(r.chosen) for r in records],
        "images": [_images(r) for r in records],
    }
