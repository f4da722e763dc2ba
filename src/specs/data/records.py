"""Validation of canonical records.

One record per JSONL line::

    {"id": "s0001", "question": "How many circles?", "answer": "3",
     "images": ["images/s0001.png"],                      # paths relative to the JSONL file
     "choices": ["2", "3", "4"],                          # optional: multiple choice (gold = text or letter)
     "answer_type": "integer", "precision": null,         # optional: grading hints (MathVista's vocabulary)
     "meta": {"family": "count_shape"}}                   # optional: anything JSON
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specs.data.image import ImageProblem, open_image
from specs.data.jsonl import read_jsonl
from specs.errors import DataError
from specs.grading.formatcheck import FORMAT_CHECKS
from specs.grading.grade import ANSWER_TYPES, decimal_places

_KNOWN = {"id", "question", "answer", "images", "choices", "answer_type", "precision", "meta"}


@dataclass(frozen=True)
class Example:
    """One validated record; ``images`` are absolute paths."""

    id: str
    question: str
    answer: str
    images: tuple[Path, ...]
    choices: tuple[str, ...] | None = None
    answer_type: str | None = None
    precision: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def _expect(obj: dict, key: str, kinds: type | tuple[type, ...], path: Path, line: int, required: bool) -> Any:
    if key not in obj or obj[key] is None:
        if required:
            raise DataError(path, line, "missing", key)
        return None
    value = obj[key]
    if not isinstance(value, kinds) or isinstance(value, bool):
        names = kinds.__name__ if isinstance(kinds, type) else " or ".join(k.__name__ for k in kinds)
        raise DataError(path, line, f"expected {names}, got {type(value).__name__}", key)
    return value


def parse_example(obj: dict[str, Any], path: Path, line: int, check_images: bool = True) -> Example:
    """Validate one decoded JSON object; ``path`` is the JSONL file (images resolve against its folder)."""
    unknown = sorted(set(obj) - _KNOWN)
    if unknown:
        raise DataError(path, line, f"unknown field (allowed: {', '.join(sorted(_KNOWN))})", unknown[0])
    ex_id = _expect(obj, "id", (str, int), path, line, True)
    question = _expect(obj, "question", str, path, line, True)
    answer = _expect(obj, "answer", (str, int, float), path, line, True)
    if not question.strip():
        raise DataError(path, line, "empty", "question")
    if str(answer).strip() == "":
        raise DataError(path, line, "empty", "answer")
    images = _expect(obj, "images", list, path, line, True)
    resolved = []
    for i, rel in enumerate(images):
        if not isinstance(rel, str) or not rel:
            raise DataError(path, line, f"item {i} must be a non-empty path string", "images")
        image_path = (path.parent / rel).resolve()
        if check_images:
            _check_image(image_path, path, line, rel)
        resolved.append(image_path)
    choices = _expect(obj, "choices", list, path, line, False)
    if choices is not None and (not choices or not all(isinstance(c, (str, int, float)) for c in choices)):
        raise DataError(path, line, "must be a non-empty list of strings", "choices")
    answer_type = _expect(obj, "answer_type", str, path, line, False)
    if answer_type is not None and answer_type not in ANSWER_TYPES:
        raise DataError(path, line, f"must be one of {', '.join(ANSWER_TYPES)}, got {answer_type!r}", "answer_type")
    precision = _expect(obj, "precision", (int, float), path, line, False)
    try:
        precision = decimal_places(precision)
    except ValueError as exc:
        raise DataError(path, line, str(exc), "precision") from None
    meta = _expect(obj, "meta", dict, path, line, False) or {}
    if "format" in meta and meta["format"] not in FORMAT_CHECKS:  # the format the prompt asks for and is scored by
        raise DataError(path, line, f"must be one of {', '.join(FORMAT_CHECKS)}, got {meta['format']!r}", "meta.format")
    return Example(
        id=str(ex_id),
        question=question,
        answer=str(answer),
        images=tuple(resolved),
        choices=tuple(str(c) for c in choices) if choices is not None else None,
        answer_type=answer_type,
        precision=precision,
        meta=meta,
    )


def _check_image(image_path: Path, path: Path, line: int, rel: str) -> None:
    if not image_path.is_file():
        raise DataError(path, line, f"image not found: {rel}", "images")
    try:
        open_image(image_path)  # as every stage will open it: decoded whole, within the processor's limits
    except ImageProblem as exc:
        raise DataError(path, line, f"image {rel} {exc}", "images") from None


def load_examples(path: str | Path, check_images: bool = True) -> list[Example]:
    """Read and validate a whole canonical JSONL file; raise ``DataError`` on the first problem."""
    path = Path(path)
    examples: list[Example] = []
    seen: dict[str, int] = {}
    for line, obj in read_jsonl(path):
        example = parse_example(obj, path, line, check_images)
        if example.id in seen:
            raise DataError(path, line, f"duplicate id {example.id!r} (first on line {seen[example.id]})", "id")
        seen[example.id] = line
        examples.append(example)
    if not examples:
        raise DataError(path, None, "empty file: no records")
    return examples


def content_key(example: Example) -> str:
    """What makes two records the same prompt: question, answer and the images' bytes (not their paths). Used
    where a copy would leak: ``data combine`` and pre-flight's test-versus-train check."""
    digest = hashlib.sha256(json.dumps([example.question, str(example.answer)]).encode())
    for image in example.images:
        digest.update(hashlib.sha256(Path(image).read_bytes()).digest())
    return digest.hexdigest()
