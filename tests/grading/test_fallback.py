"""The math-verify fallback sees the extracted answer, never a string we rebuilt that parses to something else.

Issue 21: wrapping `Range: \\((-4, 1]\\)` in `$…$` made math-verify read `1`; `2:1` read as `2`. One test per
failure class, run through the real math-verify (no mocks).
"""

import pytest

from specs.grading import grade_answer
from specs.grading.symbolic import prepared, symbolic_equal


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("Range: \\((-4, 1]\\)", "$(-4, 1]$"),
        ("\\text{Domain: } [0, \\infty)", "$[0, \\infty)$"),
        ("\\frac{1225\\pi}{2} \\text{units}", "$\\frac{1225\\pi}{2}$"),
        ("$x \\le 3$", "$x \\le 3$"),
        ("2:1", None),  # a ratio is ours to decide, never "2"
        ("the roots are 1 and 2", None),  # prose
    ],
)
def test_prepared_is_the_answer_itself(span, expected):
    assert prepared(span) == expected


@pytest.mark.parametrize(
    ("prediction", "gold", "verdict"),
    [
        ("Range: \\((-4, 1]\\)", "1", False),  # the case: a labelled interval is not its right end
        ("Range: \\((-4, 1]\\)", "(-4, 1]", True),
        ("Range: \\((-4, 1]\\)", "[-4, 1)", False),
        ("\\text{Domain: } (-\\infty, 2) \\cup (2, \\infty)", "(-\\infty,2)\\cup(2,\\infty)", True),
        ("Domain: [0, 5]", "0", False),
    ],
)
def test_intervals_with_labels(prediction, gold, verdict):
    assert grade_answer(prediction, gold).correct is verdict


@pytest.mark.parametrize(
    ("prediction", "gold", "verdict"),
    [
        ("x \\ge 3", "3 \\le x", True),
        ("x > 3", "x \\ge 3", False),
        ("y = 2x + 1", "y = 2x - 1", False),
        ("y = 2x + 1", "2x + 1", True),  # the named side stated
        ("x \\le 3", "3", False),  # a relation is not its bound
    ],
)
def test_relations(prediction, gold, verdict):
    assert grade_answer(prediction, gold).correct is verdict


@pytest.mark.parametrize(
    ("prediction", "gold", "verdict"),
    [
        ("x = 2, x = 3", "2, 3", True),
        ("x = 2", "2, 3", False),  # one root of two
        ("\\{1, 2\\}", "\\{2, 1\\}", True),
        ("1, 2, 4", "1, 2, 3", False),
        ("2:1", "1:2", False),  # a reversed ratio
        ("4:2", "2:1", True),
        ("2", "2:1", False),
    ],
)
def test_lists_and_ratios(prediction, gold, verdict):
    assert grade_answer(prediction, gold).correct is verdict


def test_math_verify_itself_sees_only_the_answer():
    assert symbolic_equal("\\text{Range: } \\left(-4, 1\\right]", "(-4,1]")
    assert not symbolic_equal("Range: \\((-4, 1]\\)", "1")
