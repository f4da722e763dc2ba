"""What every training stage shares: the common knobs, TRL config construction, model preparation, saving."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from specs.config import ConfigError, Strict
from specs.data.jsonl import write_json_atomic
from specs.data.prompt import PromptSpec


class TrainCommon(Strict):
    """Knobs shared by the SFT, DPO and GRPO stages. ``trl`` passes anything else to TRL's config as is."""

    learning_rate: float = Field(1e-6, gt=0, description="Peak learning rate (paper: 1e-6 for 7B).")
    batch_size: int = Field(8, ge=1, description="Per-device batch size (prompts × generations for GRPO).")
    grad_accum: int = Field(1, ge=1, description="Gradient accumulation steps.")
    epochs: float = Field(1.0, gt=0, description="Epochs over the data (ignored when max_steps > 0).")
    max_steps: int = Field(-1, description="Optimizer steps; -1 = use epochs.")
    lr_scheduler: str = Field("constant", description="transformers scheduler name (constant, cosine, linear…).")
    warmup_steps: int = Field(0, ge=0, description="Linear warm-up steps.")
    seed: int = Field(0, description="Seed for data order, sampling and initialisation.")
    freeze_vision: bool = Field(True, description="Freeze the vision tower (as MM-EUREKA does).")
    lora_rank: int = Field(0, ge=0, description="LoRA rank; 0 trains all (unfrozen) weights.")
    logging_steps: int = Field(10, ge=1, description="Log every n steps.")
    trl: dict[str, Any] = Field(default_factory=dict, description="Extra TRL config fields, passed through.")


class GFTracking(Strict):
    """Cold-start knobs for Generalization Factor tracking (off when ``gf_every`` is 0)."""

    gf_every: int = Field(0, ge=0, description="Evaluate ID and OOD every n steps (0 = off).")
    gf_limit: int | None = Field(100, ge=1, description="Prompts per split for each GF evaluation.")
    gf_metric: Literal["format_rate", "accuracy"] = Field("format_rate", description="Ψ used to pick the best GF.")
    gf_select: Literal["last", "best"] = Field("last", description="Hand on the last or the best-GF checkpoint.")
    gf_max_new_tokens: int = Field(64, ge=1, description="Generation budget of the GF evaluations.")


def on_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


def trl_config(config_cls: type, cfg: TrainCommon, out: Path, **stage: Any):
    """Build a TRL config (``SFTConfig``, ``DPOConfig``, ``GRPOConfig``) from our knobs; ``cfg.trl`` wins."""
    gpu = on_gpu()
    kwargs: dict[str, Any] = dict(
        output_dir=str(out.parent / f".{out.name}.trainer"),
        learning_rate=cfg.learning_rate,
        per_device_train_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum,
        num_train_epochs=cfg.epochs,
        max_steps=cfg.max_steps,
        lr_scheduler_type=cfg.lr_scheduler,
        warmup_steps=cfg.warmup_steps,
        seed=cfg.seed,
        data_seed=cfg.seed,
        logging_steps=cfg.logging_steps,
        save_strategy="no",
        report_to="none",
        bf16=gpu,
        use_cpu=not gpu,
        dataloader_num_workers=0,
        remove_unused_columns=False,
    )
    # Saves GPU memory; on CPU it only costs time (4x on tiny models). TRL defaults it to on, so always set it.
    if not {"activation_checkpointing", "gradient_checkpointing"} & set(cfg.trl):
        kwargs.update(checkpointing_knob(config_cls, gpu))
    kwargs.update(stage)
    kwargs.update(cfg.trl)
    try:
        return config_cls(**kwargs)
    except TypeError as exc:  # an unknown key in cfg.trl
        raise ConfigError(f"trl: {exc}") from None


def checkpointing_knob(config_cls: type, on: bool) -> dict[str, bool]:
    """Gradient checkpointing under the name ``config_cls`` knows: transformers 5.24 renamed it
    ``activation_checkpointing``; 5.17 (vLLM's pin) has only ``gradient_checkpointing``."""
    fields = {f.name for f in dataclasses.fields(config_cls)}
    return {"activation_checkpointing" if "activation_checkpointing" in fields else "gradient_checkpointing": on}


def peft_config(cfg: TrainCommon):
    """A LoRA config on the language model's linear layers, or None."""
    if cfg.lora_rank == 0:
        return None
    from peft import LoraConfig

    return LoraConfig(
        r=cfg.lora_rank,
        lora_alpha=2 * cfg.lora_rank,
        target_modules=r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)",
        task_type="CAUSAL_LM",
    )


def freeze_vision_tower(model) -> int:
    """Turn off gradients of the vision tower (``visual``); returns how many tensors were frozen."""
    frozen = 0
    for name, param in model.named_parameters():
        if ".visual." in f".{name}" or name.startswith("visual."):
            param.requires_grad_(False)
            frozen += 1
    return frozen


def load_for_training(path: Path, cfg: TrainCommon, prompt: PromptSpec):
    """Model + processor (with the prompt's pixel cap) from a local folder, the vision tower frozen if asked."""
    from specs.models.loading import load_model, load_processor

    model = load_model(path)
    processor = load_processor(path, max_pixels=prompt.max_pixels)
    if cfg.freeze_vision:
        freeze_vision_tower(model)
    return model, processor


def save_trained(trainer, processor, out: Path) -> Path:
    """Save the trained model as a plain HF folder (LoRA merged) plus the trainer's log, atomically.

    Every rank calls this: under ZeRO-3 and FSDP each rank holds a shard, and gathering the weights is a
    collective. The main process alone writes.
    """
    from specs.models.loading import save_pretrained_atomic

    accelerator = trainer.accelerator
    model = accelerator.unwrap_model(trainer.model)
    state_dict = None
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()  # LoRA runs keep whole weights on every rank (DDP, ZeRO-2)
    else:
        state_dict = accelerator.get_state_dict(trainer.model_wrapped)
    model.config.use_cache = True  # trainers switch the KV cache off; without it generation is ~10x slower
    if accelerator.is_main_process:
        save_pretrained_atomic(model, processor, out, state_dict=state_dict)
        write_json_atomic(out / "trainer_log.json", trainer.state.log_history)
    accelerator.wait_for_everyone()
    return out
