import itertools
import math
from dataclasses import asdict

import pytest

from specs.metrics import GFPoint, best_point, generalization_factor, gf_curve


def direct(g_id: float, g_ood: float, beta: float = 2.0) -> float:
    b2 = beta * beta
    return (1 + b2) * g_id * g_ood / (b2 * g_id + g_ood)


def test_paper_values():
    assert generalization_factor(97.8, 69.2) == pytest.approx(73.50, abs=0.01)
    assert generalization_factor(98.1, 78.1) == pytest.approx(81.42, abs=0.01)
    assert round(generalization_factor(97.8, 69.2), 1) == 73.5
    assert round(generalization_factor(98.1, 78.1), 1) == 81.4


@pytest.mark.parametrize(
    ("g_id", "g_ood", "beta", "expected"),
    [
        (1.0, 1.0, 2.0, 1.0),  # equal gains: the gain itself
        (0.5, 0.5, 0.7, 0.5),
        (0.8, 0.2, 2.0, 5 * 0.16 / 3.4),  # 5·0.8·0.2 / (4·0.8 + 0.2)
        (0.2, 0.8, 2.0, 5 * 0.16 / 1.6),  # OOD weighs more: swapping changes the value
        (0.6, 0.3, 1.0, 2 * 0.18 / 0.9),  # β = 1: harmonic mean
        (40.0, 10.0, 0.0, 40.0),  # β = 0: precision (ID) only
    ],
)
def test_hand_computed(g_id, g_ood, beta, expected):
    assert generalization_factor(g_id, g_ood, beta) == pytest.approx(expected, rel=1e-12)


def test_matches_the_paper_formula_on_positive_gains():
    grid = [1e-6, 0.01, 0.3, 1.0, 7.5, 69.2, 97.8, 1e6]
    for g_id, g_ood, beta in itertools.product(grid, grid, [0.5, 1.0, 2.0, 3.0]):
        assert generalization_factor(g_id, g_ood, beta) == pytest.approx(direct(g_id, g_ood, beta), rel=1e-12)


def test_large_beta_tends_to_ood_gain():
    assert generalization_factor(90.0, 30.0, beta=1e6) == pytest.approx(30.0, rel=1e-9)
    assert generalization_factor(90.0, 30.0, beta=1e200) == pytest.approx(30.0)  # β² overflows: still finite


@pytest.mark.parametrize(
    ("g_id", "g_ood"),
    [(0.0, 0.0), (0.0, 5.0), (5.0, 0.0), (-1.0, 5.0), (5.0, -1.0), (-3.0, -2.0), (-0.0, 1.0)],
)
def test_non_positive_gain_gives_zero(g_id, g_ood):
    assert generalization_factor(g_id, g_ood) == 0.0


def test_continuous_at_zero_gain():
    assert generalization_factor(50.0, 1e-12) == pytest.approx(0.0, abs=1e-10)
    assert generalization_factor(1e-12, 50.0) == pytest.approx(0.0, abs=1e-10)


def test_never_nan_over_a_grid():
    values = [-1e308, -100.0, -1.0, -1e-300, -0.0, 0.0, 5e-324, 1e-300, 1e-6, 0.5, 1.0, 97.8, 1e300, 1.7e308]
    betas = [0.0, 1e-200, 0.5, 1.0, 2.0, 1e200]
    for g_id, g_ood, beta in itertools.product(values, values, betas):
        gf = generalization_factor(g_id, g_ood, beta)
        assert not math.isnan(gf) and math.isfinite(gf), (g_id, g_ood, beta, gf)
        assert 0.0 <= gf <= max(g_id, g_ood, 0.0) * (1 + 1e-12), (g_id, g_ood, beta, gf)


@pytest.mark.parametrize(
    "args",
    [
        (math.nan, 1.0),
        (1.0, math.nan),
        (math.inf, 1.0),
        (1.0, -math.inf),
        (1.0, 1.0, math.nan),
        (1.0, 1.0, math.inf),
        (1.0, 1.0, -1.0),
        ("1", 1.0),
        (True, 1.0),
    ],
)
def test_rejects_non_finite_or_bad_inputs(args):
    with pytest.raises(ValueError):
        generalization_factor(*args)


def test_curve_with_single_ood_values():
    curve = gf_curve([0, 10, 20], [0.25, 0.90, 0.98], [0.01, 0.60, 0.70])
    assert [p.step for p in curve] == [0, 10, 20]
    assert curve[0] == GFPoint(0, 0.25, 0.01, 0.0, 0.0, 0.0)
    assert curve[1].g_id == pytest.approx(0.65) and curve[1].g_ood == pytest.approx(0.59)
    assert curve[2].gf == pytest.approx(direct(0.73, 0.69))
    assert best_point(curve) is curve[2]
    assert asdict(curve[2])["step"] == 20


