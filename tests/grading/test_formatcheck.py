import pytest

from specs.grading.formatcheck import format_ok

GOOD = [
    "<think>2+2=4</think><answer>4</answer>",
    "  <think>\nmany\nlines\n</think>\n\n<answer>The answer is $\\boxed{12}$</answer>\n",
    "<think>a < b and b > c</think><answer>(C)</answer>",
]

BAD = [
    "",
    "4",
    "<think>x</think>",
    "<answer>4</answer>",
    "<think>x</think.</think><answer>0</answer>",  # the hack a tiny GRPO policy found
    "<think>x</think><answer>1</answer><answer>2</answer>",  # two answer blocks
    "<think>x</think><answer> </answer>",  # empty answer
    "<think>\n</think><answer>4</answer>",  # empty think
    "<answer>4</answer><think>x</think>",  # wrong order
    "Sure! <think>x</think><answer>4</answer>",  # text before
    "<think>x</think> so <answer>4</answer>",  # text between
    "<think>x</think><answer>4</answer> done",  # text after
    "<Think>x</Think><answer>4</answer>",  # wrong case
    "<think>x <think</think><answer>4</answer>",  # stray fragment
    "<think>x</think><answer>4</answer></answer",  # stray closing fragment
    "<think>x</think><answer>4< /answer></answer>",
    "<think>x</think>Answer: 4",
]


@pytest.mark.parametrize("text", GOOD)
def test_accepts_well_formed(text):
    assert format_ok(text)


@pytest.mark.parametrize("text", BAD)
def test_rejects_malformed(text):
    assert not format_ok(text)


def test_megabyte_input_gets_a_verdict():
    # its time (linear in the length: no regex backtracking) is measured in bench/formatcheck.py, not here
    text = "<think>" + "a</think" * 200_000 + "</think><answer>4</answer>"
    assert not format_ok(text)


@pytest.mark.parametrize(
    "text, fmt, ok",
    [
        ("So the answer is \\boxed{7}.", "boxed", True),
        ("\\boxed{\\frac{1}{2}}", "boxed", True),
        ("\\boxed{}", "boxed", False),
        ("\\boxed{7} or \\boxed{8}", "boxed", False),
        ("\\boxed{7", "boxed", False),
        ("<answer>\\boxed{7}</answer>", "boxed", False),
        ("The answer is 7.", "boxed", False),
        ("7", "plain", True),
        ("(B)", "plain", True),
        ("yellow", "plain", True),
        ("There are 7 objects.", "plain", False),
        ("<answer>7</answer>", "plain", False),
        ("<think>a</think><answer>7</answer>", "tags", True),
    ],
)
def test_follows_format(text, fmt, ok):
    from specs.grading.formatcheck import follows_format

    assert follows_format(text, fmt) is ok


def test_unknown_format_is_a_clear_error():
    from specs.grading.formatcheck import follows_format

    with pytest.raises(ValueError, match="unknown format 'xml'"):
        follows_format("x", "xml")
