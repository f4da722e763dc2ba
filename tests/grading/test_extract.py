import pytest

from specs.grading.extract import extract_answer, final_region, last_boxed, last_statement

T = "<think>scratch work, maybe 7</think>"

EXTRACTIONS = [
    # (response, expected answer span or None)
    (f"{T}<answer>12</answer>", "12"),
    (f"{T}\n<answer>\n  12\n</answer>\n", "12"),
    (f"{T}<answer>The answer is $\\boxed{{12}}$</answer>", "12"),
    (f"{T}<answer>The answer is 12.</answer>", "12"),
    (f"{T}<answer>line one\nline two</answer>", "line one\nline two"),
    (f"{T}<answer>**C**</answer>", "C"),
    (f"{T}<answer>$x^2$</answer>", "x^2"),
    (f"{T}<answer>12</answer><answer>12</answer>", "12"),
    (f"{T}<answer>12</answer><answer>13</answer>", None),
    (f"{T}<answer> </answer>", None),
    (f"{T}<ANSWER>12</ANSWER>", "12"),
    (f"{T}The answer is \\boxed{{12}}.", "12"),
    (f"{T}\\boxed{{11}} no wait \\boxed{{12}}", "12"),
    (f"{T}\\boxed{{\\frac{{1}}{{2}}}}", "\\frac{1}{2}"),
    (f"{T}\\boxed{{\\boxed{{12}}}}", "12"),
    (f"{T}\\fbox{{12}}", "12"),
    (f"{T}\\boxed 5", "5"),
    (f"{T}\\boxed{{12}} and \\boxed{{13", "12"),  # unbalanced last box: the previous balanced one
    (f"{T}So the final answer is 12. Done.", "12"),
    (f"{T}Answer: (B)", "(B)"),
    (f"{T}**Answer:** C", "C"),
    (f"{T}The final answer is:\n\n$$12$$", "12"),
    (f"{T}答案：C", "C"),
    (f"{T}The correct option is (D).", "(D)"),
    (f"{T}12", "12"),
    (f"{T}\n\n  12.  \n", "12"),
    ("12", "12"),
    ("The answer is 3.5 cm.", "3.5 cm"),
    ("x" * 200, None),  # a long remainder without a located answer
    ("<think>only thinking, answer 12</think>", None),
    ("<think>never closed, answer is 12", None),
    ("<think>a</think>b<think>c", None),
    ("<think>x <answer>12</answer></think>", None),
    ("<think>x <answer>12</answer></think> The answer is 13.", "13"),
    ("<think>x</think><answer>12", "12"),  # truncated block (lenient)
]


@pytest.mark.parametrize("response, expected", EXTRACTIONS)
def test_extract(response, expected):
    assert extract_answer(response, strict=False).answer == expected  # the lenient reading, opted into


def test_strict_is_the_default():
    assert extract_answer("<think>x</think><answer>12").answer is None


STRICT = [
    ("<think>x</think><answer>12</answer>", "12"),
    ("<think>x <answer>12</answer></think> \\boxed{12}", None),  # tagged, but no block after think
    ("<think>x</think><answer>12", None),  # truncated block earns nothing
    ("<think>x</think>\\boxed{12}", "12"),  # no answer tag at all: normal extraction
    ("The answer is 12.", "12"),
    ("<think>x</think>The answer is \\boxed{12} </answer>", None),  # stray closing tag counts as tagged
]


@pytest.mark.parametrize("response, expected", STRICT)
def test_strict_extraction_for_the_reward(response, expected):
    assert extract_answer(response, strict=True).answer == expected


def test_sources():
    assert extract_answer(f"{T}<answer>1</answer>").source == "answer_block"
    assert extract_answer("\\boxed{1}").source == "boxed"
    assert extract_answer("The answer is 1").source == "statement"
    assert extract_answer("1").source == "remainder"
    assert extract_answer("<think>1").source == "none"


def test_helpers():
    assert final_region("<think>a</think>b</think>c") == "c"
    assert final_region("no tags") == "no tags"
    assert last_boxed("\\boxed{a{b}c}") == "a{b}c"
    assert last_boxed("nothing") is None
    assert last_statement("the answer is 5 and more") == "5 and more"
    assert last_statement("no statement") is None
