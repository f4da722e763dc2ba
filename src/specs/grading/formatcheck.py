"""The strict SPECS response format: ``<think>…</think><answer>…</answer>``.

Strict because lenient checks get reward-hacked: a tiny policy under GRPO learned to emit
``<think>…</think.</think><answer>0</answer>``, which a count-the-exact-tags check accepts.
Linear time: one scan for tag-like fragments, then slicing.
"""

from __future__ import annotations

import re

THINK_OPEN, THINK_CLOSE, ANSWER_OPEN, ANSWER_CLOSE = "<think>", "</think>", "<answer>", "</answer>"
TAGS = (THINK_OPEN, THINK_CLOSE, ANSWER_OPEN, ANSWER_CLOSE)

# Anything that starts like one of our tags, in any case and spacing: "<think", "< /Answer", "</think.".
_FRAGMENT = re.compile(r"<\s*/?\s*(?:think|answer)", re.IGNORECASE)


def format_ok(response: str) -> bool:
    """True iff ``response`` is exactly ``<think>T</think><answer>A</answer>`` up to outer whitespace.

    T and A must be non-empty after stripping, each tag must appear exactly once and in order,
    and no other tag-like fragment may appear anywhere.

    >>> format_ok("<think>2+2=4</think>\\n<answer>4</answer>")
    True
    >>> format_ok("<think>x</think.</think><answer>0</answer>")
    False
    >>> format_ok("<think> </think><answer>4</answer>")
    False
    """
    fragments = list(_FRAGMENT.finditer(response))
    if len(fragments) != 4:
        return False
    starts = []
    for match, tag in zip(fragments, TAGS, strict=True):  # len(fragments) == 4 checked above
        start = match.start()
        if response[start : start + len(tag)] != tag:
            return False
        starts.append(start)
    t_open, t_close, a_open, a_close = starts
    think = response[t_open + len(THINK_OPEN) : t_close]
    answer = response[a_open + len(ANSWER_OPEN) : a_close]
    outside = (
        response[:t_open],
        response[t_close + len(THINK_CLOSE) : a_open],
        response[a_close + len(ANSWER_CLOSE) :],
    )
    return bool(think.strip()) and bool(answer.strip()) and not any(part.strip() for part in outside)


_BOXED = re.compile(r"\\boxed\s*\{")


def boxed_ok(response: str) -> bool:
    """True iff the response puts exactly one non-empty ``\\boxed{…}`` in it and uses no think/answer tags.

    The "put the final answer in \\boxed{}" instruction of out-of-distribution prompts.

    >>> boxed_ok("3 + 4 = 7, so the answer is $\\\\boxed{7}$.")
    True
    >>> boxed_ok("<think>3+4</think><answer>\\\\boxed{7}</answer>")
    False
    """
    opens = list(_BOXED.finditer(response))
    if len(opens) != 1 or _FRAGMENT.search(response):
        return False
    depth, start = 1, opens[0].end()
    for i in range(start, len(response)):
        depth += {"{": 1, "}": -1}.get(response[i], 0)
        if depth == 0:
            return bool(response[start:i].strip())
    return False


_PLAIN = re.compile(r"\(?[\w.+\-/]{1,24}\)?\.?")


def plain_ok(response: str) -> bool:
    """True iff the response is a single short word or number (the "answer with a single word" instruction).

    >>> plain_ok(" 7 ")
    True
    >>> plain_ok("There are 7.")
    False
    """
    return _PLAIN.fullmatch(response.strip()) is not None


# The output formats a prompt can ask for (a canonical record's ``meta.format``) and their checks.
FORMAT_CHECKS = {"tags": format_ok, "boxed": boxed_ok, "plain": plain_ok}


def follows_format(response: str, fmt: str = "tags") -> bool:
    """Whether ``response`` follows the output format ``fmt`` (one of ``FORMAT_CHECKS``)."""
    try:
        return FORMAT_CHECKS[fmt](response)
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMAT_CHECKS)}") from None
