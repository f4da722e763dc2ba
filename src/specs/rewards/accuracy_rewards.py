"""R_acc: 1.0 when the final answer is correct (docs/grading.md), else 0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from specs.rewards.completions import Completion, column, completion_text
from specs.rewards.contract import ACCURACY_WEIGHT, gold_column, score


def accuracy_reward(
    completions: list[Completion], log_extra: Callable[[str, list], None] | None = None, **kwargs: Any
) -> list[float]:
    r"""Reward 1.0 per completion whose final answer matches the gold, else 0.0.

    Reads the dataset columns ``answer`` (or ``solution``), and optionally ``choices``, ``answer_type`` and
    ``precision``; absent columns or ``None`` values mean "not given" (a missing gold scores 0.0 and is
    logged). See :func:`specs.rewards.contract.is_correct` for where the answer is read from.

    Example:
    ```python
    >>> completions = [
    ...     [{"role": "assistant", "content": r"<think>4*3</think><answer>It is $\boxed{12}$</answer>"}],
    ...     [{"role": "assistant", "content": "<think>so it is 12</think><answer>13</answer>"}],
    ...     "<think>it is (B)</think><answer>B or C</answer>",
    ... ]
    >>> accuracy_reward(completions, answer=["12", "12", "B"], choices=[None, None, ["1", "2", "3"]])
    [1.0, 0.0, 0.0]

    ```
    """
    n = len(completions)
    golds = gold_column(kwargs, n)
    rows = zip(
        completions, golds, column(kwargs, "choices", n), column(kwargs, "answer_type", n),
        column(kwargs, "precision", n), strict=True,
    )
    scores = [
        score(completion_text(c), gold, choices=choices, answer_type=kind, precision=places)
        for c, gold, choices, kind, places in rows
    ]
    if log_extra is not None:
        log_extra("extracted_answer", [s.extracted for s in scores])
    return [ACCURACY_WEIGHT * s.accuracy for s in scores]
