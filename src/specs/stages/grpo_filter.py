"""Online group filtering for GRPO: MM-EUREKA's accuracy band and DAPO's zero-std drop, on TRL's ``GRPOTrainer``.

A filtered prompt group stays in the batch (no refill with new prompts: the effective batch shrinks) but its
completions leave the loss: their ``completion_mask`` and advantages are zeroed and ``num_items_in_batch`` is
recounted, the same mechanism TRL's own ``mask_truncated_completions`` uses. Rollouts are still generated and
scored, so filtering saves no compute.

TRL internals relied on (TRL 1.16; ``tests/stages/test_grpo_filter.py`` fails if they change):

- ``_calculate_rewards(inputs, prompts, completions, completion_ids_list)`` returns the rewards of the whole
  generation batch, gathered over processes (rows in process order, one column per reward function);
- ``_generate_and_score_completions(inputs)`` returns a dict with ``completion_mask`` (B, T), ``advantages`` (B,)
  and ``num_items_in_batch`` (the loss-mask token count over all processes), for this process's B rows, which are
  rows ``[rank·B, (rank+1)·B)`` of the gathered rewards.

Groups are consecutive blocks of ``num_generations`` rows *of the gathered batch*: TRL's ``RepeatSampler`` deals
the generation batch to processes in contiguous slices, so a group spans processes whenever a process's row count
is not a multiple of ``num_generations`` (TRL only requires the global count to be one). The group decision is
therefore made on the gathered rewards, exactly where and how TRL groups them for its advantages, and each process
then keeps its own slice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from trl import GRPOTrainer
from trl.trainer.utils import nanstd

DROPPED_METRIC = "filter/dropped_share"  # share of prompt groups dropped, logged every generation round
USED_KEYS = ("completion_mask", "advantages", "num_items_in_batch")


@dataclass(frozen=True)
class GroupFilter:
    """Which groups leave the loss. ``accuracy_index`` is the accuracy reward's column in ``reward_funcs``."""

    accuracy_band: tuple[float, float] | None = None
    drop_zero_std: bool = False
    accuracy_index: int = 1


def group_keep_mask(accuracy: torch.Tensor, total: torch.Tensor, num_generations: int,
                    accuracy_band: tuple[float, float] | None = None, drop_zero_std: bool = False) -> torch.Tensor:
    """One bool per group of ``num_generations`` consecutive rows: True = the group stays in the loss.

    ``accuracy`` is the accuracy reward per completion, ``total`` the weighted total reward (NaN = unscorable).
    A group is dropped when its mean accuracy lies outside ``accuracy_band`` (inclusive; an all-NaN group is
    dropped) or, with ``drop_zero_std``, when its total reward has zero std — computed with TRL's ``nanstd`` and
    ``isclose`` so it matches TRL's ``frac_reward_zero_std``.

    >>> acc = torch.tensor([1., 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0])
    >>> group_keep_mask(acc, acc, 4, accuracy_band=(0.1, 0.9)).tolist()
    [False, False, True]
    >>> group_keep_mask(acc, torch.tensor([1.5, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0]), 4, drop_zero_std=True).tolist()
    [True, False, True]
    """
    keep = torch.ones(accuracy.numel() // num_generations, dtype=torch.bool, device=accuracy.device)
    if accuracy_band is not None:
        low, high = accuracy_band
        mean = torch.nanmean(accuracy.view(-1, num_generations), dim=1)
        keep &= (mean >= low) & (mean <= high)  # NaN compares False: dropped
    if drop_zero_std:
        std = nanstd(total.view(-1, num_generations), dim=1)
        keep &= ~torch.isclose(std, torch.zeros_like(std))
    return keep


class FilteredGRPOTrainer(GRPOTrainer):
    """``GRPOTrainer`` that takes filtered prompt groups out of the loss (train mode only; eval is unchanged)."""

    def __init__(self, *args: Any, group_filter: GroupFilter, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.group_filter = group_filter
        self._gathered_rewards: torch.Tensor | None = None

    def _calculate_rewards(self, inputs, prompts, completions, completion_ids_list):
        """TRL's rewards, kept so the filter groups the very tensor TRL groups (gathered over processes)."""
        rewards_per_func = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        self._gathered_rewards = rewards_per_func
        return rewards_per_func

    def _generate_and_score_completions(self, inputs):
        """TRL's batch with the filtered groups' completions masked out of the loss and the normaliser."""
        output = super()._generate_and_score_completions(inputs)
        rewards, self._gathered_rewards = self._gathered_rewards, None
        if not self.model.training:
            return output
        missing = [k for k in USED_KEYS if k not in output]
        if rewards is None or missing:
            raise RuntimeError(
                f"grpo_filter: TRL's GRPOTrainer changed (missing {missing or ['_calculate_rewards']}); the filter "
                "is written against TRL 1.16's _generate_and_score_completions"
            )
        local = output["completion_mask"].size(0)
        if rewards.size(0) != local * self.accelerator.num_processes:
            raise RuntimeError(f"grpo_filter: {rewards.size(0)} gathered rewards for {local} local rows "
                               f"x {self.accelerator.num_processes} processes; TRL's batch layout changed")
        keep_rows = self._keep_rows(rewards)
        mine = keep_rows[self.accelerator.process_index * local:(self.accelerator.process_index + 1) * local]
        output["completion_mask"] = output["completion_mask"] * mine.unsqueeze(1).to(output["completion_mask"].dtype)
        output["advantages"] = output["advantages"] * mine.view(-1, *[1] * (output["advantages"].dim() - 1))
        loss_mask = output["completion_mask"]
        if "tool_mask" in output:
            loss_mask = loss_mask * output["tool_mask"]
        output["num_items_in_batch"] = self.accelerator.gather(loss_mask.sum()).sum()  # as TRL counts it
        return output

    def _keep_rows(self, rewards: torch.Tensor) -> torch.Tensor:
        """Per gathered row, whether its group is kept; logs the dropped share of groups."""
        f = self.group_filter
        weights = self.reward_weights.to(rewards.device).unsqueeze(0)
        total = (rewards * weights).nansum(dim=1)  # TRL's sum_then_normalize total
        total[torch.isnan(rewards).all(dim=1)] = torch.nan
        keep = group_keep_mask(rewards[:, f.accuracy_index], total, self.num_generations, f.accuracy_band,
                               f.drop_zero_std)
        self._metrics["train"][DROPPED_METRIC].append(1.0 - keep.float().mean().item())
        return keep.repeat_interleave(self.num_generations)
