"""Overhead of our stage adapters vs bare TRL, and batched vs per-example generation, measured side by side.

    .venv/bin/python bench/overhead.py [--steps 30] [--model DIR]

Prints seconds per optimizer step for our GRPO / DPO adapters and for TRL's trainers built by hand with the
same config, model and data (targets: ratio ≤ 1.05), and prompts/second of batched vs one-at-a-time
generation as used by ``specs distill`` / ``specs eval`` (target: ≥ 4x). Both sides run in the same process,
one after the other; each reports the median step time after two warm-up steps.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from specs.data.prompt import load_prompt  # noqa: E402  (after the environment is set)

TOY = load_prompt("toy")  # the toy recipe's prompt, as `specs run` renders it


class StepTimer:
    """A TrainerCallback recording wall time per optimizer step (first two steps are warm-up, dropped)."""

    def __init__(self):
        self.times: list[float] = []
        self._t = None

    def on_step_begin(self, *args, **kwargs):
        self._t = time.perf_counter()

    def on_step_end(self, *args, **kwargs):
        self.times.append(time.perf_counter() - self._t)

    def per_step(self) -> float:
        return statistics.median(self.times[2:] or self.times)


def _callback(timer: StepTimer):
    from transformers import TrainerCallback

    class _CB(TrainerCallback):
        def on_step_begin(self, *a, **k):
            timer.on_step_begin()

        def on_step_end(self, *a, **k):
            timer.on_step_end()

    return _CB()


def grpo_pair(model: Path, data: Path, steps: int, tmp: Path) -> tuple[float, float]:
    from trl import GRPOConfig, GRPOTrainer

    from specs.data.loader import load_dataset
    from specs.generation.hf import vision_token_ids
    from specs.models.loading import load_model, load_processor
    from specs.rewards import accuracy_reward, format_reward
    from specs.stages.common import freeze_vision_tower, trl_config
    from specs.stages.grpo import GRPOStageConfig, train_grpo

    cfg = GRPOStageConfig(
        learning_rate=5e-5,
        batch_size=32,
        num_generations=8,
        max_steps=steps,
        max_completion_length=48,
        logging_steps=1000,
    )
    ours = StepTimer()
    train_grpo(model, data, tmp / "ours", cfg, TOY, callbacks=[_callback(ours)])
    bare = StepTimer()
    m = load_model(model)
    freeze_vision_tower(m)
    args = trl_config(
        GRPOConfig,
        cfg,
        tmp / "bare",
        num_generations=8,
        max_completion_length=48,
        beta=0.0,
        epsilon_high=0.28,
        generation_kwargs={"suppress_tokens": vision_token_ids(m.config)},
    )
    trainer = GRPOTrainer(
        model=m,
        reward_funcs=[format_reward, accuracy_reward],
        args=args,
        train_dataset=load_dataset(data, TOY),
        processing_class=load_processor(model, max_pixels=TOY.max_pixels),
        callbacks=[_callback(bare)],
    )
    trainer.train()
    return ours.per_step(), bare.per_step()


def dpo_pair(model: Path, data: Path, steps: int, tmp: Path) -> tuple[float, float]:
    import datasets
    from trl import DPOTrainer

    from specs.data.records import load_examples
    from specs.models.loading import load_model, load_processor
    from specs.stages.common import freeze_vision_tower
    from specs.stages.dpo import DPOStageConfig, dpo_args, train_dpo

    rows = {"prompt": [], "chosen": [], "rejected": [], "images": []}
    for e in load_examples(data)[:256]:
        rows["prompt"].append(TOY.messages(e))
        rows["chosen"].append(
            [{"role": "assistant", "content": f"<think>{e.meta['solution']}</think>\n<answer>{e.answer}</answer>"}]
        )
        rows["rejected"].append([{"role": "assistant", "content": f"{e.meta['solution']} Answer: {e.answer}"}])
        rows["images"].append([str(p) for p in e.images])
    ds = datasets.Dataset.from_dict(rows).cast_column("images", datasets.List(datasets.Image()))
    cfg = DPOStageConfig(learning_rate=5e-5, batch_size=16, max_steps=steps, logging_steps=1000)
    ours = StepTimer()
    train_dpo(model, ds, tmp / "ours-dpo", cfg, TOY, callbacks=[_callback(ours)])
    bare = StepTimer()
    m = load_model(model)
    freeze_vision_tower(m)
    trainer = DPOTrainer(
        model=m,
        ref_model=load_model(model),
        args=dpo_args(cfg, tmp / "bare-dpo"),
        train_dataset=ds,
        processing_class=load_processor(model, max_pixels=TOY.max_pixels),
        callbacks=[_callback(bare)],
    )
    trainer.train()
    return ours.per_step(), bare.per_step()


def generation_pair(model: Path, data: Path, n: int) -> tuple[float, float]:
    from specs.data.records import load_examples
    from specs.generation.hf import SamplingConfig, generate
    from specs.generation.sampler import open_images
    from specs.models.loading import load_model, load_processor

    examples = load_examples(data)[:n]
    m, proc = load_model(model), load_processor(model)
    prompts = [TOY.messages(e) for e in examples]
    images = open_images(examples)
    rates = []
    for batch_size in (64, 1):
        t = time.perf_counter()
        generate(m, proc, prompts, images, SamplingConfig(max_new_tokens=48, batch_size=batch_size))
        rates.append(n / (time.perf_counter() - t))
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--prompts", type=int, default=128)
    parser.add_argument("--model", type=Path, default=Path(".cache/toy-base"))
    args = parser.parse_args()
    from specs.toybase.pretrain import build_toy_base
    from specs.toyworld import generate_split

    build_toy_base(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = generate_split(tmp / "world", "train", 512, seed=3)
        ours, bare = grpo_pair(args.model, data, args.steps, tmp)
        print(f"GRPO  s/step: specs {ours:.3f}  bare TRL {bare:.3f}  ratio {ours / bare:.3f} (target <= 1.05)")
        ours, bare = dpo_pair(args.model, data, args.steps, tmp)
        print(f"DPO   s/step: specs {ours:.3f}  bare TRL {bare:.3f}  ratio {ours / bare:.3f} (target <= 1.05)")
        batched, single = generation_pair(args.model, data, args.prompts)
        print(
            f"generation prompts/s: batched {batched:.1f}  one-at-a-time {single:.1f}  "
            f"speed-up {batched / single:.1f}x (target >= 4x)"
        )


if __name__ == "__main__":
    main()
