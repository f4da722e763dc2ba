"""The cost model's arithmetic, on small hand-computed recipes and on the shipped 7B recipe, and that the 7B
guide's table is what the code prints."""

import re
from pathlib import Path

import pytest

from specs.recipe.cost import Hardware, estimate, format_costs, settings_only, total
from specs.recipe.schema import Recipe

ROOT = Path(__file__).parents[2]
RECIPE = ROOT / "recipes" / "qwen2.5-vl-7b.yaml"
GUIDE = ROOT / "docs" / "train-qwen2.5-vl-7b.md"
# round numbers, so that every figure below can be checked by hand
SIMPLE = Hardware(params=1e9, trained_params=1e9, gen_tps=100, seq_tps=10, train_tps=1000, forward_share=0.5,
                  padded_prompt=50, mean_prompt=50, mean_response=50, typical_longest=80, disk_gbps=14,
                  round_overhead_s=0, stage_overhead_s=0)


def by_stage(costs):
    return {c.stage: c for c in costs}


@pytest.fixture
def recipe_7b():
    """The 7B recipe's settings (its checkpoint and data are not here)."""
    return settings_only(RECIPE)


def test_grpo_counts_micro_steps_per_round_and_pads_to_the_longest():
    grpo = dict(batch_size=2, grad_accum=4, num_generations=4, max_steps=10, max_completion_length=100,
                save_steps=4, trl={"steps_per_generation": 8})  # a round: 8 micro-steps = 2 optimizer steps
    recipe = Recipe(grpo_zero=grpo, cold_start={"method": "none"}, final_grpo=grpo)
    c = by_stage(estimate(recipe, n_train=1000, n_id=10, n_ood=10, world_size=2, hardware=SIMPLE))["grpo_zero"]
    # 2 per GPU x 2 GPUs x 8 micro-steps = 32 completions = 8 prompts x 4 per round; 10 steps x 4 / 8 = 5 rounds
    assert (c.optimizer_steps, c.generation_rounds, c.prompts_seen, c.responses_sampled) == (10, 5, 40, 160)
    assert c.max_tokens == 160 * 100
    assert c.checkpoints == 3 and c.checkpoint_bytes == 14e9  # at steps 4, 8 and the last (10); 12 + 2 bytes
    # per GPU per round: 16 completions; generation max(16 x 50 / 100, longest / 10); training 16 x (50 + longest)
    # x (1 + 0.5: old log-probs, since grad_accum 4 is not a multiple of 8) / 1000; 3 checkpoints x 1 s
    low = 5 * (max(8, 80 / 10) + 16 * 130 * 1.5 / 1000) + 3
    high = 5 * (max(8, 100 / 10) + 16 * 150 * 1.5 / 1000) + 3
    assert c.hours == pytest.approx((low / 3600, high / 3600))


def test_generation_batch_size_and_epochs():
    grpo = dict(batch_size=2, grad_accum=2, num_generations=4, max_steps=-1, epochs=2.0,
                trl={"generation_batch_size": 16})  # 16 = 2 x 2 GPUs x 4 micro-steps: 4 prompts per round
    recipe = Recipe(grpo_zero=grpo, cold_start={"method": "none"})
    c = by_stage(estimate(recipe, 10, 5, 5, world_size=2, hardware=SIMPLE))["grpo_zero"]
    # 10 prompts // 4 = 2 whole rounds an epoch (TRL drops the rest); 2 epochs = 4 rounds = 8 optimizer steps
    assert (c.generation_rounds, c.prompts_seen, c.optimizer_steps, c.checkpoints) == (4, 16, 8, 0)


