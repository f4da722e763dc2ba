"""Verdict tables derived from docs/grading.md, grouped by benchmark and by the attack they guard against.

Each row: (response, ground truth, grading kwargs, expected verdict).
"""

import pytest

from specs.grading import GradeResult, grade, grade_answer

THINK = "<think>Let me work it out step by step.</think>"


def tagged(answer: str) -> str:
    return f"{THINK}<answer>{answer}</answer>"


MV_ANGLES = ["40°", "50°", "60°", "80°"]
MV_SHAPES = ["triangle", "square", "circle"]

MATHVISTA = [
    # option-text gold, prediction by letter or by text
    (tagged("C"), "60°", {"choices": MV_ANGLES}, True),
    (tagged("(C) 60°"), "60°", {"choices": MV_ANGLES}, True),
    (tagged("60"), "60°", {"choices": MV_ANGLES}, True),
    (tagged("60 degrees"), "60°", {"choices": MV_ANGLES}, True),
    (tagged("$60^\\circ$"), "60°", {"choices": MV_ANGLES}, True),
    (tagged("(C) 50°"), "60°", {"choices": MV_ANGLES}, False),  # letter and text disagree
    (tagged("B"), "60°", {"choices": MV_ANGLES}, False),
    (tagged("70°"), "60°", {"choices": MV_ANGLES}, False),  # never the nearest option
    (tagged("Square"), "square", {"choices": MV_SHAPES}, True),
    (tagged("b"), "square", {"choices": MV_SHAPES}, True),
    (tagged("a square"), "square", {"choices": MV_SHAPES}, True),  # the article, not the letter A
    (tagged("E"), "square", {"choices": MV_SHAPES}, False),  # out of range
    # free form with precision / answer types
    (tagged("1.23"), "1.2", {"answer_type": "float", "precision": 1.0}, True),
    (tagged("1.25"), "1.3", {"answer_type": "float", "precision": 1.0}, True),  # tie rounds up
    (tagged("1.16"), "1.1", {"answer_type": "float", "precision": 1.0}, False),
    (tagged("0.333"), "0.33", {"answer_type": "float", "precision": 2.0}, True),
    (tagged("1/3"), "0.33", {"answer_type": "float", "precision": 2.0}, True),
    (tagged("3.14159"), "3.14", {"answer_type": "float", "precision": 2}, True),
    (tagged("3.2"), "3.14", {"answer_type": "float", "precision": 2}, False),
    (tagged("12"), "12", {"answer_type": "integer"}, True),
    (tagged("12.0"), "12", {"answer_type": "integer"}, True),
    (tagged("12.7"), "12", {"answer_type": "integer"}, False),
    (tagged("13"), "12", {"answer_type": "integer"}, False),
    (tagged("90%"), "90", {"answer_type": "integer"}, True),
    (tagged("90"), "90", {"answer_type": "integer"}, True),
    (tagged("0.9"), "90", {"answer_type": "integer"}, False),
    (tagged("75%"), "0.75", {"answer_type": "float", "precision": 2.0}, True),
    (tagged("$12 \\text{ cm}$"), "12", {"answer_type": "integer"}, True),
    (tagged("12 cm^2"), "12", {"answer_type": "integer"}, True),
    (tagged("1,000"), "1000", {"answer_type": "integer"}, True),
    (tagged("[2014, 2016]"), "[2014, 2016]", {"answer_type": "list"}, True),
    (tagged("2014, 2016"), "[2014, 2016]", {"answer_type": "list"}, True),
    (tagged("[2016, 2014]"), "[2014, 2016]", {"answer_type": "list"}, False),
    (tagged("[2014]"), "[2014, 2016]", {"answer_type": "list"}, False),
    (tagged("[1.5, 2]"), "[1.5, 2.0]", {"answer_type": "list"}, True),
    (tagged("Yes"), "Yes", {"answer_type": "text"}, True),
    (tagged("yes."), "Yes", {"answer_type": "text"}, True),
    (tagged("No"), "Yes", {"answer_type": "text"}, False),
]

