"""One filtered GRPO step under ``accelerate launch`` with 2 processes, whose prompt groups span both ranks.

    accelerate launch --num_processes 2 tests/stages/grpo_filter_ranks.py MODEL DATA OUT

6 completions per rank, 4 per group: rank 0 holds group 0 and half of group 1, rank 1 the other half and group 2.
Stub rewards make group 0 all right, group 1 half right and group 2 all wrong, so the [0.1, 0.9] band keeps only
group 1 — which no rank can judge from its own rows. Each rank writes which of its rows stayed in the loss.
"""

import json
import os
import sys
from pathlib import Path

from stages_helpers import TOY

import specs.rewards
from specs.stages.grpo import GRPOStageConfig, train_grpo
from specs.stages.grpo_filter import FilteredGRPOTrainer

RANK = int(os.environ.get("RANK", "0"))
ACCURACY = {0: [1.0, 1, 1, 1, 1, 1], 1: [0.0, 0, 0, 0, 0, 0]}  # gathered: [1,1,1,1 | 1,1,0,0 | 0,0,0,0]


def format_reward(completions, **kwargs):
    return [0.0] * len(completions)


def accuracy_reward(completions, **kwargs):
    return ACCURACY[RANK]


def main() -> None:
    model, data, out = map(Path, sys.argv[1:4])
    specs.rewards.format_reward, specs.rewards.accuracy_reward = format_reward, accuracy_reward
    original = FilteredGRPOTrainer._generate_and_score_completions
    seen = {}

    def spy(self, inputs):
        result = original(self, inputs)
        seen["kept"] = result["completion_mask"].sum(dim=1).gt(0).tolist()
        seen["num_items_in_batch"] = int(result["num_items_in_batch"])
        seen["local_items"] = int(result["completion_mask"].sum())
        return result

    FilteredGRPOTrainer._generate_and_score_completions = spy
    cfg = GRPOStageConfig(learning_rate=1e-3, batch_size=6, num_generations=4, max_steps=1,
                          max_completion_length=8, logging_steps=1, accuracy_filter=(0.1, 0.9))
    trained = train_grpo(model, data, out / "grpo", cfg, TOY)
    if RANK == 0:
        seen["log"] = json.loads((trained / "trainer_log.json").read_text())[0]
    (out / f"rank{RANK}.json").write_text(json.dumps(seen))


if __name__ == "__main__":
    main()
