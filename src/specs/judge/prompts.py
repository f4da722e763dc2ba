"""The judge's three prompts and the readers of its replies.

Each prompt asks for a reply that a few lines of code can read without doubt (one word, or the answer alone),
so a judge that rambles is an error rather than a silent guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

CONSISTENCY_PROMPT = (
    "Below is a model's response: its reasoning inside <think>…</think>, its final answer inside "
    "<answer>…</answer>. Does the reasoning support the final answer (does it conclude the same answer)? "
    "Do not judge whether the answer is correct. Reply with exactly one word: yes or no.\n\n{response}"
)

MATCH_PROMPT = (
    "You are checking a student's final answer against the reference answer of a question.\n\n"
    "{question}Reference answer: {gold}\nStudent's answer: {answer}\n\n"
    "Does the student's answer mean the same as the reference answer? Ignore wording, letter case, articles and "
    "spelled-out numbers; do not solve the question yourself. Reply with exactly one word: yes or no."
)

EXTRACT_PROMPT = (
    "Extract the final answer from a model's response to the question below. Reply with the answer alone, as "
    "short as possible (a number, an option letter, a word or an expression) and as the response gives it; do "
    "not correct it or solve anything. If the response gives no final answer, reply: none.\n\n"
    "Example.\nQuestion: What is the area of the square?\n"
    "Response: The side is 3 cm, so the area is 3 × 3 = 9 square centimetres.\nExtracted answer: 9\n\n"
    "Example.\nQuestion: Which angle is x?\nChoices: (A) 40° (B) 60° (C) 80°\n"
    "Response: The angles of a triangle sum to 180°, so x must be 60°, which is option B.\nExtracted answer: B\n\n"
    "Question: {question}\n{choices}Response: {response}\nExtracted answer:"
)

_WORDS = re.compile(r"[a-z]+")
_LEAD = re.compile(r"^\s*(?:\*\*)?\s*(?:extracted\s+)?answer\s*:\s*(?:\*\*)?\s*", re.IGNORECASE)


def yes_no(reply: str) -> bool | None:
    """True for a reply starting "yes", False for "no", ``None`` for anything else.

    >>> yes_no("Yes."), yes_no(" NO, it does not"), yes_no("maybe")
    (True, False, None)
    """
    words = _WORDS.findall(reply.lower())
    return words[0] == "yes" if words and words[0] in ("yes", "no") else None


def match_prompt(answer: str, gold: Any, question: str | None = None) -> str:
    """:data:`MATCH_PROMPT` for one extracted answer; a list gold lists its accepted alternatives."""
    golds = " | ".join(str(g) for g in gold) if isinstance(gold, (list, tuple)) else str(gold)
    if isinstance(gold, (list, tuple)) and len(gold) > 1:
        golds = f"any of: {golds}"
    lead = f"Question: {question.strip()}\n" if question and question.strip() else ""
    return MATCH_PROMPT.format(question=lead, gold=golds, answer=answer.strip())


def extract_prompt(response: str, question: str, choices: Sequence[str] | None = None) -> str:
    """:data:`EXTRACT_PROMPT` for one response (options lettered A, B, … as the graders read them)."""
    listed = ""
    if choices:
        listed = "Choices: " + " ".join(f"({chr(65 + i)}) {c}" for i, c in enumerate(choices)) + "\n"
    return EXTRACT_PROMPT.format(question=question.strip(), choices=listed, response=response.strip())


def extracted_answer(reply: str) -> str | None:
    """The answer in an extraction reply; ``None`` for "none" (the response gives no final answer).

    >>> extracted_answer("Extracted answer: 12."), extracted_answer("none"), extracted_answer("(B)")
    ('12', None, '(B)')
    """
    lines = [line for line in reply.strip().splitlines() if line.strip()]
    answer = _LEAD.sub("", lines[0] if lines else "").strip().strip("`\"'").strip()
    answer = answer[:-1].rstrip() if answer.endswith(".") else answer
    return None if not answer or answer.lower().strip(".") == "none" else answer
