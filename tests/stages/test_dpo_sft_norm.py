"""λ's scale in DPO + λ·SFT: the two normalisations by hand, the TRL internals the subclass hooks, a real step."""

import inspect
import math

import pytest
import torch
from stages_helpers import TOY, changed_parameters, dataset, toy_pair_rows

from specs.config import build
from specs.errors import ConfigError
from specs.stages.dpo import DPOStageConfig, dpo_trainer, train_dpo
from specs.stages.dpo_sft_norm import METRIC, SequenceMeanSFTDPOTrainer, chosen_nll

LN2 = math.log(2.0)


def fused_log_probs(logits: torch.Tensor, input_ids: torch.Tensor, completion_mask: torch.Tensor) -> torch.Tensor:
    """What TRL's fused LM head returns: log p(next token) at each position, zero where the label is masked."""
    logps = torch.log_softmax(logits[:, :-1].float(), dim=-1).gather(-1, input_ids[:, 1:, None]).squeeze(-1)
    return logps * completion_mask[:, 1:]


def test_the_two_normalisations_by_hand():
    # [chosen A, chosen B, rejected A, rejected B]; one prompt token, then A has 1 completion token, B has 3
    input_ids = torch.tensor([[3, 0, 0, 0], [3, 1, 2, 3], [3, 2, 0, 0], [3, 0, 1, 1]])
    completion_mask = torch.tensor([[0, 1, 0, 0], [0, 1, 1, 1], [0, 1, 0, 0], [0, 1, 1, 1]])
    logits = torch.randn(4, 4, 4) * 5  # the rejected rows are noise: the SFT term must ignore them
    logits[0, 0] = torch.tensor([math.log(3.0), 0, 0, 0])  # A's token 0 has p = 3/6: NLL ln 2
    logits[1, :3] = 0.0  # B's three tokens are uniform over 4: NLL ln 4 = 2 ln 2 each
    log_probs = fused_log_probs(logits, input_ids, completion_mask)
    # token mean: (ln 2 + 3·2 ln 2) / 4 tokens; sequence mean: (ln 2 / 1 + 3·2 ln 2 / 3) / 2 sequences
    assert chosen_nll(log_probs, completion_mask, "token_mean").item() == pytest.approx(7 / 4 * LN2, rel=1e-6)
    assert chosen_nll(log_probs, completion_mask, "sequence_mean").item() == pytest.approx(3 / 2 * LN2, rel=1e-6)
    equal = completion_mask.clone()
    equal[0, 2:] = 1  # equal lengths: the two normalisations agree
    ids = input_ids.clone()
    ids[0, 2:] = 1
    lp = fused_log_probs(logits, ids, equal)
    assert chosen_nll(lp, equal, "token_mean").item() == pytest.approx(chosen_nll(lp, equal, "sequence_mean").item())


def test_the_knob_is_validated_and_reachable_from_a_recipe():
    from specs.recipe.schema import load_recipe

    assert DPOStageConfig().sft_normalization == "token_mean"
    with pytest.raises(ConfigError, match="sft_normalization"):
        build(DPOStageConfig, {"sft_normalization": "per_token"})
    recipe = load_recipe("toy", sets=["cold_start.dpo.sft_normalization=sequence_mean"])
    assert recipe.cold_start.dpo.sft_normalization == "sequence_mean"


@pytest.fixture(scope="module")
def pair_rows(toy_world):
    return toy_pair_rows(toy_world["train"])


def _manual_nll(model, batch) -> tuple[float, float]:
    """Token- and sequence-mean NLL of the chosen half, from a plain (unfused) forward, sequence by sequence."""
    kwargs = {k: v for k, v in batch.items() if k not in ("completion_mask", "ref_chosen_logps", "ref_rejected_logps")}
    logps = fused_log_probs(model(**kwargs, use_cache=False).logits, batch["input_ids"], batch["completion_mask"])
    mask = batch["completion_mask"][:, 1:]
    sums, lengths = [], []
    for row in range(logps.size(0) // 2):  # chosen rows come first
        sums.append(-logps[row][mask[row].bool()].sum().item())
        lengths.append(int(mask[row].sum()))
    return sum(sums) / sum(lengths), sum(s / n for s, n in zip(sums, lengths, strict=True)) / len(sums)


def test_trl_internals_the_subclass_relies_on(toy_base, pair_rows, tmp_path):
    """TRL's sft term is the token mean, and ours the sequence mean, measured against an independent forward."""
    from trl import DPOTrainer

    assert list(inspect.signature(DPOTrainer._compute_loss).parameters) == ["self", "model", "inputs",
                                                                            "return_outputs"]
    lam = 0.5
    cfg = DPOStageConfig(sft_weight=lam, sft_normalization="sequence_mean", batch_size=4, max_steps=1,
                         freeze_vision=False, report_to=[])
    trainer = dpo_trainer(toy_base, dataset(pair_rows, ["prompt", "chosen", "rejected", "images"]), tmp_path / "o", cfg,
                          TOY)
    assert isinstance(trainer, SequenceMeanSFTDPOTrainer) and trainer.sft_weight == lam
    assert trainer.args.loss_type == ["sigmoid", "sft"] and trainer.loss_weights == [1.0, 0.0]
    batch = trainer._prepare_inputs(next(iter(trainer.get_train_dataloader())))
    model = trainer.model.eval()
    with torch.no_grad():
        token, sequence = _manual_nll(model, batch)
        assert abs(token - sequence) > 1e-2, "the batch's chosen responses should differ in length"
        dpo_only = DPOTrainer._compute_loss(trainer, model, batch, False).item()  # TRL with its sft weight at 0
        trainer.loss_weights = [1.0, lam]
        trl_token = DPOTrainer._compute_loss(trainer, model, batch, False).item()  # TRL's own sft term
        trainer.loss_weights = [1.0, 0.0]
        ours = trainer.compute_loss(model, batch).item()
    assert trl_token == pytest.approx(dpo_only + lam * token, rel=1e-4)
    assert ours == pytest.approx(dpo_only + lam * sequence, rel=1e-4)
    assert trainer._metrics["eval"][METRIC][-1] == pytest.approx(sequence, rel=1e-4)


def test_token_mean_and_plain_dpo_stay_on_trls_trainer(toy_base, pair_rows, tmp_path):
    rows = dataset(pair_rows, ["prompt", "chosen", "rejected", "images"])
    for cfg in (DPOStageConfig(report_to=[]), DPOStageConfig(sft_weight=0.0, sft_normalization="sequence_mean",
                                                             report_to=[])):
        assert not isinstance(dpo_trainer(toy_base, rows, tmp_path / "o", cfg, TOY), SequenceMeanSFTDPOTrainer)


@pytest.mark.slow
def test_a_sequence_mean_dpo_step_trains(toy_base, pair_rows, tmp_path):
    cfg = DPOStageConfig(sft_normalization="sequence_mean", learning_rate=1e-3, batch_size=4, max_steps=2,
                         logging_steps=1, freeze_vision=False, report_to=[])
    out = train_dpo(toy_base, dataset(pair_rows, ["prompt", "chosen", "rejected", "images"]), tmp_path / "dpo", cfg,
                    TOY)
    assert any(changed_parameters(toy_base, out).values())
    import json

    logs = [e for e in json.loads((out / "trainer_log.json").read_text()) if "loss" in e]
    assert len(logs) == 2 and all(math.isfinite(e["loss"]) and e[METRIC] > 0 for e in logs)
