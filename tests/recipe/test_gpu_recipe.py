"""The shipped Qwen2.5-VL-7B recipe: the paper's hyperparameters, and TRL accepts every field it sets."""

import shutil
from pathlib import Path

import pytest

from specs.errors import ConfigError
from specs.recipe.cost import settings_only
from specs.recipe.schema import load_recipe

RECIPE = Path(__file__).parents[2] / "recipes" / "qwen2.5-vl-7b.yaml"
GPUS = 8


@pytest.fixture
def recipe():
    """The recipe's settings (its checkpoint and data are not here)."""
    return settings_only(RECIPE)


def test_paper_hyperparameters(recipe):
    for grpo in (recipe.grpo_zero, recipe.final_grpo):
        assert (grpo.learning_rate, grpo.num_generations, grpo.beta, grpo.max_completion_length) == (1e-6, 8, 0, 10240)
        assert grpo.batch_size * grpo.grad_accum * GPUS == 128 and grpo.freeze_vision
        assert grpo.batch_size * GPUS * grpo.trl["steps_per_generation"] == 128 * 8  # 128 prompts x 8 rollouts
    assert recipe.final_grpo.max_steps == 6400  # 800 rounds of 128 prompts x 8 (8 optimizer steps a round)
    dpo = recipe.cold_start.dpo
    assert (dpo.learning_rate, dpo.sft_weight, dpo.max_length, dpo.epochs) == (1e-6, 1.0, 16384, 1)
    assert dpo.batch_size * dpo.grad_accum * GPUS == 64
    assert recipe.distill.backend == recipe.eval.sampling.backend == "vllm"


def test_trl_accepts_the_stage_settings(recipe, tmp_path):
    from trl import GRPOConfig

    from specs.stages.common import trl_config
    from specs.stages.dpo import dpo_args
    from specs.stages.grpo import rollout_settings

    grpo = recipe.final_grpo
    args = trl_config(GRPOConfig, grpo, tmp_path / "final", **rollout_settings(grpo, [151655]))
    assert args.use_vllm and args.vllm_mode == "colocate" and args.steps_per_generation == 64
    assert dpo_args(recipe.cold_start.dpo, tmp_path / "cold").loss_type == ["sigmoid", "sft"]


def test_missing_checkpoint_is_named_with_file_line_and_key(tmp_path):
    shutil.copy(RECIPE, tmp_path / RECIPE.name)
    line = next(i for i, text in enumerate(RECIPE.read_text().splitlines(), 1) if text.startswith("base_model:"))
    with pytest.raises(ConfigError, match=rf"qwen2.5-vl-7b.yaml:{line}: key 'base_model': .*Qwen2.5-VL-7B-Instruct"):
        load_recipe(tmp_path / RECIPE.name)
