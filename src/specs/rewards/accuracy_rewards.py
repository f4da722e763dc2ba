"""R_acc: 1.0 when the final answer is correct (docs/grading.md), else 0."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from specs.grading.extract import extract_answer
from specs.grading.grade import grade_answer
from specs.rewards.completions import Completion, as_choices, column, completion_text

ACCURACY_WEIGHT = 1.0

logger = logging.getLogger(__name__)


def gold_column(kwargs: dict[str, Any], n: int) -> list[Any]:
    """The gold answers: column ``answer`` (our canonical records), else ``solution`` (TRL's examples)."""
    name = "answer" if kwargs.get("answer") is not None else "solution"
    golds = column(kwargs, name, n)
    if any(gold is None for gold in golds):
        logger.warning("accuracy reward: %d of %d completions have no gold answer; they score 0.0",
                       sum(gold is None for gold in golds), n)
    return golds


def is_correct(text: str, gold: Any, choices: Any = None, answer_type: str | None = None,
               precision: Any = None) -> tuple[bool, str | None]:
    """(correct, extracted answer) for one completion, reading the answer the reward's way.

    When the response has an ``<answer>`` tag, only a closed ``<answer>…</answer>`` block after the last
    ``</think>`` counts (an answer inside think, or a boxed value outside the block, earns nothing). When it
    has no answer tag at all, the normal extraction applies (last ``\\boxed{}``, else the last "the answer
    is" statement, else a short remainder) — so a base model that never learned the tags still gets accuracy
    credit while the format reward stays 0.
    """
    if gold is None:
        return False, None
    extracted = extract_answer(text, strict=True).answer
    result = grade_answer(extracted, gold, choices=as_choices(choices), answer_type=answer_type,
                          precision=precision)
    return result.correct, result.extracted


def accuracy_reward(
    completions: list[Completion], log_extra: Callable[[str, list], None] | None = None, **kwargs: Any
) -> list[float]:
    r"""Reward 1.0 per completion whose final answer matches the gold, else 0.0.

    Reads the dataset columns ``answer`` (or ``solution``), and optionally ``choices``, ``answer_type`` and
    ``precision``; absent columns or ``None`` values mean "not given" (a missing gold scores 0.0 and is
    logged). See :func:`is_correct` for where the answer is read from.

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
    verdicts = [is_correct(completion_text(c), *row) for c, *row in rows]
    if log_extra is not None:
        log_extra("extracted_answer", [extracted for _, extracted in verdicts])
    return [ACCURACY_WEIGHT if correct else 0.0 for correct, _ in verdicts]
