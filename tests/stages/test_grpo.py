import json

from stages_helpers import TOY, changed_parameters

from specs.stages.grpo import GRPOStageConfig, train_grpo


def test_grpo_trains_language_and_vision_weights(toy_base, toy_world, tmp_path):
    cfg = GRPOStageConfig(
        learning_rate=1e-3, batch_size=8, num_generations=4, max_steps=3, max_completion_length=24,
        freeze_vision=False, logging_steps=1,
    )
    out = train_grpo(toy_base, toy_world["train"], tmp_path / "grpo", cfg, TOY)
    changed = changed_parameters(toy_base, out)
    assert any(v for k, v in changed.items() if "visual" in k), "vision tower must train when unfrozen"
    assert any(v for k, v in changed.items() if "visual" not in k)
    log = json.loads((out / "trainer_log.json").read_text())
    assert "rewards/format_reward/mean" in log[0] and "rewards/accuracy_reward/mean" in log[0]


def test_frozen_vision_tower_stays_put(toy_base, toy_world, tmp_path):
    cfg = GRPOStageConfig(
        learning_rate=1e-3, batch_size=8, num_generations=4, max_steps=2, max_completion_length=16,
        freeze_vision=True,
    )
    out = train_grpo(toy_base, toy_world["train"], tmp_path / "grpo", cfg, TOY)
    changed = changed_parameters(toy_base, out)
    assert not any(v for k, v in changed.items() if "visual" in k)
    assert any(changed.values())
