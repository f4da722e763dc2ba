"""TRL's colocated vLLM on vLLM's CPU backend: the weight sync that works there (CPU only; GPU keeps TRL's).

TRL 1.16's ``VLLMGeneration.sync_weights`` (colocate) pushes each trainer tensor through
``driver_worker.model_runner.model.load_weights([(name, tensor)])``. After loading, vLLM's CPU backend repacks every
linear layer for its GEMM kernels (oneDNN / sgl): the kernel keeps a packed copy and ``weight`` becomes an empty
Parameter without a ``weight_loader``, so that call fails at the first linear layer with
``AttributeError: 'Parameter' object has no attribute 'weight_loader'``.

vLLM's own ``reload_weights`` worker call (``LLM.collective_rpc``) takes a weights iterator: it puts each layer
back in checkpoint layout, loads it and runs the CPU repacking again. It is fed TRL's own iterator
(``_iter_named_params``: PEFT merge, ZeRO-3 gathering, name fixing), so only the transport changes. Two gaps
remain on CPU and are closed here:

- a tied ``lm_head`` (``tie_word_embeddings``, e.g. Qwen2.5-VL-3B) loads no weight of its own, so the reload never
  repacks it and the logits keep using the packed copy of the *old* embedding matrix;
- ``reload_weights`` clears the worker's encoder cache but not the scheduler's, whose next request for an image
  seen before fails with ``RuntimeError: Encoder cache miss``; ``LLM.llm_engine.reset_encoder_cache`` clears both
  (and drops vision embeddings computed with the old weights).
"""

from __future__ import annotations

import types
from typing import Any


def cpu_engine_env() -> bool:
    """On a machine without CUDA (vLLM's CPU build), the settings every engine of ours starts with, unless the user
    set them: a 1 GiB KV cache (enough for small models; vLLM would reserve ~21 GB of RAM) and the engine in the
    calling process (each is in a process of its own: ``specs.fresh_process``), which starts in ~15 s, not ~60 s, on
    two cores. Call before an engine is built; returns whether it applied."""
    import os

    import torch

    if torch.cuda.is_available():
        return False
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
    return True


def on_vllm_cpu() -> bool:
    """Whether vLLM runs on its CPU backend (imports vLLM: call only when vLLM is in use)."""
    from vllm.platforms import current_platform

    return current_platform.is_cpu()


def repack_tied_weights(model: Any) -> int:
    """Re-run the CPU repacking of the engine's layers that share their weight with another (a tied ``lm_head`` and
    its embedding); run on the engine's model by ``LLM.apply_model``. Returns how many layers were repacked."""
    owners: dict[int, list[Any]] = {}
    for module in model.modules():
        weight = getattr(module, "weight", None)
        if weight is not None and hasattr(weight, "numel") and weight.numel() > 0:
            owners.setdefault(id(weight), []).append(module)
    repacked = 0
    for modules in owners.values():
        if len(modules) < 2:
            continue
        for module in modules:
            method = getattr(module, "quant_method", None)
            if hasattr(module, "cpu_linear") and method is not None:
                method.process_weights_after_loading(module)
                repacked += 1
    return repacked


def sync_weights_cpu(vllm_generation: Any) -> None:
    """``VLLMGeneration.sync_weights`` for a colocated engine on vLLM's CPU backend."""
    llm = vllm_generation.llm
    llm.collective_rpc("reload_weights", kwargs={"weights_iterator": vllm_generation._iter_named_params()})
    llm.apply_model(repack_tied_weights)
    llm.llm_engine.reset_encoder_cache()
    llm.reset_prefix_cache()


def patch_trl_weight_sync_for_cpu(vllm_generation: Any) -> bool:
    """Make ``vllm_generation`` (``GRPOTrainer.vllm_generation``) sync with :func:`sync_weights_cpu` when it is a
    colocated engine on vLLM's CPU backend; anything else (a GPU, server mode) is left untouched. Returns whether
    it patched."""
    if vllm_generation is None or getattr(vllm_generation, "mode", None) != "colocate" or not on_vllm_cpu():
        return False
    vllm_generation.sync_weights = types.MethodType(sync_weights_cpu, vllm_generation)
    return True
