"""GRPO's online group filter: the group mask, the TRL internals it hooks, and that dropped groups train nothing."""

import inspect
import json
from pathlib import Path

import pytest
import torch
import yaml
from stages_helpers import TOY, changed_parameters

from specs.config import build
from specs.errors import ConfigError
from specs.stages.grpo import GRPOStageConfig, train_grpo
from specs.stages.grpo_filter import DROPPED_METRIC, USED_KEYS, FilteredGRPOTrainer, group_keep_mask

RECIPE_7B = Path(__file__).parents[2] / "recipes" / "qwen2.5-vl-7b.yaml"


def test_accuracy_band_drops_all_wrong_and_all_right_groups():
    acc = torch.tensor([1.0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0])
    assert group_keep_mask(acc, acc, 4, accuracy_band=(0.1, 0.9)).tolist() == [False, False, True, True]
    assert group_keep_mask(acc, acc, 4).tolist() == [True] * 4  # no filter asked: everything stays


def test_accuracy_band_is_inclusive_and_drops_unscorable_groups():
    one_in_ten = torch.tensor([1.0] + [0.0] * 9)
    assert group_keep_mask(one_in_ten, one_in_ten, 10, accuracy_band=(0.1, 0.9)).tolist() == [True]
    nan = torch.tensor([float("nan")] * 4 + [1.0, float("nan"), 0, 0])
    assert group_keep_mask(nan, nan, 4, accuracy_band=(0.1, 0.9)).tolist() == [False, True]


def test_zero_std_drops_groups_whose_total_reward_does_not_vary():
    acc = torch.tensor([1.0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0])
    total = torch.tensor([1.5, 1.5, 1.5, 1.5, 0.5, 0, 0, 0, 1.5, 0.5, 0.5, 0.5])  # 0.5·format + accuracy
    assert group_keep_mask(acc, total, 4, drop_zero_std=True).tolist() == [False, True, True]
    both = group_keep_mask(acc, total, 4, accuracy_band=(0.1, 0.9), drop_zero_std=True)
    assert both.tolist() == [False, False, True]


def test_accuracy_filter_is_validated():
    assert GRPOStageConfig(accuracy_filter=[0.1, 0.9]).accuracy_filter == (0.1, 0.9)
    for bad in ([0.9, 0.1], [-0.1, 0.5], [0.2, 1.5]):
        with pytest.raises(ConfigError, match="accuracy_filter"):
            build(GRPOStageConfig, {"accuracy_filter": bad})


def test_recipe_reaches_the_filter():
    from specs.recipe.schema import load_recipe

    recipe = load_recipe("toy", sets=["grpo_zero.accuracy_filter=[0.1, 0.9]", "final_grpo.drop_zero_std=true"])
    assert recipe.grpo_zero.accuracy_filter == (0.1, 0.9) and recipe.final_grpo.drop_zero_std
    assert load_recipe("toy").grpo_zero.accuracy_filter is None  # off in the toy recipe
    stages = yaml.safe_load(RECIPE_7B.read_text())  # the 7B recipe's two GRPO stages (paths need not exist here)
    assert build(GRPOStageConfig, stages["final_grpo"]).accuracy_filter == (0.1, 0.9)
    assert build(GRPOStageConfig, stages["grpo_zero"]).accuracy_filter is None  # format signal in all-wrong groups


def test_trl_internals_keep_their_signatures():
    """The filter overrides these two TRL 1.16 methods; a renamed or re-signed one must fail here, not silently."""
    from trl import GRPOTrainer

    params = {
        "_calculate_rewards": ["self", "inputs", "prompts", "completions", "completion_ids_list"],
        "_generate_and_score_completions": ["self", "inputs"],
    }
    for name, expected in params.items():
        assert list(inspect.signature(getattr(GRPOTrainer, name)).parameters) == expected, name
        assert name in vars(FilteredGRPOTrainer)


