"""Generalization Factor during cold start: evaluate ID and OOD every few steps and keep the best-GF model.

The paper observed that GF measured during cold start predicts the score after RL. Beyond the paper, the
checkpoint with the highest GF (not simply the last) can be handed to the final GRPO (``gf_select: best``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from specs.data.jsonl import write_json_atomic
from specs.data.prompt import PromptSpec
from specs.data.records import load_examples
from specs.distributed import weights_sharded
from specs.errors import ConfigError
from specs.generation.hf import SamplingConfig
from specs.generation.sampler import Sampler
from specs.metrics import gf_curve
from specs.models.loading import load_processor, save_pretrained_atomic
from specs.stages.common import GFTracking
from specs.stages.evaluate import summarize

CURVE = "gf_curve.json"


class GFCallback(TrainerCallback):
    """Greedy ID/OOD evaluation at step 0, every ``gf_every`` steps and at the end; writes ``gf_curve.json``.

    With ``gf_select == "best"`` the model is saved to ``best_dir`` whenever the GF reaches a new maximum.
    """

    def __init__(self, processor, prompt: PromptSpec, id_data: Path, ood_data: Path, cfg: GFTracking,
                 out_dir: Path, best_dir: Path):
        self.processor, self.prompt, self.cfg = processor, prompt, cfg
        self.out_dir, self.best_dir = Path(out_dir), Path(best_dir)
        self.sets = {name: load_examples(path)[: cfg.gf_limit] for name, path in (("id", id_data), ("ood", ood_data))}
        self.points: list[dict[str, Any]] = []
        self.best_gf: float | None = None
        self.best_step: int | None = None
        self.main = True

    def _measure(self, model, step: int) -> None:
        was_training = model.training
        sampling = SamplingConfig(max_new_tokens=self.cfg.gf_max_new_tokens, batch_size=64)
        sampler = Sampler.in_memory(model, self.processor, self.prompt)
        point: dict[str, Any] = {"step": step}
        for name, examples in self.sets.items():
            report = summarize(examples, sampler.sample(examples, sampling))  # sharded: every rank samples
            point[name] = {"format_rate": report["format_rate"], "accuracy": report["accuracy"]}
        model.train(was_training)
        self.points.append(point)
        if not self.main:
            return
        curves = {}
        for metric in ("format_rate", "accuracy"):
            curve = gf_curve(
                [p["step"] for p in self.points],
                [p["id"][metric] for p in self.points],
                [p["ood"][metric] for p in self.points],
            )
            curves[metric] = [vars(c) for c in curve]
        gf = curves[self.cfg.gf_metric][-1]["gf"]
        if self.cfg.gf_select == "best" and (self.best_gf is None or gf > self.best_gf):  # ties keep the earliest
            self.best_gf = gf
            self._save_best(model, step)
        write_json_atomic(self.out_dir / CURVE, {
            "metric_for_selection": self.cfg.gf_metric, "select": self.cfg.gf_select, "beta": 2.0,
            "points": self.points, "curves": curves, "n_id": len(self.sets["id"]),
            "n_ood": len(self.sets["ood"]), "best_step": self.best_step,
        })

    def _save_best(self, model, step: int) -> None:
        save_pretrained_atomic(model, self.processor, self.best_dir)
        self.best_step = step

    # Every rank measures (the prompts are sharded across them, and under ZeRO-3/FSDP so are the weights, so
    # generation is a collective); the main process alone writes the curve.
    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self.main = state.is_world_process_zero
        self._measure(model, 0)

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if state.global_step % self.cfg.gf_every == 0:
            self._measure(model, state.global_step)

    def on_train_end(self, args, state, control, model=None, **kwargs):
        if self.points[-1]["step"] != state.global_step:
            self._measure(model, state.global_step)


def check_gf_settings(cfg: GFTracking) -> None:
    """Refuse, before training, what ``gf_select: best`` cannot do: it saves the model mid-run from one process."""

    if cfg.gf_every == 0 or cfg.gf_select != "best":
        return
    if getattr(cfg, "lora_rank", 0):
        raise ConfigError("gf_select=best needs full fine-tuning (lora_rank 0): LoRA models are not saved mid-run")
    if weights_sharded():
        raise ConfigError("gf_select=best saves the model mid-run from one process, which needs whole weights: "
                          "use gf_select=last (the default) under ZeRO-3/FSDP, or DDP/ZeRO-2")


def gf_outputs(cfg: GFTracking, model_path: Path, prompt: PromptSpec, id_data: Path | None, ood_data: Path | None,
               out: Path):
    """Callbacks for a cold-start stage, and where its trained (last) model goes.

    With ``gf_select: best`` the best-GF checkpoint is written to ``out`` and the last one beside it
    (``<out>-last``); otherwise the last model is ``out``. The curve is written into ``out``'s parent folder.
    """
    if cfg.gf_every == 0:
        return [], out
    if id_data is None or ood_data is None:
        raise ConfigError("GF tracking (gf_every > 0) needs an ID and an OOD dataset")

    check_gf_settings(cfg)

    last = out.with_name(f"{out.name}-last") if cfg.gf_select == "best" else out
    processor = load_processor(model_path, max_pixels=prompt.max_pixels)
    callback = GFCallback(processor, prompt, id_data, ood_data, cfg, out.parent / f"{out.name}-gf", out)
    return [callback], last
