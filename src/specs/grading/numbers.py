"""Reading a number the way a careful grader does (docs/grading.md, "Numbers").

``$1{,}000\\text{ cm}^2$`` → 1000, ``x = 12`` → 12, ``−.5`` → -0.5, ``90\\%`` → 90 (percent), ``3/4`` → 0.75.
Plain numbers keep their exact decimal (``Decimal``) so rounding to a precision is exact; closed forms
(``\\frac{\\sqrt3}{2}``, ``4\\pi``) go through the safe evaluator in :mod:`specs.grading.arith`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

from specs.grading.arith import evaluate
from specs.grading.latex import remove_noise, strip_math_delims, unwrap_text_commands

MAX_NUMBER_CHARS = 120  # longer spans are not "a number" — also caps any regex work on adversarial text

_PLAIN = re.compile(
    r"[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+(?:\.\d+)?|\d+\.?\d*|\.\d+)(?:[eE][-+]?\d{1,3})?"
)
_DEGREE = re.compile(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree|°|º")
_PERCENT = re.compile(r"(?:\\%|%|\s*\bper\s*cent\b|\s*\bpercent\b)\s*$", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:approximately|approx\.?|about|around|roughly|\\approx|≈|~)\s*", re.IGNORECASE)
_UNIT_WORD = re.compile(r"[A-Za-zµΩ]+\.?(?:\^\s*\{?-?\d\}?|[²³])?")
# What may stand left of "=" in a stated value: `x`, `x_1`, `Area`, `\angle ABC`, `m\angle A`, `\overline{AB}`.
_LEAD_VAR = re.compile(
    r"^[A-Za-z](?:_\{?\w{1,4}\}?)?$|^[A-Za-z][A-Za-z ]{0,30}$"
    r"|^(?:m\s*)?\\(?:angle|overline|widehat|triangle)\s*\{?\s*[A-Z]{1,4}\s*\}?$"
)
# Trailing words that change the meaning of a number, so they are never dropped as a "unit".
_NOT_UNITS = frozenset(
    re.findall(
        r"\w+",
        """not no or and nor either neither is are was wrong incorrect false true maybe perhaps possibly than
        more less fewer greater smaller larger least most plus minus times over to pi sqrt frac i e x y z n k
        hundred thousand million billion trillion dozen half quarter third thirds fourths squared cubed""",
    )
)
_UNIT_LETTERS = frozenset(("m", "s", "g", "h", "l", "L", "N", "J", "W", "V", "K", "A", "C", "F"))  # others: variables
_CURRENCY = re.compile(r"(?:US\$|USD|EUR|GBP|JPY|CNY|RMB|€|£|¥|₹)\s*(?=[-+]?\.?\d)")
# Unit spellings that name the same unit, so "5 centimeters" and "5 cm" agree; unknown words compare as written.
_UNIT_NAMES = {
    "millimeter": "mm", "millimetre": "mm", "centimeter": "cm", "centimetre": "cm", "meter": "m", "metre": "m",
    "kilometer": "km", "kilometre": "km", "inch": "in", "foot": "ft", "feet": "ft", "yard": "yd", "mile": "mi",
    "gram": "g", "kilogram": "kg", "milligram": "mg", "pound": "lb", "lbs": "lb", "ounce": "oz", "second": "s",
    "sec": "s", "minute": "min", "hour": "h", "hr": "h", "day": "d", "liter": "l", "litre": "l", "milliliter": "ml",
    "millilitre": "ml", "newton": "n", "joule": "j", "watt": "w", "volt": "v", "kelvin": "k", "ampere": "a",
}
_GENERIC_UNITS = frozenset(("unit", "units", "squareunits", "unit^2", "units^2", "sq.units", "squnits"))
_POWER = re.compile(r"\^\s*\{?\s*(-?\d)\s*\}?")


@dataclass(frozen=True)
class Number:
    """A parsed number: its value, its exact decimal when written as one, and whether it carried ``%``."""

    value: float
    exact: Decimal | None  # set for plain decimal literals ("12.50"), None for evaluated forms ("3/4")
    percent: bool = False

    @property
    def decimals(self) -> int | None:
        """Digits after the point as written (``8.0`` → 0: an integer in disguise); None if not a literal."""
        if self.exact is None:
            return None
        if self.exact == self.exact.to_integral_value():
            return 0
        exponent = self.exact.as_tuple().exponent
        return -exponent if isinstance(exponent, int) and exponent < 0 else 0


_LATEX_SEPARATOR = re.compile(r"(\d)\s*(?:\{\s*,\s*\}|,\s*\\!)\s*(?=\d{3}(?!\d))")


def normalize_numeric_text(text: str) -> str:
    """Remove the dress around a number: delimiters, ``\\text{}``, markdown, degree signs, separators."""
    text = strip_math_delims(text.replace("**", ""))
    text = _LATEX_SEPARATOR.sub(r"\1,", text)  # `14 {, }916`, `11,\\! 111` (MATH's spellings), before `\\!` goes
    text = unwrap_text_commands(remove_noise(text))
    text = text.replace("−", "-").replace("–", "-").replace("﹣", "-").replace("－", "-")
    text = text.replace("{,}", ",").replace(",\\!", ",").replace("\\!", "")
    text = _CURRENCY.sub("", text)
    text = _DEGREE.sub("", text)
    for space in ("~", "\u00a0", "\u202f", "\u2009", "\\ "):
        text = text.replace(space, " ")
    text = re.sub(r"\{\s*([A-Za-z]+)\s*\}", r" \1", text)  # `69{degrees}` → `69 degrees`
    return " ".join(text.split())


def _units_only(rest: str) -> bool:
    """True when ``rest`` is only unit words: ``cm^2``, ``m/s``, ``square units``, ``apples``."""
    words = rest.replace("/", " ").replace("·", " ").replace("*", " ").split()
    if len(words) > 4:
        return False
    for word in words:
        if not _UNIT_WORD.fullmatch(word):
            return False
        bare = word.rstrip(".").split("^")[0].rstrip("²³")
        if bare.lower() in _NOT_UNITS or (len(bare) == 1 and bare not in _UNIT_LETTERS):
            return False
    return True


def _unit_word(word: str) -> str:
    word = word.lower().rstrip(".")
    if word in _UNIT_NAMES:
        return _UNIT_NAMES[word]
    if len(word) > 3 and word.endswith("s") and word[:-1] in _UNIT_NAMES:
        return _UNIT_NAMES[word[:-1]]
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def unit_of(text: str) -> str | None:
    r"""The unit a number is stated in, canonical (``5 square centimeters`` → ``cm^2``), or None.

    None when there is no unit, when it is the generic "units", or when the text is not a number with units.
    Only the first unit expression counts (``5 km long`` → ``km``): trailing prose is not part of the unit.

    >>> unit_of("12 m/s^2"), unit_of("$5\\text{ cm}^{2}$"), unit_of("12"), unit_of("7 square units")
    ('m/s^2', 'cm^2', None, None)
    """
    if len(text) > MAX_NUMBER_CHARS:
        return None
    degrees = bool(_DEGREE.search(text))
    text = _PERCENT.sub("", _PREFIX.sub("", normalize_numeric_text(text)))
    if "=" in text:  # `Area = 113.1 cm^2`: the unit of the stated value
        text = _PREFIX.sub("", text.rsplit("=", 1)[1].strip())
    match = _PLAIN.match(text)
    rest = text[match.end() :].strip() if match else ""
    if not rest or not _units_only(rest):
        return "degree" if degrees and match and not rest else None
    rest = re.sub(r"\s*([/·*])\s*", r"\1", _POWER.sub(r"^\1", rest)).replace("²", "^2").replace("³", "^3")
    words = rest.split()
    power = ""
    if words[0].lower() in ("square", "sq", "sq.", "cubic") and len(words) > 1:
        power = "^3" if words[0].lower() == "cubic" else "^2"
        words = words[1:]
    first = re.split(r"([/·*^])", words[0])
    unit = "".join(_unit_word(piece) if piece.isalpha() else piece for piece in first) + power
    return None if unit.lower() in _GENERIC_UNITS else unit


def _plain(text: str) -> Number | None:
    """A decimal literal followed only by unit words (and maybe ``%``)."""
    percent = bool(_PERCENT.search(text))
    if percent:
        text = _PERCENT.sub("", text).strip()
    match = _PLAIN.match(text)
    if match is None:
        return None
    rest = text[match.end() :].strip()
    if rest and not _units_only(rest):
        return None
    literal = match.group(0).replace(",", "").replace(" ", "")
    try:
        exact = Decimal(literal)
    except InvalidOperation:
        return None
    if not exact.is_finite():
        return None
    return Number(float(exact), exact, percent)


def _evaluated(text: str) -> Number | None:
    """A closed form (``\\frac{3}{4}``, ``4\\pi``), possibly followed by unit words (``4\\pi cm^2``)."""
    percent = bool(_PERCENT.search(text))
    if percent:
        text = _PERCENT.sub("", text).strip()
    value = evaluate(text)
    words = text.split(" ")
    for cut in range(1, min(4, len(words))):
        if value is not None:
            break
        head, tail = " ".join(words[:-cut]), " ".join(words[-cut:])
        if _units_only(tail):
            value = evaluate(head)
    return None if value is None else Number(value, None, percent)


def close(a: float, b: float) -> bool:
    """Equal up to float noise (relative 1e-9, no absolute slack: 2^-99 and 2^-98 stay different)."""
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def parse_number(text: str) -> Number | None:
    """The number ``text`` states, or ``None``; accepts ``x = 12``, ``5=s``, units, ``%`` and closed forms.

    >>> parse_number("$1{,}000 \\\\text{ cm}^2$").value
    1000.0
    >>> parse_number("x = \\\\dfrac34").value
    0.75
    >>> parse_number("12 or 13") is None
    True
    """
    if len(text) > MAX_NUMBER_CHARS:
        return None
    text = normalize_numeric_text(text)
    text = _PREFIX.sub("", text)
    if not text:
        return None
    pieces = [piece.strip() for piece in re.split(r"=|\\approx|≈", text)]
    if len(pieces) > 2 and not all(_LEAD_VAR.match(piece) or parse_number(piece) for piece in pieces):
        return None  # `x=2, x=3` states two values, not the last one; `x = 3/4 = 0.75` is still one
    if len(pieces) > 1:
        # `x = 12`, `Area = 113.1 cm^2`, `3+4 = 7`: the right side; `5 = s`: the left one; `2x = 12`: neither.
        right, left = pieces[-1], pieces[0]
        exact_left = _evaluated(left) if "\\approx" in text or "≈" in text else None
        if exact_left is not None and (stated := _plain(right)) is not None and stated.decimals is not None \
                and rounds_to(stated, exact_left.value, stated.decimals):
            return exact_left  # `9\pi \approx 28.3`: the exact value, with its rounding checked
        left_ok = bool(_LEAD_VAR.match(left)) or not re.search(r"[A-Za-z]", left)
        if right and left_ok and not _LEAD_VAR.match(right):
            text = right
        elif _LEAD_VAR.match(right) and left and not _LEAD_VAR.match(left):
            text = left
        else:
            return None
        text = _PREFIX.sub("", text)
    return _plain(text) or _evaluated(text)


def round_decimal(value: Decimal | float, places: int, mode: str = ROUND_HALF_UP) -> Decimal:
    """``value`` rounded to ``places`` decimals (exact when ``value`` is a ``Decimal`` literal)."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=mode)


def rounds_to(prediction: Number, gold: Decimal | float, places: int) -> bool:
    """Prediction rounded to ``places`` equals gold rounded likewise (half-up or half-even: a tie is fine)."""
    exact = prediction.exact if prediction.exact is not None else prediction.value
    target = round_decimal(gold, places)
    return any(round_decimal(exact, places, mode) == target for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN))


def percent_candidates(number: Number) -> list[Number]:
    """``75%`` may mean 75 (MathVista's percent units) or 0.75: both readings are candidates."""
    if not number.percent:
        return [number]
    scaled = number.exact / 100 if number.exact is not None else None
    return [number, Number(number.value / 100, scaled, False)]
