"""What every training stage shares: the common knobs, TRL config construction, model preparation, saving."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from specs.config import Strict
from specs.console import say
from specs.data.jsonl import write_json_atomic, write_text_atomic
from specs.data.prompt import PromptSpec
from specs.errors import ConfigError, ModelError
from specs.models.loading import (
    check_model_folder,
    check_safetensors,
    load_model,
    load_processor,
    save_pretrained_atomic,
)


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
    precision: Literal["auto", "bf16-mixed", "bf16", "fp32"] = Field(
        "auto", description="bf16-mixed: fp32 weights and optimizer (the master copy), bf16 autocast compute; "
        "bf16: bf16 weights, no master copy (half the weight memory, but an update below half a bf16 ulp — "
        "lr 1e-6 on weights ~1e-2 — rounds away); fp32: no autocast; auto: bf16-mixed on a GPU, else fp32. "
        "DeepSpeed ZeRO keeps its own fp32 masters whichever is chosen.")
    save_steps: int = Field(0, ge=0, description="Checkpoint every n optimizer steps so a killed stage resumes "
                            "there (model, optimizer, scheduler, RNG, data position); 0 = no checkpoints.")
    keep_checkpoints: int = Field(2, ge=1, description="Checkpoints kept (the oldest are deleted).")
    report_to: list[str] = Field(
        ["tensorboard"], description="Trackers: tensorboard (events in RUN/models/tensorboard/<stage>), wandb, "
        "mlflow… (any transformers report_to name); [] for none. Every stage also appends its per-step metrics to "
        "<stage>.metrics.jsonl beside its output.")
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


def precision_policy(precision: str, gpu: bool) -> tuple[str, bool]:
    """(dtype the weights are loaded in, whether the trainer autocasts to bf16) for a ``precision`` setting.

    Why the default keeps fp32 weights: Adam's update is about the learning rate (1e-6 for 7B), while half a
    bf16 ulp of a weight near 1e-2 is ~3e-5, so pure-bf16 weights silently stop training. Autocast computes in
    bf16 and keeps the weights, gradients and optimizer state in fp32 (16 bytes per parameter with Adam,
    against 8 in pure bf16), the policy of ``torch.amp`` and of DeepSpeed's bf16 mode.

    >>> precision_policy("auto", gpu=True), precision_policy("auto", gpu=False), precision_policy("bf16", True)
    (('float32', True), ('float32', False), ('bfloat16', True))
    """
    if precision == "auto":
        precision = "bf16-mixed" if gpu else "fp32"
    return {"bf16-mixed": ("float32", True), "bf16": ("bfloat16", True), "fp32": ("float32", False)}[precision]


def trl_config(config_cls: type, cfg: TrainCommon, out: Path, **stage: Any):
    """Build a TRL config (``SFTConfig``, ``DPOConfig``, ``GRPOConfig``) from our knobs; ``cfg.trl`` wins."""
    from specs.stages.tracking import trainer_report_to  # lazy: it imports transformers at its top

    gpu = on_gpu()
    _, autocast = precision_policy(cfg.precision, gpu)
    kwargs: dict[str, Any] = dict(
        output_dir=str(scratch_dir(out)),
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
        save_strategy="steps" if cfg.save_steps else "no",
        save_steps=cfg.save_steps or 500,
        save_total_limit=cfg.keep_checkpoints,
        report_to=trainer_report_to(cfg.report_to),
        bf16=autocast,
        use_cpu=not gpu,
        dataloader_num_workers=0,
        disable_tqdm=True,  # our console line (stages/tracking.py) says how training goes
        remove_unused_columns=False,
    )
    # Saves GPU memory; on CPU it only costs time (4x on tiny models). TRL defaults it to on, so always set it.
    if not {"activation_checkpointing", "gradient_checkpointing"} & set(cfg.trl):
        kwargs.update(checkpointing_knob(config_cls, gpu))
    kwargs.update(stage)
    kwargs.update(checked_trl(config_cls, cfg.trl))
    try:
        return config_cls(**kwargs)
    except (TypeError, ValueError) as exc:  # a value TRL/transformers refuse (lr_scheduler: nope, …)
        raise ConfigError(f"{config_cls.__name__}: {str(exc).strip().splitlines()[0]}") from None


OWNED_BY_SPECS = {"output_dir": "checkpoints go to a scratch folder beside the stage's output, then are deleted"}


def checked_trl(config_cls: type, trl: dict[str, Any]) -> dict[str, Any]:
    """``trl:`` pass-through values checked against ``config_cls``'s own field types, so ``beta: abc`` is one line
    now rather than a traceback hours into training (dataclasses do not check types)."""
    import typing

    from pydantic import TypeAdapter, ValidationError

    hints = typing.get_type_hints(config_cls)
    for key, value in trl.items():
        if key in OWNED_BY_SPECS:
            raise ConfigError(f"trl.{key}: set by specs ({OWNED_BY_SPECS[key]}); leave it out")
        if key not in hints:
            raise ConfigError(f"trl.{key}: {config_cls.__name__} has no such field")
        try:
            TypeAdapter(hints[key]).validate_python(value)
        except ValidationError as exc:
            raise ConfigError(f"trl.{key}: {exc.errors()[0]['msg']} (got {value!r})") from None
    return trl


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

    check_model_folder(path)  # an image-text model with whole weights and a chat template, before the trainer
    model = load_model(path, dtype=precision_policy(cfg.precision, on_gpu())[0])
    processor = load_processor(path, max_pixels=prompt.max_pixels)
    if cfg.freeze_vision:
        freeze_vision_tower(model)
    return model, processor


def scratch_dir(out: Path) -> Path:
    """The trainer's own folder beside ``out``: its checkpoints while the stage runs, deleted once it is saved."""
    return out.parent / f".{out.name}.trainer"


