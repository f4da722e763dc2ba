import math
from fractions import Fraction

import pytest

from specs.metrics import mean_pass_at_k, pass_at_k


def naive(n: int, c: int, k: int) -> float:
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (1, 0, 1, 0.0),
        (1, 1, 1, 1.0),
        (10, 3, 1, 0.3),
        (10, 3, 2, 1 - 21 / 45),
        (5, 2, 3, 1 - 1 / 10),  # C(3, 3) / C(5, 3) = 1 / 10
        (8, 1, 8, 1.0),  # every draw of 8 contains the correct one
        (10, 8, 3, 1.0),  # n - c = 2 < k
        (10, 0, 10, 0.0),
        (64, 0, 8, 0.0),
        (4, 4, 2, 1.0),
    ],
)
def test_hand_computed(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_matches_comb_formula_for_small_n():
    for n in range(1, 21):
        for c in range(n + 1):
            for k in range(1, n + 1):
                exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
                value = pass_at_k(n, c, k)
                assert value == pytest.approx(naive(n, c, k), abs=1e-12)
                assert value == pytest.approx(float(exact), abs=1e-12)
                assert 0.0 <= value <= 1.0


def test_large_n_is_stable_and_monotone():
    values = [pass_at_k(10_000, 37, k) for k in (1, 2, 8, 64, 1024)]
    assert all(0.0 <= v <= 1.0 and not math.isnan(v) for v in values)
    assert values == sorted(values)
    assert values[0] == pytest.approx(37 / 10_000)


@pytest.mark.parametrize(
    ("n", "c", "k", "message"),
    [
        (4, 1, 5, "k=5 exceeds the number of samples n=4"),
        (4, 5, 1, r"c=5 > n=4"),
        (4, 1, 0, "k must be at least 1"),
        (-1, 0, 1, "n must be non-negative"),
        (4, -1, 1, "c must be non-negative"),
        (4, 1, -2, "k must be non-negative"),
        (0, 0, 1, "exceeds the number of samples n=0"),
        (4.0, 1, 1, "n must be an integer"),
        (4, 1.5, 1, "c must be an integer"),
        (4, 1, True, "k must be an integer"),
        ("4", 1, 1, "n must be an integer"),
    ],
)
def test_errors(n, c, k, message):
    with pytest.raises(ValueError, match=message):
        pass_at_k(n, c, k)


def test_mean_over_problems():
    assert mean_pass_at_k([(4, 0), (4, 1), (4, 4)], k=2) == pytest.approx(0.5)
    assert mean_pass_at_k([(10, 3)], k=1) == pytest.approx(0.3)
    # problems may have different n
    assert mean_pass_at_k([(2, 1), (8, 0)], k=1) == pytest.approx(0.25)


def test_mean_errors_name_the_problem():
    with pytest.raises(ValueError, match="no problems"):
        mean_pass_at_k([], k=1)
    with pytest.raises(ValueError, match=r"problem 1: .*k=3 exceeds"):
        mean_pass_at_k([(8, 2), (2, 1)], k=3)
    with pytest.raises(ValueError, match=r"problem 0: expected an \(n, c\) pair"):
        mean_pass_at_k([(8, 2, 1)], k=1)
    with pytest.raises(ValueError, match=r"problem 0: expected an \(n, c\) pair"):
        mean_pass_at_k([8], k=1)
