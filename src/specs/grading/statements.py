"""Answers written as sentences: the value a statement or a self-correction settles on.

Why: models (and benchmark references) often answer in a sentence — "the smallest value of $k$ is 7",
"There are 7 apples left.", "It is not 5 — recounting, it is 6." A grader that compares the whole sentence
with the gold marks these wrong, and one that takes *any* number in it rewards hedges. The rules here are
narrow on purpose:

- a self-correction counts from its last marker on ("recounting", "actually", "wait", "no,", a dash);
- what remains must not hedge or negate (``not``, ``or``, ``at least``, ``maybe`` …): then nothing is read;
- the candidate is the text after the last copula ("is", "are", "=", ":"), minus a trailing ", not X";
  or, when the sentence states exactly one number, that number with the word after it (a unit stays a unit);
- a text gold counts when it appears as a whole phrase in a short, unhedged sentence.

The caller compares each candidate as an answer of its own, so every other rule (units, directions, option
letters) still applies to it.
"""

from __future__ import annotations

import re

MAX_STATEMENT_WORDS = 25  # longer spans are explanations, not statements of an answer

_CORRECTION = re.compile(
    r"\b(?:re-?count(?:ing|ed)?|actually|correction|on second thought|wait|scratch that|i mean)\b\s*[,:;.!]?"
    r"|(?<=[\w.,…!?])\s+no\s*[,:;.!]|(?<=[.,…])no\s*[,:;.!]"  # "5... no, 6" (a leading "No," is an answer)
    r"|\bnot\b[^.;]*?\bbut\b|;\s*|\s[—–]\s?|\s-{1,2}\s|\.{3}|…",
    re.IGNORECASE,
)
_YES_NO = re.compile(r"^\s*(yes|no)\b\s*[,.;:!]", re.IGNORECASE)
_JUSTIFICATION = re.compile(r"\s*,?\s*\b(?:because|since|given that|due to|as shown|which)\b.*$", re.I | re.DOTALL)
_LIST = re.compile(r"\band\b|,|&|\bplus\b|\bas well as\b", re.IGNORECASE)
_NOT_A_UNIT = frozenset(("of", "in", "the", "and", "for", "to", "at", "on", "with", "from", "by", "is", "are"))
_HEDGE = re.compile(
    r"\b(?:not|no|never|neither|nor|or|least|most|more|less|fewer|than|except|maybe|perhaps|possibly|probably|"
    r"unless|between|either|approximately equal to|if|whether|wrong|incorrect|false|invalid|impossible|could|might|"
    r"may|guess|likely|unsure)\b|n't",
    re.IGNORECASE,
)
# The `=` of `!=`, `<=`, `>=` is part of a relation, not a copula; "we find that X" states X as "X is" does.
_COPULA = re.compile(
    r"\b(?:is|are|was|were|equals|be|becomes|gives|makes)\b|(?<![!<>=])=(?!=)|:|："
    r"|\b(?:find|finds|found|get|gets|obtain|obtains|conclude|concludes|have|has)\s+that\b",
    re.IGNORECASE,
)
_INEQUALITY = re.compile(r"!=|[≠<>≤≥]|\\(?:neq?|[lg]eq?|[lg]t)(?![A-Za-z])")
_CONTRAST = re.compile(r"\s*[,;]?\s*\b(?:not|rather than|instead of)\b.*$", re.IGNORECASE | re.DOTALL)
_NUMBER = re.compile(r"(?<![\w.])[-−+]?\$?\d[\d,]*(?:\.\d+)?%?(?![\w.]*\d)")
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]+")  # words, not LaTeX commands (`\frac`, `\pi`)


def _settled(span: str) -> str:
    """The part after the last self-correction marker (the whole span when there is none)."""
    last = None
    for last in _CORRECTION.finditer(span):  # noqa: B007 — we want the last one
        pass
    return span[last.end() :] if last is not None and span[last.end() :].strip() else span


def candidates(span: str) -> list[str]:
    """Shorter answers a sentence-like span states, best first; empty when it hedges or is not a sentence.

    >>> candidates("the smallest value of k is 7")
    ['7']
    >>> candidates("It is not 5 — recounting, it is 6")
    ['6']
    >>> candidates("There are 7 apples left"), candidates("B — actually, C")
    (['7 apples left', '7 apples'], ['C'])
    >>> candidates("It is 7 or 8"), candidates("at least 7"), candidates("12")
    ([], [], [])
    """
    words = _WORD.findall(span)
    if not words or max(map(len, words)) < 2 or len(span.split()) > MAX_STATEMENT_WORDS:
        return []  # not a sentence: `x^2 + y`, `\frac{\pi}{6}`
    settled = _settled(span).strip()
    yes_no = _YES_NO.match(settled)
    if yes_no:  # "No, the two lines are not parallel."
        return [yes_no.group(1)]
    settled = _JUSTIFICATION.sub("", settled) or settled
    contrast = _CONTRAST.search(settled)
    core = settled[: contrast.start()] if contrast and contrast.start() > 0 else settled
    copulas = list(_COPULA.finditer(core))
    if _HEDGE.search(_without_relative_modals(core, copulas)):
        return []
    found: list[str] = []
    if copulas:
        tail = core[copulas[-1].end() :].strip(" ,.;:")
        if tail:
            found.append(tail)
    numbers = list(_NUMBER.finditer(core))
    if len(numbers) == 1 and (not copulas or numbers[0].start() >= copulas[-1].end()) and not _INEQUALITY.search(core):
        # not "12 is wrong", and not the 5 of "x != 5" or "x < 5"
        after = [word for word in core[numbers[0].end() :].split()[:1] if word.lower() not in _NOT_A_UNIT]
        found.append(" ".join([numbers[0].group(0), *after]).strip(" ,.;:"))
    if not copulas and settled != span.strip():  # "5... no, 6", "B — actually, C"
        found.append(core.strip(" ,.;:"))
    return list(dict.fromkeys(c for c in found if c and c != span.strip()))


def _without_relative_modals(core: str, copulas: list[re.Match[str]]) -> str:
    """``core`` minus modals in a relative clause of the subject ("the number of points that could be in the
    domain is 19"): they describe the subject, not doubt about the answer. "The answer could be 5" keeps its
    hedge (the last copula is the modal's own "be"), and so does "It could be that it is 5" (no relative)."""
    if not copulas or copulas[-1].group(0).lower() == "be":
        return core
    cut = copulas[-1].start()
    return _RELATIVE_MODAL.sub(" ", core[:cut]) + core[cut:]


_RELATIVE_MODAL = re.compile(r"\b(?:that|which|who)\s+(?:could|might|may|can)\b", re.IGNORECASE)


def states_phrase(span: str, phrase: str) -> bool:
    """Whether a short, unhedged sentence states ``phrase`` as a whole phrase (case and spacing folded).

    >>> states_phrase("It takes place in the larval phase.", "larval phase")
    True
    >>> states_phrase("It is not the larval phase.", "larval phase"), states_phrase("larval", "larval phase")
    (False, False)
    """
    words, target = _words(_settled(span)), _words(phrase)
    if not target or len(words) > MAX_STATEMENT_WORDS or _HEDGE.search(" ".join(words)):
        return False
    if _LIST.search(span) and not _LIST.search(phrase):
        return False  # "red and blue" names two answers
    n = len(target)
    return any(words[i : i + n] == target for i in range(len(words) - n + 1))


def _words(text: str) -> list[str]:
    return re.findall(r"[\w°%]+(?:-[\w°%]+)*", text.lower())  # "right-angled" is one word, not "right"