def train(trainer, cfg: TrainCommon, out: Path, log: Callable[[str], None] | None = None) -> None:
    """``trainer.train()``, resumed from the stage's last checkpoint when a killed run left one.

    A checkpoint is only resumed by the same stage settings (``stage.json`` in the scratch folder): a changed
    config starts the stage again rather than continue a different run. Model, optimizer, scheduler, RNG and
    data position are restored by transformers' own resume.
    """

    log = log or say  # the console line and run.log
    scratch, settings = scratch_dir(out), cfg.model_dump_json()
    stamp = scratch / "stage.json"
    checkpoint = resumable_checkpoint(scratch, log if trainer.accelerator.is_main_process else None)
    if checkpoint is not None and (not stamp.is_file() or stamp.read_text() != settings):
        if trainer.accelerator.is_main_process:
            log(f"{out.name}: the checkpoints in {scratch} were made with other settings; starting from step 0")
        trainer.accelerator.wait_for_everyone()
        if trainer.accelerator.is_main_process:
            shutil.rmtree(scratch, ignore_errors=True)
        trainer.accelerator.wait_for_everyone()
        checkpoint = None
    if trainer.accelerator.is_main_process:
        scratch.mkdir(parents=True, exist_ok=True)
        write_text_atomic(stamp, settings)
        if checkpoint is not None:
            log(f"resuming {out.name} from step {int(Path(checkpoint).name.rsplit('-', 1)[1])}")
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # the raw log dicts; ConsoleLine prints the compact line instead
    trainer.train(resume_from_checkpoint=checkpoint)


def complete_checkpoints(scratch: Path) -> list[Path]:
    """The ``checkpoint-N`` folders in ``scratch`` that were saved whole, highest step first.

    transformers' ``get_last_checkpoint`` takes the highest-numbered folder, even one a kill cut short mid-save
    (a 7B checkpoint takes minutes to write), and resuming from it then fails. ``trainer_state.json`` is written
    after the weights, optimizer, scheduler and RNG state, so a folder holding it (readable) is whole.
    """
    if not scratch.is_dir():
        return []
    import json

    def whole(folder: Path) -> bool:
        try:
            return isinstance(json.loads((folder / "trainer_state.json").read_text()), dict)
        except (OSError, ValueError):  # missing, or cut short itself
            return False

    steps = sorted((int(p.name.split("-")[-1]), p) for p in scratch.glob("checkpoint-*")
                   if p.name.split("-")[-1].isdigit())
    return [p for _, p in reversed(steps) if whole(p)]


def last_complete_checkpoint(scratch: Path) -> str | None:
    """The highest checkpoint saved whole (:func:`complete_checkpoints`), or None."""
    return next((str(p) for p in complete_checkpoints(scratch)), None)


def resumable_checkpoint(scratch: Path, log: Callable[[str], None] | None = None) -> str | None:
    """The highest whole checkpoint whose files also load safely (:func:`checkpoint_problem`), or None: a truncated
    ``optimizer.pt`` or a pickle in ``rng_state.pth`` would fail every resume the same way, so such a checkpoint
    is passed over, said in ``log``, for the one before."""
    for folder in complete_checkpoints(scratch):
        if (problem := checkpoint_problem(folder)) is None:
            return str(folder)
        if log is not None:
            log(f"{folder.name} passed over: {problem}")
    return None


def checkpoint_problem(folder: Path) -> str | None:
    """Why a checkpoint's own files cannot be resumed from, or None. Tensors are checked by their safetensors
    header; torch files (optimizer, scheduler, RNG state) are opened with torch's safe loader (``weights_only``:
    no object a pickle names is built) and memory-mapped, so a 7B optimizer state is not read twice; pickled
    ``.bin`` weights are never opened (nor ``training_args.bin``, which resume does not read)."""
    import torch
    from transformers.trainer_pt_utils import safe_globals  # numpy's RNG state: the allowlist resume loads with


    try:
        files = sorted(folder.iterdir())
    except OSError:
        return "unreadable, or removed while being read (a rotation of the kept checkpoints)"
    for file in files:
        if not file.is_file():
            continue
        if file.suffix == ".bin" and file.name != "training_args.bin":  # that one resume never reads
            return f"{file.name}: pickled weights (never unpickled: a pickle can run code)"
        try:
            if file.suffix == ".safetensors":
                check_safetensors(file)
            elif file.suffix in (".pt", ".pth"):
                with safe_globals():
                    torch.load(file, map_location="cpu", weights_only=True, mmap=True)
        except ModelError as exc:
            return str(exc).replace(str(file), file.name)
        except (OSError, RuntimeError, ValueError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile) as exc:
            why = "truncated or corrupt" if "zip" in str(exc).lower() or isinstance(exc, EOFError) else \
                "not loadable by torch's safe loader"
            return f"{file.name}: {why}"
    return None


def stage_callbacks(cfg: TrainCommon, out: Path, callbacks=()) -> list:
    """The stage's own callbacks (GF tracking …) plus tracking: the metrics JSONL and the trackers asked for."""
    from specs.stages.tracking import tracking_callbacks  # lazy: it imports transformers at its top

    return [*callbacks, *tracking_callbacks(cfg.report_to, out)]


def save_trained(trainer, processor, out: Path) -> Path:
    """Save the trained model as a plain HF folder (LoRA merged) plus the trainer's log, atomically.

    Every rank calls this: under ZeRO-3 and FSDP each rank holds a shard, and gathering the weights is a
    collective. The main process alone writes.
    """

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
        shutil.rmtree(scratch_dir(out), ignore_errors=True)  # checkpoints are for resuming; the stage is done
    accelerator.wait_for_everyone()
    return out
