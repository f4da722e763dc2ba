"""The paper's claims as explicit decision rules over ``study.json`` (pure Python, no torch, no plotting).

**The rule (paired by seed).** Arms of one seed share the trunk (GRPO-zero, pairs, sampling seeds), so each
comparison "A > B" is judged on the per-seed differences d_s = A_s − B_s (n = number of seeds with both):

- mean d̄, sample std s_d, standard error se = s_d / √n;
- **held** when d̄ > 0 and d̄ ≥ z·se; **not held** when d̄ < 0 and −d̄ ≥ z·se (the opposite is clearly true);
  **inconclusive** otherwise, and always when n < 2 or d̄ = 0. z = ``decision_z`` (default 2: at n = 3 a t
  statistic of 2 with 2 degrees of freedom is one-sided p ≈ 0.09; it is a screening rule, not a test).
  When every d_s is equal (se = 0) the sign of d̄ decides.
- One-sample claims ("A > 0") use B = 0.

**Correlations (claim 2)** pool the cold-start arms × seeds (n points): Spearman ρ decides (robust to the GF's
clamp at 0), with t = ρ·√((n−2)/(1−ρ²)): held when ρ > 0 and t ≥ z, not held when ρ < 0 and t ≤ −z,
inconclusive otherwise or when n < 4 or either variable is constant. Pearson r and R² are reported beside it.

**A claim** combines its deciding rows: ``all`` → held if every row is held, not held if any is not held;
``any`` → held if any row is held, not held if every row is not held; inconclusive otherwise. Rows marked
*info* are shown but do not decide.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from specs.study.config import COLD_ARMS

HELD, NOT_HELD, INCONCLUSIVE = "held", "not held", "inconclusive"
Getter = Callable[[dict[str, Any]], float | None]


def mean(xs: list[float]) -> float | None:
    return math.fsum(xs) / len(xs) if xs else None


def std(xs: list[float]) -> float | None:
    """Sample standard deviation (n − 1); ``None`` below two values."""
    if len(xs) < 2:
        return None
    m = math.fsum(xs) / len(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def decide(effect: float | None, se: float | None, n: int, z: float) -> str:
    """The paired rule of the module docstring, for a mean difference ``effect`` and its standard error."""
    if effect is None or se is None or n < 2 or effect == 0:
        return INCONCLUSIVE
    if se == 0 or abs(effect) >= z * se:
        return HELD if effect > 0 else NOT_HELD
    return INCONCLUSIVE


@dataclass
class Comparison:
    """"A > B" on one metric, paired by seed."""

    label: str
    metric: str
    unit: str  # "pp" (×100), or "" (raw)
    seeds: list[int]
    a: list[float]
    b: list[float]
    decides: bool = True
    decision: str = INCONCLUSIVE

    @property
    def diffs(self) -> list[float]:
        return [x - y for x, y in zip(self.a, self.b, strict=True)]

    @property
    def n(self) -> int:
        return len(self.seeds)

    @property
    def se(self) -> float | None:
        s = std(self.diffs)
        return None if s is None else s / math.sqrt(self.n)

    @property
    def ratio(self) -> float | None:
        """d̄ / se (``inf`` when se is 0 and d̄ is not)."""
        effect, se = mean(self.diffs), self.se
        if effect is None or se is None:
            return None
        return math.copysign(math.inf, effect) if se == 0 and effect else (effect / se if se else 0.0)


@dataclass
class Correlation:
    """Does x (a GF) predict y (a final score) across arms × seeds?"""

    label: str
    xs: list[float]
    ys: list[float]
    decides: bool = True
    pearson: float | None = None
    spearman: float | None = None
    t: float | None = None
    decision: str = INCONCLUSIVE

    @property
    def n(self) -> int:
        return len(self.xs)

    @property
    def r2(self) -> float | None:
        return None if self.pearson is None else self.pearson**2


@dataclass
class Claim:
    number: int
    title: str
    paper: str
    combine: Literal["all", "any"]
    comparisons: list[Comparison] = field(default_factory=list)
    correlations: list[Correlation] = field(default_factory=list)
    decision: str = INCONCLUSIVE


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson r; ``None`` when fewer than 2 points or either variable is constant."""
    if len(xs) < 2:
        return None
    mx, my = mean(xs), mean(ys)
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx, syy = math.fsum((x - mx) ** 2 for x in xs), math.fsum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def ranks(xs: list[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def correlate(label: str, xs: list[float], ys: list[float], z: float, decides: bool = True) -> Correlation:
    corr = Correlation(label, xs, ys, decides, pearson(xs, ys), pearson(ranks(xs), ranks(ys)))
    rho, n = corr.spearman, len(xs)
    if rho is not None and n >= 3:
        corr.t = math.copysign(math.inf, rho) if 1 - rho * rho <= 1e-12 else rho * math.sqrt((n - 2) / (1 - rho**2))
    if rho is not None and n >= 4 and corr.t is not None:
        corr.decision = HELD if rho > 0 and corr.t >= z else NOT_HELD if rho < 0 and corr.t <= -z else INCONCLUSIVE
    return corr


# --- metrics on one run record of study.json -------------------------------------------------------------------
def path_getter(*keys: str | int) -> Getter:
    def getter(record: dict[str, Any]) -> float | None:
        node: Any = record
        for key in keys:
            if not isinstance(node, dict) or node.get(key) is None:
                return None
            node = node[key]
        return float(node)

    return getter


def final_score(record: dict[str, Any]) -> float | None:
    """Mean of final ID and OOD accuracy (the analogue of the paper's average over benchmarks)."""
    a, b = final_acc("id")(record), final_acc("ood")(record)
    return None if a is None or b is None else (a + b) / 2


def gf_best(psi: str = "format_rate") -> Getter:
    return path_getter("gf", "summary", psi, "best", "gf")


def gf_last(psi: str = "format_rate") -> Getter:
    return path_getter("gf", "summary", psi, "last", "gf")


def final_acc(split: str) -> Getter:
    return path_getter("models", "final", split, "accuracy")


def rbf(model: str) -> Getter:
    return path_getter("rbf", model)


CHOSEN_LAST = path_getter("chosen_reward", "last")


def per_seed(study: dict[str, Any], arm: str, getter: Getter) -> dict[int, float]:
    return {r["seed"]: v for r in study["runs"] if r["arm"] == arm and (v := getter(r)) is not None}


def compare(study: dict[str, Any], label: str, metric: str, unit: str, a: tuple[str, Getter] | None,
            b: tuple[str, Getter] | None, z: float, decides: bool = True) -> Comparison:
    """``a`` > ``b`` over the seeds where both are measured; ``None`` on either side stands for 0."""
    va = per_seed(study, *a) if a is not None else None
    vb = per_seed(study, *b) if b is not None else None
    va = va if va is not None else dict.fromkeys(vb or {}, 0.0)
    vb = vb if vb is not None else dict.fromkeys(va, 0.0)
    seeds = [s for s in study["seeds"] if s in va and s in vb]
    comp = Comparison(label, metric, unit, seeds, [va[s] for s in seeds], [vb[s] for s in seeds], decides)
    comp.decision = decide(mean(comp.diffs), comp.se, comp.n, z)
    return comp


def _points(study: dict[str, Any], x: Getter, y: Getter) -> tuple[list[float], list[float]]:
    pts = [(x(r), y(r)) for r in study["runs"] if r["arm"] in COLD_ARMS]
    pts = [(a, b) for a, b in pts if a is not None and b is not None]
    return [a for a, _ in pts], [b for _, b in pts]


def combine(rows: list[Comparison | Correlation], how: str) -> str:
    decisions = [r.decision for r in rows if r.decides]
    if not decisions:
        return INCONCLUSIVE
    if how == "all":
        return NOT_HELD if NOT_HELD in decisions else HELD if all(d == HELD for d in decisions) else INCONCLUSIVE
    return HELD if HELD in decisions else NOT_HELD if all(d == NOT_HELD for d in decisions) else INCONCLUSIVE


def evaluate_claims(study: dict[str, Any]) -> list[Claim]:
    """The six claims, decided on ``study`` (a parsed ``study.json``)."""
    z = float(study.get("config", {}).get("decision_z", 2.0))
    gf, score, pp = "best GF (Ψ = format rate)", "final score (mean of ID and OOD accuracy)", "pp"

    def cmp(label, metric, unit, a, b, decides=True):
        return compare(study, label, metric, unit, a, b, z, decides)

    claims = [
        Claim(1, "A DPO cold start generalizes better than SFT (higher GF)",
              "GF: SFT 69.2, DPO 89.7, DPO+SFT 94.5", "any", [
                  cmp("SPECS − SFT", gf, pp, ("specs", gf_best()), ("sft", gf_best())),
                  cmp("DPO(λ=0) − SFT", gf, pp, ("dpo", gf_best()), ("sft", gf_best())),
                  cmp("SPECS − SFT", "best GF (Ψ = accuracy)", pp, ("specs", gf_best("accuracy")),
                      ("sft", gf_best("accuracy")), decides=False),
              ]),
        Claim(2, "GF measured during the cold start predicts the score after the final GRPO",
              "R² = 0.864 over 3 cold starts (GF 69.2/89.7/94.5 → 47.11/47.63/48.22)", "all", [], [
                  correlate(f"{gf} vs {score}", *_points(study, gf_best(), final_score), z),
                  correlate(f"last GF (Ψ = format rate) vs {score}", *_points(study, gf_last(), final_score), z,
                            decides=False),
                  correlate(f"best GF (Ψ = accuracy) vs {score}", *_points(study, gf_best("accuracy"), final_score),
                            z, decides=False),
              ]),
        Claim(3, "SPECS keeps more exploration after the cold start: RBF SPECS > SFT > base",
              "ordering SPECS > SFT > base at 120/240/480 samples (values not published)", "all", [
                  cmp("SPECS − SFT", "RBF of the cold-start model", "", ("specs", rbf("cold_start")),
                      ("sft", rbf("cold_start"))),
                  cmp("SFT − base", "RBF (cold start vs base)", "", ("sft", rbf("cold_start")), ("sft", rbf("base"))),
              ]),
        Claim(4, "Decoupled pairs (format only) beat coupled pairs (format and correctness) after RL",
              "avg of 5 after RL: self-distilled 50.02 vs coupled 48.68", "all", [
                  cmp("SPECS − coupled", score, pp, ("specs", final_score), ("coupled", final_score)),
              ]),
        Claim(5, "SPECS → GRPO beats GRPO only and SFT → GRPO (final ID and OOD accuracy)",
              "SFT → GRPO 47.65 vs SPECS 48.22 (avg of 5); large gains over the base on every benchmark", "all", [
                  cmp("SPECS − GRPO only", "final ID accuracy", pp, ("specs", final_acc("id")),
                      ("grpo_only", final_acc("id"))),
                  cmp("SPECS − GRPO only", "final OOD accuracy", pp, ("specs", final_acc("ood")),
                      ("grpo_only", final_acc("ood"))),
                  cmp("SPECS − SFT", "final ID accuracy", pp, ("specs", final_acc("id")), ("sft", final_acc("id"))),
                  cmp("SPECS − SFT", "final OOD accuracy", pp, ("specs", final_acc("ood")),
                      ("sft", final_acc("ood"))),
              ]),
        Claim(6, "λ = 1 keeps DPO's chosen reward positive and above λ = 0's (info: does λ = 0 fall below 0?)",
              "λ = 0: chosen reward falls below 0; λ = 0.5 or 1 keeps it positive", "all", [
                  cmp("SPECS (λ=1) − 0", "last logged rewards/chosen", "", ("specs", CHOSEN_LAST), None),
                  cmp("SPECS (λ=1) − DPO (λ=0)", "last logged rewards/chosen", "", ("specs", CHOSEN_LAST),
                      ("dpo", CHOSEN_LAST)),
                  cmp("0 − DPO (λ=0)", "last logged rewards/chosen", "", None, ("dpo", CHOSEN_LAST),
                      decides=False),
              ]),
    ]
    for claim in claims:
        claim.decision = combine([*claim.comparisons, *claim.correlations], claim.combine)
    return claims
