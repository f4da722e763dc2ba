"""A synthetic ``study.json`` whose arm effects are chosen by the test, for the pure report code."""

from __future__ import annotations

import random
from typing import Any

ARMS = ["grpo_only", "sft", "dpo", "specs", "coupled"]
# per arm: (best GF format, final ID acc, final OOD acc, RBF of the cold start, last rewards/chosen)
CLEAR = {
    "grpo_only": (None, 0.40, 0.30, None, None),
    "sft": (0.30, 0.45, 0.32, 1.40, None),
    "dpo": (0.50, 0.50, 0.36, 1.50, -0.20),
    "specs": (0.60, 0.55, 0.40, 1.60, 0.30),
    "coupled": (0.40, 0.48, 0.34, 1.55, 0.25),
}
# the opt-in ablation arms (specs.study.config.ARMS beyond the five defaults)
EXTRA = {
    "specs_lambda_half": (0.58, 0.54, 0.39, 1.58, 0.20),
    "specs_seqnorm": (0.59, 0.54, 0.40, 1.59, 0.28),
    "base_chosen": (0.55, 0.50, 0.37, 1.52, 0.22),
    "no_filter": (0.57, 0.52, 0.38, 1.57, 0.26),
}
BASE_RBF = 1.30


def _models(fmt: float, acc: float) -> dict[str, Any]:
    return {"id": {"format_rate": fmt, "accuracy": acc, "n": 200}, "ood": {"format_rate": fmt / 2, "accuracy": acc / 2,
                                                                          "n": 200}}


def _gf(best: float, rng: random.Random) -> dict[str, Any]:
    steps = [0, 5, 10]
    points = [{"step": s, "id": {"format_rate": 0.3 + 0.02 * s, "accuracy": 0.3},
               "ood": {"format_rate": 0.1 + 0.03 * s, "accuracy": 0.2}} for s in steps]
    curve = [{"step": s, "psi_id": 0.0, "psi_ood": 0.0, "g_id": 0.0, "g_ood": 0.0, "gf": g}
             for s, g in zip(steps, [0.0, best * 0.8, best], strict=True)]
    acc_best = best / 2 + rng.uniform(0, 0.01)
    acc_curve = [{**c, "gf": c["gf"] / 2} for c in curve]
    return {
        "points": points, "curves": {"format_rate": curve, "accuracy": acc_curve}, "beta": 2.0, "n_id": 100,
        "n_ood": 100,
        "summary": {"format_rate": {"best": curve[2], "last": curve[2]},
                    "accuracy": {"best": {**acc_curve[2], "gf": acc_best}, "last": acc_curve[2]}},
    }


def synthetic_study(effects: dict[str, tuple] | None = None, seeds: tuple[int, ...] = (0, 1, 2), noise: float = 0.005,
                    sign_flip: bool = False, arms: list[str] | None = None) -> dict[str, Any]:
    """Every arm × seed with the given effects plus small seed noise (``sign_flip``: the reverse ordering)."""
    effects = effects or {**CLEAR, **EXTRA}
    arms = arms or ARMS
    rng = random.Random(0)
    runs = []
    for seed in seeds:
        for arm in arms:
            gf, acc_id, acc_ood, rbf_cold, chosen = effects[arm]
            jitter = lambda x: None if x is None else (-x if sign_flip else x) + rng.uniform(-noise, noise)  # noqa: E731
            acc_id, acc_ood = jitter(acc_id), jitter(acc_ood)
            rbf_cold = None if rbf_cold is None else (3 - rbf_cold if sign_flip else rbf_cold) + rng.uniform(-.01, .01)
            runs.append({
                "seed": seed, "arm": arm,
                "cold_start": {"method": "none" if arm == "grpo_only" else "dpo", "pairs": None, "sft_weight": None},
                "models": {"base": _models(0.4, 0.35), "grpo_zero": _models(0.9, 0.38 + seed / 100),
                           "cold_start": None if gf is None else _models(0.8, 0.36),
                           "final": {**_models(0.95, acc_id),
                                     "ood": {"format_rate": 0.5, "accuracy": acc_ood, "n": 200}}},
                "pairs": None if arm == "grpo_only" else {"kind": "decoupled", "n": 100 + seed},
                "gf": None if gf is None else _gf(jitter(gf), rng),
                "chosen_reward": None if chosen is None else {"series": [{"step": 1, "value": 0.0},
                                                                         {"step": 2, "value": jitter(chosen)}],
                                                              "last": None, "min": None},
                "rbf": {"base": BASE_RBF + seed / 1000, "cold_start": rbf_cold, "final": 1.2 + rng.uniform(0, .1)},
                "passk": {"base": {"1": 0.3, "2": 0.4, "4": 0.5, "8": 0.6},
                          "final": {str(k): min(1.0, acc_id * (1 + k / 10)) for k in (1, 2, 4, 8)}},
                "timings": {"trunk": {"grpo_zero": 1.0}, "branch": {"final_grpo": 2.0}},
            })
            if runs[-1]["chosen_reward"]:
                runs[-1]["chosen_reward"]["last"] = runs[-1]["chosen_reward"]["series"][-1]["value"]
    return {
        "schema": "specs-study/1", "created": "2026-01-01T00:00:00+0000",
        "config": {"preset": "synthetic", "recipe": "toy", "overrides": {}, "base_model": None, "arms": arms,
                   "seeds": list(seeds), "gf_every": 5, "pass_k": [1, 2, 4, 8], "pass_n": 8, "rbf_samples": 240,
                   "limits": {"eval": None, "gf": 100, "passk": None, "rbf": 60}, "decision_z": 2.0},
        "arms": arms, "seeds": list(seeds),
        "settings": {"recipe": {"name": "toy"}, "base_model": "/models/base", "psi_for_claims": "format_rate",
                     "gf_beta": 2.0, "final_grpo_budget": {"max_steps": 200, "epochs": 1.0, "batch_size": 32,
                                                           "num_generations": 8, "learning_rate": 5e-5},
                     "sampling_t1": {}},
        "runs": runs,
        "timings": {"wall_seconds_this_invocation": 10.0, "stage_seconds_total": 99.5, "world": {}},
    }
