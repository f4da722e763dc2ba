import pytest
import torch
from stages_helpers import TOY, changed_parameters, dataset, toy_pair_rows

from specs.models.loading import load_model
from specs.stages.dpo import DPOStageConfig, dpo_args, dpo_trainer
from specs.stages.sft import SFTStageConfig, train_sft


@pytest.fixture(scope="module")
def pair_rows(toy_world):
    return toy_pair_rows(toy_world["train"])


def test_dpo_reference_is_the_base_and_weights_change(toy_base, pair_rows, tmp_path):
    cfg = DPOStageConfig(learning_rate=1e-3, batch_size=4, max_steps=2, logging_steps=1, freeze_vision=False)
    trainer = dpo_trainer(toy_base, dataset(pair_rows, ["prompt", "chosen", "rejected", "images"]), tmp_path / "o", cfg,
                          TOY)
    base = load_model(toy_base)
    ref = dict(trainer.ref_model.named_parameters())
    assert trainer.ref_model is not trainer.model
    assert all(torch.equal(p, ref[n]) for n, p in base.named_parameters())
    trainer.train()
    first = trainer.state.log_history[0]
    # policy == reference before the first update, so the implicit rewards start at exactly zero
    assert first["rewards/chosen"] == pytest.approx(0.0, abs=1e-6)
    assert all(torch.equal(p, ref[n]) for n, p in base.named_parameters()), "reference must stay frozen"
    assert any(not torch.equal(p, dict(base.named_parameters())[n]) for n, p in trainer.model.named_parameters())


def test_dpo_loss_is_sigmoid_plus_weighted_sft(tmp_path):
    both = dpo_args(DPOStageConfig(sft_weight=0.5), tmp_path / "o")
    assert both.loss_type == ["sigmoid", "sft"] and both.loss_weights == [1.0, 0.5]
    plain = dpo_args(DPOStageConfig(sft_weight=0.0), tmp_path / "o")
    assert plain.loss_type == ["sigmoid"]


def test_sft_trains_and_saves_a_loadable_folder(toy_base, pair_rows, tmp_path):
    cfg = SFTStageConfig(learning_rate=1e-3, batch_size=4, max_steps=2, freeze_vision=False)
    out = train_sft(toy_base, dataset(pair_rows, ["prompt", "completion", "images"]), tmp_path / "sft", cfg, TOY)
    changed = changed_parameters(toy_base, out)
    assert any(v for k, v in changed.items() if "visual" in k) and any(changed.values())
    from specs.models.loading import load_processor

    assert hasattr(load_processor(out), "image_processor")