def _record(monkeypatch, cls, name: str) -> list:
    """Wrap ``cls.name`` so every call's return value is kept (tensors of a returned dict as copies)."""
    seen, original = [], getattr(cls, name)

    def spy(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        seen.append({k: v.clone() if torch.is_tensor(v) else v for k, v in result.items()}
                    if isinstance(result, dict) else result)
        return result

    monkeypatch.setattr(cls, name, spy)
    return seen


def _stub_rewards(monkeypatch, format_rows: list[float], accuracy_rows: list[float]) -> None:
    """Replace both reward functions by fixed values per batch row (16 rows = 4 groups of 4, one process)."""
    import specs.rewards

    def format_reward(completions, **kwargs):  # TRL logs each under its __name__, as it does the real ones
        return list(format_rows)

    def accuracy_reward(completions, **kwargs):
        return list(accuracy_rows)

    monkeypatch.setattr(specs.rewards, "format_reward", format_reward)
    monkeypatch.setattr(specs.rewards, "accuracy_reward", accuracy_reward)


def _cfg(**kw) -> GRPOStageConfig:
    return GRPOStageConfig(learning_rate=1e-3, batch_size=16, num_generations=4, max_steps=1,
                           max_completion_length=16, logging_steps=1, **kw)


def _log(out: Path) -> dict:
    return json.loads((out / "trainer_log.json").read_text())[0]


@pytest.mark.slow
def test_one_step_masks_the_groups_trl_groups(toy_base, toy_world, tmp_path, monkeypatch):
    from trl import GRPOTrainer

    # group totals: 0 varies (all right), 1 constant (all wrong), 2 varies (1 of 4 right), 3 constant (all right)
    _stub_rewards(monkeypatch, [0.5, 0, 0, 0] + [0.0] * 12, [1.0] * 4 + [0.0] * 4 + [1.0, 0, 0, 0] + [1.0] * 4)
    raw = _record(monkeypatch, GRPOTrainer, "_generate_and_score_completions")
    rewards = _record(monkeypatch, GRPOTrainer, "_calculate_rewards")
    filtered = _record(monkeypatch, FilteredGRPOTrainer, "_generate_and_score_completions")
    cfg = _cfg(accuracy_filter=(0.1, 0.9), drop_zero_std=True)
    out = train_grpo(toy_base, toy_world["train"], tmp_path / "grpo", cfg, TOY)
    assert len(raw) == len(filtered) == len(rewards) == 1
    assert set(USED_KEYS) <= set(raw[0]), "TRL's _generate_and_score_completions no longer returns these keys"
    assert rewards[0].shape == (16, 2)  # one process: every row, one column per reward function

    zero_std = torch.tensor([False, True, False, True]).repeat_interleave(4)
    assert torch.equal(raw[0]["advantages"] == 0, zero_std)  # TRL's groups are ours: zero advantage = zero std
    dropped = torch.tensor([True, True, False, True]).repeat_interleave(4)  # the band also drops group 0
    after = filtered[0]
    assert not after["completion_mask"][dropped].any() and not after["advantages"][dropped].any()
    assert torch.equal(after["completion_mask"][~dropped], raw[0]["completion_mask"][~dropped])
    assert torch.equal(after["advantages"][~dropped], raw[0]["advantages"][~dropped])
    assert after["num_items_in_batch"].item() == after["completion_mask"].sum().item() > 0  # the normaliser shrinks
    log = _log(out)
    assert log[DROPPED_METRIC] == 0.75 and log["frac_reward_zero_std"] == 0.5


@pytest.mark.slow
def test_dropped_groups_contribute_no_gradient(toy_base, toy_world, tmp_path, monkeypatch):
    """Every answer right, format alternating: the [0.1, 0.9] band drops every group, so one step leaves the
    weights as they were, while the same step without the filter moves them."""
    _stub_rewards(monkeypatch, [0.5, 0.0] * 8, [1.0] * 16)
    kept = train_grpo(toy_base, toy_world["train"], tmp_path / "plain", _cfg(), TOY)
    dropped = train_grpo(toy_base, toy_world["train"], tmp_path / "band", _cfg(accuracy_filter=(0.1, 0.9)), TOY)

    plain_log, band_log = _log(kept), _log(dropped)
    assert DROPPED_METRIC not in plain_log  # no filter: plain GRPOTrainer
    assert band_log[DROPPED_METRIC] == 1.0 and band_log["grad_norm"] == 0.0
    assert not any(changed_parameters(toy_base, dropped).values())
    assert plain_log["grad_norm"] > 0 and any(changed_parameters(toy_base, kept).values())


@pytest.mark.slow
def test_groups_spanning_processes_are_judged_on_the_gathered_rewards(toy_base, toy_world, tmp_path):
    """Two ranks of 6 rows, groups of 4: only the group split across the ranks is kept (grpo_filter_ranks.py)."""
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ddp = Path(__file__).parents[2] / "configs" / "accelerate" / "ddp.yaml"  # on a CPU machine: gloo
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(ddp), "--num_processes", "2",
           "--mixed_precision", "no", "--main_process_port", str(port),
           str(Path(__file__).with_name("grpo_filter_ranks.py")), str(toy_base), str(toy_world["train"]), str(tmp_path)]
    result = subprocess.run(cmd, env={**os.environ, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert ranks[0]["kept"] == [False] * 4 + [True] * 2 and ranks[1]["kept"] == [True] * 2 + [False] * 4
    assert ranks[0]["num_items_in_batch"] == ranks[1]["num_items_in_batch"] == sum(r["local_items"] for r in ranks)
    assert ranks[0]["log"][DROPPED_METRIC] == pytest.approx(2 / 3)
