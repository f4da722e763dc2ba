"""lmms-eval's chat model for specs checkpoints (``--model specs``, or an instance passed to ``simple_evaluate``).

Why not lmms-eval's own Qwen2.5-VL class: on a CPU torch it cannot load (it needs torchvision for its video
processor and for ``qwen_vl_utils``), and it renders prompts its own way. A checkpoint we trained must be asked
the way every stage asked it: the recipe's :class:`~specs.data.prompt.PromptSpec` (its system prompt replaces the
task's, its format instruction is appended to the question), images before the text, TRL's chat-template rendering,
vision tokens suppressed, greedy unless told otherwise. So this class only translates: lmms-eval's request → an
:class:`~specs.data.records.Example` → ``PromptSpec.messages`` → ``specs.generation.hf.generate``.

Single process, images only (a video request is an error), ``generate_until`` only. The task's stop strings
(``until``) are ignored, as lmms-eval's own chat Qwen-VL and vLLM classes do: lmms-eval adds ``until: ["\\n\\n"]``
to every task that sets none, which would cut a reasoning response at its first blank line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lmms_eval.api.instance import GenerationResult, Instance, TokenCounts
from lmms_eval.api.model import lmms
from tqdm.auto import tqdm

from specs.data.image import open_image
from specs.data.prompt import PromptSpec, load_prompt
from specs.data.records import Example
from specs.errors import ConfigError
from specs.generation import hf  # by module: tests replace hf.generate
from specs.generation.hf import SamplingConfig
from specs.models.loading import load_for_generation, load_processor


def allow_filelock4() -> None:
    """The one compatibility shim: lmms-eval 0.7.3's ``simple_evaluate`` first patches filelock through
    ``filelock._api``, a module filelock 4 (requirements.lock pins 4.3.1) no longer has, and so crashes before any
    task loads. The patch only makes nested ``load_dataset`` locks re-entrant; marking it as applied skips it.
    Called on import, which lmms-eval does when it builds this model, before it patches."""
    try:
        import filelock._api  # noqa: F401  (filelock 3: let lmms-eval patch as usual)
    except ModuleNotFoundError:
        import lmms_eval.evaluator

        lmms_eval.evaluator._enable_reentrant_filelocks._patched = True


allow_filelock4()


class SpecsLMM(lmms):
    """model_args: ``pretrained`` (model folder), ``prompt`` (a built-in name, a recipe YAML or a prompt YAML, as
    ``--prompt``; default reasoning), ``seed``; ``--batch_size`` and ``--device`` as usual. Generation settings are
    the task's ``generation_kwargs`` (``max_new_tokens``, ``temperature``, ``top_p``, ``do_sample``), overridden by
    ``--gen_kwargs``."""

    is_simple = False  # a chat model: requests carry the task's doc_to_messages

    def __init__(self, pretrained: str | Path, prompt: str | Path | PromptSpec | None = None,
                 batch_size: int | str = 1, device: str | None = None, seed: int = 0, **unknown: Any) -> None:
        super().__init__()
        import torch


        if unknown:
            raise ConfigError(f"--model specs: unknown model_args {', '.join(sorted(unknown))} "
                              "(known: pretrained, prompt, seed; --batch_size, --device)")
        if not str(batch_size).isdigit():
            raise ConfigError(f"--model specs: batch_size must be a whole number, got {batch_size!r}")
        self.spec = prompt if isinstance(prompt, PromptSpec) else load_prompt(prompt)
        self.sampling = SamplingConfig(batch_size=int(batch_size), seed=int(seed))
        self.processor = load_processor(pretrained, max_pixels=self.spec.max_pixels)
        self._device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model = load_for_generation(pretrained).to(self._device).eval()
        self.prompts: dict[tuple[str, str, int], str] = {}  # (task, split, doc_id) → the rendered prompt

    @property
    def batch_size(self) -> int:
        return self.sampling.batch_size

    @property
    def device(self):
        return self._device

    def loglikelihood(self, requests: list[Instance]):
        raise NotImplementedError("--model specs answers generate_until tasks only")

    def generate_until_multi_round(self, requests: list[Instance]):
        raise NotImplementedError("--model specs answers generate_until tasks only")

    def generate_until(self, requests: list[Instance]) -> list[GenerationResult]:
        """Answer requests in order, in batches of requests that share their generation settings."""
        results: list[GenerationResult | None] = [None] * len(requests)
        groups: dict[str, list[int]] = {}
        for i, request in enumerate(requests):
            groups.setdefault(json.dumps(request.args[2], sort_keys=True, default=str), []).append(i)
        bar = tqdm(total=len(requests), desc="specs model", disable=None)
        for indices in groups.values():
            sampling = self.sampling_for(requests[indices[0]].args[2])
            for start in range(0, len(indices), sampling.batch_size):
                chunk = indices[start : start + sampling.batch_size]
                for i, result in zip(chunk, self._answer([requests[i] for i in chunk], sampling), strict=True):
                    results[i] = result
                bar.update(len(chunk))
        bar.close()
        return results  # type: ignore[return-value]

    def sampling_for(self, gen_kwargs: dict[str, Any]) -> SamplingConfig:
        """Our sampling settings from lmms-eval's generation kwargs (temperature 0 or do_sample false: greedy)."""
        if int(gen_kwargs.get("num_beams") or 1) != 1:
            raise ConfigError("--model specs: beam search (num_beams > 1) is not supported")
        temperature = float(gen_kwargs.get("temperature") or 0.0)
        greedy = temperature == 0 or gen_kwargs.get("do_sample") is False
        update = {"temperature": 0.0 if greedy else temperature, "top_p": float(gen_kwargs.get("top_p") or 1.0),
                  "max_new_tokens": int(gen_kwargs.get("max_new_tokens") or self.sampling.max_new_tokens)}
        return SamplingConfig.model_validate({**self.sampling.model_dump(), **update})

    def _answer(self, batch: Sequence[Instance], sampling: SamplingConfig) -> list[GenerationResult]:
        conversations, images = [], []
        for request in batch:
            _, doc_to_messages, _, doc_id, task, split = request.args
            example, doc_images = to_example(doc_to_messages(self.task_dict[task][split][doc_id]), f"{task}/{doc_id}")
            conversations.append(self.spec.messages(example))
            images.append(doc_images)
        for request, text in zip(batch, hf.render_prompts(self.processor, conversations, images), strict=True):
            _, _, _, doc_id, task, split = request.args
            self.prompts[(task, split, doc_id)] = text
        answers = [s[0] for s in hf.generate(self.model, self.processor, conversations, images, sampling)]
        return [GenerationResult(text=a.text, token_counts=TokenCounts(output_tokens=a.n_tokens)) for a in answers]


