"""The claim rules of ``specs.study.claims`` on hand-made numbers and on a synthetic study.json."""

import math

import pytest
from study_synthetic import synthetic_study

from specs.study.claims import (
    HELD,
    INCONCLUSIVE,
    NOT_HELD,
    Comparison,
    combine,
    correlate,
    decide,
    evaluate_claims,
    pearson,
    ranks,
    std,
)


@pytest.mark.parametrize(
    ("effect", "se", "n", "expected"),
    [
        (0.10, 0.04, 3, HELD),  # 2.5 se
        (0.08, 0.04, 3, HELD),  # exactly z se
        (0.07, 0.04, 3, INCONCLUSIVE),
        (-0.10, 0.04, 3, NOT_HELD),
        (-0.07, 0.04, 3, INCONCLUSIVE),
        (0.10, 0.0, 3, HELD),  # every seed moved by the same amount
        (-0.10, 0.0, 3, NOT_HELD),
        (0.0, 0.0, 3, INCONCLUSIVE),  # no difference at all
        (0.10, 0.01, 1, INCONCLUSIVE),  # one seed is never enough
        (None, None, 0, INCONCLUSIVE),
    ],
)
def test_paired_rule(effect, se, n, expected):
    assert decide(effect, se, n, z=2.0) == expected


def test_comparison_statistics_are_paired_by_seed():
    comp = Comparison("A − B", "m", "pp", [0, 1, 2], a=[0.5, 0.6, 0.7], b=[0.4, 0.45, 0.6])
    assert comp.diffs == pytest.approx([0.1, 0.15, 0.1])
    assert comp.se == pytest.approx(std([0.1, 0.15, 0.1]) / math.sqrt(3))
    assert comp.ratio == pytest.approx((0.35 / 3) / comp.se)
    same = Comparison("A − B", "m", "", [0, 1], a=[1.0, 2.0], b=[0.5, 1.5])
    assert same.ratio == math.inf


def test_combining_rows():
    def row(decision, decides=True):
        return Comparison("x", "m", "", [], [], [], decides, decision)

    assert combine([row(HELD), row(HELD)], "all") == HELD
    assert combine([row(HELD), row(INCONCLUSIVE)], "all") == INCONCLUSIVE
    assert combine([row(HELD), row(NOT_HELD)], "all") == NOT_HELD
    assert combine([row(HELD), row(NOT_HELD)], "any") == HELD
    assert combine([row(NOT_HELD), row(NOT_HELD)], "any") == NOT_HELD
    assert combine([row(INCONCLUSIVE), row(NOT_HELD)], "any") == INCONCLUSIVE
    assert combine([row(HELD), row(NOT_HELD, decides=False)], "all") == HELD  # info rows never decide
    assert combine([], "all") == INCONCLUSIVE


def test_ranks_and_correlations():
    assert ranks([3.0, 1.0, 2.0, 1.0]) == [4.0, 1.5, 3.0, 1.5]
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) is None  # constant: undefined, not NaN
    up = correlate("x", [0.1, 0.2, 0.3, 0.4, 0.5], [1, 2, 3, 5, 4], z=2.0)
    assert up.spearman == pytest.approx(0.9) and up.decision == HELD
    assert up.t == pytest.approx(0.9 * math.sqrt(3 / (1 - 0.81)))
    assert correlate("x", [1, 2, 3, 4, 5], [5, 4, 3, 2, 1], z=2.0).decision == NOT_HELD
    assert correlate("x", [1, 2, 3], [1, 2, 3], z=2.0).decision == INCONCLUSIVE  # fewer than 4 points
    assert correlate("x", [0, 0, 0, 0], [1, 2, 3, 4], z=2.0).decision == INCONCLUSIVE


def decisions(study):
    return {c.number: c.decision for c in evaluate_claims(study)}


def test_a_clear_synthetic_study_holds_every_claim():
    assert decisions(synthetic_study()) == dict.fromkeys(range(1, 7), HELD)


def test_the_reversed_study_is_not_held_where_the_ordering_flips():
    got = decisions(synthetic_study(sign_flip=True))
    assert got[1] == NOT_HELD and got[3] == NOT_HELD and got[4] == NOT_HELD and got[5] == NOT_HELD
    assert got[6] == NOT_HELD  # SPECS's chosen reward is now negative


def test_differences_that_change_sign_across_seeds_are_inconclusive():
    study = synthetic_study()
    coupled = {r["seed"]: r for r in study["runs"] if r["arm"] == "coupled"}
    for r in study["runs"]:
        if r["arm"] == "specs":
            d = {0: 0.10, 1: -0.08, 2: 0.02}[r["seed"]]
            for split in ("id", "ood"):
                r["models"]["final"][split]["accuracy"] = coupled[r["seed"]]["models"]["final"][split]["accuracy"] + d
    claim = {c.number: c for c in evaluate_claims(study)}[4]
    assert claim.comparisons[0].diffs == pytest.approx([0.10, -0.08, 0.02])
    assert claim.decision == INCONCLUSIVE


def test_missing_arms_and_seeds_leave_claims_inconclusive():
    one_seed = decisions(synthetic_study(seeds=(0,)))
    assert {n: d for n, d in one_seed.items() if n != 2} == dict.fromkeys((1, 3, 4, 5, 6), INCONCLUSIVE)
    assert one_seed[2] == HELD  # a correlation pools arms × seeds: 4 cold-start arms are 4 points
    study = synthetic_study()
    study["runs"] = [r for r in study["runs"] if r["arm"] != "sft"]
    study["arms"] = [a for a in study["arms"] if a != "sft"]
    claims = {c.number: c for c in evaluate_claims(study)}
    assert claims[3].decision == INCONCLUSIVE  # needs the SFT arm
    assert claims[1].decision == INCONCLUSIVE and all(r.n == 0 for r in claims[1].comparisons)
    assert claims[4].decision == HELD  # does not


def test_the_decision_threshold_comes_from_the_study_config():
    study = synthetic_study(noise=0.03)
    strict = synthetic_study(noise=0.03)
    strict["config"]["decision_z"] = 1000.0
    assert HELD in decisions(study).values()
    assert HELD not in decisions(strict).values()
