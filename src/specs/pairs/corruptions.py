"""The five format corruptions that turn a base response into a SPECS *rejected* response.

SPECS (arXiv 2510.25801) pairs a well-formatted GRPO-zero response (chosen) with a base response whose format has
been broken by ONE corruption picked at random (rejected), so that the pair differs in format, not in content.

Rules shared by all five:

- only the exact tags ``<think>``, ``</think>``, ``<answer>``, ``</answer>`` are touched, every occurrence of them;
- whitespace is tidied only where a tag was: a tag between two words becomes one space (never two), a tag on a
  line of its own disappears with its line break, other newlines are kept;
- a response without the targeted tags comes back unchanged (it was not well formatted to begin with);
- the result is never ``format_ok`` — checked on every call by :func:`check_rejected`, which raises.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from specs.grading.formatcheck import ANSWER_CLOSE, ANSWER_OPEN, THINK_CLOSE, THINK_OPEN, format_ok

PLAIN_ANSWER = "Answer:"
# No space is put between these and a word that a removed tag separated: "(<answer>C</answer>)" → "(C)".
_OPENERS = "([{\"'“‘$"
_CLOSERS = ".,;:!?)]}\"'”’%$"


def _junction(text: str, start: int, end: int, had_space: bool) -> str:
    """What replaces ``text[start:end]`` (tags plus the spaces/tabs around them) when it is deleted."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if not before or not after or before.isspace() or after.isspace():
        return ""
    if had_space:
        return " "
    return "" if before in _OPENERS or after in _CLOSERS else " "


def _remove_once(text: str, tags: tuple[str, ...]) -> str:
    run = re.compile(r"[ \t]*(?:(?:" + "|".join(map(re.escape, tags)) + r")[ \t]*)+(\r?\n)?")

    def replace(match: re.Match[str]) -> str:
        start, end = match.start(), match.end()
        newline = match.group(1) or ""
        body_end = end - len(newline)
        body = match.group(0)[: len(match.group(0)) - len(newline)]
        had_space = body[:1] in " \t" or body[-1:] in " \t"
        if newline:
            # The tag ended a line: drop that line break too when the tag was alone on its line.
            alone = start == 0 or text[start - 1] == "\n"
            return "" if alone else newline
        return _junction(text, start, body_end, had_space)

    return run.sub(replace, text)


def _remove(text: str, *tags: str) -> str:
    """Delete every occurrence of ``tags``, repeating until none is left (deleting can splice a new tag together)."""
    while any(tag in text for tag in tags):
        text = _remove_once(text, tags)
    return text


def _answer_open_to_plain(text: str) -> str:
    run = re.compile(r"([ \t]*)" + re.escape(ANSWER_OPEN) + r"([ \t]*)")

    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if not before or before.isspace() or before in _OPENERS:
            left = ""
        else:  # keep a space that was there; add one after a word, but not after a tag's ">"
            left = " " if match.group(1) or before != ">" else ""
        right = "" if not after or after.isspace() else " "
        return left + PLAIN_ANSWER + right

    return run.sub(replace, text)


def strip_all(response: str) -> str:
    """Remove all four tags.

    >>> strip_all("<think>2+2=4</think><answer>4</answer>")
    '2+2=4 4'
    >>> strip_all("<think>\\nadd them\\n</think>\\n<answer>\\n4\\n</answer>\\n")
    'add them\\n4\\n'
    """
    return _remove(response, THINK_OPEN, THINK_CLOSE, ANSWER_OPEN, ANSWER_CLOSE)


def strip_answer(response: str) -> str:
    """Remove ``<answer>`` and ``</answer>``.

    >>> strip_answer("<think>2+2=4</think> <answer>4</answer>")
    '<think>2+2=4</think> 4'
    """
    return _remove(response, ANSWER_OPEN, ANSWER_CLOSE)


def strip_think(response: str) -> str:
    """Remove ``<think>`` and ``</think>``.

    >>> strip_think("<think>2+2=4</think><answer>4</answer>")
    '2+2=4 <answer>4</answer>'
    """
    return _remove(response, THINK_OPEN, THINK_CLOSE)


def strip_answer_move_think_end(response: str) -> str:
    """Remove the answer tags and move ``</think>`` to the end, so the answer ends up inside the think block.

    Every ``</think>`` is removed and one is appended (on its own line if the response had a line break at its
    end); a response that had no ``</think>`` gets none.

    >>> strip_answer_move_think_end("<think>2+2=4</think><answer>4</answer>")
    '<think>2+2=4 4</think>'
    >>> strip_answer_move_think_end("<think>\\n2+2=4\\n</think>\\n<answer>4</answer>\\n")
    '<think>\\n2+2=4\\n4\\n</think>'
    """
    had_close = THINK_CLOSE in response
    text = _remove(response, ANSWER_OPEN, ANSWER_CLOSE, THINK_CLOSE)
    if not had_close:
        return text
    body = text.rstrip()
    return body + ("\n" if "\n" in text[len(body) :] else "") + THINK_CLOSE


def answer_to_plain(response: str) -> str:
    """Replace ``<answer>`` with the plain text ``Answer:`` and delete ``</answer>``.

    >>> answer_to_plain("<think>2+2=4</think><answer>4</answer>")
    '<think>2+2=4</think>Answer: 4'
    >>> answer_to_plain("<think>x</think>\\n<answer>\\nThe answer is 4\\n</answer>")
    '<think>x</think>\\nAnswer:\\nThe answer is 4\\n'
    """
    text = response
    while ANSWER_OPEN in text or ANSWER_CLOSE in text:
        text = _remove(_answer_open_to_plain(text), ANSWER_CLOSE)
    return text


CORRUPTIONS: dict[str, Callable[[str], str]] = {
    "strip_all": strip_all,
    "strip_answer": strip_answer,
    "strip_think": strip_think,
    "strip_answer_move_think_end": strip_answer_move_think_end,
    "answer_to_plain": answer_to_plain,
}


def check_rejected(text: str) -> str:
    """Return ``text`` if it is NOT well formatted; raise ``ValueError`` if it is (it cannot be a rejected side).

    >>> check_rejected("4")
    '4'
    """
    if format_ok(text):
        raise ValueError(f"a rejected response must not be well formatted, got {text[:120]!r}")
    return text


def corrupt(response: str, name: str) -> str:
    """Apply the corruption ``name`` (a key of ``CORRUPTIONS``); the result is guaranteed not ``format_ok``."""
    try:
        fn = CORRUPTIONS[name]
    except KeyError:
        raise ValueError(f"unknown corruption {name!r}; known: {', '.join(CORRUPTIONS)}") from None
    return check_rejected(fn(response))


def random_corruption(response: str, rng: random.Random) -> tuple[str, str]:
    """Pick one corruption uniformly with ``rng`` and apply it: ``(name, corrupted_text)``.

    Uniform over all five even when some leave ``response`` unchanged (the paper picks one at random per pair).
    """
    name = rng.choice(list(CORRUPTIONS))
    return name, corrupt(response, name)