def to_example(messages: list[dict[str, Any]], example_id: str) -> tuple[Example, list]:
    """A task's single-turn chat messages as our record (the user turn's text) and its images, in order.

    The task's own system message is dropped: the recipe's prompt spec supplies the system prompt. Images go before
    the text, as in training; one that sat inside the text (MMMU interleaves) leaves ``<image k>`` there, the
    benchmark's own reference, as ``specs benchmark convert`` keeps it.
    """
    texts: list[str] = []
    images: list = []
    for message in messages:
        role, content = message.get("role"), message.get("content")
        if role == "system":
            continue
        if role != "user":
            raise ValueError(f"{example_id}: --model specs answers single-turn questions (got a {role!r} turn)")
        for part in [{"type": "text", "text": content}] if isinstance(content, str) else content:
            if part["type"] == "text" and part["text"].strip():
                texts.append(part["text"].strip())
            elif part["type"] == "image":
                images.append(_rgb(part["url"]))
                if texts:
                    texts.append(f"<image {len(images)}>")
            elif part["type"] != "text":
                raise ValueError(f"{example_id}: --model specs reads text and images only (got {part['type']!r})")
    return Example(example_id, " ".join(texts), "", ()), images


def _rgb(image: Any):
    """A PIL image (or an image file's path, as some tasks give) in RGB."""

    if isinstance(image, (str, Path)):
        return open_image(image)
    return image.convert("RGB")
