"""R_format: 0.5 for a response in the strict ``<think>…</think><answer>…</answer>`` format, else 0."""

from __future__ import annotations

from typing import Any

from specs.rewards.completions import Completion, completion_text
from specs.rewards.contract import FORMAT_WEIGHT, score


def format_reward(completions: list[Completion], **kwargs: Any) -> list[float]:
    r"""Reward ``FORMAT_WEIGHT`` (0.5) per completion that passes the strict format check, else 0.0.

    Strict on purpose (docs/grading.md): a lenient tag count was reward-hacked with
    ``<think>…</think.</think><answer>0</answer>``.

    Example:
    ```python
    >>> completions = [
    ...     [{"role": "assistant", "content": "<think>3*4</think><answer>12</answer>"}],
    ...     [{"role": "assistant", "content": "<think>3*4</think.</think><answer>12</answer>"}],
    ... ]
    >>> format_reward(completions)
    [0.5, 0.0]

    ```
    """
    return [FORMAT_WEIGHT * score(completion_text(c), None).format for c in completions]
