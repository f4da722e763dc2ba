"""specs — SPECS (Self-distilled, Preference-based Cold Start) for vision-language reasoning RL.

The top level exposes the pure core only (no torch import): grading, the format check and the metrics.
"""

from specs.grading import GradeResult, format_ok, grade
from specs.metrics import (
    GFPoint,
    best_point,
    generalization_factor,
    gf_curve,
    mean_pass_at_k,
    nucleus_size,
    pass_at_k,
    rollout_branching_factor,
)

__all__ = [
    "GFPoint",
    "GradeResult",
    "best_point",
    "format_ok",
    "generalization_factor",
    "gf_curve",
    "grade",
    "mean_pass_at_k",
    "nucleus_size",
    "pass_at_k",
    "rollout_branching_factor",
]
__version__ = "0.1.0"
