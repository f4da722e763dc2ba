"""The LLM judge: one client for any OpenAI-compatible endpoint, shared by three optional uses.

- ``distill.consistency: judge``: does a chosen response's reasoning support its answer (``specs.pairs``);
- ``accuracy: judge`` in a GRPO stage: R_llm, the judge matches a free-form answer to its gold (``specs.rewards``);
- ``eval.extract: judge``: the judge extracts the answer where the rules find none, the rules grade it.

Configured once per recipe by the ``judge:`` block (:class:`JudgeConfig`).
"""

from specs.judge.client import JudgeClient, JudgeError, on_main_process
from specs.judge.config import JudgeConfig, load_judge, require_judge

__all__ = ["JudgeClient", "JudgeConfig", "JudgeError", "load_judge", "on_main_process", "require_judge"]
