"""Synthetic base-model transcripts for the toy world: always correct, only sometimes well formatted.

Like an instruct VLM before RL, the base answers in plain prose most of the time and uses the requested
``<think>…</think><answer>…</answer>`` format only sometimes. The habit is tied to the instruction's
phrasing (toy-notes: if it were independent of the prompt, greedy decoding would always pick the majority
habit and greedy format compliance would be ~0%). The model's own mistakes supply the imperfect accuracy.
"""

from __future__ import annotations

import random
from typing import Any

# P(follow the requested format) per (format, phrasing index in the prompt spec's instructions).
# Tags: 2 phrasings followed 85%, 3 phrasings 15%
# → 43% overall, the paper's base had 41.6%.
FOLLOW_PROB: dict[str, tuple[float, ...]] = {
    "tags": (0.85, 0.85, 0.15, 0.15, 0.15),
    "boxed": (0.6, 0.6),
    "plain": (0.8,),
}


def formatted(style: str, solution: str, answer: str) -> str:
    """The response in output style ``style``: ``tags``, ``boxed``, ``plain`` or ``prose``."""
    if style == "tags":
        return f"<think>{solution}</think>\n<answer>{answer}</answer>"
    if style == "boxed":
        return f"{solution} The answer is \\boxed{{{answer}}}."
    if style == "plain":
        return answer
    return f"{solution} The answer is {answer}."


def base_transcript(meta: dict[str, Any], answer: str, phrasing: int, rng: random.Random) -> str:
    """A base-model response to one toy record asked with phrasing ``phrasing``: the requested format with
    FOLLOW_PROB, else prose."""
    fmt = meta.get("format", "tags")
    probs = FOLLOW_PROB[fmt]
    follow = rng.random() < probs[phrasing % len(probs)]
    return formatted(fmt if follow else "prose", meta["solution"], answer)
