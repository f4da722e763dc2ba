"""SPECS rewards as TRL GRPO reward functions (``fn(completions, **kwargs) -> list[float]``), no torch.

- ``format_reward``: 0.5 when the response passes the strict format check.
- ``accuracy_reward``: 1.0 when the final answer is correct (columns ``answer``, ``choices``, ``answer_type``,
  ``precision``).
- (``specs.judge.accuracy.JudgeAccuracyReward``: ``accuracy_reward`` with an LLM judge deciding free-form golds.)
- ``composite_reward`` / ``score``: both at once (R_total = 0.5·format + 1.0·accuracy), as ``RewardScore``;
  ``score_example`` scores against a canonical record (eval, GF tracking and distillation use it).
"""

from specs.rewards.accuracy_rewards import accuracy_reward
from specs.rewards.contract import (
    ACCURACY_WEIGHT,
    FORMAT_WEIGHT,
    CompositeReward,
    RewardScore,
    composite_reward,
    score,
    score_example,
)
from specs.rewards.format_rewards import format_reward

__all__ = [
    "ACCURACY_WEIGHT",
    "FORMAT_WEIGHT",
    "CompositeReward",
    "RewardScore",
    "accuracy_reward",
    "composite_reward",
    "format_reward",
    "score",
    "score_example",
]
