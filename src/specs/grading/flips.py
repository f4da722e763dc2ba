"""Flips that must never pass: an opposite direction or a different unit turns a right number wrong.

Why: the grader is the RL reward, and a reward that accepts ``N 30° W`` for ``N 30° E`` (the number matches,
the letter is ignored) or ``5 cm`` for ``5 m`` is one a policy can farm. Sign flips are already wrong in the
number comparison; this module covers what the number comparison cannot see.

- **Directions**: compass words and letters (``N 30° E``, ``north-east``, ``30° east of north``), left/right,
  up/down, above/below, clockwise/counterclockwise. When the gold states directions, the answer must state the
  same ones in the same order.
- **Units**: when both sides state a unit, they must be the same unit (spellings folded: ``cm`` =
  ``centimeters``). A unit only in the answer is fine: MathVista stores the unit apart from the gold.
"""

from __future__ import annotations

import re

from specs.grading.numbers import normalize_numeric_text, unit_of

_COMPASS = {"n": "north", "s": "south", "e": "east", "w": "west"}
_WORDS = re.compile(
    r"\b(north|south|east|west|left|right|up|down|above|below|clockwise|counter-?clockwise|anti-?clockwise)\b"
    r"|\b(north|south)-?\s?(east|west)\b",
    re.IGNORECASE,
)
# Letters only as a bearing (N 30° E, S45W) or as a whole answer (NE, SW): a lone "E" elsewhere is a variable.
_BEARING = re.compile(r"\b([NS])\s*\d+(?:\.\d+)?\s*(?:°|\^\s*\{?\\circ\}?|degrees?)?\s*([EW])\b")
_ABBREVIATION = re.compile(r"[NSEW]{1,3}")
_OF = re.compile(r"\b(east|west)\s+of\s+(north|south)\b", re.IGNORECASE)


_COUNTER = re.compile(r"\b(?:counter|anti)-?\s?clockwise\b", re.IGNORECASE)


def canonical_directions(text: str) -> str:
    """One spelling for the same turn: ``counter-clockwise`` and ``anticlockwise`` → ``counterclockwise``."""
    return _COUNTER.sub("counterclockwise", text) if "lockwise" in text else text


def directions(text: str) -> tuple[str, ...]:
    """The directions ``text`` states, in order, as canonical words.

    >>> directions("N 30° E"), directions("30° east of north"), directions("anti-clockwise")
    (('north', 'east'), ('north', 'east'), ('counterclockwise',))
    >>> directions("12 cm")
    ()
    """
    text = normalize_numeric_text(text)
    stripped = text.replace(" ", "")
    if _ABBREVIATION.fullmatch(stripped):
        return tuple(_COMPASS[letter.lower()] for letter in stripped)
    text = _BEARING.sub(lambda m: f" {_COMPASS[m.group(1).lower()]} {_COMPASS[m.group(2).lower()]} ", text)
    text = _OF.sub(lambda m: f" {m.group(2)} {m.group(1)} ", text)
    found: list[str] = []
    for match in _WORDS.finditer(text):
        if match.group(2):
            found += [match.group(2).lower(), match.group(3).lower()]
        else:
            word = match.group(1).lower().replace("-", "")
            found.append("counterclockwise" if word in ("anticlockwise", "counterclockwise") else word)
    return tuple(found)


def flipped(prediction: str, gold: str) -> bool:
    """True when ``prediction`` states another direction or another unit than ``gold`` (never correct then).

    >>> flipped("N 30° W", "N 30° E"), flipped("5 cm", "5 m"), flipped("5 cm", "5"), flipped("north", "N")
    (True, True, False, False)
    """
    gold_directions = directions(gold)
    if gold_directions and directions(prediction) != gold_directions:
        return True
    gold_unit = unit_of(gold)
    if gold_unit is None or gold_directions:
        return False
    unit = unit_of(prediction)
    return unit is not None and unit != gold_unit


_FILLER = re.compile(r"\b(?:of|to|the|a|degrees?|deg|it|is|turns?|moves?|goes|points?|towards?|bearing)\b|[\s.,°]",
                     re.IGNORECASE)
_ANY_DIRECTION = re.compile(_WORDS.pattern + r"|\b[NSEW]{1,3}\b", re.IGNORECASE)


def same_bearing(prediction: str, gold: str) -> bool | None:
    """A gold that is only a direction (``N 30° E``, ``left``): the same directions and the same numbers.

    None when either side says more than a direction and an angle (``left atrium``): other rules decide.

    >>> same_bearing("30° east of north", "N 30° E"), same_bearing("N 60° E", "N 30° E")
    (True, False)
    >>> same_bearing("To the left.", "left"), same_bearing("left atrium", "left") is None
    (True, True)
    """
    wanted = directions(gold)
    if not wanted or directions(prediction) != wanted:
        return None
    numbers = []
    for text in (prediction, gold):
        plain = normalize_numeric_text(text)
        values = re.findall(r"\d+(?:\.\d+)?", plain)
        if _FILLER.sub("", _ANY_DIRECTION.sub("", re.sub(r"\d+(?:\.\d+)?", "", plain))):
            return None
        numbers.append([float(value) for value in values])
    return numbers[0] == numbers[1]
