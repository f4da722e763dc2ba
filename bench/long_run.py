"""What the long-run features cost on toy GRPO: TensorBoard tracking and resume checkpoints, side by side.

    OMP_NUM_THREADS=1 .venv/bin/python bench/long_run.py [--steps 12] [--save-steps 4] [--model DIR]

Three runs in one process, one after the other, same seed and data: no tracker and no checkpoints (the
metrics JSONL is always on), TensorBoard, and checkpoints every ``--save-steps`` steps. Reported: the wall time
of ``trainer.train()`` (which includes checkpoint saving, unlike TRL's ``step_time``), per step, and the time
per checkpoint. The runs share the data and seed, so their rollouts match at first; later ones may differ by
floating-point noise.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from transformers import TrainerCallback  # noqa: E402

from specs.data.prompt import load_prompt  # noqa: E402

TOY = load_prompt("toy")


class Clock(TrainerCallback):
    """Wall time of training and of each checkpoint save."""

    def __init__(self):
        self.train = self.saving = 0.0
        self.saves = 0

    def on_train_begin(self, args, state, control, **kwargs):
        self.start = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self.step_end = time.perf_counter()

    def on_save(self, args, state, control, **kwargs):
        self.saving += time.perf_counter() - self.step_end
        self.saves += 1

    def on_train_end(self, args, state, control, **kwargs):
        self.train = time.perf_counter() - self.start


def run(model: Path, data: Path, out: Path, steps: int, **knobs) -> Clock:
    from specs.stages.grpo import GRPOStageConfig, train_grpo

    cfg = GRPOStageConfig(learning_rate=5e-5, batch_size=32, num_generations=8, max_steps=steps,
                          max_completion_length=64, freeze_vision=False, logging_steps=1, **knobs)
    clock = Clock()
    train_grpo(model, data, out, cfg, TOY, callbacks=[clock])
    return clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--save-steps", type=int, default=4)
    parser.add_argument("--model", type=Path, default=Path(".cache/toy-base"))
    args = parser.parse_args()
    from specs.toybase.pretrain import build_toy_base
    from specs.toyworld import generate_split

    build_toy_base(args.model)
    arms = {"plain": {"report_to": []}, "tensorboard": {"report_to": ["tensorboard"]},
            f"checkpoints every {args.save_steps}": {"report_to": [], "save_steps": args.save_steps}}
    with tempfile.TemporaryDirectory() as tmp:
        data = generate_split(Path(tmp) / "world", "train", 512, seed=3)
        for i, (name, knobs) in enumerate(arms.items()):
            clock = run(args.model, data, Path(tmp) / f"arm{i}" / "grpo", args.steps, **knobs)
            per_save = f"   {clock.saving / clock.saves:.2f} s per checkpoint ({clock.saves})" if clock.saves else ""
            print(f"{name:22s} train {clock.train:6.1f} s   {clock.train / args.steps:.3f} s/step{per_save}")


if __name__ == "__main__":
    main()
