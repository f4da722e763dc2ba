"""λ's scale in L = L_DPO + λ·L_SFT: TRL's token mean, or LLaMA-Factory's per-sequence length-normalised NLL.

``token_mean`` (the default) is TRL's own ``loss_type=["sigmoid", "sft"]``: the NLL averaged over every chosen
token of the batch, so a long chosen response weighs more than a short one. ``sequence_mean`` is LLaMA-Factory's
``pref_ftx``: each chosen response's summed NLL divided by its own length, then averaged over responses, so every
pair weighs the same. The paper (arXiv 2510.25801) sets λ = 1 without saying which; both are here so λ's scale
is a recipe choice, not an accident of the trainer.

``sequence_mean`` is a thin ``DPOTrainer`` subclass: TRL computes everything as usual with the ``sft`` term's
weight set to 0, and the subclass adds λ times the per-sequence NLL, from the policy's own per-token log-probs.

TRL internals relied on (TRL 1.16; ``tests/stages/test_dpo_sft_norm.py`` fails if they change):

- ``DPOTrainer._compute_loss(model, inputs, return_outputs)`` runs the policy exactly once as
  ``model(..., labels=..., fused_lm_head=True)`` on the ``model`` it is given (the reference goes through
  ``self.ref_model``, or ``self.model`` with adapters off), and that call returns ``.log_probs`` of shape
  (2B, ≥ T−1), zero where the label is masked, aligned with ``completion_mask[:, 1:]`` on the last T−1 positions;
- ``inputs["completion_mask"]`` is (2B, T) with the batch laid out as ``[chosen; rejected]`` along dim 0;
- ``self.loss_types`` / ``self.loss_weights`` are read at each step and the loss is
  Σ weight · mean(per-sequence loss), the ``sft`` term being ``-log_probs[chosen tokens].mean()``.
"""

from __future__ import annotations

from typing import Any, Literal

import torch
from trl import DPOTrainer

from specs.errors import ConfigError

Normalization = Literal["token_mean", "sequence_mean"]
METRIC = "sft/nll_sequence_mean"  # the added term, logged each step (before λ)


def chosen_nll(log_probs: torch.Tensor, completion_mask: torch.Tensor, normalization: Normalization) -> torch.Tensor:
    """The SFT term on the chosen half of a ``[chosen; rejected]`` batch, as TRL aligns it.

    ``log_probs`` are the policy's per-token log-probabilities of the next token (zero where masked),
    ``completion_mask`` the collator's (2B, T) mask. ``token_mean`` reproduces TRL's ``sft`` loss exactly.
    """
    mask = completion_mask[..., 1:]
    logps = log_probs[:, -mask.size(1):]
    chosen_logps, _ = logps.chunk(2, dim=0)
    chosen_mask, _ = mask.chunk(2, dim=0)
    if normalization == "token_mean":
        return -chosen_logps[chosen_mask.bool()].mean()
    weights = chosen_mask.to(chosen_logps.dtype)
    per_sequence = -(chosen_logps * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
    return per_sequence.mean()


class _PolicyRecorder:
    """Calls the wrapped policy and keeps the log-probs of its fused-head calls (the ones TRL's loss uses)."""

    def __init__(self, model: Any):
        self.model, self.log_probs = model, []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        outputs = self.model(*args, **kwargs)
        if kwargs.get("fused_lm_head"):
            self.log_probs.append(outputs.log_probs)
        return outputs

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


class SequenceMeanSFTDPOTrainer(DPOTrainer):
    """``DPOTrainer`` whose ``sft`` term is the per-sequence length-normalised NLL (weight: its ``loss_weights``)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "sft" not in self.loss_types:
            raise ConfigError(f"sft_normalization=sequence_mean needs the sft loss; loss_type is {self.loss_types}")
        index = self.loss_types.index("sft")
        self.sft_weight = float(self.loss_weights[index])
        self.loss_weights = [0.0 if i == index else w for i, w in enumerate(self.loss_weights)]  # TRL's term off

    def _compute_loss(self, model, inputs, return_outputs):
        """TRL's loss without its token-mean term, plus λ·(per-sequence NLL of the chosen responses)."""
        policy = _PolicyRecorder(model)
        result = super()._compute_loss(policy, inputs, return_outputs)
        if len(policy.log_probs) != 1:
            raise RuntimeError(
                f"sft_normalization=sequence_mean: TRL's DPOTrainer._compute_loss ran the policy's fused head "
                f"{len(policy.log_probs)} times (expected 1); it is written against TRL 1.16"
            )
        loss, outputs = result if return_outputs else (result, None)
        nll = chosen_nll(policy.log_probs[0], inputs["completion_mask"], "sequence_mean")
        mode = "train" if self.model.training else "eval"
        self._metrics[mode][METRIC].append(self.accelerator.gather(nll.detach()).mean().item())
        loss = loss + self.sft_weight * nll
        return (loss, outputs) if return_outputs else loss