MATHVERSE = [
    # letter gold, options only inside the question text
    (tagged("B"), "B", {}, True),
    (tagged("(B)"), "B", {}, True),
    (tagged("B: 60°"), "B", {}, True),
    (tagged("The answer is B."), "B", {}, True),
    (tagged("C"), "B", {}, False),
    (tagged("60°"), "B", {}, False),  # text cannot be mapped without the options
    (tagged("C"), "(C)", {}, True),  # MathVerse sometimes stores "(C)"
    (tagged("\\boxed{C}"), "(C)", {}, True),
    (tagged("B"), "(C)", {}, False),
    (tagged("C"), "(C)", {"choices": MV_ANGLES}, True),
    (tagged("60°"), "(C)", {"choices": MV_ANGLES}, True),
    (tagged("40°"), "(C)", {"choices": MV_ANGLES}, False),
    # free form
    (tagged("\\frac{\\sqrt{3}}{2}"), "\\frac{\\sqrt3}{2}", {}, True),
    (tagged("2\\sqrt{3}"), "\\sqrt{12}", {}, True),
    (tagged("y = 2x + 1"), "y=2x+1", {}, True),
    (tagged("y = 2x - 1"), "y=2x+1", {}, False),
]

MATH_VISION = [
    (tagged("A"), "A", {"choices": ["1", "2", "3", "4", "5"]}, True),
    (tagged("E"), "E", {"choices": ["1", "2", "3", "4", "5"]}, True),
    (tagged("(D)"), "E", {"choices": ["1", "2", "3", "4", "5"]}, False),
    (tagged("5"), "E", {"choices": ["1", "2", "3", "4", "5"]}, True),  # option text naming E
    (tagged("F"), "E", {"choices": ["1", "2", "3", "4", "5"]}, False),
    # closed-form gold vs decimal: both rounded to 2 decimals (MATH-Vision's rule)
    (tagged("12.57"), "4\\pi", {}, True),
    (tagged("12.566"), "4\\pi", {}, True),
    (tagged("12.6"), "4\\pi", {}, False),
    (tagged("4\\pi"), "4\\pi", {}, True),
    (tagged("4π"), "4\\pi", {}, True),
    (tagged("\\frac{8\\pi}{2}"), "4\\pi", {}, True),
    (tagged("2.77"), "\x0crac{36}{13}", {}, True),  # the form-feed gold
    (tagged("\\frac{36}{13}"), "\x0crac{36}{13}", {}, True),
    (tagged("36/13"), "\x0crac{36}{13}", {}, True),
    (tagged("\\frac{36}{14}"), "\x0crac{36}{13}", {}, False),
    (tagged("51.43"), "\\frac{360}7", {}, True),
    (tagged("\\frac{360}{7}"), "\\frac{360}7", {}, True),
    (tagged("0.75"), "\\frac{3}{4}", {}, True),
    (tagged("\\dfrac34"), "\\frac{3}{4}", {}, True),
    (tagged("3/4"), "0.75", {}, True),
    (tagged("0.8"), "\\frac{3}{4}", {}, False),
    (tagged("8"), "8.0", {}, True),
    (tagged("8.4"), "8.0", {}, False),
    (tagged("5\\sqrt{3}"), "\\sqrt{75}", {}, True),
    (tagged("8.66"), "5\\sqrt{3}", {}, True),
    (tagged("\\frac{1}{2^{99}}"), "\\frac{1}{2^{98}}", {}, False),  # math-verify would confuse these
]

MMMU = [
    (tagged("B"), "B", {"choices": ["$5", "$10", "$15", "$20"]}, True),
    (tagged("$10"), "B", {"choices": ["$5", "$10", "$15", "$20"]}, True),
    (tagged("10"), "B", {"choices": ["$5", "$10", "$15", "$20"]}, True),
    (tagged("$15"), "B", {"choices": ["$5", "$10", "$15", "$20"]}, False),
    (tagged("Option B"), "B", {"choices": ["5", "10", "15"]}, True),
    (tagged("答案：B"), "B", {"choices": ["5", "10", "15"]}, True),
    ("The correct answer is **B**.", "B", {"choices": ["5", "10", "15"]}, True),
    ("Answer: (B)", "B", {"choices": ["5", "10", "15"]}, True),
    ("Answer: B) 10", "B", {"choices": ["5", "10", "15"]}, True),
    # open questions
    (tagged("0.5"), "0.5", {}, True),
    (tagged("1/2"), "0.5", {}, True),
    (tagged("50%"), "0.5", {}, True),
    (tagged("Isaac Newton"), "isaac newton", {}, True),
    (tagged("Newton"), "isaac newton", {}, False),
    (tagged("$1,500"), "1500", {}, True),
    (tagged("14{,}916"), "14916", {}, True),
    (tagged("12,\\!000"), "12000", {}, True),
    (tagged("1 000"), "1000", {}, True),
    (tagged("−5"), "-5", {}, True),
    (tagged("-5"), "−5", {}, True),
    (tagged(".5"), "0.5", {}, True),
    (tagged("004"), "4", {}, True),
    (tagged("x = 12"), "12", {}, True),
    (tagged("**12**"), "12", {}, True),
    (tagged("12 apples"), "12", {}, True),
    (tagged("12 million"), "12", {}, False),
    (tagged("12x"), "12", {}, False),
    (tagged("approximately 12.57"), "4\\pi", {}, True),
]

