"""DPO pre-alignment: L = L_DPO + λ·L_SFT(chosen), from the base with the base as reference, on TRL's DPOTrainer.

λ's scale (``sft_normalization``): by default TRL's ``"sft"`` loss, the token-mean NLL over all chosen-response
tokens of the batch; ``sequence_mean`` is LLaMA-Factory's per-sequence length-normalised NLL
(``specs.stages.dpo_sft_norm``). λ = 0 gives plain DPO (the paper's "DPO" baseline).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from specs.data.prompt import PromptSpec
from specs.models.loading import load_model
from specs.stages.common import (
    GFTracking,
    TrainCommon,
    load_for_training,
    peft_config,
    save_trained,
    stage_callbacks,
    train,
    trl_config,
)


class DPOStageConfig(TrainCommon, GFTracking):
    """DPO knobs; paper: λ = 1, lr 1e-6, batch 64, ~1 epoch, reference = base."""

    beta: float = Field(0.1, gt=0, description="DPO temperature β (not stated by the paper; 0.1 is usual).")
    sft_weight: float = Field(1.0, ge=0, description="λ, the weight of the SFT term on chosen responses.")
    sft_normalization: Literal["token_mean", "sequence_mean"] = Field(
        "token_mean", description="λ's scale: token_mean (TRL's sft loss: NLL averaged over all chosen tokens of the "
        "batch) or sequence_mean (LLaMA-Factory's pref_ftx: each chosen response's NLL over its own length, averaged "
        "over responses). Ignored when sft_weight is 0.",
    )
    max_length: int | None = Field(None, ge=1, description="Truncate pairs longer than this many tokens.")


def dpo_args(cfg: DPOStageConfig, out: Path):
    """TRL's DPOConfig for L_DPO + λ·L_SFT."""
    from trl import DPOConfig

    losses = {"loss_type": ["sigmoid", "sft"], "loss_weights": [1.0, cfg.sft_weight]} if cfg.sft_weight > 0 else {
        "loss_type": ["sigmoid"]
    }
    return trl_config(DPOConfig, cfg, out, beta=cfg.beta, max_length=cfg.max_length, **losses)


def dpo_trainer(model_path: Path, dataset, out: Path, cfg: DPOStageConfig, prompt: PromptSpec, callbacks=()):
    """A DPOTrainer for ``model_path`` on ``dataset`` (``prompt``/``chosen``/``rejected``/``images``).

    The reference model is loaded explicitly from ``model_path``: TRL would otherwise reload it from
    ``config._name_or_path``, which is wrong for a model changed in memory. With LoRA the reference is the
    base with adapters disabled, so no second copy is loaded. ``sft_normalization: sequence_mean`` swaps in
    ``SequenceMeanSFTDPOTrainer`` (same losses and logs, λ's term normalised per sequence).
    """
    from trl import DPOTrainer


    args = dpo_args(cfg, out)  # before the models: ZeRO-3 loads them sharded only once its config exists
    model, processor = load_for_training(model_path, cfg, prompt)
    peft = peft_config(cfg)
    ref_model = None if peft is not None else load_model(model_path)
    trainer_cls = DPOTrainer
    if cfg.sft_normalization == "sequence_mean" and cfg.sft_weight > 0:
        from specs.stages.dpo_sft_norm import SequenceMeanSFTDPOTrainer  # lazy: it imports torch and TRL at its top

        trainer_cls = SequenceMeanSFTDPOTrainer
    return trainer_cls(
        model=model,
        ref_model=ref_model,
        args=args,
        train_dataset=dataset,
        processing_class=processor,
        peft_config=peft,
        callbacks=stage_callbacks(cfg, out, callbacks),
    )


def train_dpo(model_path: Path, dataset, out: Path, cfg: DPOStageConfig, prompt: PromptSpec, callbacks=()) -> Path:
    """Train with ``dpo_trainer`` and save the model to ``out`` (``dataset`` from ``coldstart.dpo_dataset``)."""
    trainer = dpo_trainer(model_path, dataset, out, cfg, prompt, callbacks)
    train(trainer, cfg, out)
    return save_trained(trainer, trainer.processing_class, out)
