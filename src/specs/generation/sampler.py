"""The one sampler: a model loaded once, prompts rendered by the recipe's :class:`PromptSpec`, any number of sets.

Eval, distillation, GF tracking, pass@k, the RBF and the toy base's card all sample through it, so they see the
prompts the trainers saw (same messages, same pixel cap, same chat template, vision tokens suppressed).
Under ``accelerate launch`` each rank samples its share of the examples and every rank gets all results in
order; only rank 0 shows progress.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from specs.data.image import open_image
from specs.data.prompt import PromptSpec
from specs.data.records import Example
from specs.distributed import is_main_process, sharded_map, wait_for_everyone, weights_sharded
from specs.generation.hf import Sample, SamplingConfig, generate, stop_token_ids, vision_token_ids
from specs.generation.sample_cache import SampleCache
from specs.generation.vllm_engine import VLLMEngine
from specs.models.loading import load_config, load_for_generation, load_processor

CHUNK_PROMPTS = 1024  # prompts per cached chunk at least: fine-grained enough to resume, coarse enough to batch


def open_images(examples: Sequence[Example]) -> list[list]:
    """Each example's images as RGB PIL images, loaded now (files are closed again)."""

    return [[open_image(p) for p in e.images] for e in examples]


class Sampler:
    """Samples one model on many example sets; the model is loaded on first use and kept until :meth:`close`."""

    def __init__(self, model_path: str | Path, prompt: PromptSpec, backend: Literal["hf", "vllm"] = "hf"):
        self.model_path, self.prompt, self.backend = Path(model_path), prompt, backend
        self.model = self.processor = self._engine = None
        self._in_memory = False

    @classmethod
    def in_memory(cls, model, processor, prompt: PromptSpec) -> Sampler:
        """A sampler over a model being trained (GF tracking): HF backend, nothing loaded. Under ZeRO-3/FSDP every
        rank must call :meth:`sample` (its weights are sharded across them)."""
        sampler = cls(getattr(model.config, "_name_or_path", "") or ".", prompt)
        sampler.model, sampler.processor, sampler._in_memory = model, processor, True
        return sampler

    def messages(self, examples: Sequence[Example]) -> list[list[dict]]:
        return [self.prompt.messages(e) for e in examples]

    def _load(self) -> None:
        if self.processor is None:
            self.processor = load_processor(self.model_path, max_pixels=self.prompt.max_pixels)
        if self.backend == "hf" and self.model is None:
            self.model = load_for_generation(self.model_path)

    def sample(
        self, examples: Sequence[Example], sampling: SamplingConfig, progress: str | None = None,
        record_nucleus: bool = False, shard: bool = True, prefixes: Sequence[str] | None = None,
        cache: Path | None = None,
    ) -> list[list[Sample]]:
        """``sampling.n`` responses per example, in input order (sharded across ranks when ``shard``).

        ``prefixes`` (HF backend, unsharded) force the start of each response (see ``hf.generate``). ``cache``:
        a folder where finished chunks of ``max(CHUNK_PROMPTS, sampling.batch_size)`` prompts are kept, so a rerun
        after a crash samples only what is missing (chunk k is sampled with seed ``sampling.seed + k``; a set
        that fits one chunk samples exactly as without a cache).
        """
        if cache is not None:
            return self._sample_cached(examples, sampling, progress, record_nucleus, shard, Path(cache))

        if sampling.backend != self.backend:
            raise ValueError(f"sampler on backend {self.backend!r} asked to sample with {sampling.backend!r}")
        if record_nucleus and self.backend != "hf":
            raise ValueError("the RBF needs full next-token distributions: use backend=hf")
        if prefixes is not None and (shard or self.backend != "hf"):
            raise ValueError("forced prefixes are an HF-backend probe on one process (shard=False)")
        self._load()
        progress = progress if is_main_process() else None

        def run(shard_examples: Sequence[Example]) -> list[list[Sample]]:
            if self.backend == "hf":
                return generate(self.model, self.processor, self.messages(shard_examples), open_images(shard_examples),
                                sampling, record_nucleus=record_nucleus, progress=progress, prefixes=prefixes)
            return self._vllm(sampling).generate(
                self.processor, self.messages(shard_examples), open_images(shard_examples), sampling,
                *self._vllm_stops(),
            )

        if not shard:
            return run(examples)

        # An in-memory model under ZeRO-3/FSDP is sharded: every rank must make the same forward passes.
        return sharded_map(run, examples, equal=self._in_memory and weights_sharded())

    def _sample_cached(self, examples: Sequence[Example], sampling: SamplingConfig, progress: str | None,
                       record_nucleus: bool, shard: bool, root: Path) -> list[list[Sample]]:
        identity = {"model": str(self.model_path), "sampling": sampling.model_dump(),
                    "prompt": self.prompt.model_dump(), "nucleus": record_nucleus}
        store = SampleCache(root, identity, examples)
        store.open(is_main_process())
        wait_for_everyone()
        size, results = max(CHUNK_PROMPTS, sampling.batch_size), []
        chunks = [list(examples[i : i + size]) for i in range(0, len(examples), size)]
        for k, chunk in enumerate(chunks):
            done = store.read(k, chunk)
            if done is None:
                label = f"{progress} {k + 1}/{len(chunks)}" if progress and len(chunks) > 1 else progress
                done = self.sample(chunk, sampling.model_copy(update={"seed": sampling.seed + k}), label,
                                   record_nucleus, shard)
                if is_main_process():
                    store.write(k, chunk, done)
                wait_for_everyone()
            results.extend(done)
        return results

    def _vllm(self, sampling: SamplingConfig):
        if self._engine is None:
            self._engine = VLLMEngine(self.model_path, sampling.seed, self.prompt.max_pixels)
        return self._engine

    def _vllm_stops(self) -> tuple[list[int], list[int]]:
        from transformers import GenerationConfig


        config = load_config(self.model_path)
        tokenizer = getattr(self.processor, "tokenizer", self.processor)
        return stop_token_ids(GenerationConfig.from_model_config(config), tokenizer), vision_token_ids(config)

    def close(self) -> None:
        """Release the model (or the vLLM engine) so the next model fits."""
        if self._engine is not None:
            self._engine.close()
        self.model = self._engine = None

    def __enter__(self) -> Sampler:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
