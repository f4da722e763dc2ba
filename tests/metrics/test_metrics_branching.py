import math
import random

import pytest

from specs.metrics import DEFAULT_TOP_P, nucleus_size, rollout_branching_factor


def brute_force(probs: list[float], p: float) -> int:
    """Smallest subset size reaching p, by trying every size (exact rational-free reference for small inputs)."""
    total = sum(probs)
    ranked = sorted(probs, reverse=True)
    return next(k for k in range(1, len(probs) + 1) if sum(ranked[:k]) >= p * total - 1e-12)


@pytest.mark.parametrize(
    ("probs", "p", "expected"),
    [
        ([1.0], 0.95, 1),
        ([0.97, 0.02, 0.01], 0.95, 1),
        ([0.95, 0.05], 0.95, 1),  # reaching p exactly is enough
        ([0.05, 0.9, 0.05], 0.95, 2),  # unsorted input
        ([0.5, 0.3, 0.2], 0.95, 3),
        ([0.6, 0.3, 0.1], 0.9, 2),  # 0.6 + 0.3 rounds below 0.9 in floats
        ([0.25] * 4, 0.5, 2),  # tie straddling the threshold: counted only as far as needed
        ([0.25] * 4, 0.95, 4),
        ([0.1] * 10, 0.3, 3),
        ([0.5, 0.5, 0.0, 0.0], 1.0, 2),  # zero-probability tokens never count
        ([0.7, 0.3, 0.0], 1.0, 2),
        ([2.0, 1.0, 1.0], 0.5, 1),  # unnormalised weights: 2 / 4 = 0.5
        ([1.0] * 512, 0.95, 487),  # uniform: ceil(0.95 · 512)
        ([1.0] * 100, 1.0, 100),
    ],
)
def test_hand_computed(probs, p, expected):
    assert nucleus_size(probs, p) == expected


def test_default_p_is_095():
    assert DEFAULT_TOP_P == 0.95
    assert nucleus_size([0.94, 0.06]) == 2


def test_matches_brute_force_on_random_distributions():
    rng = random.Random(0)
    for _ in range(300):
        logits = [rng.gauss(0, rng.choice([0.1, 1.0, 4.0])) for _ in range(rng.randint(1, 40))]
        probs = [math.exp(x) for x in logits]
        p = rng.choice([0.5, 0.9, 0.95, 0.99])
        size = nucleus_size(probs, p)
        assert size == brute_force(probs, p)
        assert size == nucleus_size(list(reversed(probs)), p)  # order does not matter


@pytest.mark.parametrize(
    ("probs", "p", "message"),
    [
        ([], 0.95, "empty"),
        ([0.0, 0.0], 0.95, "sum to 0"),
        ([0.5, -0.1], 0.95, r"probs\[1\]"),
        ([0.5, math.nan], 0.95, r"probs\[1\]"),
        ([math.inf], 0.95, r"probs\[0\]"),
        ([1.0], 0.0, "p must be in"),
        ([1.0], 1.5, "p must be in"),
        ([1.0], math.nan, "p must be in"),
    ],
)
def test_nucleus_errors(probs, p, message):
    with pytest.raises(ValueError, match=message):
        nucleus_size(probs, p)


def test_rbf_token_weighted_by_default():
    sizes = [[1, 1, 1, 1, 1, 1], [4, 2]]
    assert rollout_branching_factor(sizes) == pytest.approx(12 / 8)
    assert rollout_branching_factor(sizes, per_response=True) == pytest.approx(2.0)


def test_rbf_simple_cases():
    assert rollout_branching_factor([[1]]) == 1.0
    assert rollout_branching_factor([[3, 3], [3]]) == 3.0
    assert rollout_branching_factor([[2, 4], [6]]) == pytest.approx(4.0)
    assert rollout_branching_factor([[2, 4], [6]], per_response=True) == pytest.approx(4.5)
    assert rollout_branching_factor(([5],)) == 5.0  # any sequence type


def test_rbf_skips_empty_responses_in_both_modes():
    assert rollout_branching_factor([[], [2, 4]]) == 3.0
    assert rollout_branching_factor([[], [2, 4]], per_response=True) == 3.0


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ([], "no responses"),
        ([[], []], "no generated positions"),
        ([[1, 0]], r"nucleus_sizes\[0\]\[1\]"),
        ([[1], [-2]], r"nucleus_sizes\[1\]\[0\]"),
        ([[1.5]], r"nucleus_sizes\[0\]\[0\]"),
        ([[True]], r"nucleus_sizes\[0\]\[0\]"),
        ([3], r"nucleus_sizes\[0\] must be a list"),
        (["12"], r"nucleus_sizes\[0\] must be a list"),
    ],
)
def test_rbf_errors(sizes, message):
    with pytest.raises(ValueError, match=message):
        rollout_branching_factor(sizes)
