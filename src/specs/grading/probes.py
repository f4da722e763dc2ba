"""Fast, sympy-free decisions for the common "symbolic" answer pairs; ``None`` means "ask math-verify".

- Intervals and pairs with numeric ends (``(1, 2]`` vs ``[1,2]``): same brackets, equal ends.
- Expressions in single-letter variables (``(x+1)^2`` vs ``x^2+2x+1``): evaluated at three fixed rational
  points (one negative, one in (0, 1), one above 1) with the safe evaluator. With exact ``Fraction``
  arithmetic (polynomials, rational functions) the values decide both ways — two different rational
  functions agree at all three points only by accident; with floats (``\\sqrt``, ``\\pi``) only agreement
  to 1e-10 decides, since a float disagreement may be cancellation. ``e`` and ``i`` may be constants, and
  words, functions and sets are out of scope: those go to math-verify.
- Relations with one relation sign (``y = 1 + 2x`` vs ``y=2x+1``, ``x > 1`` vs ``1 < x``): the same sign
  (or its mirror) and both sides equal by the probe; otherwise undecided.
- Sets of numbers (``\\{2, 1\\}`` vs ``\\{1, 2\\}``): equal as sets.
- A single value against a ``\\pm`` gold (``3`` for ``\\pm 3``): a partial multi-answer, wrong.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from specs.grading.arith import GREEK, VARIABLE, evaluate
from specs.grading.numbers import close, parse_number

PROBE_POINTS = (Fraction(-37, 29), Fraction(13, 23), Fraction(61, 26))
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}")
_INFINITY = {"\\infty": math.inf, "+\\infty": math.inf, "-\\infty": -math.inf, "∞": math.inf, "-∞": -math.inf}
_RELATION = re.compile(r"\\(?:leq?|geq?|neq?)(?![A-Za-z])|<=|>=|!=|[=<>≤≥≠]")
_CANONICAL = {"\\le": "<=", "\\leq": "<=", "≤": "<=", "\\ge": ">=", "\\geq": ">=", "≥": ">=",
              "\\ne": "!=", "\\neq": "!=", "≠": "!="}
_MIRROR = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}
_COMMAND = re.compile(r"\\(?!(?:" + "|".join(GREEK) + r")(?![A-Za-z]))[A-Za-z]+")
_MULTI = re.compile(r"\\pm|\\mp|±|,|;|\\\{|\bor\b|\band\b")


def _endpoint(text: str) -> float | None:
    text = text.strip().replace(" ", "")
    if text in _INFINITY:
        return _INFINITY[text]
    number = parse_number(text)
    return None if number is None or number.percent else number.value


def interval_equal(prediction: str, gold: str) -> bool | None:
    """Intervals/pairs with numeric ends: same brackets and equal ends. None when either is not one."""
    pair = []
    for text in (prediction.strip(), gold.strip()):
        text = text.replace("\\left", "").replace("\\right", "")
        if len(text) < 5 or text[0] not in "[(" or text[-1] not in ")]" or text.count(",") != 1:
            return None
        low, high = (_endpoint(part) for part in text[1:-1].split(","))
        if low is None or high is None:
            return None
        pair.append((text[0], low, text[-1], high))
    (pl, plow, pr, phigh), (gl, glow, gr, ghigh) = pair
    return pl == gl and pr == gr and close(plow, glow) and close(phigh, ghigh)


def probe_equal(prediction: str, gold: str) -> bool | None:
    """Compare two expressions in single-letter variables at fixed points; None when undecided.

    Exact for polynomials and rational functions (two different ones agree at all our points only by
    accident); ``e`` and ``i`` are left to math-verify because they may be constants.
    """
    if _WORD.search(prediction) or _WORD.search(gold):
        return None
    bare = _COMMAND.sub(" ", prediction) + " " + _COMMAND.sub(" ", gold)
    names = sorted(set(VARIABLE.findall(bare)))
    if not names or len(names) > 6 or "e" in names or "i" in names:
        return None
    points = [{name: base + Fraction(7 * j + k, 53) for j, name in enumerate(names)}
              for k, base in enumerate(PROBE_POINTS)]
    exact = [(evaluate(prediction, p, exact=True), evaluate(gold, p, exact=True)) for p in points]
    if all(left is not None and right is not None for left, right in exact):
        return all(left == right for left, right in exact)
    for point in points:
        floats = {name: float(value) for name, value in point.items()}
        left, right = evaluate(prediction, floats), evaluate(gold, floats)
        if left is None or right is None or abs(left - right) > 1e-10 * max(abs(left), abs(right)):
            return None
    return True


def relation_equal(prediction: str, gold: str) -> bool | None:
    """``lhs REL rhs`` pairs: True when the signs match (or mirror) and the sides are probe-equal."""
    parts = []
    for text in (prediction, gold):
        signs = _RELATION.findall(text)
        if len(signs) != 1:
            return None
        left, right = _RELATION.split(text)
        parts.append((_CANONICAL.get(signs[0], signs[0]), left.strip(), right.strip()))
    (p_sign, p_left, p_right), (g_sign, g_left, g_right) = parts
    if not (p_left and p_right and g_left and g_right):
        return None
    if p_sign == g_sign and _same(p_left, g_left) and _same(p_right, g_right):
        return True
    if p_sign == _MIRROR.get(g_sign) and _same(p_left, g_right) and _same(p_right, g_left):
        return True
    return None


def _same(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split()) or probe_equal(a, b) is True


def single_vs_plus_minus(prediction: str, gold: str) -> bool | None:
    """False for one value against a ``\\pm`` gold (``2021`` for ``\\pm 2021``): a partial answer."""
    if ("\\pm" in gold or "±" in gold) and not _MULTI.search(prediction) and not _RELATION.search(prediction):
        return False
    return None


def set_equal(prediction: str, gold: str) -> bool | None:
    """``\\{…\\}`` sets of numbers on both sides: equal as sets (order and repeats ignored)."""
    values = []
    for text in (prediction, gold):
        text = text.strip()
        if not (text.startswith("\\{") and text.endswith("\\}")):
            return None
        numbers = [parse_number(item) for item in text[2:-2].split(",")]
        if not numbers or any(n is None or n.percent for n in numbers):
            return None
        values.append(sorted({n.value for n in numbers if n is not None}))
    left, right = values
    return len(left) == len(right) and all(close(a, b) for a, b in zip(left, right, strict=True))


def fast_symbolic(prediction: str, gold: str) -> bool | None:
    """The first decisive fast path, or None when math-verify has to decide."""
    for decide in (single_vs_plus_minus, interval_equal, set_equal, relation_equal, probe_equal):
        verdict = decide(prediction, gold)
        if verdict is not None:
            return verdict
    return None
