"""specs — SPECS (Self-distilled, Preference-based Cold Start) for vision-language reasoning RL.

The top level exposes the pure core only (no torch import): grading, format check and metrics.
"""

from specs.grading.formatcheck import format_ok

__all__ = ["format_ok"]
__version__ = "0.1.0"
