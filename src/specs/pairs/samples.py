"""The samples file: pre-generated responses (a teacher's) that distillation can take as its chosen side.

One response per line::

    {"id": "s0001", "text": "<think>…</think><answer>3</answer>"}

``id`` is the canonical record's id (a string or an integer, compared as a string, as the data loader reads
ids) and ``text`` is one response. A prompt may have any number of lines; its responses keep the file's order
(their index is the pair's ``chosen_sample``). Lines whose id is not among the prompts are ignored, so one file
can serve several data slices. Like every file we read, a bad line is one error naming the file, line and field.
"""

from __future__ import annotations

from pathlib import Path

from specs.data.jsonl import read_jsonl
from specs.errors import DataError

SAMPLE_KEYS = ("id", "text")


def read_samples(path: str | Path) -> dict[str, list[str]]:
    """prompt id → its responses, in file order; raise ``DataError`` on the first bad line (or an empty file)."""
    path = Path(path)
    samples: dict[str, list[str]] = {}
    for line, obj in read_jsonl(path):
        unknown = sorted(set(obj) - set(SAMPLE_KEYS))
        if unknown:
            raise DataError(path, line, f"unknown field (allowed: {', '.join(SAMPLE_KEYS)})", unknown[0])
        for key, kinds in (("id", (str, int)), ("text", (str,))):
            value = obj.get(key)
            if value is None:
                raise DataError(path, line, "missing", key)
            if isinstance(value, bool) or not isinstance(value, kinds):
                names = " or ".join(k.__name__ for k in kinds)
                raise DataError(path, line, f"expected {names}, got {type(value).__name__}", key)
            if isinstance(value, str) and not value.strip():
                raise DataError(path, line, "empty", key)
        samples.setdefault(str(obj["id"]), []).append(obj["text"])
    if not samples:
        raise DataError(path, None, "empty file: no responses")
    return samples
