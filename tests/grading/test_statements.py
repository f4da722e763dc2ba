"""Sentences that state an answer, and the hedges, negations and lists that must not pass as one."""

import pytest

from specs.grading import grade
from specs.grading.statements import candidates, states_phrase


def tagged(answer: str) -> str:
    return f"<think>Working it out.</think><answer>{answer}</answer>"


@pytest.mark.parametrize(("answer", "gold"), [
    ("The answer is not 12, it is 13", "12"),
    ("12 or 13", "12"),
    ("It could be 12", "12"),
    ("It might be 12, I guess", "12"),
    ("12 is wrong", "12"),
    ("12 apples and 13 pears", "12"),
    ("There are no apples", "apples"),
    ("The colours are red and blue", "red"),
    ("Not red but blue", "red"),
    ("It is 12. Hmm, or maybe 13?", "12"),
    ("Between 10 and 14", "12"),
    ("more than 12", "12"),
    ("It is not the larval phase", "larval phase"),
    ("The bearing is N 30° W", "N 30° E"),
    ("The length is 5 cm", "5 m"),
])
def test_hedges_negations_and_lists_never_pass(answer, gold):
    assert not grade(tagged(answer), gold).correct


@pytest.mark.parametrize(("answer", "gold"), [
    ("The answer is 13, not 12", "13"),
    ("Not 12 but 13", "13"),
    ("There are 13 apples left", "13"),
    ("It takes place in the larval phase", "larval phase"),
    ("The length is 5 centimeters", "5 cm"),
    ("No, the two lines are not parallel.", "No"),
])
def test_statements_that_settle_on_one_answer_pass(answer, gold):
    assert grade(tagged(answer), gold).correct


def test_candidates_and_phrases():
    assert candidates("x^2 + y") == [] and candidates("12") == []
    assert candidates("The total is 1,250 dollars") == ["1,250 dollars"]
    assert states_phrase("It moves to the right", "right")
    assert not states_phrase("It moves right and left", "right")
