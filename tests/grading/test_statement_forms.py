"""Statement forms from issue 21, each a general rule with its guards (hedges, negations, lists still refused)."""

import pytest

from specs.grading import grade

C4 = ["1", "2", "3", "4"]
P = "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}"


@pytest.mark.parametrize(
    ("response", "gold", "choices", "verdict"),
    [
        ("Therefore $x \\geq 5$ is the solution.", "x \\ge 5", None, True),
        ("Thus $x <= 2$ is our answer.", "x \\le 2", None, True),
        ("Therefore, $\\boxed{14{,}916}$ is our answer.", "14916", None, True),
        ("So 3 or 4 is our answer.", "3", None, False),  # a list
        ("Maybe 5 is the answer.", "5", None, False),  # a hedge
        ("It is not 5 that is the solution.", "5", None, False),  # a negation
        ("Answer \\[ 9 \\]", "9", None, True),
        ("Answer \\( 9 \\)", "9", None, True),
        ("Answer \\[ \n 9 \n \\]", "9", None, True),
        ("Answer \\( 9 \\) or \\( 10 \\)", "9", None, False),
        ("The final answer is $14 {, }916$.", "14916", None, True),
        ("is $\\boxed{11,\\! 111,\\! 111,\\! 100}$", "11111111100", None, True),
        ("is $\\boxed{1, 234}$", "1234", None, False),  # a list, not a separator
        ("Final Answer: The maximum number of points that could be in the domain of $f(x)$ is 19.", "19", None, True),
        ("The answer could be 19.", "19", None, False),
        ("It could be that the count is 19.", "19", None, False),
        ("<answer>`B`</answer>", "B", C4, True),
        ("<answer>'B'</answer>", "B", C4, True),
        ('<answer>"B"</answer>', "B", C4, True),
        ("The answer is `C`.", "B", C4, False),
        ("答案是（B）", "B", C4, True),
        ("答案是（B）或（C）", "B", C4, False),
        (
            "$\\begin{bmatrix}1 & 2 \\\\ 3 & 4\\end{bmatrix}$",
            "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
            None,
            True,
        ),
        (
            "Special matrix: $\\left[\\begin{array}{cc}1 & 2 \\\\3 & 4\\end{array}\\right]$",
            "\\begin{pmatrix}1 & 2 \\\\3 & 4\\end{pmatrix}",
            None,
            True,
        ),
        (
            "$\\begin{bmatrix}1 & 2 \\\\ 3 & 5\\end{bmatrix}$",
            "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
            None,
            False,
        ),
        (
            "$\\begin{vmatrix}1 & 2 \\\\ 3 & 4\\end{vmatrix}$",
            "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
            None,
            False,
        ),
    ],
)
def test_statement_forms(response, gold, choices, verdict):
    assert grade(response, gold, choices=choices).correct is verdict
