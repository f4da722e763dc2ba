"""Evaluation metrics of SPECS (arXiv 2510.25801): pure Python, no torch.

- :func:`pass_at_k` / :func:`mean_pass_at_k`: Chen et al.'s unbiased pass@k.
- :func:`generalization_factor`, :func:`gf_curve`, :func:`best_point`: the Generalization Factor, an F-β of the
  in-distribution and out-of-distribution gains of a cold start.
- :func:`nucleus_size`, :func:`rollout_branching_factor`: the Rollout Branching Factor (Deng et al. 2025).

The ``specs rbf`` command lives in :mod:`specs.metrics.cli` (imported separately: it is not pure).
"""

from specs.metrics.branching import DEFAULT_TOP_P, nucleus_size, rollout_branching_factor
from specs.metrics.generalization import GFPoint, best_point, generalization_factor, gf_curve
from specs.metrics.passk import mean_pass_at_k, pass_at_k

__all__ = [
    "DEFAULT_TOP_P",
    "GFPoint",
    "best_point",
    "generalization_factor",
    "gf_curve",
    "mean_pass_at_k",
    "nucleus_size",
    "pass_at_k",
    "rollout_branching_factor",
]
