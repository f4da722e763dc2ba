"""What a study runs: its arms, its seeds, how much it measures, and the two presets (quick, full).

Pure (pydantic only, no torch): the report code imports the arm table from here, so a report can be rebuilt
from ``study.json`` on a machine without the training stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import DirectoryPath, Field, ValidationInfo, field_validator

from specs.builtin import recipe_file
from specs.config import Strict, build, deep_merge, parse_sets, read_yaml
from specs.errors import ConfigError

ArmName = Literal["grpo_only", "sft", "dpo", "specs", "coupled", "specs_lambda_half", "specs_seqnorm", "base_chosen",
                  "no_filter"]
# Which distilled pairs file a cold start trains on: each kind is one distillation in the trunk, into PAIRS[kind]
# (the trunk's layout: the runner writes these files, collect.py reads them).
PairsKind = Literal["decoupled", "coupled", "base_chosen", "no_filter"]
PAIRS = {"decoupled": "pairs.jsonl", "coupled": "pairs-coupled.jsonl", "base_chosen": "pairs-base-chosen.jsonl",
         "no_filter": "pairs-no-filter.jsonl"}


@dataclass(frozen=True)
class ArmSpec:
    """How one arm makes its cold-start model. Every arm then runs the *same* final GRPO config."""

    label: str
    method: Literal["dpo", "sft", "none"]
    pairs: PairsKind | None  # which distilled pairs file the cold start trains on
    sft_weight: float | None  # λ of L_DPO + λ·L_SFT (DPO arms only)
    description: str
    sft_normalization: Literal["token_mean", "sequence_mean"] | None = None  # λ's scale; None = the recipe's


ARMS: dict[str, ArmSpec] = {
    "grpo_only": ArmSpec("GRPO only", "none", None, None, "final GRPO straight from the base (no cold start)"),
    "sft": ArmSpec("SFT → GRPO", "sft", "decoupled", None, "SFT on the chosen responses, then GRPO"),
    "dpo": ArmSpec("DPO (λ=0) → GRPO", "dpo", "decoupled", 0.0, "plain DPO on the format pairs, then GRPO"),
    "specs": ArmSpec("SPECS (λ=1) → GRPO", "dpo", "decoupled", 1.0, "DPO + 1·SFT on the format pairs, then GRPO"),
    "coupled": ArmSpec(
        "coupled pairs → GRPO", "dpo", "coupled", 1.0, "DPO + 1·SFT on pairs whose rejected side is also wrong"
    ),
    # Opt-in ablations (--set 'arms=[...]'): each costs a cold start and a final GRPO per seed, and the last two
    # a distillation in the trunk as well.
    "specs_lambda_half": ArmSpec(
        "SPECS (λ=0.5) → GRPO", "dpo", "decoupled", 0.5, "DPO + 0.5·SFT on the format pairs, then GRPO"
    ),
    "specs_seqnorm": ArmSpec(
        "SPECS (λ=1, per-sequence SFT) → GRPO", "dpo", "decoupled", 1.0,
        "DPO + 1·SFT whose NLL is length-normalised per chosen response (LLaMA-Factory's pref_ftx), then GRPO",
        "sequence_mean",
    ),
    "base_chosen": ArmSpec(
        "base-chosen pairs → GRPO", "dpo", "base_chosen", 1.0,
        "DPO + 1·SFT on pairs whose chosen side is sampled from the base too (base-model distillation)",
    ),
    "no_filter": ArmSpec(
        "unfiltered pairs → GRPO", "dpo", "no_filter", 1.0,
        "DPO + 1·SFT on pairs whose chosen side skips the consistency filter (distill.consistency: none)",
    ),
}
DEFAULT_ARMS = ("grpo_only", "sft", "dpo", "specs", "coupled")  # what a study runs unless arms is set
COLD_ARMS = tuple(name for name, spec in ARMS.items() if spec.method != "none")


class Limits(Strict):
    """How many test prompts each measurement uses (``None`` = the whole split)."""

    eval: int | None = Field(None, ge=1, description="Greedy ID/OOD evals after each model (recipe eval.limit).")
    gf: int = Field(100, ge=1, description="Prompts per split for each GF evaluation during the cold start.")
    passk: int | None = Field(None, ge=1, description="ID-test prompts sampled pass_n times for pass@k.")
    rbf: int = Field(60, ge=1, description="ID-test prompts the RBF responses are sampled on.")


class StudyConfig(Strict):
    """A study: every arm × every seed from one base recipe, with the same final-GRPO budget in every arm."""

    preset: str = Field("custom", description="The preset this config came from (a label for reports).")
    recipe: str = Field("toy", description="Base recipe: a built-in name (toy, toy-fast, study-quick) or a YAML.")
    overrides: dict[str, Any] = Field(default_factory=dict, description="Recipe keys merged over the recipe.")
    base_model: DirectoryPath | None = Field(None, description="Base model folder (unset: the recipe's toy base).")
    arms: list[ArmName] = Field(
        default_factory=lambda: list(DEFAULT_ARMS),
        description="Arms to run (default: the five baselines; opt-in ablations: specs_lambda_half, specs_seqnorm, "
        "base_chosen, no_filter).",
    )
    seeds: list[int] = Field(default_factory=lambda: [0, 1, 2], description="Training seeds (≥ 1; use ≥ 3).")
    gf_every: int = Field(5, ge=1, description="GF evaluation every n cold-start steps.")
    pass_n: int = Field(8, ge=1, description="Samples per prompt (T = 1) for pass@k; must be ≥ max(pass_k).")
    pass_k: list[int] = Field(default_factory=lambda: [1, 2, 4, 8], description="k values of pass@k.")
    rbf_samples: int = Field(240, ge=1, description="Responses (T = 1) the RBF is averaged over, per model.")
    limits: Limits = Field(default_factory=Limits)
    decision_z: float = Field(2.0, gt=0, description="A claim holds when its mean effect is ≥ z standard errors.")
    threads: int | None = Field(
        1, ge=1, description="torch CPU threads while the study runs (None: torch's default). 1 avoids OpenMP "
        "oversubscription on a shared small CPU: one seed of the quick preset took 37 s at 1 thread and 616 s at "
        "2 threads on 2 cores beside another training process."
    )

    @field_validator("seeds", "arms")
    @classmethod
    def _distinct(cls, values: list) -> list:
        if not values or len(set(values)) != len(values):
            raise ValueError("must be a non-empty list of distinct values")
        return values

    @field_validator("pass_k")
    @classmethod
    def _ks(cls, ks: list[int], info: ValidationInfo) -> list[int]:
        n = info.data.get("pass_n", 1)  # validated before pass_k (field order)
        if not ks or min(ks) < 1 or max(ks) > n:
            raise ValueError(f"must be in 1..pass_n={n}, got {ks}")
        return ks


PRESETS: dict[str, dict[str, Any]] = {
    # CI-sized: every stage a few steps on a few prompts; numbers are noise, the structure is the real one.
    "quick": {
        "recipe": "study-quick",
        "gf_every": 1,
        "pass_k": [1, 2, 4],
        "pass_n": 4,
        "rbf_samples": 32,
        "limits": {"eval": 32, "gf": 16, "passk": 16, "rbf": 16},
    },
    # The real study on the toy recipe (about 30-60 min on 2 CPU cores given an existing toy base).
    "full": {
        "recipe": "toy",
        "gf_every": 5,
        "pass_k": [1, 2, 4, 8],
        "pass_n": 8,
        "rbf_samples": 240,
        "limits": {"eval": None, "gf": 100, "passk": None, "rbf": 60},
    },
}


def load_study(preset: str = "quick", sets: list[str] | None = None, base_model: Path | None = None) -> StudyConfig:
    """A preset name (``quick``, ``full``) or a study YAML, then ``--set`` overrides, then ``base_model``."""
    if preset in PRESETS:
        data, lines, source = {"preset": preset, **PRESETS[preset]}, {}, f"preset {preset}"
    elif Path(preset).is_file():
        data, lines = read_yaml(preset)
        source = preset
        data.setdefault("preset", Path(preset).stem)
    else:
        raise ConfigError(f"--preset {preset!r}: not a preset ({', '.join(PRESETS)}) nor a study YAML file")
    overrides = parse_sets(sets or [])
    data = deep_merge(data, overrides)
    if base_model is not None:
        data["base_model"] = str(base_model)
    return build(StudyConfig, data, source, lines, overrides)


def recipe_path(name: str) -> Path:
    """A built-in recipe's file (``toy``, ``toy-fast``, ``study-*``), or ``name`` as a path."""
    path = recipe_file(name)
    if not path.is_file():
        raise ConfigError(f"recipe {name!r}: neither a built-in recipe nor a file")
    return path
