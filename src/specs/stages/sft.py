"""SFT: the classical cold start (and how the toy base model is pretrained), on TRL's ``SFTTrainer``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from specs.data.prompt import PromptSpec
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


class SFTStageConfig(TrainCommon, GFTracking):
    """SFT on prompt → response pairs; loss on response tokens only."""

    learning_rate: float = Field(1e-5, gt=0, description="Peak learning rate.")
    max_length: int | None = Field(None, ge=1, description="Truncate sequences longer than this (tokens).")


def sft_args(cfg: SFTStageConfig, out: Path):
    """The ``SFTConfig`` the stage trains with (also built by ``specs run``'s pre-flight)."""
    from trl import SFTConfig

    return trl_config(SFTConfig, cfg, out, completion_only_loss=True, max_length=cfg.max_length)


def sft_trainer(model_path: Path, dataset, out: Path, cfg: SFTStageConfig, prompt: PromptSpec, callbacks=()):
    """An SFTTrainer for ``model_path`` on ``dataset`` (columns ``prompt``, ``completion``, ``images``)."""
    from trl import SFTTrainer

    args = sft_args(cfg, out)  # before the model
    model, processor = load_for_training(model_path, cfg, prompt)
    return SFTTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=processor,
        peft_config=peft_config(cfg),
        callbacks=stage_callbacks(cfg, out, callbacks),
    )


def train_sft(model_path: Path, dataset, out: Path, cfg: SFTStageConfig, prompt: PromptSpec, callbacks=()) -> Path:
    """Fine-tune with ``sft_trainer`` and save the model to ``out``."""
    trainer = sft_trainer(model_path, dataset, out, cfg, prompt, callbacks)
    train(trainer, cfg, out)
    return save_trained(trainer, trainer.processing_class, out)
