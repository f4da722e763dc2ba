"""Grading a response against a benchmark gold: locate the answer, then compare (docs/grading.md).

The comparison is a cascade of fast, pure-Python paths — multiple choice, letters, numbers, closed forms,
normalised text — and only a genuinely symbolic span (variables, sets, intervals, relations) reaches
:mod:`specs.grading.symbolic`: sympy-free probes first, then math-verify under input bounds and a deadline.
That keeps a grade in microseconds for the common cases and below a second for any input.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from specs.grading.choices import (
    equivalent_option,
    gold_letter,
    gold_option,
    names_a_letter,
    picked_option,
    predicted_letter,
    stated_option,
)
from specs.grading.extract import extract_answer
from specs.grading.flips import canonical_directions, flipped, same_bearing
from specs.grading.latex import canonical_latex, clean_gold, fix_decoded_escapes, strip_math_delims
from specs.grading.numbers import Number, close, normalize_numeric_text, parse_number, percent_candidates, rounds_to
from specs.grading.statements import candidates, states_phrase
from specs.grading.symbolic import symbolic_equal

ANSWER_TYPES = ("text", "integer", "float", "list")  # MathVista's vocabulary; None = infer from the gold
MAX_ANSWER_CHARS = 1000  # an "answer" longer than this is an essay, not an answer
CLOSED_FORM_PLACES = 2  # MATH-Vision: a decimal matches a closed-form gold when both round equal here

_MATHY = re.compile(r"[\d\\^_=+\-*/<>()\[\]{}|]")
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{[A-Za-z*]+\}")  # `{pmatrix}` names an environment, it is not prose
_PROSE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")  # words, not LaTeX commands: prose is not a formula
_STATED = re.compile(r"^\s*[A-Za-z](?:_\{?\w{1,4}\}?)?\s*=\s*(\S.*)$", re.DOTALL)


@dataclass(frozen=True)
class GradeResult:
    """Verdict, the answer span it was based on (None when no answer was found), and the path that decided."""

    correct: bool
    extracted: str | None
    method: str  # choice | letter | list | number | closed_form | direction | text | symbolic | flip | none | too_long


MAX_PLACES = 100


def decimal_places(precision: int | float | None) -> int | None:
    """Datasets store precision as a float (MathVista ``1.0``): cast to int; NaN means absent.

    >>> decimal_places(2.0), decimal_places(float("nan"))
    (2, None)
    >>> decimal_places(1e300)
    Traceback (most recent call last):
    ValueError: precision must be a whole number of decimal places from 0 to 100, got 1e+300
    """
    if precision is not None and not (isinstance(precision, float) and math.isnan(precision)) and not (
            0 <= precision <= MAX_PLACES and float(precision).is_integer()):
        raise ValueError(f"precision must be a whole number of decimal places from 0 to {MAX_PLACES}, got {precision}")
    if precision is None or (isinstance(precision, float) and math.isnan(precision)):
        return None
    return int(precision)


def _text_key(text: str) -> str:
    text = canonical_latex(text)  # first too: the number dress turns `{bmatrix}` into a word
    text = canonical_directions(canonical_latex(normalize_numeric_text(text)))  # dress, degrees, separators
    return "".join(text.lower().split()).rstrip(".")


def _numbers_equal(pred: Number, gold: Number, answer_type: str | None, precision: int | None) -> bool:
    """Integer gold: equal value. Precision p: round to p. Decimal gold: round to its decimals. Closed form:
    a decimal prediction rounds equal at 2 places (MATH-Vision), an exact form must be equal."""
    if precision is not None and answer_type != "integer":
        return rounds_to(pred, gold.exact if gold.exact is not None else gold.value, precision)
    if gold.exact is None:  # closed-form gold such as 4\pi or \frac{1}{3}
        if pred.exact is not None and rounds_to(pred, gold.value, CLOSED_FORM_PLACES):
            return True
        return close(pred.value, gold.value)
    decimals = gold.decimals or 0
    if answer_type == "integer" or decimals == 0:
        return pred.exact == gold.exact if pred.exact is not None else close(pred.value, gold.value)
    return rounds_to(pred, gold.exact, decimals)


def _compare_numbers(pred_text: str, gold: Number, answer_type: str | None, precision: int | None) -> bool:
    pred = parse_number(pred_text)
    if pred is None:
        return False
    golds = percent_candidates(gold)
    return any(_numbers_equal(p, g, answer_type, precision) for p in percent_candidates(pred) for g in golds)


def _list_items(text: str) -> list[str] | None:
    text = strip_math_delims(text.replace("**", "")).strip()
    if text[:1] in "[(" and text[-1:] in "])":
        text = text[1:-1]
    items = [item.strip() for item in re.split(r"[,;]|\band\b", text)]
    return items if all(items) else None


def _compare_lists(pred_text: str, gold_text: str) -> bool:
    """MathVista list answers (``[2014, 2016]``): same length, same order, each item equal."""
    pred, gold = _list_items(pred_text), _list_items(gold_text)
    if pred is None or gold is None or len(pred) != len(gold):
        return False
    for p, g in zip(pred, gold, strict=True):
        g_num = parse_number(g)
        if g_num is not None:
            if not _compare_numbers(p, g_num, None, None):
                return False
        elif _text_key(p) != _text_key(g):
            return False
    return True


def compare(
    prediction: str, gold: str, answer_type: str | None = None, precision: int | None = None
) -> tuple[bool, str]:
    """Compare an extracted answer with a cleaned gold (no choices): returns (correct, method)."""
    if answer_type == "list":
        return _compare_lists(prediction, gold), "list"
    bearing = same_bearing(prediction, gold)
    if bearing is not None:
        return bearing, "direction"
    gold_number = parse_number(gold)
    if gold_number is not None:
        method = "number" if gold_number.exact is not None else "closed_form"
        if _compare_numbers(prediction, gold_number, answer_type, precision):
            return True, method
        if gold_number.exact is not None or parse_number(prediction) is not None:
            return False, method
        # Closed-form gold, non-numeric prediction (`2\sqrt[3]{4}` vs `\sqrt[3]{32}` evaluates; `x` does not).
    if _text_key(prediction) == _text_key(gold):
        return True, "text"
    if _MATHY.search(gold) and _MATHY.search(prediction) and len(_PROSE.findall(_ENVIRONMENT.sub("", prediction))) < 2:
        stated = _STATED.match(prediction)
        if stated and "=" not in gold:  # `x = \pm 3` states `\pm 3`
            prediction = stated.group(1)
        return symbolic_equal(prediction, gold), "symbolic"
    return False, "text"


Gold = str | int | float | list | tuple


def grade_answer(
    extracted: str | None,
    ground_truth: Gold,
    *,
    choices: list[str] | tuple[str, ...] | None = None,
    answer_type: str | None = None,
    precision: int | float | None = None,
) -> GradeResult:
    """Grade an already-extracted answer span (what the accuracy reward does after its own extraction).

    A list/tuple gold is a set of accepted alternatives (MMMU open questions), unless ``answer_type`` is
    ``"list"`` (MathVista), where it is the answer list itself.

    >>> grade_answer("(B) 60°", "60°", choices=["40°", "60°", "80°"]).correct
    True
    >>> grade_answer("B or C", "B", choices=["1", "2", "3"]).correct
    False
    """
    if answer_type is not None and answer_type not in ANSWER_TYPES:
        raise ValueError(f"answer_type must be one of {ANSWER_TYPES} or None, got {answer_type!r}")
    if ground_truth is None or isinstance(ground_truth, bool):
        raise TypeError(f"ground_truth must be a string, a number or a list of them, got {ground_truth!r}")
    if isinstance(ground_truth, (list, tuple)):
        if answer_type == "list":
            ground_truth = "[" + ", ".join(str(item) for item in ground_truth) + "]"
        else:
            options = {"choices": choices, "answer_type": answer_type, "precision": precision}
            results = [grade_answer(extracted, alternative, **options) for alternative in ground_truth]
            if not results:
                return GradeResult(False, extracted, "none")
            return next((result for result in results if result.correct), results[-1])
    if extracted is None or not extracted.strip():
        return GradeResult(False, None, "none")
    if len(extracted) > MAX_ANSWER_CHARS:
        return GradeResult(False, extracted[:200] + "…", "too_long")
    extracted = fix_decoded_escapes(extracted)  # `\x0crac`: a string-escaping accident in a response, as in a gold
    gold = clean_gold(ground_truth)
    places = decimal_places(precision)
    spans = [extracted, *candidates(extracted)]  # a sentence also states its shorter answers
    if choices:
        options = [str(choice) for choice in choices]
        index = gold_option(gold, options)
        if index is not None:
            picked = next((p for p in map(lambda span: picked_option(span, options), spans) if p is not None), None)
            if picked is None and not names_a_letter(extracted):  # "B. 18" for option C stays a contradiction
                picked = stated_option(extracted, options)
                picked = equivalent_option(extracted, options) if picked is None else picked
            return GradeResult(picked == index, extracted, "choice")
        if gold_letter(gold) is not None:  # a letter gold outside the options: a broken item never scores
            return GradeResult(False, extracted, "choice")
    letter = gold_letter(gold) if answer_type in (None, "text") else None
    if letter is not None:  # MathVerse/MMMU letter gold with the options only in the question text
        picked_letter = next((p for p in map(predicted_letter, spans) if p is not None), None)
        return GradeResult(picked_letter == letter, extracted, "letter")
    if flipped(extracted, gold):
        return GradeResult(False, extracted, "flip")
    method = "text"
    for span in spans:
        if flipped(span, gold):  # a shorter reading that drops the direction or changes the unit
            continue
        correct, method = compare(span, gold, answer_type, places)
        if correct:
            return GradeResult(True, extracted, method)
    if parse_number(gold) is None and not _MATHY.search(gold) and states_phrase(extracted, gold):
        return GradeResult(True, extracted, "text")
    return GradeResult(False, extracted, method)

def grade(
    response: str,
    ground_truth: Gold,
    *,
    choices: list[str] | tuple[str, ...] | None = None,
    answer_type: str | None = None,
    precision: int | float | None = None,
    strict: bool = True,
) -> GradeResult:
    """Grade a full model response: locate the final answer (docs/grading.md), then compare with the gold.

    ``strict`` is :func:`extract_answer`'s: by default the reward's reading (a tagged response counts only
    through a closed ``<answer>`` block), so ``grade`` agrees with the reward, eval and distillation.

    >>> grade("<think>4*3</think><answer>The answer is $\\\\boxed{12}$</answer>", "12")
    GradeResult(correct=True, extracted='12', method='number')
    >>> grade("<think>so 12</think>", "12").correct
    False
    """
    extraction = extract_answer(response, strict=strict)
    return grade_answer(
        extraction.answer, ground_truth, choices=choices, answer_type=answer_type, precision=precision
    )
