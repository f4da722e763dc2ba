"""Read a finished study folder into ``study.json``: every number the report uses, per seed and arm.

The record is self-contained on purpose: the report (claims, tables, plots) is rebuilt from it alone, so a
study can be re-judged or re-plotted without its models.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specs.metrics import GFPoint, best_point
from specs.recipe.runner import Run
from specs.study.config import ARMS, PAIRS

if TYPE_CHECKING:
    from specs.study.runner import Study

SCHEMA = "specs-study/1"


def _read(path: Path) -> Any:
    return json.loads(path.read_text()) if path.is_file() else None


def eval_record(run: Run, name: str) -> dict[str, Any] | None:
    """Greedy ID/OOD format rate and accuracy of one evaluated model, without its samples."""
    result = _read(run.evals / f"{name}.json")
    if result is None:
        return None
    return {
        short: {k: result[split][k] for k in ("format_rate", "accuracy", "n")}
        for short, split in (("id", "id-test"), ("ood", "ood-test"))
    }


def gf_record(run: Run) -> dict[str, Any] | None:
    """The cold start's GF curve (both Ψ), with its best and last point per Ψ."""
    curve = _read(run.models / "cold_start-gf" / "gf_curve.json")
    if curve is None:
        return None
    summary = {}
    for psi, points in curve["curves"].items():
        parsed = [GFPoint(**p) for p in points]
        summary[psi] = {"best": vars(best_point(parsed)), "last": vars(parsed[-1])}
    return {"points": curve["points"], "curves": curve["curves"], "summary": summary, "beta": curve["beta"],
            "n_id": curve["n_id"], "n_ood": curve["n_ood"]}


def chosen_reward(run: Run) -> dict[str, Any] | None:
    """DPO's implicit reward of the chosen responses over training, from the trainer's log.

    ``rewards/chosen`` = β·(log π(chosen) − log π_ref(chosen)), averaged over the steps since the previous log;
    below zero means the chosen responses became *less* likely than under the base (likelihood displacement).
    """
    for folder in ("cold_start-last", "cold_start"):  # with gf_select=best the log sits beside the best model
        log = _read(run.models / folder / "trainer_log.json")
        if log is not None:
            break
    else:
        return None
    by_step = {int(e["step"]): float(e["rewards/chosen"]) for e in log if "rewards/chosen" in e and "step" in e}
    if not by_step:
        return None
    series = [{"step": s, "value": v} for s, v in sorted(by_step.items())]
    return {"series": series, "last": series[-1]["value"], "min": min(v for v in by_step.values())}


def _measure(run: Run, model: str) -> dict[str, Any] | None:
    return _read(run.root / "measure" / f"{model}.json")


def _timings(run: Run) -> dict[str, float]:
    manifest = _read(run.manifest_path) or {"stages": {}}
    return {name: entry.get("seconds", 0.0) for name, entry in manifest["stages"].items()}


def _pairs(trunk: Run, file: str) -> int | None:
    stats = _read(trunk.root / Path(file).with_suffix(".stats.json"))
    return None if stats is None else stats["pairs"]


def run_record(study: Study, seed: int, arm: str) -> dict[str, Any]:
    """Everything measured for one (seed, arm)."""
    world, trunk, branch = study.world(), study.trunk(seed), study.branch(seed, arm)
    spec, base_measure = ARMS[arm], _measure(trunk, "base") or {}
    cold_measure, final_measure = _measure(branch, "cold_start") or {}, _measure(branch, "final") or {}
    rbf = {"base": base_measure.get("rbf"), "cold_start": cold_measure.get("rbf"), "final": final_measure.get("rbf")}
    return {
        "seed": seed,
        "arm": arm,
        "cold_start": {"method": spec.method, "pairs": spec.pairs, "sft_weight": spec.sft_weight,
                       "sft_normalization": branch.recipe.cold_start.dpo.sft_normalization if spec.method == "dpo"
                       else None},
        "models": {
            "base": eval_record(world, "base"),
            "grpo_zero": eval_record(trunk, "grpo_zero"),
            "cold_start": eval_record(branch, "cold_start"),
            "final": eval_record(branch, "final"),
        },
        "pairs": None if spec.pairs is None else {"kind": spec.pairs, "n": _pairs(trunk, PAIRS[spec.pairs])},
        "gf": gf_record(branch),
        "chosen_reward": chosen_reward(branch) if spec.method == "dpo" else None,
        "rbf": {k: (v or {}).get("rbf") for k, v in rbf.items()},
        "rbf_detail": rbf,
        "passk": {"base": (base_measure.get("passk") or {}).get("pass_at_k"),
                  "final": (final_measure.get("passk") or {}).get("pass_at_k")},
        "passk_detail": {"base": base_measure.get("passk"), "final": final_measure.get("passk")},
        "timings": {"trunk": _timings(trunk), "branch": _timings(branch)},
    }


def collect(study: Study, wall_seconds: float) -> dict[str, Any]:
    """The whole study record (see the module docstring)."""
    runs = [run_record(study, seed, arm) for seed in study.cfg.seeds for arm in study.cfg.arms]
    world = study.world()
    stage_total = sum(_timings(world).values())
    for seed in study.cfg.seeds:
        stage_total += sum(_timings(study.trunk(seed)).values())
        stage_total += sum(sum(_timings(study.branch(seed, arm)).values()) for arm in study.cfg.arms)
    recipe = study.recipe
    return {
        "schema": SCHEMA,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": study.cfg.model_dump(mode="json"),
        "arms": list(study.cfg.arms),
        "seeds": list(study.cfg.seeds),
        "settings": {
            "recipe": recipe,
            "base_model": str(world.model("base")),
            "psi_for_claims": "format_rate",
            "gf_beta": 2.0,
            "final_grpo_budget": {k: recipe["final_grpo"][k] for k in ("max_steps", "epochs", "batch_size",
                                                                       "num_generations", "learning_rate")},
            "sampling_t1": {"temperature": 1.0, "top_p": 1.0, "pass_n": study.cfg.pass_n,
                            "rbf_samples": study.cfg.rbf_samples},
        },
        "runs": runs,
        "timings": {"wall_seconds_this_invocation": round(wall_seconds, 1),
                    "stage_seconds_total": round(stage_total, 1), "world": _timings(world)},
    }
