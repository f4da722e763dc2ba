"""Every supported VLM family through the stages on a tiny random offline build: DPO + SFT with the vision
tower frozen, LoRA merged on save, a GRPO step and generation with images."""

import json

import pytest
from stages_helpers import TOY, changed_parameters, dataset, toy_pair_rows

from specs.stages.dpo import DPOStageConfig, train_dpo

FAMILIES = ["qwen2_vl", "qwen2_5_vl", "qwen3_vl"]


@pytest.fixture(scope="module", params=FAMILIES)
def family(request, tmp_path_factory):
    from specs.models.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("families") / request.param, request.param)


@pytest.fixture(scope="module")
def pairs(toy_world):
    return dataset(toy_pair_rows(toy_world["train"], n=4), ["prompt", "chosen", "rejected", "images"])


def language_and_vision_changes(base, out) -> tuple[bool, bool]:
    changed = changed_parameters(base, out)
    return any(v for k, v in changed.items() if "visual" not in k), any(v for k, v in changed.items() if "visual" in k)


def test_dpo_trains_the_language_model_with_the_vision_tower_frozen(family, pairs, tmp_path):
    cfg = DPOStageConfig(learning_rate=1e-3, batch_size=2, max_steps=2, freeze_vision=True)
    out = train_dpo(family, pairs, tmp_path / "dpo", cfg, TOY)
    assert language_and_vision_changes(family, out) == (True, False)


def test_lora_is_merged_into_a_plain_folder(family, pairs, tmp_path):
    cfg = DPOStageConfig(learning_rate=1e-2, batch_size=2, max_steps=2, lora_rank=4)
    out = train_dpo(family, pairs, tmp_path / "lora", cfg, TOY)
    assert not (out / "adapter_config.json").exists()
    assert language_and_vision_changes(family, out) == (True, False)  # changed_parameters checks the same keys


def test_grpo_step_and_generation_with_images(family, toy_world, tmp_path):
    from specs.generation.hf import SamplingConfig
    from specs.stages.evaluate import evaluate
    from specs.stages.grpo import GRPOStageConfig, train_grpo

    cfg = GRPOStageConfig(batch_size=4, num_generations=2, max_steps=1, max_completion_length=8, logging_steps=1)
    out = train_grpo(family, toy_world["train"], tmp_path / "grpo", cfg, TOY)
    log = json.loads((out / "trainer_log.json").read_text())
    assert log[0]["completions/mean_length"] > 0
    report = evaluate(out, toy_world["id-test"], TOY, SamplingConfig(max_new_tokens=6), limit=3, progress=None)
    assert len(report["samples"]) == 3 and all(len(r) == 1 for r in report["samples"])
