import math

import pytest

from specs.grading.arith import evaluate, is_closed_form
from specs.grading.numbers import close, parse_number, rounds_to

NUMBERS = [
    ("12", 12.0),
    ("$12$", 12.0),
    ("**12**", 12.0),
    ("12.", 12.0),
    ("−5", -5.0),
    ("-5", -5.0),
    (".5", 0.5),
    ("-.5", -0.5),
    ("004", 4.0),
    ("1,000", 1000.0),
    ("1 000", 1000.0),
    ("1,234,567.5", 1234567.5),
    ("14{,}916", 14916.0),
    ("12,\\!000", 12000.0),
    ("1\\,000", 1000.0),
    ("x = 12", 12.0),
    ("x_1 = 12", 12.0),
    ("Area = 113.1 \\mathrm{~cm}^{2}", 113.1),
    ("5=s", 5.0),
    ("3 + 4 = 7", 7.0),
    ("60°", 60.0),
    ("60^\\circ", 60.0),
    ("60^{\\circ}", 60.0),
    ("69{degrees}", 69.0),
    ("12 \\text{ cm}", 12.0),
    ("12 cm^2", 12.0),
    ("12 m/s", 12.0),
    ("12 square units", 12.0),
    ("12 sq. ft", 12.0),
    ("\\$12", 12.0),
    ("approximately 3.14", 3.14),
    ("\\approx 3.14", 3.14),
    ("1e3", 1000.0),
    ("3/4", 0.75),
    ("\\frac{3}{4}", 0.75),
    ("\\dfrac34", 0.75),
    ("\\tfrac{3}{4}", 0.75),
    ("\\frac{360}7", 360 / 7),
    ("2\\sqrt{3}", 2 * math.sqrt(3)),
    ("\\sqrt[3]{27}", 3.0),
    ("4\\pi", 4 * math.pi),
    ("4π", 4 * math.pi),
    ("2^{-3}", 0.125),
    ("2^3", 8.0),
    ("1.5 \\times 10^{3}", 1500.0),
    ("6 \\div 4", 1.5),
    ("\\left(\\frac{1}{2}\\right)^2", 0.25),
    ("4\\pi \\text{ cm}^2", 4 * math.pi),
]


@pytest.mark.parametrize("text, value", NUMBERS)
def test_parse_number(text, value):
    number = parse_number(text)
    assert number is not None and math.isclose(number.value, value, rel_tol=1e-12)


NOT_NUMBERS = [
    "",
    "twelve",
    "12 or 13",
    "12, 13",
    "1,2",
    "12x",
    "12 x",
    "12 million",
    "12 is wrong",
    "not 12",
    "2 3",
    "2x = 12",
    "x = y",
    "\\frac{a}{b}",
    "10^{10^{10}}",
    "9^{9999}",
    "\\sqrt{-4}",
    "1/0",
    "1" * 200,
]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_not_a_number(text):
    assert parse_number(text) is None


def test_percent_flag_and_exact_decimal():
    number = parse_number("75\\%")
    assert number.percent and number.value == 75.0
    assert parse_number("75 percent").percent
    assert parse_number("8.0").decimals == 0
    assert parse_number("1.50").decimals == 2
    assert parse_number("3/4").decimals is None


def test_rounding_to_precision():
    assert rounds_to(parse_number("1.23"), 1.2, 1)
    assert rounds_to(parse_number("1.25"), 1.3, 1)  # half-up
    assert rounds_to(parse_number("1.25"), 1.2, 1)  # half-even: a tie may go either way
    assert not rounds_to(parse_number("1.36"), 1.3, 1)
    assert rounds_to(parse_number("1/3"), 0.33, 2)


def test_close_has_no_absolute_slack():
    assert close(0.1 + 0.2, 0.3)
    assert not close(2.0**-99, 2.0**-98)
    assert not close(0.0, 1e-300)


@pytest.mark.parametrize("text", ["\\frac{1}{2}", "3/4", "\\sqrt2", "4\\pi", "2^{3}"])
def test_closed_forms(text):
    assert is_closed_form(text)


@pytest.mark.parametrize("text", ["12", "-0.5", "x", "\\frac{a}{2}"])
def test_not_closed_forms(text):
    assert not is_closed_form(text)


def test_evaluator_bounds():
    assert evaluate("(" * 40 + "1" + ")" * 40) is None  # nesting beyond MAX_DEPTH
    assert evaluate("1+" * 150 + "1") is None  # beyond MAX_EVAL_CHARS
    assert evaluate("(-8)^{1/3}") is None  # no complex results
    assert evaluate("2^{1024}") is None  # float overflow is "not checkable", not a crash