GOLD_CLEANING = [
    (tagged("12"), "$12$", {}, True),
    (tagged("12"), "\\boxed{12}", {}, True),
    (tagged("12"), " 12  ", {}, True),
    (tagged("113.1"), "Area $=113.1 \\mathrm{~cm}^{2}$", {}, True),
    (tagged("113.1 cm^2"), "Area $=113.1 \\mathrm{~cm}^{2}$", {}, True),
    (tagged("113"), "Area $=113.1 \\mathrm{~cm}^{2}$", {}, False),
    (tagged("5"), "$5=s$", {}, True),
    (tagged("69°"), "69{degrees}", {}, True),
    (tagged("69"), "69{degrees}", {}, True),
    (tagged("C"), "(C)", {"choices": ["1", "2", "3"]}, True),
    (tagged("3"), 3, {}, True),
    (tagged("2.5"), 2.5, {}, True),
    (tagged("8"), 8.0, {}, True),
]

SYMBOLIC = [
    (tagged("(x+1)^2"), "x^2+2x+1", {}, True),
    (tagged("x^2+2x"), "x^2+2x+1", {}, False),
    (tagged("(1,2]"), "(1,2]", {}, True),
    (tagged("(1,2)"), "(1,2]", {}, False),  # intervals keep their ends
    (tagged("[0,\\infty)"), "[0, \\infty)", {}, True),
    (tagged("(2,1)"), "(1,2)", {}, False),  # tuples keep order
    (tagged("x > 1"), "1 < x", {}, True),  # relations compare as relations
    (tagged("x \\geq 1"), "x > 1", {}, False),
    (tagged("2021"), "\\pm 2021", {}, False),  # partial multi-answer
    (tagged("\\pm 2021"), "\\pm 2021", {}, True),
    (tagged("1"), "1, 2", {}, False),
    (tagged("2, 1"), "\\{1, 2\\}", {}, True),
    (tagged("a+b"), "b+a", {}, True),
]

REWARD_HACKS = [
    (f"{THINK}<answer>12</answer><answer>13</answer>", "12", {}, False),  # disagreeing blocks
    (f"{THINK}<answer>12</answer><answer>12</answer>", "12", {}, True),  # identical duplicates are fine
    (f"{THINK}<answer>12</answer><answer>The answer is $\\boxed{{12}}$</answer>", "12", {}, True),
    (f"{THINK}<answer></answer>", "12", {}, False),  # empty answer
    (f"{THINK}<answer>   </answer>", "12", {}, False),
    (f"{THINK}<answer></answer><answer>12</answer>", "12", {}, False),
    (tagged("A or B"), "A", {"choices": ["1", "2", "3"]}, False),  # hedge
    (tagged("B or C"), "B", {}, False),
    (tagged("B, C"), "B", {"choices": ["1", "2", "3"]}, False),
    (tagged("A and B"), "A", {"choices": ["1", "2", "3"]}, False),
    (tagged("12 or 13"), "12", {}, False),
    (tagged("12, 13"), "12", {}, False),
    ("<think>The answer is 12.</think>", "12", {}, False),  # answer only inside think
    ("<think>The answer is \\boxed{12}", "12", {}, False),  # unclosed think
    ("<think>so <answer>12</answer></think> I am not sure.", "12", {}, False),  # in think, not after
    ("<think>x</think><think>The answer is 12", "12", {}, False),  # a second think left open
    (tagged("Z"), "A", {"choices": ["1", "2", "3"]}, False),  # out-of-range letter
    (tagged("D"), "D", {"choices": ["1", "2", "3"]}, False),  # out-of-range letter as gold and prediction
    (tagged("A triangle is formed."), "A", {"choices": ["3", "4", "5"]}, False),  # article "A"
    ("A triangle has three sides.", "A", {}, False),
    (tagged(""), "A", {"choices": ["1", "2"]}, False),
    ("", "12", {}, False),
    (tagged("I don't know"), "12", {}, False),
    (tagged("12 is wrong"), "12", {}, False),
    (tagged("not 12"), "12", {}, False),
]

