"""Sampled measurements of one model: pass@k and the Rollout Branching Factor, both at temperature 1.

Greedy accuracy says what a model does; these say what RL can still find. pass@k (Chen et al.'s unbiased
estimator) counts how often *some* of k samples is right, the RBF (mean top-p-0.95 nucleus size over generated
positions, token-weighted, as in ``specs rbf``) how many continuations stay plausible at each step. Both are
sampled from the full temperature-1 distribution (top_p = 1), with a per-seed sampling seed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from specs.data.prompt import PromptSpec
from specs.data.records import load_examples
from specs.generation.hf import SamplingConfig
from specs.metrics import mean_pass_at_k
from specs.stages.evaluate import branching_report, evaluate


def pass_at_k(model: Path, data: Path, prompt: PromptSpec, n: int, ks: list[int], limit: int | None,
              max_new_tokens: int, batch_size: int, seed: int) -> dict[str, Any]:
    """Sample ``n`` responses per ID prompt and return mean pass@k for every k (plus the T=1 accuracy)."""

    sampling = SamplingConfig(n=n, temperature=1.0, top_p=1.0, max_new_tokens=max_new_tokens,
                              batch_size=max(1, batch_size // n), seed=seed)
    report = evaluate(model, data, prompt, sampling, limit=limit, progress=None)
    counts = [(p["n"], p["n_correct"]) for p in report["per_prompt"]]
    return {
        "pass_at_k": {str(k): mean_pass_at_k(counts, k) for k in ks},
        "n": n,
        "n_prompts": len(counts),
        "accuracy_t1": report["accuracy"],
        "format_rate_t1": report["format_rate"],
        "sampling": sampling.model_dump(),
    }


def branching(model: Path, data: Path, prompt: PromptSpec, total: int, prompts: int, max_new_tokens: int,
              batch_size: int, seed: int) -> dict[str, Any]:
    """RBF over the first ``total`` of ``ceil(total / P)`` responses per prompt on ``P ≤ prompts`` ID prompts."""

    examples = load_examples(data)[:prompts]
    per_prompt = math.ceil(total / len(examples))
    sampling = SamplingConfig(n=per_prompt, temperature=1.0, top_p=1.0, max_new_tokens=max_new_tokens,
                              batch_size=max(1, batch_size // per_prompt), seed=seed)
    return branching_report(model, examples, sampling, prompt, max_responses=total)
