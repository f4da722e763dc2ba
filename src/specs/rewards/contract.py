"""The typed reward contract (à la EasyR1's ``compute_score``): one call, every component, named.

``overall = format_weight * format + accuracy_weight * accuracy`` with ``format`` and ``accuracy`` in {0, 1};
the SPECS defaults (0.5, 1.0) give R_total ∈ {0, 0.5, 1, 1.5}. Use either ``composite_reward`` alone or
``format_reward`` + ``accuracy_reward`` together as TRL reward functions — not both, or format counts twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specs.grading.formatcheck import format_ok
from specs.rewards.accuracy_rewards import ACCURACY_WEIGHT, gold_column, is_correct
from specs.rewards.completions import Completion, column, completion_text
from specs.rewards.format_rewards import FORMAT_WEIGHT


@dataclass(frozen=True)
class RewardScore:
    """One response's reward: ``format`` and ``accuracy`` in {0.0, 1.0}, ``overall`` their weighted sum."""

    overall: float
    format: float
    accuracy: float
    extracted: str | None = None


def score(
    response: str,
    ground_truth: str | int | float | None,
    *,
    choices: Any = None,
    answer_type: str | None = None,
    precision: int | float | None = None,
    format_weight: float = FORMAT_WEIGHT,
    accuracy_weight: float = ACCURACY_WEIGHT,
) -> RewardScore:
    """Score one response: strict format check plus the accuracy reward's answer reading.

    >>> score("<think>3*4</think><answer>12</answer>", "12")
    RewardScore(overall=1.5, format=1.0, accuracy=1.0, extracted='12')
    >>> score("The answer is 12.", "12").overall
    1.0
    """
    fmt = 1.0 if format_ok(response) else 0.0
    correct, extracted = is_correct(response, ground_truth, choices, answer_type, precision)
    acc = 1.0 if correct else 0.0
    return RewardScore(format_weight * fmt + accuracy_weight * acc, fmt, acc, extracted)


class CompositeReward:
    r"""``overall`` of :func:`score` as one TRL reward function (a class, not a closure, so it pickles).

    Example:
    ```python
    >>> completions = ["<think>3*4</think><answer>12</answer>", "12", "<think>x</think>"]
    >>> composite_reward(completions, answer=["12", "12", "12"])
    [1.5, 1.0, 0.0]

    ```
    """

    def __init__(self, format_weight: float = FORMAT_WEIGHT, accuracy_weight: float = ACCURACY_WEIGHT):
        self.format_weight = format_weight
        self.accuracy_weight = accuracy_weight
        self.__name__ = "composite_reward"  # TRL logs rewards/<__name__>/mean

    def __call__(self, completions: list[Completion], **kwargs: Any) -> list[float]:
        n = len(completions)
        rows = zip(
            completions, gold_column(kwargs, n), column(kwargs, "choices", n),
            column(kwargs, "answer_type", n), column(kwargs, "precision", n), strict=True,
        )
        return [
            score(completion_text(c), gold, choices=choices, answer_type=kind, precision=places,
                  format_weight=self.format_weight, accuracy_weight=self.accuracy_weight).overall
            for c, gold, choices, kind, places in rows
        ]


composite_reward = CompositeReward()
