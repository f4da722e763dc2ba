"""Canonical records → a ``datasets.Dataset`` in TRL's conversational vision layout.

Columns: ``prompt`` (the recipe's system prompt and user turn; TRL inserts the image placeholders), ``images``
(decoded lazily by ``datasets``), plus the grading columns that reward functions receive as keyword arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from specs.data.prompt import PromptSpec
from specs.data.records import Example, load_examples


def to_rows(examples: Sequence[Example], prompt: PromptSpec) -> dict[str, list]:
    """Column-major rows (``datasets.Dataset.from_dict`` input); the prompt column is ``prompt.messages``."""
    return {
        "id": [e.id for e in examples],
        "prompt": [prompt.messages(e) for e in examples],
        "images": [[str(p) for p in e.images] for e in examples],
        "question": [e.question for e in examples],  # for reward functions that show it to a judge
        "answer": [e.answer for e in examples],
        # accepted alternatives, as text: one Arrow type for the column whatever the records hold
        "answers": [[str(a) for a in e.meta.get("answers") or []] or None for e in examples],
        "choices": [list(e.choices) if e.choices else None for e in examples],
        "answer_type": [e.answer_type for e in examples],
        "precision": [e.precision for e in examples],
        "family": [str(e.meta.get("family", "")) for e in examples],
        "format": [str(e.meta.get("format", "tags")) for e in examples],
    }


def load_dataset(path: str | Path, prompt: PromptSpec, limit: int | None = None):
    """Load a canonical JSONL file as a ``datasets.Dataset`` whose ``images`` decode to PIL images."""
    import datasets

    examples = load_examples(path)
    if limit is not None:
        examples = examples[:limit]
    ds = datasets.Dataset.from_dict(to_rows(examples, prompt))
    return ds.cast_column("images", datasets.List(datasets.Image(mode="RGB")))  # EXIF applied, as open_image
