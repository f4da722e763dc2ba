"""A run folder's layout, named once: the stages and the runner write it, the report and the study read it.

Why a module of its own, at the bottom: the writers (``recipe/``) and the readers (``report/``, ``study/``) sit
side by side in one layer; naming the layout below both lets each depend on it rather than on the other.
"""

from __future__ import annotations

# (eval name, label) of the models a run evaluates, in recipe order: ``evals/<name>.json`` holds each one's report.
MODEL_ROWS = (("base", "base"), ("grpo_zero", "GRPO-zero"), ("cold_start", "cold start"), ("final", "final"))
