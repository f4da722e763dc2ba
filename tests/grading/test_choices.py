import pytest

from specs.grading.choices import (
    choices_from_question,
    gold_letter,
    gold_option,
    letter_of,
    letter_with_text,
    picked_option,
    predicted_letter,
)

OPTIONS = ["40°", "50°", "60°", "80°"]

LETTERS = [
    ("C", "C"),
    ("(C)", "C"),
    ("C)", "C"),
    ("C.", "C"),
    ("[C]", "C"),
    ("Option C", "C"),
    ("option (C)", "C"),
    ("Choice: C", "C"),
    ("The answer is C", "C"),
    ("\\boxed{C}", "C"),
    ("\\text{(C)}", "C"),
    ("$\\textbf{C}$", "C"),
    ("c", "C"),
    ("**C**", "C"),
    ("答案：C", "C"),
    ("答案是C", "C"),
    ("A triangle", None),
    ("B or C", None),
    ("B/C", None),
    ("BC", None),
    ("", None),
    ("C" * 100, None),
]


@pytest.mark.parametrize("text, letter", LETTERS)
def test_letter_of(text, letter):
    assert letter_of(text) == letter


PICKS = [
    ("C", 2),
    ("c", 2),
    ("(C) 60°", 2),
    ("C. 60°", 2),
    ("C: 60 degrees", 2),
    ("C) 60", 2),
    ("(C) 50°", None),  # letter and text disagree
    ("C. 55", None),  # a number that is not C's
    ("(C) since the angles sum to 180", 2),  # explanation, not a contradiction
    ("(C) and (D)", None),
    ("C: or maybe B", None),
    ("60", 2),
    ("60°", 2),
    ("$60^{\\circ}$", 2),
    ("60.0", 2),
    ("sixty", None),
    ("70°", None),  # not the nearest option
    ("E", None),  # out of range
    ("E. 60°", None),
    ("", None),
]


@pytest.mark.parametrize("prediction, index", PICKS)
def test_picked_option(prediction, index):
    assert picked_option(prediction, OPTIONS) == index


def test_ambiguous_text_picks_nothing():
    assert picked_option("12", ["12 cm", "12 m", "14 m"]) is None
    assert picked_option("12 cm", ["12 cm", "12 m", "14 m"]) == 0


def test_gold_option_text_or_letter():
    assert gold_option("60°", OPTIONS) == 2
    assert gold_option("C", OPTIONS) == 2
    assert gold_option("(C)", OPTIONS) == 2
    assert gold_option("E", OPTIONS) is None
    assert gold_option("B", ["A", "B"]) == 1  # option text first, then letter
    assert gold_letter("c") is None  # a lower-case gold is a variable, not a letter


def test_predicted_letter_without_options():
    assert predicted_letter("B: 60°") == "B"
    assert predicted_letter("(B)") == "B"
    assert predicted_letter("B or C") is None
    assert predicted_letter("(B) and (C)") is None


def test_letter_with_text():
    assert letter_with_text("(B) 60°") == ("B", "60°")
    assert letter_with_text("A triangle") is None


def test_choices_from_mathverse_question():
    question = "Find the angle.\nChoices:\nA:40°\nB:60°\nC:80°\nD:100°"
    assert choices_from_question(question) == ["40°", "60°", "80°", "100°"]
    assert choices_from_question("Options:\n(A) 1\n(B) 2") == ["1", "2"]
    assert choices_from_question("No options here") is None