FORMAT_TRAPS = [
    # grading is independent of the strict format check: these are graded on their content
    ("<think>x</think.</think><answer>12</answer>", "12", {}, True),
    ("<think>4*3</think>\n\nThe answer is $\\boxed{12}$.", "12", {}, True),
    ("The answer is 12.", "12", {}, True),
    ("Answer: 12", "12", {}, True),
    ("12", "12", {}, True),
    ("So the final answer is 12", "12", {}, True),
    ("**Final Answer:** 12", "12", {}, True),
    ("The final answer is:\n$$12$$", "12", {}, True),
    ("I computed \\boxed{11} first, but the final value is \\boxed{12}.", "12", {}, True),
    ("\\boxed{\\frac{1}{2}} and then \\boxed{\\frac{1}{3}}", "\\frac{1}{3}", {}, True),
    ("<think>x</think><answer>The answer is $\\boxed{\\dfrac{3}{4}}$</answer>", "0.75", {}, True),
    ("<think>x</think><answer>12", "12", {}, False),  # truncated answer block: strict by default (the reward's)
    ("<think>x</think><answer>12", "12", {"strict": False}, True),  # lenient only when asked
    ("Let me think. " * 40 + "So we get 12 in the end.", "12", {}, False),  # long, no located answer
]

ALL = MATHVISTA + MATHVERSE + MATH_VISION + MMMU + GOLD_CLEANING + SYMBOLIC + REWARD_HACKS + FORMAT_TRAPS


IDS = [f"{i}:{row[1]!s}"[:40] for i, row in enumerate(ALL)]


@pytest.mark.parametrize("response, gold, kwargs, expected", ALL, ids=IDS)
def test_verdict(response, gold, kwargs, expected):
    result = grade(response, gold, **kwargs)
    assert isinstance(result, GradeResult)
    assert result.correct is expected, result


def test_result_is_frozen_and_reports_the_span():
    result = grade(tagged("The answer is $\\boxed{12}$"), "12")
    assert result == GradeResult(True, "12", "number")
    with pytest.raises(AttributeError):
        result.correct = False  # type: ignore[misc]


def test_no_answer_has_no_span():
    assert grade("<think>12", "12").extracted is None
    assert grade(tagged(""), "12").extracted is None


def test_grade_answer_takes_an_extracted_span():
    assert grade_answer("12", "12").correct
    assert grade_answer("(C) 60°", "60°", choices=MV_ANGLES).correct
    assert not grade_answer(None, "12").correct
    assert not grade_answer("", "12").correct


def test_precision_is_cast_from_float_and_nan_means_absent():
    assert grade_answer("1.23", "1.2", answer_type="float", precision=1.0).correct
    assert grade_answer("1.2", "1.2", answer_type="float", precision=float("nan")).correct


def test_unknown_answer_type_is_an_error():
    with pytest.raises(ValueError, match="answer_type"):
        grade("12", "12", answer_type="number")


def test_overlong_answer_is_wrong_and_span_is_shortened():
    result = grade(tagged("1" * 5000), "1" * 5000)
    assert not result.correct and result.method == "too_long" and len(result.extracted) < 300


def test_list_gold_is_alternatives_unless_answer_type_list():
    assert grade(tagged("3.429"), ["24/7", "3.429"]).correct  # MMMU open question: accepted alternatives
    assert grade(tagged("24/7"), ["24/7", "3.429"]).correct
    assert not grade(tagged("3.5"), ["24/7", "3.429"]).correct
    assert grade(tagged("[2014, 2016]"), [2014, 2016], answer_type="list").correct
    assert not grade(tagged("2014"), [2014, 2016], answer_type="list").correct
    assert not grade(tagged("12"), []).correct


@pytest.mark.parametrize("gold", [None, True])
def test_missing_or_boolean_gold_is_a_type_error(gold):
    with pytest.raises(TypeError):
        grade(tagged("12"), gold)
