"""Benchmarks through lmms-eval (the optional ``lmms`` extra): our checkpoints, our prompt, lmms-eval's harness.

``model.SpecsLMM`` is lmms-eval's chat model for any stage's checkpoint (our loaders, the recipe's
:class:`~specs.data.prompt.PromptSpec`, our ``generate``); ``tasks`` turns the YAMLs in ``tasks/`` (upstream
reasoning tasks read from local parquet files) into runnable configs; ``run.evaluate_lmms`` calls lmms-eval's
``simple_evaluate`` and keeps the metrics it computed. Nothing here imports lmms-eval until a command runs.
"""
