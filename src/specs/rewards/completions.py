"""Reading TRL's reward-function inputs: completion text and per-completion dataset columns.

TRL hands a reward function ``completions`` as plain strings (standard format) or as message lists
(conversational: ``[{"role": "assistant", "content": "…"}]``, where ``content`` may itself be a list of
``{"type": "text", "text": "…"}`` parts), plus every dataset column as a keyword argument holding one value
per completion. Columns can be absent (a dataset without ``choices``) or hold ``None``/NaN per row.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from typing import Any

Completion = str | Sequence[Any] | dict[str, Any]


def content_text(content: Any) -> str:
    """A message ``content``: a string, or the concatenated ``text`` of its text parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "") if content.get("type", "text") == "text" else ""
    return "".join(content_text(part) if not isinstance(part, str) else part for part in content)


def completion_text(completion: Completion) -> str:
    """The text a completion ends with: the string itself, or the last assistant message's content.

    >>> completion_text([{"role": "assistant", "content": [{"type": "text", "text": "<think>"}, "x"]}])
    '<think>x'
    """
    if isinstance(completion, str):
        return completion
    messages = [completion] if isinstance(completion, dict) else list(completion)
    replies = [m for m in messages if isinstance(m, dict) and m.get("role", "assistant") == "assistant"]
    if not replies:
        return ""
    return content_text(replies[-1].get("content"))


def column(kwargs: dict[str, Any], name: str, n: int) -> list[Any]:
    """Column ``name`` as a list of ``n`` values; ``None`` everywhere when the dataset lacks it."""
    values = kwargs.get(name)
    if values is None:
        return [None] * n
    values = list(values)
    if len(values) != n:
        raise ValueError(f"column {name!r} has {len(values)} values for {n} completions")
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def as_choices(value: Any) -> list[str] | None:
    """Options as a list of strings: accepts lists/tuples/arrays and MMMU's string-encoded Python list."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value) if value.lstrip().startswith("[") else None
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
        if value is None:
            return None
    try:
        options = [str(option) for option in value]
    except TypeError:
        return None
    return options or None
