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


def test_image_marks_sit_on_the_image_tokens_of_every_left_padded_prompt(tmp_path, monkeypatch):
    """Prompts of different lengths (images of several sizes and counts) are padded on the left by TRL; the image
    features' token types must follow them, or each shorter prompt's image gets wrong 3-D positions (TRL #5785)."""
    import torch
    from PIL import Image
    from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VLModel

    from specs.data.jsonl import write_jsonl_atomic
    from specs.data.prompt import PromptSpec
    from specs.models.loading import load_processor
    from specs.recipe.rehearsal import tiny_base

    model = tiny_base(None, tmp_path / "base", "qwen2_5_vl")  # Qwen's stock pixel range, right-padding tokenizer
    assert load_processor(model).tokenizer.padding_side == "right"
    (tmp_path / "images").mkdir()
    rows = []
    for i, sizes in enumerate([[(56, 56)], [(168, 56), (56, 112)], [(112, 112)], [(56, 56), (56, 56), (224, 56)]]):
        for k, size in enumerate(sizes):
            Image.new("RGB", size, (40 * i, 90, 30 * k)).save(tmp_path / "images" / f"{i}-{k}.png")
        rows.append({"id": f"q{i}", "question": "What is 2 + 3?" + " Look closely." * i, "answer": "5",
                     "images": [f"images/{i}-{k}.png" for k in range(len(sizes))]})
    data = write_jsonl_atomic(tmp_path / "train.jsonl", rows)

    aligned = []
    rope_index = Qwen2_5_VLModel.get_rope_index

    def spy(self, input_ids, mm_token_type_ids, *args, **kwargs):
        aligned.append(torch.equal(mm_token_type_ids == 1, input_ids == self.config.image_token_id))
        return rope_index(self, input_ids, mm_token_type_ids, *args, **kwargs)

    monkeypatch.setattr(Qwen2_5_VLModel, "get_rope_index", spy)
    cfg = GRPOStageConfig(batch_size=4, num_generations=2, max_steps=1, max_completion_length=4, report_to=[])
    out = train_grpo(model, data, tmp_path / "grpo", cfg, PromptSpec())
    assert aligned and all(aligned), aligned
    assert load_processor(out).tokenizer.padding_side == "right"  # the saved folder pads as the base did
