"""Format instructions appended to every question (``question`` = query + newline + instruction).

``meta.format`` names the output format an instruction asks for and ``meta.instruction_id`` which phrasing was
used. The five ``tags`` phrasings are deliberately distinct texts: the toy-world notes found that the base
model's tag-vs-prose habit must be tied to the phrasing (downstream, phrasings 0–1 become "often followed" and
2–4 "rarely followed"), otherwise greedy decoding always picks the majority habit. ``boxed`` and ``plain`` only
appear outside train/id-test: they are the changed formats of the OOD set and extra variety for pretraining.
"""

from __future__ import annotations

import random

TAGS = (
    "Think inside <think></think> tags, then give the final answer inside <answer></answer> tags.",
    "First reason step by step in <think> </think>. Then write only the answer in <answer> </answer>.",
    "Wrap your reasoning with <think> and </think>; wrap the final result with <answer> and </answer>.",
    "Output format: <think>your thoughts</think><answer>your answer</answer>",
    "Respond with your thought process in a <think> block, followed by the result in an <answer> block.",
)
BOXED = (
    "Reason step by step, then put the final answer in \\boxed{}.",
    "Explain your reasoning briefly and write the final answer as \\boxed{answer}.",
)
PLAIN = ("Answer with a single word or number.",)

INSTRUCTIONS: dict[str, tuple[str, ...]] = {"tags": TAGS, "boxed": BOXED, "plain": PLAIN}
FORMATS = tuple(INSTRUCTIONS)


def instruction(fmt: str, instruction_id: int) -> str:
    """The text of phrasing ``instruction_id`` of format ``fmt``."""
    if fmt not in INSTRUCTIONS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    phrasings = INSTRUCTIONS[fmt]
    if not 0 <= instruction_id < len(phrasings):
        raise ValueError(f"format {fmt!r} has phrasings 0..{len(phrasings) - 1}, not {instruction_id}")
    return phrasings[instruction_id]


def sample_instruction(rng: random.Random, fmt: str) -> tuple[int, str]:
    """A uniformly chosen phrasing of ``fmt``: ``(instruction_id, text)``."""
    instruction_id = rng.randrange(len(INSTRUCTIONS[fmt]))
    return instruction_id, instruction(fmt, instruction_id)


def full_question(query: str, instruction_text: str) -> str:
    """The user text stored in the record's ``question`` field."""
    return f"{query}\n{instruction_text}"