def test_curve_averages_ood_lists_with_weights():
    psi_ood = [[0.0, 0.2], [0.4, 0.6], [0.8, 0.2]]
    equal = gf_curve([0, 1, 2], [0.1, 0.5, 0.6], psi_ood)
    assert [p.psi_ood for p in equal] == pytest.approx([0.1, 0.5, 0.5])
    weighted = gf_curve([0, 1, 2], [0.1, 0.5, 0.6], psi_ood, ood_weights=[3, 1])  # normalised to 0.75 / 0.25
    assert [p.psi_ood for p in weighted] == pytest.approx([0.05, 0.45, 0.65])
    assert weighted[2].g_ood == pytest.approx(0.6)
    assert weighted[2].gf == pytest.approx(direct(0.5, 0.6))


def test_curve_averages_ood_mappings():
    psi_ood = [{"boxed": 0.0, "plain": 0.2}, {"plain": 0.6, "boxed": 0.4}]
    curve = gf_curve([0, 5], [0.1, 0.5], psi_ood, ood_weights={"plain": 1.0, "boxed": 3.0})
    assert curve[1].psi_ood == pytest.approx(0.75 * 0.4 + 0.25 * 0.6)
    assert curve[1].g_ood == pytest.approx(0.45 - 0.05)
    assert gf_curve([0, 5], [0.1, 0.5], psi_ood)[1].psi_ood == pytest.approx(0.5)


def test_curve_reference_is_the_first_entry_even_when_not_step_0():
    curve = gf_curve([100, 200], [50.0, 60.0], [20.0, 50.0])
    assert (curve[0].g_id, curve[0].g_ood, curve[0].gf) == (0.0, 0.0, 0.0)
    assert (curve[1].g_id, curve[1].g_ood) == (10.0, 30.0)


def test_curve_with_regression_is_zero_not_nan():
    curve = gf_curve([0, 1, 2], [0.5, 0.9, 0.4], [0.5, 0.4, 0.9])
    assert [p.gf for p in curve] == [0.0, 0.0, 0.0]
    assert best_point(curve).step == 0  # nothing gains on both sides: the reference


def test_best_point_prefers_the_earliest_on_ties():
    curve = gf_curve([0, 1, 2, 3], [0.0, 0.5, 0.5, 0.4], [0.0, 0.5, 0.5, 0.4])
    assert curve[1].gf == curve[2].gf == pytest.approx(0.5)
    assert best_point(curve).step == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(steps=[], psi_id=[], psi_ood=[]), "steps is empty"),
        (dict(steps=[0, 1], psi_id=[0.1], psi_ood=[0.1, 0.2]), "lengths differ"),
        (dict(steps=[0, 0], psi_id=[0.1, 0.2], psi_ood=[0.1, 0.2]), "strictly increasing"),
        (dict(steps=[0, 1.5], psi_id=[0.1, 0.2], psi_ood=[0.1, 0.2]), r"steps\[1\] must be an integer"),
        (dict(steps=[0, 1], psi_id=[0.1, math.nan], psi_ood=[0.1, 0.2]), r"psi_id\[1\]"),
        (dict(steps=[0, 1], psi_id=[0.1, 0.2], psi_ood=[0.1, math.inf]), r"psi_ood\[1\]"),
        (dict(steps=[0, 1], psi_id=[0.1, 0.2], psi_ood=[[0.1, 0.2], [0.3]]), r"psi_ood\[1\]: expected 2"),
        (dict(steps=[0, 1], psi_id=[0.1, 0.2], psi_ood=[[0.1], 0.3]), r"psi_ood\[1\]"),
        (dict(steps=[0, 1], psi_id=[0.1, 0.2], psi_ood=[{"a": 0.1}, {"b": 0.3}]), r"psi_ood\[1\]"),
        (dict(steps=[0], psi_id=[0.1], psi_ood=[[]]), "no OOD sets"),
        (dict(steps=[0], psi_id=[0.1], psi_ood=[{}]), "no OOD sets"),
        (dict(steps=[0], psi_id=[0.1], psi_ood=["x"]), r"psi_ood\[0\]"),
        (dict(steps=[0], psi_id=[0.1], psi_ood=[0.1], ood_weights=[1.0]), "single numbers"),
        (dict(steps=[0], psi_id=[0.1], psi_ood=[[0.1, 0.2]], ood_weights=[1.0]), "list of 2 weights"),
        (dict(steps=[0], psi_id=[0.1], psi_ood=[[0.1, 0.2]], ood_weights=[1.0, -1.0]), "positive sum"),
        (dict(steps=[0], psi_id=[0.1], psi_ood=[[0.1, 0.2]], ood_weights=[0.0, 0.0]), "positive sum"),
        (dict(steps=[0], psi_id=[0.1], psi_ood=[{"a": 0.1}], ood_weights={"b": 1.0}), "keys"),
    ],
)
def test_curve_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gf_curve(**kwargs)


def test_best_point_of_empty_curve():
    with pytest.raises(ValueError, match="empty"):
        best_point([])
