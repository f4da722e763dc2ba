"""The precision policy: pure-bf16 weights do not train at lr 1e-6; fp32 masters under bf16 autocast do.

Why a test: Adam's update is about the learning rate, and half a bf16 ulp of a weight near 1e-2 is ~3e-5, so
with bf16 weights and no master copy almost every update rounds away — a run that "trains" for a day and
changes nothing. Both runs here use bf16 autocast on the CPU, the same data, seed and steps.
"""

import pytest
import torch
from stages_helpers import TOY, dataset, toy_pair_rows

from specs.models.loading import load_model
from specs.stages.sft import SFTStageConfig, sft_trainer

pytestmark = pytest.mark.slow


def changed_share(precision: str, toy_base, rows, out) -> float:
    cfg = SFTStageConfig(learning_rate=1e-6, batch_size=4, max_steps=3, freeze_vision=False, precision=precision)
    trainer = sft_trainer(toy_base, dataset(rows, ["prompt", "completion", "images"]), out, cfg, TOY)
    assert trainer.args.bf16  # both policies compute under bf16 autocast
    before = {n: p.detach().float().clone() for n, p in trainer.model.named_parameters()}
    trainer.train()
    changed = total = 0
    for name, param in trainer.model.named_parameters():
        delta = param.detach().float() != before[name]
        changed, total = changed + int(delta.sum()), total + delta.numel()
    return changed / total


def test_pure_bf16_rounds_updates_away_and_fp32_masters_keep_them(toy_base, toy_world, tmp_path):
    rows = toy_pair_rows(toy_world["train"])
    assert load_model(toy_base, dtype="bfloat16").dtype == torch.bfloat16
    pure = changed_share("bf16", toy_base, rows, tmp_path / "pure")
    mixed = changed_share("bf16-mixed", toy_base, rows, tmp_path / "mixed")
    print(f"weights changed after 3 steps at lr 1e-6: bf16 {pure:.2%}, bf16-mixed {mixed:.2%}")
    assert pure < 0.05, f"{pure:.1%} of bf16 weights changed: the bug this policy avoids did not show"
    assert mixed > 0.5, f"only {mixed:.1%} of fp32 master weights changed"
