"""Step time of toy GRPO with and without the online group filter, and the share of groups it drops.

    .venv/bin/python bench/grpo_filter.py [--steps 10] [--model DIR]

Three runs in one process, one after the other, same seed and data: no filter, ``accuracy_filter: [0.1, 0.9]``,
and the band plus ``drop_zero_std``. Step time is TRL's ``step_time`` from the log history (median over the
steps after the first two). The runs share only their first step's rollouts: the filter changes the updates,
so later completions (and their lengths) differ too — the mean completion length is printed beside each time.
The filter's own cost is timed directly too: the time its ``_generate_and_score_completions`` spends beyond
TRL's, per generation round.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from specs.data.prompt import load_prompt  # noqa: E402  (after the environment is set)

TOY = load_prompt("toy")
ARMS = {"off": {}, "band [0.1, 0.9]": {"accuracy_filter": (0.1, 0.9)},
        "band + zero-std": {"accuracy_filter": (0.1, 0.9), "drop_zero_std": True}}


def run(model: Path, data: Path, out: Path, steps: int, **filters) -> list[dict]:
    from specs.stages.grpo import GRPOStageConfig, train_grpo

    cfg = GRPOStageConfig(learning_rate=5e-5, batch_size=32, num_generations=8, max_steps=steps,
                          max_completion_length=64, freeze_vision=False, logging_steps=1, **filters)
    trained = train_grpo(model, data, out, cfg, TOY)
    return [row for row in json.loads((trained / "trainer_log.json").read_text()) if "step_time" in row]


def time_hook() -> dict[str, float]:
    """Wrap TRL's and the filter's ``_generate_and_score_completions``; the difference is the filter's own time."""
    from trl import GRPOTrainer

    from specs.stages.grpo_filter import FilteredGRPOTrainer

    spent = {"trl": 0.0, "filtered": 0.0, "calls": 0}
    for cls, key in ((GRPOTrainer, "trl"), (FilteredGRPOTrainer, "filtered")):
        original = cls._generate_and_score_completions

        def timed(self, inputs, _original=original, _key=key):
            start = time.perf_counter()
            try:
                return _original(self, inputs)
            finally:
                if isinstance(self, FilteredGRPOTrainer):  # TRL's share is counted inside filtered runs only
                    spent[_key] += time.perf_counter() - start
                    spent["calls"] += _key == "filtered"

        cls._generate_and_score_completions = timed
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--model", type=Path, default=Path(".cache/toy-base"))
    args = parser.parse_args()
    from specs.toybase.pretrain import build_toy_base
    from specs.toyworld import generate_split

    build_toy_base(args.model)
    spent = time_hook()
    with tempfile.TemporaryDirectory() as tmp:
        data = generate_split(Path(tmp) / "world", "train", 512, seed=3)
        for i, (name, filters) in enumerate(ARMS.items()):
            rows = run(args.model, data, Path(tmp) / f"arm{i}", args.steps, **filters)
            step = statistics.median(r["step_time"] for r in rows[2:] or rows)
            length = statistics.mean(r["completions/mean_length"] for r in rows)
            dropped = statistics.mean(r.get("filter/dropped_share", 0.0) for r in rows)
            zero_std = statistics.mean(r["frac_reward_zero_std"] for r in rows)
            print(f"{name:16s} s/step {step:.3f}  mean length {length:5.1f}  dropped share {dropped:.3f}  "
                  f"zero-std share {zero_std:.3f}")
    own = (spent["filtered"] - spent["trl"]) / max(spent["calls"], 1)
    print(f"filter's own time per generation round: {own * 1e3:.2f} ms (over {spent['calls']} rounds)")


if __name__ == "__main__":
    main()
