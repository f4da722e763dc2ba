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
- Ratios with numeric parts (``2:1``): proportional parts are equal, reversed ones are not.
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
_RELATION = re.compile(r"\\(?:leq?|geq?|neq?|lt|gt)(?![A-Za-z])|<=|>=|!=|[=<>≤≥≠]")
_CANONICAL = {"\\le": "<=", "\\leq": "<=", "≤": "<=", "\\ge": ">=", "\\geq": ">=", "≥": ">=",
              "\\ne": "!=", "\\neq": "!=", "≠": "!=", "\\lt": "<", "\\gt": ">"}
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
    accident). With floats (roots, functions, ``\\pi``) agreement to 1e-10 at every point decides "equal",
    and a relative gap above 1e-6 at two or more points decides "different" (rounding does not open gaps
    that wide with our bounded literals). ``e`` may be Euler's number or a variable: the verdict must be
    the same under both readings.
    """
    if _WORD.search(prediction) or _WORD.search(gold):
        return None
    bare = _COMMAND.sub(" ", prediction) + " " + _COMMAND.sub(" ", gold)
    names = sorted(set(VARIABLE.findall(bare)))
    if not names or len(names) > 6 or "i" in names:
        return None
    if "e" not in names:
        return _probe(prediction, gold, names, {})
    as_variable = _probe(prediction, gold, names, {})
    as_constant = _probe(prediction, gold, [n for n in names if n != "e"], {"e": math.e})
    return as_variable if as_variable == as_constant else None


def _probe(prediction: str, gold: str, names: list[str], constants: dict[str, float]) -> bool | None:
    points = [{name: base + Fraction(7 * j + k, 53) for j, name in enumerate(names)}
              for k, base in enumerate(PROBE_POINTS)]
    if not constants:
        exact = [(evaluate(prediction, p, exact=True), evaluate(gold, p, exact=True)) for p in points]
        if all(left is not None and right is not None for left, right in exact):
            return all(left == right for left, right in exact)
    agree = apart = outside = 0
    for point in points:
        floats = {**constants, **{name: float(value) for name, value in point.items()}}
        left, right = evaluate(prediction, floats), evaluate(gold, floats)
        if left is None or right is None:
            outside += left is None and right is None  # both undefined here (`\\sqrt[3]{x}`, `x^{1/3}`, x < 0)
            continue
        gap = abs(left - right)
        agree += gap <= 1e-10 * max(abs(left), abs(right))
        apart += gap > 1e-6 * max(abs(left), abs(right), 1e-3)
    if agree >= 2 and agree + outside == len(points):
        return True
    return False if apart >= 2 else None


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
    if _same(p_left, g_left) and _same(p_right, g_right) or _same(p_left, g_right) and _same(p_right, g_left):
        return False  # the same two sides under another relation (`x < 3` for `x \le 3`)
    if "".join(p_left.split()) == "".join(g_left.split()) and probe_equal(p_right, g_right) is False:
        return False  # `y = 3x + 2` for `y = 2x + 3`: the same named side, a different other side
    p_form = _linear(p_sign, f"({p_left})-({p_right})")
    g_form = _linear(g_sign, f"({g_left})-({g_right})")
    if p_form is not None and g_form is not None:
        return p_form == g_form  # one unknown, linear: `-x > -1` is `x < 1`, `x > -1` is not
    scale = _scale(f"({p_left})-({p_right})", f"({g_left})-({g_right})")
    if scale is None:
        return None
    if p_sign in ("=", "!=") and p_sign == g_sign:
        return True  # `2x+4y-3=0` for `y=-\frac{1}{2}x+\frac{3}{4}`: the same equation scaled
    if p_sign == g_sign and scale > 0 or p_sign == _MIRROR.get(g_sign) and scale < 0 and p_sign not in ("=", "!="):
        return True  # `-x > -1` for `x < 1`: multiplied by a negative number, the sign turns
    return None


def _linear(sign: str, difference: str) -> tuple[str, str, Fraction] | None:
    """``difference sign 0`` as ``(variable, sign, root)`` when the difference is linear in one variable with a
    nonzero slope (``-x + 1 > 0`` → ``("x", "<", 1)``), exactly; None otherwise."""
    if _WORD.search(difference):
        return None
    names = set(VARIABLE.findall(_COMMAND.sub(" ", difference)))
    if len(names) != 1 or names & {"e", "i"}:
        return None
    (name,) = names
    xs = [*PROBE_POINTS, Fraction(7, 3)]
    values = [evaluate(difference, {name: x}, exact=True) for x in xs]
    if any(value is None for value in values):
        return None
    slope = (values[1] - values[0]) / (xs[1] - xs[0])
    if not slope or any(value != values[0] + slope * (x - xs[0]) for x, value in zip(xs, values, strict=True)):
        return None
    return name, _MIRROR[sign] if slope < 0 else sign, xs[0] - values[0] / slope


def _scale(prediction: str, gold: str) -> Fraction | None:
    """The nonzero constant c with ``prediction`` = c·``gold`` at every probe point, exactly (polynomials and
    rational functions in single-letter variables); None when there is none or the sides are not exact."""
    if _WORD.search(prediction) or _WORD.search(gold):
        return None
    names = sorted(set(VARIABLE.findall(_COMMAND.sub(" ", prediction) + " " + _COMMAND.sub(" ", gold))))
    if not names or len(names) > 6 or "i" in names or "e" in names:
        return None
    scale = None
    for k, base in enumerate(PROBE_POINTS):
        point = {name: base + Fraction(7 * j + k, 53) for j, name in enumerate(names)}
        left, right = evaluate(prediction, point, exact=True), evaluate(gold, point, exact=True)
        if left is None or right is None or not left or not right:
            return None
        if scale is None:
            scale = left / right
        elif left != scale * right:
            return None
    return scale


def _same(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split()) or probe_equal(a, b) is True


def single_vs_plus_minus(prediction: str, gold: str) -> bool | None:
    """A ``\\pm`` gold: one value is a partial answer (``2021`` for ``\\pm 2021``: False); two numbers are
    compared as the set {a, -a} (``3, -3`` or ``\\pm 3`` for ``\\pm 3``)."""
    if not any(sign in text for sign in ("\\pm", "±") for text in (prediction, gold)):
        return None
    if ("\\pm" in gold or "±" in gold) and not _MULTI.search(prediction) and not _RELATION.search(prediction):
        return False
    wanted, given = _plus_minus(gold), _plus_minus(prediction)
    if wanted is None or given is None:
        return None
    return len(wanted) == len(given) and all(close(a, b) for a, b in zip(wanted, given, strict=True))


def _plus_minus(text: str) -> list[float] | None:
    """``\\pm 3`` or ``3, -3`` (optionally ``x = …``) → the sorted values, or None when it is not that."""
    text = re.sub(r"^\s*[A-Za-z]\s*=", "", text.replace("±", "\\pm")).strip()
    pm = re.fullmatch(r"\\pm\s*(.+)", text)
    if pm:
        value = parse_number(pm.group(1))
        return None if value is None or value.percent else sorted([value.value, -value.value])
    parts = [parse_number(part) for part in re.split(r",|\bor\b|\band\b", text)]
    if len(parts) < 2 or any(part is None or part.percent for part in parts):
        return None
    return sorted(part.value for part in parts if part is not None)


def set_equal(prediction: str, gold: str) -> bool | None:
    """``\\{…\\}`` sets on both sides: equal as sets (order and repeats ignored). Numbers compare by value,
    other elements by text or by the probe (``\\{a, 2b\\}`` = ``\\{b+b, a\\}``); None when that cannot decide."""
    items = []
    for text in (prediction, gold):
        text = text.strip()
        if not (text.startswith("\\{") and text.endswith("\\}")) or "\\{" in text[2:-2]:
            return None
        items.append(list(dict.fromkeys(item.strip() for item in text[2:-2].split(","))))
    left, right = items
    if not all(left) or not all(right):
        return None
    if len(left) != len(right):
        return None if any(parse_number(x) is None for x in left + right) else False
    unmatched = list(right)
    for element in left:
        match = next((other for other in unmatched if _element_same(element, other)), None)
        if match is None:
            numeric = all(parse_number(x) is not None for x in left + right)
            return False if numeric or all(_plain_symbol(x) for x in left + right) else None
        unmatched.remove(match)
    return True


def _element_same(a: str, b: str) -> bool:
    x, y = parse_number(a), parse_number(b)
    if x is not None and y is not None:
        return not x.percent and not y.percent and close(x.value, y.value)
    return _same(a, b)


def _plain_symbol(text: str) -> bool:
    return bool(re.fullmatch(r"-?\d*(?:[A-Za-z]|\\[A-Za-z]+)", text.replace(" ", "")))


def union_equal(prediction: str, gold: str) -> bool | None:
    """Unions of intervals (``(-\\infty, 1) \\cup (2, \\infty)``): the same intervals in the same order."""
    if "\\cup" not in prediction and "\\cup" not in gold:
        return None
    left, right = prediction.split("\\cup"), gold.split("\\cup")
    verdicts = [interval_equal(a, b) for a, b in zip(left, right, strict=False)]
    if any(verdict is None for verdict in verdicts):
        return None
    return len(left) == len(right) and all(verdicts)


def _ratio(text: str) -> list[float] | None:
    parts = [part.strip().strip("$") for part in text.replace("：", ":").replace("\\colon", ":").split(":")]
    if len(parts) < 2:
        return None
    numbers = [parse_number(part) for part in parts]
    return None if any(n is None or n.percent for n in numbers) else [n.value for n in numbers]


def ratio_equal(prediction: str, gold: str) -> bool | None:
    """``2:1`` vs ``1:2`` (reversed: wrong) or ``4:2`` (proportional: equal); a ratio gold wants a ratio."""
    expected = _ratio(gold)
    if expected is None:
        return None
    given = _ratio(prediction)
    if given is None:
        return False if ":" not in prediction else None
    if len(given) != len(expected):
        return False
    return all(close(a * expected[0], b * given[0]) for a, b in zip(given, expected, strict=True))


_BASED = re.compile(r"^([0-9A-Fa-f]+)_\{?(\d{1,2})\}?$")


def based_equal(prediction: str, gold: str) -> bool | None:
    """Numerals with a base subscript (``1112122_3``): equal values in their bases; None unless both are."""
    pair = [_BASED.match("".join(text.split())) for text in (prediction, gold)]
    if not all(pair):
        return None
    values = []
    for match in pair:
        digits, base = match.group(1), int(match.group(2))
        try:
            values.append(int(digits, base) if 2 <= base <= 16 else digits.lower() + f"_{base}")
        except ValueError:  # a digit the base does not have: compare the spelling
            values.append(digits.lower() + f"_{base}")
    return values[0] == values[1]


def list_vs_tuple(prediction: str, gold: str) -> bool | None:
    """A bare list of numbers (``1, 3``) against a parenthesised one (``(1, 3)``): the items in order, as
    math-verify reads it. None unless both are such lists of numeric items."""
    prediction, gold = prediction.strip(), gold.replace("\\left", "").replace("\\right", "").strip()
    if prediction[:1] in "([{\\" or not (gold.startswith("(") and gold.endswith(")")):
        return None
    items = [prediction.split(","), gold[1:-1].split(",")]
    if len(items[0]) < 2 or len(items[0]) != len(items[1]):
        return None
    values = [[_endpoint(item) for item in side] for side in items]
    if any(value is None or math.isinf(value) for side in values for value in side):
        return None
    return all(close(a, b) for a, b in zip(*values, strict=True))


_PLAIN_SIDE = re.compile(r"^[\w\s+\-*/^().{}]+$")
_OPERATOR = re.compile(r"[+\-*/^]")


def value_vs_equation(prediction: str, gold: str) -> bool | None:
    """A value or expression (no relation sign) against an equation whose sides are both expressions — neither a
    lone unknown (``7 = 11a+c``, ``2x + z = 1``): the gold asks for the equation, a side of it is not the
    answer. False; None for anything else (``y = 2x+1`` names its unknown: ``2x+1`` is decided elsewhere)."""
    if _RELATION.search(prediction) or len(_RELATION.findall(gold)) != 1:
        return None
    sides = [side.strip() for side in _RELATION.split(gold)]
    if not all(sides) or not all(_PLAIN_SIDE.match(side) for side in sides):
        return None
    if not any(VARIABLE.findall(side) and _OPERATOR.search(side) for side in sides):
        return None
    return False if not any(VARIABLE.fullmatch(side) for side in sides) else None


def value_vs_list(prediction: str, gold: str) -> bool | None:
    """One number against a bare list of several (``1`` for ``1,-2``): a partial answer, wrong (as math-verify's
    path here rejects a smaller answer set than the gold's). None unless both are such."""
    if "," in prediction or _endpoint(prediction) is None:
        return None
    items = gold.split(",")
    if len(items) < 2 or gold.strip()[:1] in "([{\\":
        return None
    return False if all(_endpoint(item) is not None for item in items) else None


_MATRIX = re.compile(r"^\\begin\{([pb])matrix\}(.*)\\end\{\1matrix\}$", re.DOTALL)


def matrix_equal(prediction: str, gold: str) -> bool | None:
    """Matrices (``pmatrix``/``bmatrix``, one spelling) cell by cell: a different shape or a cell decidedly
    different is False, every cell equal (by text, value or probe) is True; None when a cell is undecided."""
    grids = []
    for text in (prediction.strip(), gold.strip()):
        match = _MATRIX.match(text.replace("bmatrix", "pmatrix"))
        if match is None:
            return None
        rows = [row for row in match.group(2).split("\\\\") if row.strip()]
        grids.append([[cell.strip() for cell in row.split("&")] for row in rows])
    mine, theirs = grids
    if [len(row) for row in mine] != [len(row) for row in theirs]:
        return False
    undecided = False
    for left, right in zip((c for row in mine for c in row), (c for row in theirs for c in row), strict=True):
        if "".join(left.split()) == "".join(right.split()):
            continue
        a, b = evaluate(left), evaluate(right)
        verdict = close(a, b) if a is not None and b is not None else probe_equal(left, right)
        if verdict is False:
            return False
        undecided = undecided or verdict is None
    return None if undecided else True


def fast_symbolic(prediction: str, gold: str) -> bool | None:
    """The first decisive fast path, or None when math-verify has to decide."""
    deciders = (based_equal, value_vs_list, value_vs_equation, ratio_equal, single_vs_plus_minus, union_equal,
                interval_equal, list_vs_tuple, set_equal, matrix_equal, relation_equal, probe_equal)
    for decide in deciders:
        verdict = decide(prediction, gold)
        if verdict is not None:
            return verdict
    return None
