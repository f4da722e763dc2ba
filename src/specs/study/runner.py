"""The study's training side: one shared world, a trunk per seed, a branch per (seed, arm); all resumable.

Layout under the study folder::

    world/                 data splits, (toy) base model, greedy base eval: shared by every seed and arm
    seed-<s>/trunk/        GRPO-zero, its eval, decoupled pairs.jsonl, and the pairs the arms ask for
                           (coupled pairs-coupled.jsonl, pairs-base-chosen.jsonl, pairs-no-filter.jsonl),
                           pass@k and RBF of the base (sampled with seed s)
    seed-<s>/<arm>/        pairs.jsonl (copied from the trunk), cold start with GF tracking, its eval and RBF,
                           final GRPO, its eval, its pass@k and RBF

Each folder is an ordinary :class:`specs.recipe.runner.Run` with its own recipe and manifest, so every stage
is skipped on a rerun once done, and the stage functions are the recipe plan's own. Branches resolve ``base``
into the world (the recipe's ``base_model``) and read their pairs from the trunk, so nothing is trained twice.

**What a seed changes:** data order, rollout sampling and initialisation seeds of GRPO-zero, the distillation
sampling and pair picking, the cold start and the final GRPO, and the sampling seed of pass@k and RBF. **What
it does not change:** the toy world (the same train/test splits for all seeds, so arms are compared on the
same prompts) and the base model, which is built or given once and shared: seed-to-seed spread therefore
leaves out base-model pretraining noise.

**Equal budget:** every arm's final GRPO uses the one ``final_grpo`` config of the recipe (same steps, batch,
rollouts and prompts); arms differ only in the model the final GRPO starts from.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from specs.atomic import mark
from specs.config import build, deep_merge
from specs.data.jsonl import write_json_atomic, write_text_atomic
from specs.errors import ConfigError
from specs.paths import check_output
from specs.recipe.plan import chosen_model, run_judge
from specs.recipe.plan import stages as plan_stages
from specs.recipe.runner import Run, Stage
from specs.recipe.schema import Recipe, load_recipe
from specs.stages import distill as distill_stage  # by module: tests replace its distill
from specs.stages.distill import DistillConfig
from specs.study.collect import collect
from specs.study.config import ARMS, COLD_ARMS, PAIRS, StudyConfig, recipe_path
from specs.study.measure import branching, pass_at_k

# How each pairs kind's distillation differs from the recipe's own (decoupled) one; same models and prompts.
PAIRS_DISTILL: dict[str, dict[str, Any]] = {
    "coupled": {"coupled": True},  # the rejected side must also be wrong
    "base_chosen": {"chosen_source": "base", "teacher_samples": None},  # the chosen side is the base's too
    "no_filter": {"consistency": "none"},  # no consistency filter on the chosen side
}


class Study:
    """Builds and executes the Runs of a study folder, then writes ``study.json`` and the report."""

    def __init__(self, cfg: StudyConfig, root: Path, log: Callable[[str], None] = print):
        self.cfg, self.root, self.log = cfg, Path(root), log
        recipe = load_recipe(recipe_path(cfg.recipe))
        data = deep_merge(recipe.model_dump(mode="json"), cfg.overrides)
        data = deep_merge(data, {"eval": {"limit": cfg.limits.eval}})
        if cfg.base_model is not None:
            data["base_model"] = str(cfg.base_model)
        self.recipe = build(Recipe, data, f"study recipe {cfg.recipe} + overrides").model_dump(mode="json")

    # --- runs ------------------------------------------------------------------------------------------------
    def world(self) -> Run:
        return Run(build(Recipe, {**self.recipe, "name": f"{self.recipe['name']}/world"}), self.root / "world",
                   self.log, report=False)

    def trunk(self, seed: int) -> Run:
        world = self.world()
        shared = {
            "name": f"{self.recipe['name']}/seed-{seed}/trunk",
            "base_model": str(world.model("base")),
            "data": {split.replace("-", "_"): str(world.data(split)) for split in ("train", "id-test", "ood-test")},
            "seed": seed,
            "cold_start": {"method": "dpo"},
        }
        return Run(build(Recipe, deep_merge(self.recipe, shared)), self.root / f"seed-{seed}" / "trunk", self.log,
                   report=False)

    def branch(self, seed: int, arm: str) -> Run:
        spec, trunk = ARMS[arm], self.trunk(seed)
        gf = {"gf_every": self.cfg.gf_every, "gf_limit": self.cfg.limits.gf, "gf_select": "last",
              "gf_max_new_tokens": self.recipe["eval"]["sampling"]["max_new_tokens"]}
        cold: dict[str, Any] = {"method": spec.method, "dpo": dict(gf), "sft": dict(gf)}
        if spec.sft_weight is not None:
            cold["dpo"]["sft_weight"] = spec.sft_weight
        if spec.sft_normalization is not None:
            cold["dpo"]["sft_normalization"] = spec.sft_normalization
        data = deep_merge(trunk.recipe.model_dump(mode="json"), {"name": f"{self.recipe['name']}/seed-{seed}/{arm}",
                                                                  "cold_start": cold})
        return Run(build(Recipe, data), self.root / f"seed-{seed}" / arm, self.log, report=False)

    # --- stages ----------------------------------------------------------------------------------------------
    def world_stages(self, world: Run) -> list[Stage]:
        return [s for s in plan_stages(world) if s.name in ("data", "base", "eval_base")]

    def trunk_stages(self, trunk: Run, seed: int) -> list[Stage]:
        used = {ARMS[a].pairs for a in self.cfg.arms} - {None}
        keep = ("grpo_zero", "eval_grpo_zero") + (("distill",) if "decoupled" in used else ())
        plan = [s for s in plan_stages(trunk) if s.name in keep] if used else []
        for kind in PAIRS_DISTILL:  # stage names distill_<kind> (distill_coupled as before)
            if kind in used:
                plan.append(Stage(f"distill_{kind}", [trunk.root / PAIRS[kind]],
                                  lambda kind=kind: _distill_variant(trunk, kind)))
        plan.append(self._measure_stage(trunk, "base", seed, passk=True))
        return plan

    def branch_stages(self, branch: Run, trunk: Run, seed: int, arm: str) -> list[Stage]:
        spec, plan = ARMS[arm], []
        by_name = {s.name: s for s in plan_stages(branch)}
        if spec.method != "none":
            source = trunk.root / PAIRS[spec.pairs or "decoupled"]
            plan += [
                Stage("pairs", [branch.root / "pairs.jsonl"], lambda: _copy(source, branch.root / "pairs.jsonl")),
                by_name["cold_start"],
                by_name["eval_cold_start"],
                self._measure_stage(branch, "cold_start", seed, passk=False),
            ]
        plan += [by_name["final_grpo"], by_name["eval_final"], self._measure_stage(branch, "final", seed, passk=True)]
        return plan

    def _measure_stage(self, run: Run, model: str, seed: int, passk: bool) -> Stage:
        out = run.root / "measure" / f"{model}.json"
        return Stage(f"measure_{model}", [out], lambda: self._measure(run, model, seed, passk, out))

    def _measure(self, run: Run, model: str, seed: int, passk: bool, out: Path) -> None:
        cfg, sampling = self.cfg, run.recipe.eval.sampling
        record: dict[str, Any] = {"model": str(run.model(model)), "seed": seed}
        if passk:
            record["passk"] = pass_at_k(run.model(model), run.data("id-test"), run.recipe.prompt, cfg.pass_n,
                                        cfg.pass_k, cfg.limits.passk, sampling.max_new_tokens, sampling.batch_size,
                                        seed)
        record["rbf"] = branching(run.model(model), run.data("id-test"), run.recipe.prompt, cfg.rbf_samples,
                                  cfg.limits.rbf, sampling.max_new_tokens, sampling.batch_size, seed)
        write_json_atomic(out, record)

    # --- the whole study -------------------------------------------------------------------------------------
    def claim(self) -> None:
        """Refuse a study folder made with different study settings (the Runs check their own recipes).

        Threads change speed, not results, and each seed's folders are independent of the others: neither is
        part of the identity, so a rerun with more seeds adds them (and seeds run elsewhere can be copied in).
        """
        identity = self.cfg.model_dump(mode="json", exclude={"threads", "seeds"})
        path = self.root / "study.yaml"
        if path.is_file():
            made = yaml.safe_load(path.read_text())
            if {k: v for k, v in made.items() if k not in ("threads", "seeds")} != identity:
                raise ConfigError(f"{self.root}: made with different study settings; use a new --out")
        write_text_atomic(path, yaml.safe_dump(self.cfg.model_dump(mode="json", exclude={"threads"}),
                                               sort_keys=False))

    def execute(self) -> dict[str, Any]:
        """Train and measure everything missing, then write ``study.json``; returns the study record."""
        import torch


        if not (self.root / "study.yaml").is_file():  # a study folder (of an earlier version too) is ours
            check_output(self.root, {}, folder=True)  # else a new one: never a folder of the user's files
        self.root.mkdir(parents=True, exist_ok=True)
        mark(self.root)
        started, threads = time.perf_counter(), torch.get_num_threads()
        if self.cfg.threads is not None:
            torch.set_num_threads(self.cfg.threads)
        try:
            self._execute()
        finally:
            torch.set_num_threads(threads)
        study = collect(self, wall_seconds=time.perf_counter() - started)
        write_json_atomic(self.root / "study.json", study)
        return study

    def _execute(self) -> None:
        self.claim()
        world = self.world()
        self.log(f"== world ({world.root})")
        world.execute(self.world_stages(world))
        for seed in self.cfg.seeds:
            trunk = self.trunk(seed)
            self.log(f"== seed {seed}: trunk")
            trunk.execute(self.trunk_stages(trunk, seed))
            for arm in self.cfg.arms:
                branch = self.branch(seed, arm)
                self.log(f"== seed {seed}: arm {arm} ({ARMS[arm].label})")
                branch.execute(self.branch_stages(branch, trunk, seed, arm))


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target.with_suffix(".tmp"))
    target.with_suffix(".tmp").replace(target)


def _distill_variant(run: Run, kind: str) -> None:
    """An ablation's pairs: the trunk's distillation with ``PAIRS_DISTILL[kind]`` changed (validated)."""
    cfg = build(DistillConfig, {**run.recipe.distill.model_dump(mode="json"), **PAIRS_DISTILL[kind]},
                f"study pairs {kind}")
    stats = distill_stage.distill(chosen_model(run, cfg.chosen_source), run.model("base"), run.data("train"),
                    run.root / PAIRS[kind], cfg, run.recipe.prompt, run_judge(run))
    for line in stats["summary"]:
        run.log("  " + line)


__all__ = ["COLD_ARMS", "PAIRS", "PAIRS_DISTILL", "Study"]
