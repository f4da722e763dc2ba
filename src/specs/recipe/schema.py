"""The recipe: every stage's typed config in one YAML. Unset paths mean "use the built-in toy world"."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import DirectoryPath, Field, FilePath, ValidationInfo, field_validator, model_validator

from specs.builtin import BUILTIN_RECIPES, recipe_file
from specs.config import Strict, build, deep_merge, parse_sets, read_yaml
from specs.data.prompt import PromptSpec, prompt_data
from specs.generation.hf import SamplingConfig
from specs.judge.config import JudgeConfig
from specs.stages.distill import DistillConfig
from specs.stages.dpo import DPOStageConfig
from specs.stages.grpo import GRPOStageConfig
from specs.stages.sft import SFTStageConfig
from specs.toybase.pretrain import ToyBaseConfig


class ToyData(Strict):
    """Sizes of the toy-world splits generated when a data path is unset."""

    n_train: int = Field(2000, ge=1, description="Training prompts (GRPO and distillation).")
    n_id_test: int = Field(200, ge=1, description="Held-out in-distribution prompts.")
    n_ood_test: int = Field(200, ge=1, description="Out-of-distribution prompts (new families and formats).")
    seed: int = Field(0, description="World seed.")


class DataPaths(Strict):
    """Canonical JSONL files; relative paths resolve against the recipe file's folder."""

    train: FilePath | None = Field(None, description="Prompts for GRPO and distillation (unset: toy world).")
    id_test: FilePath | None = Field(None, description="In-distribution test set (unset: toy world).")
    ood_test: FilePath | None = Field(None, description="Out-of-distribution test set (unset: toy world).")
    toy: ToyData = Field(default_factory=ToyData)


class ColdStart(Strict):
    """How the cold-start model is made from the base: SPECS (DPO + λ·SFT), plain SFT, or nothing."""

    method: Literal["dpo", "sft", "none"] = Field("dpo", description="dpo (SPECS), sft (classical), none.")
    dpo: DPOStageConfig = Field(default_factory=DPOStageConfig)
    sft: SFTStageConfig = Field(default_factory=SFTStageConfig)


class EvalSpec(Strict):
    """Evaluation after every model-producing stage."""

    sampling: SamplingConfig = Field(default_factory=SamplingConfig)
    limit: int | None = Field(None, ge=1, description="Evaluate only the first n records of each test set.")
    extract: Literal["rule", "judge"] = Field(
        "rule", description="Answer extraction: rule, or judge (the judge: block extracts the answer where the rules "
        "find none, as MathVista's scorer does; the rules still grade it).",
    )


class Recipe(Strict):
    """base eval → GRPO-zero → distill → cold start → final GRPO, with evals on ID and OOD after each."""

    name: str = Field("custom", description="A label for reports.")
    prompt: PromptSpec = Field(
        default_factory=PromptSpec,
        description="The prompt every stage renders (system prompt, format instructions, pixel cap); a built-in "
        "name (toy, reasoning) or the block itself.",
    )
    base_model: DirectoryPath | None = Field(None, description="Base model folder (unset: build the toy base).")
    toy_base: ToyBaseConfig = Field(default_factory=ToyBaseConfig)
    data: DataPaths = Field(default_factory=DataPaths)
    eval: EvalSpec = Field(default_factory=EvalSpec)
    grpo_zero: GRPOStageConfig = Field(default_factory=GRPOStageConfig)
    distill: DistillConfig = Field(default_factory=DistillConfig)
    cold_start: ColdStart = Field(default_factory=ColdStart)
    final_grpo: GRPOStageConfig = Field(default_factory=GRPOStageConfig)
    judge: JudgeConfig | None = Field(
        None, validate_default=True,
        description="The LLM judge (an OpenAI-compatible endpoint) for distill.consistency, grpo_zero/final_grpo."
        "accuracy and eval.extract set to judge; unset = no judge.",
    )
    seed: int | None = Field(
        None, description="When set, every stage's seed (data order, initialisation, rollout and distillation "
        "sampling, pair picking, eval sampling): one knob for runs over several seeds.",
    )

    @field_validator("judge")
    @classmethod
    def _judge_if_used(cls, judge: JudgeConfig | None, info: ValidationInfo) -> JudgeConfig | None:
        if judge is None and (users := judge_users(info.data)):
            verb = "needs" if len(users) == 1 else "need"
            raise ValueError(f"{' and '.join(f'{u}=judge' for u in users)} {verb} a judge: block (set judge.base_url "
                             "and judge.model)")
        return judge

    @model_validator(mode="after")
    def _one_seed(self) -> Recipe:
        if self.seed is not None:
            stages = (self.grpo_zero, self.distill, self.cold_start.dpo, self.cold_start.sft, self.final_grpo,
                      self.eval.sampling)
            for stage in stages:
                if stage.seed != self.seed:
                    stage.seed = self.seed
        return self


def judge_users(stages: dict) -> list[str]:
    """The recipe keys (among validated stage configs) set to ``judge``."""
    selected = {
        "eval.extract": getattr(stages.get("eval"), "extract", None),
        "grpo_zero.accuracy": getattr(stages.get("grpo_zero"), "accuracy", None),
        "distill.consistency": getattr(stages.get("distill"), "consistency", None),
        "final_grpo.accuracy": getattr(stages.get("final_grpo"), "accuracy", None),
    }
    return [key for key, value in selected.items() if value == "judge"]


BUILTIN = BUILTIN_RECIPES  # the names, for the tests and the CLI's help


def load_recipe(path: str | Path | None = None, sets: list[str] | None = None) -> Recipe:
    """A validated recipe from a YAML file, a built-in name, or the default toy recipe."""
    path = recipe_file("toy" if path is None else path)
    data, lines = read_yaml(path)
    _resolve_paths(data, path.parent)
    for layer in (data, overrides := parse_sets(sets or [])):
        if isinstance(layer.get("prompt"), str):  # a built-in prompt by name; --set prompt.x=… then edits it
            layer["prompt"] = prompt_data(layer["prompt"])
    return build(Recipe, deep_merge(data, overrides), str(path), lines, overrides)


def _resolve_paths(data: dict, root: Path) -> None:
    if isinstance(data.get("base_model"), str):
        data["base_model"] = str((root / data["base_model"]).resolve())
    distill = data.get("distill")
    if isinstance(distill, dict) and isinstance(distill.get("teacher_samples"), str):
        distill["teacher_samples"] = str((root / distill["teacher_samples"]).resolve())
    judge = data.get("judge")
    if isinstance(judge, dict) and isinstance(judge.get("cache_dir"), str):
        judge["cache_dir"] = str((root / judge["cache_dir"]).resolve())
    paths = data.get("data")
    if isinstance(paths, dict):
        for key in ("train", "id_test", "ood_test"):
            if isinstance(paths.get(key), str):
                paths[key] = str((root / paths[key]).resolve())
