import random
from dataclasses import dataclass
from functools import partial

import pytest

from specs.judge import JudgeClient, JudgeError
from specs.judge.consistency import JudgeFilter
from specs.judge.prompts import CONSISTENCY_PROMPT
from specs.pairs.consistency import (
    answer_core,
    conclusion_agrees,
    conclusion_tail,
    last_sentence,
    think_and_answer,
)
from specs.pairs.selection import Candidate, build_pair


def never(*args):
    raise AssertionError("grade_fn should not be needed")


def refuses(*args):
    return False


def test_think_and_answer():
    assert think_and_answer(" <think>\n a \n</think>\n<answer> 4 </answer>\n") == ("a", "4")
    assert think_and_answer("<think>a</think>Answer: 4") is None
    assert think_and_answer("") is None


def test_last_sentence_and_answer_core():
    assert last_sentence("First 3.5 cm. Then add.\n\nSo the total is 7.5 cm.") == "So the total is 7.5 cm."
    assert last_sentence("Is it 3? Yes!") == "Yes!"
    assert last_sentence("   ") == ""
    assert answer_core("The answer is $\\boxed{\\frac{1}{2}}$.") == "\\frac{1}{2}"
    assert answer_core("**Answer:** 42.") == "42"
    assert answer_core("$12$") == "12"
    assert answer_core("blue") == "blue"


@pytest.mark.parametrize(
    "text",
    [
        "<think>2+2=4. So the answer is 4.</think><answer>4</answer>",
        "<think>Count them.\nThere are 12 apples</think><answer>The answer is $\\boxed{12}$</answer>",
        "<think>It is blue, clearly. The sky is Blue.</think><answer>blue</answer>",
        "<think>Compare the options. So the correct option is (B).</think><answer>B</answer>",
        "<think>Only one fits: B.</think><answer>B</answer>",
        "<think>Hence option (c)</think><answer>c</answer>",
        "<think>x = -5 works. Hence x = -5.</think><answer>-5</answer>",
        "<think>Total: 3.5 + 4 = 7.5</think><answer>7.5</answer>",
    ],
)
def test_agrees_by_token(text):
    assert conclusion_agrees(text, grade_fn=never)


@pytest.mark.parametrize(
    "text",
    [
        "<think>Maybe 12. No wait, it is 14.</think><answer>12</answer>",  # right by luck, reasoning says 14
        "<think>The total is 12.5 litres.</think><answer>12</answer>",  # not a whole token
        "<think>So x equals -12.</think><answer>12</answer>",
        "<think>A triangle has three sides.</think><answer>A</answer>",  # the article, not the letter
        "<think>This is a triangle with sides 3, 4, 5.</think><answer>a</answer>",
        "<think>It is 1234.</think><answer>123</answer>",
    ],
)
def test_disagrees(text):
    assert not conclusion_agrees(text, grade_fn=refuses)


def test_not_well_formed_never_agrees():
    assert not conclusion_agrees("4. Answer: 4", grade_fn=never)
    assert not conclusion_agrees("<think>.</think><answer>.</answer>", grade_fn=never)


def test_multiple_choice_letter_through_grade_fn():
    calls = []

    def fake_grade(response, gold, choices):  # maps a gold letter to its option text, like the real grader
        calls.append((response, gold, choices))
        return choices["ABCD".index(gold)] in response

    text = "<think>The angles sum to 180, so x = 60°.\nTherefore the angle is 60°.</think><answer>B</answer>"
    choices = ["40°", "60°", "80°"]
    assert conclusion_agrees(text, choices=choices, grade_fn=fake_grade)
    assert calls == [("Therefore the angle is 60°.", "B", choices)]
    assert not conclusion_agrees(text.replace(">B<", ">C<"), choices=choices, grade_fn=fake_grade)


def test_sentence_tail_is_graded_when_the_whole_sentence_is_not():
    calls = []

    def exact(response, gold, choices):  # a grader that, like the real one, cannot dig "60°" out of prose
        calls.append(response)
        return response == choices["ABCD".index(gold)]

    text = "<think>Therefore the angle is 60°.</think><answer>B</answer>"
    assert conclusion_agrees(text, choices=["40°", "60°"], grade_fn=exact)
    assert calls == ["Therefore the angle is 60°.", "60°"]
    assert conclusion_tail("So half of it, 0.5.") == "0.5"
    assert conclusion_tail("Hence x = -3!") == "-3"


def test_grade_fn_may_return_a_result_object():
    @dataclass
    class Result:
        correct: bool

    text = "<think>Half of it is 0.5.</think><answer>\\frac{1}{2}</answer>"
    assert conclusion_agrees(text, grade_fn=lambda r, g, c: Result(True))
    assert not conclusion_agrees(text, grade_fn=lambda r, g, c: Result(False))


def test_as_build_pair_filter():
    lucky = "<think>I get 14.</think><answer>12</answer>"
    sound = "<think>I get 12.</think><answer>12</answer>"
    chosen = [Candidate.graded("z", 0, lucky, True), Candidate.graded("z", 1, sound, True)]
    base = [Candidate.graded("b", 0, sound, True)]
    rule = partial(conclusion_agrees, choices=None, grade_fn=refuses)
    for seed in range(10):
        assert build_pair("p", chosen, base, random.Random(seed), consistency=rule).chosen_sample == 1
    assert build_pair("p", chosen[:1], base, random.Random(0), consistency=rule).reason == "inconsistent_chosen"


# --- the optional judge, against the loopback fake server (tests/judge/judge_helpers.py) ---

RESPONSE = "<think>2+2=4</think><answer>4</answer>"


@pytest.mark.parametrize(
    ("reply", "verdict"), [("yes", True), ("Yes.", True), ("no", False), (" NO, it does not", False)]
)
def test_judge_verdicts(fake_judge, reply, verdict):
    fake_judge.reply = lambda prompt: reply
    judge = JudgeFilter(fake_judge.config())
    assert judge(RESPONSE) is verdict
    assert judge(RESPONSE) is verdict  # remembered: one request
    (request,) = fake_judge.requests
    assert request["body"]["model"] == "judge-model"
    assert request["body"]["messages"][-1]["content"] == CONSISTENCY_PROMPT.format(response=RESPONSE)


def test_judge_garbage_reply_is_an_error(fake_judge):
    fake_judge.reply = lambda prompt: "maybe"
    with pytest.raises(JudgeError, match="neither yes nor no: 'maybe'; .*or consistency: rule"):
        JudgeFilter(fake_judge.config())(RESPONSE)


def test_judge_prefetch_asks_once_per_text(fake_judge):
    fake_judge.reply = lambda prompt: "yes" if "I get 12" in prompt else "no"
    lucky = "<think>I get 14.</think><answer>12</answer>"
    sound = "<think>I get 12.</think><answer>12</answer>"
    judge = JudgeFilter(JudgeClient(fake_judge.config()))
    judge.prefetch([lucky, sound, lucky])
    assert len(fake_judge.requests) == 2
    chosen = [Candidate.graded("z", 0, lucky, True), Candidate.graded("z", 1, sound, True)]
    base = [Candidate.graded("b", 0, sound, True)]
    for seed in range(5):
        assert build_pair("p", chosen, base, random.Random(seed), consistency=judge).chosen_sample == 1
    assert len(fake_judge.requests) == 2 and "judge-model" in repr(judge)