def test_distill_and_dpo_cold_start():
    recipe = Recipe(
        eval={"limit": 3, "sampling": {"max_new_tokens": 10}},
        distill={"limit": 100, "samples": 4, "max_new_tokens": 20},
        cold_start={"dpo": {"batch_size": 1, "grad_accum": 2, "epochs": 1, "save_steps": 5, "gf_every": 4,
                            "gf_limit": 3, "gf_max_new_tokens": 30}},
    )
    c = by_stage(estimate(recipe, n_train=1000, n_id=10, n_ood=2, world_size=2, hardware=SIMPLE, keep_rate=0.4))
    assert (c["eval_base"].prompts_seen, c["eval_base"].responses_sampled, c["eval_base"].max_tokens) == (5, 5, 50)
    d = c["distill"]  # the first 100 prompts x 4 samples x 2 models, one vLLM call per model
    assert (d.prompts_seen, d.responses_sampled, d.max_tokens, d.generation_rounds) == (100, 800, 16_000, 2)
    cs = c["cold_start"]  # 40 pairs / (1 x 2 x 2 GPUs) = 10 steps; GF at 0, 4, 8, 10 on 3 ID + 2 OOD prompts
    assert (cs.optimizer_steps, cs.prompts_seen, cs.checkpoints) == (10, 40, 2)
    assert (cs.responses_sampled, cs.max_tokens, cs.generation_rounds) == (4 * 5, 4 * 5 * 30, 4 * 2)
    assert [s.stage for s in estimate(Recipe(cold_start={"method": "none"}), 10, 5, 5, 1)] == [
        "eval_base", "grpo_zero", "eval_grpo_zero", "final_grpo", "eval_final"]


def test_7b_recipe_counts(recipe_7b):
    costs = estimate(recipe_7b, n_train=85_000, n_id=1_000, n_ood=1_000, world_size=8)
    c = by_stage(costs)
    final = c["final_grpo"]  # the paper's ~800 steps of 128 prompts x 8 rollouts
    assert (final.generation_rounds, final.prompts_seen, final.optimizer_steps) == (800, 102_400, 6_400)
    assert final.responses_sampled == 800 * 128 * 8
    assert (c["grpo_zero"].generation_rounds, c["grpo_zero"].prompts_seen) == (25, 3_200)
    assert c["distill"].responses_sampled == 22_500 * 4 * 2
    assert 8_500 <= c["cold_start"].prompts_seen <= 9_500  # ~9K pairs at the guessed 40%
    assert [c[s].checkpoints for s in ("grpo_zero", "cold_start", "final_grpo")] == [5, 2, 32]
    assert total(costs).disk_peak_bytes < 400e9 and total(costs).checkpoint_bytes < 5e12
    assert all(cost.memory_gb < 80 for cost in costs)


def test_7b_token_budgets_agree(recipe_7b):
    recipe, room = recipe_7b, Hardware().prompt_room
    budgets = {recipe.grpo_zero.max_completion_length, recipe.final_grpo.max_completion_length,
               recipe.distill.max_new_tokens, recipe.eval.sampling.max_new_tokens,
               recipe.cold_start.dpo.gf_max_new_tokens}
    assert budgets == {10240}
    for grpo in (recipe.grpo_zero, recipe.final_grpo):
        assert grpo.trl["vllm_max_model_length"] == room + 10240
        assert grpo.save_steps % (grpo.trl["steps_per_generation"] // grpo.grad_accum) == 0  # between rounds
    assert recipe.cold_start.dpo.max_length >= room + 10240
    guide = GUIDE.read_text()
    for command in re.findall(r"specs (?:eval|distill|lmms-eval) .*?(?:\n\n|```)", guide, flags=re.S):
        assert "max_new_tokens=10240" in command, command  # no command falls back to SamplingConfig's 64


def test_the_guide_shows_what_the_code_prints(recipe_7b):
    from typer.testing import CliRunner

    from specs.cli import app

    table = format_costs(estimate(recipe_7b, 85_000, 1_000, 1_000, 8), Hardware(), 8)
    assert table in GUIDE.read_text()
    result = CliRunner().invoke(app, ["cost", str(RECIPE), "--train", "85000", "--id", "1000", "--ood", "1000"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(table)  # the recipe's paths need not exist
