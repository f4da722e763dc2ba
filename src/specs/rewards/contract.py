"""The typed reward contract (à la EasyR1's ``compute_score``): one call, every component, named.

``overall = format_weight * format + accuracy_weight * accuracy`` with ``format`` and ``accuracy`` in {0, 1};
the SPECS defaults (0.5, 1.0) give R_total ∈ {0, 0.5, 1, 1.5}. Use either ``composite_reward`` alone or
``format_reward`` + ``accuracy_reward`` together as TRL reward functions — not both, or format counts twice.

This is the one scorer: the TRL reward functions, eval, GF tracking and distillation all call :func:`score`.
"Correct" is always the reward's reading of the answer; "well formatted" is judged against the format named by
``fmt`` — ``tags`` (the strict SPECS format the reward and the pairs require) or, in eval, the format the
prompt asked for (``score_example(..., fmt=None)``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from specs.data.records import Example
from specs.grading.extract import extract_answer
from specs.grading.formatcheck import follows_format
from specs.grading.golds import accepted_golds
from specs.grading.grade import grade_answer
from specs.rewards.completions import Completion, as_choices, column, completion_text

FORMAT_WEIGHT = 0.5  # SPECS / MM-EUREKA: R_total = 0.5 * format + 1.0 * accuracy
ACCURACY_WEIGHT = 1.0

logger = logging.getLogger(__name__)


def gold_column(kwargs: dict[str, Any], n: int) -> list[Any]:
    """The golds per row: column ``answer`` (our canonical records), else ``solution`` (TRL's examples), plus the
    accepted alternatives of column ``answers`` (``meta.answers``; :func:`accepted_golds`, the one gold rule)."""
    name = "answer" if kwargs.get("answer") is not None else "solution"
    kinds = column(kwargs, "answer_type", n)
    golds = [
        accepted_golds(gold, alternatives, kind)
        for gold, alternatives, kind in zip(column(kwargs, name, n), column(kwargs, "answers", n), kinds, strict=True)
    ]
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
    fmt: str = "tags",
    format_weight: float = FORMAT_WEIGHT,
    accuracy_weight: float = ACCURACY_WEIGHT,
) -> RewardScore:
    r"""Score one response: the format check for ``fmt`` plus the accuracy reward's answer reading.

    >>> score("<think>3*4</think><answer>12</answer>", "12")
    RewardScore(overall=1.5, format=1.0, accuracy=1.0, extracted='12')
    >>> score("The answer is 12.", "12").overall
    1.0
    >>> score("So it is \\boxed{12}.", "12", fmt="boxed").format
    1.0
    """
    formatted = 1.0 if follows_format(response, fmt) else 0.0
    correct, extracted = is_correct(response, ground_truth, choices, answer_type, precision)
    acc = 1.0 if correct else 0.0
    return RewardScore(format_weight * formatted + accuracy_weight * acc, formatted, acc, extracted)


def example_golds(example: Example) -> Any:
    """The record's golds: ``answer`` plus ``meta.answers`` (MMMU open questions accept several answers)."""
    return accepted_golds(example.answer, example.meta.get("answers"), example.answer_type)


def score_example(response: str, example: Example, fmt: str | None = "tags") -> RewardScore:
    r""":func:`score` against a canonical record; ``fmt=None`` judges the format the record asks for.

    >>> from specs.data.records import Example
    >>> ex = Example("a", "How many?", "3", (), meta={"format": "boxed"})
    >>> score_example("\\boxed{3}", ex, fmt=None).format, score_example("\\boxed{3}", ex).format
    (1.0, 0.0)
    """
    return score(
        response, example_golds(example), choices=list(example.choices) if example.choices else None,
        answer_type=example.answer_type, precision=example.precision,
        fmt=str(example.meta.get("format", "tags")) if fmt is None else fmt,
    )


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
