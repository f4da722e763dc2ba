"""Chosen-side consistency filters: does the reasoning actually conclude what the answer block says?

Why: a self-distilled chosen response is kept because its *answer* grades correct, but sampling at temperature
makes some of them right by luck — the think block computes 14 and the answer says 12. Training the cold start
to prefer such a response teaches it that reasoning and answer need not agree. The paper's ablation "no chosen
filter" loses ~2 points after RL (arXiv 2510.25801), so the filter is on by default.

Two filters, both ``Callable[[str], bool]`` for ``build_pair(consistency=...)``:

- :func:`conclusion_agrees` (default, free, rule based): the think block's last sentence mentions the answer;
- :class:`specs.judge.consistency.JudgeFilter` (optional, off by default): asks the judge (any OpenAI-compatible
  endpoint); it lives with the judge's client, above this pure module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from specs.grading import grade
from specs.grading.formatcheck import ANSWER_CLOSE, ANSWER_OPEN, THINK_CLOSE, THINK_OPEN, format_ok

GradeFn = Callable[[str, str, Sequence[str] | None], Any]

_SENTENCE_BREAK = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_BOXED = re.compile(r"\\boxed\s*\{")
_MARKER = re.compile(r"\b(?:is|are|be|equals|gives|get|got)\b|[=:,→⇒]")
_LEAD = re.compile(r"^(?:\*\*)?(?:the\s+)?(?:final\s+)?answer\s*(?:is|:)\s*(?:\*\*)?\s*", re.IGNORECASE)


def think_and_answer(text: str) -> tuple[str, str] | None:
    """The stripped contents of the think and answer blocks of a well-formed response, else ``None``.

    >>> think_and_answer("<think>2+2=4</think>\\n<answer> 4 </answer>")
    ('2+2=4', '4')
    >>> think_and_answer("2+2=4. Answer: 4") is None
    True
    """
    if not format_ok(text):
        return None
    think = text[text.index(THINK_OPEN) + len(THINK_OPEN) : text.index(THINK_CLOSE)]
    answer = text[text.index(ANSWER_OPEN) + len(ANSWER_OPEN) : text.index(ANSWER_CLOSE)]
    return think.strip(), answer.strip()


def last_sentence(think: str) -> str:
    """The last non-empty sentence (or line) of a think block.

    >>> last_sentence("Count the circles: 1, 2, 3.\\nSo there are 3 circles. ")
    'So there are 3 circles.'
    """
    parts = [p.strip() for p in _SENTENCE_BREAK.split(think) if p.strip()]
    return parts[-1] if parts else ""


def answer_core(answer: str) -> str:
    """The answer without its dress: the last ``\\boxed{…}``'s content, else the text after "The answer is".

    >>> answer_core("The answer is $\\\\boxed{12}$")
    '12'
    >>> answer_core("Answer: (B).")
    '(B)'
    """
    opens = list(_BOXED.finditer(answer))
    if opens:
        depth, start = 1, opens[-1].end()
        for i in range(start, len(answer)):
            depth += {"{": 1, "}": -1}.get(answer[i], 0)
            if depth == 0:
                return answer[start:i].strip()
    core = _LEAD.sub("", answer.strip())
    return core.strip().strip("$*").strip().rstrip(".").strip()


def _mentions(sentence: str, core: str) -> bool:
    """Whether ``core`` occurs in ``sentence`` as a whole token (not inside a word or a longer number)."""
    if len(core) == 1 and core.isalpha():
        # A choice letter; the article "a"/"A" in prose must not count, so ask for the letter in option dress.
        upper, either = re.escape(core.upper()), f"[{re.escape(core.upper())}{re.escape(core.lower())}]"
        lead = r"\b(?i:option|choice|answer\s+is|is)\s*:?\s*"
        dressed = rf"\({either}\)|(?<!\w){either}(?=[).:]|\s*$)|{lead}{upper}(?!\w)"
        return re.search(dressed, sentence) is not None
    before = r"(?<!\w)(?<!\d[.,])" + (r"(?<![-−])" if core[:1].isdigit() else "")
    pattern = before + re.escape(core) + r"(?!\w)(?![.,]\d)"
    return re.search(pattern, sentence, re.IGNORECASE) is not None


def conclusion_tail(sentence: str) -> str:
    """What a sentence concludes: the text after its last "is", "=", ":", "," (graders extract whole sentences).

    >>> conclusion_tail("Therefore the angle is 60°.")
    '60°'
    >>> conclusion_tail("No marker here")
    ''
    """
    markers = list(_MARKER.finditer(sentence))
    if not markers:
        return ""
    return sentence[markers[-1].end() :].strip().rstrip(".!。").strip()


def _default_grade(response: str, gold: str, choices: Sequence[str] | None) -> Any:
    return grade(response, gold, choices=list(choices) if choices is not None else None)


def conclusion_agrees(text: str, *, choices: Sequence[str] | None = None, grade_fn: GradeFn | None = None) -> bool:
    """True iff the think block's last sentence agrees with the answer block.

    Agreement: the answer's core (see :func:`answer_core`) appears in that sentence as a whole token, or
    ``grade_fn(last_sentence, core, choices)`` grades the sentence correct against the core, or the same for the
    sentence's :func:`conclusion_tail` (this catches ``60°`` vs the letter ``B``, ``0.5`` vs ``1/2``).
    ``grade_fn`` may return a bool or an object with ``.correct``; it defaults to ``specs.grading.grade``.
    Responses that are not well formed never agree.
    Per-example choices: ``functools.partial(conclusion_agrees, choices=example.choices)``.
    """
    parts = think_and_answer(text)
    if parts is None:
        return False
    think, answer = parts
    sentence, core = last_sentence(think), answer_core(answer)
    if not sentence or not core:
        return False
    if _mentions(sentence, core) or (core != answer and _mentions(sentence, answer)):
        return True
    grade = grade_fn or _default_grade
    for attempt in dict.fromkeys([sentence, conclusion_tail(sentence)]):
        if attempt:
            result = grade(attempt, core, choices)
            if result if isinstance(result, bool) else result.correct:
                return True
    return False
