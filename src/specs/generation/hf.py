"""Batched generation on transformers ``generate``.

Prompts are rendered exactly as TRL renders them during training (chat template + image placeholders), so
evaluation and self-distillation see the same inputs the trainers did. Vision special tokens are suppressed:
a sampled ``<|image_pad|>`` breaks the next forward pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from specs.config import Strict


class SamplingConfig(Strict):
    """How responses are sampled; recorded next to every result that depends on it."""

    n: int = Field(1, ge=1, description="Samples per prompt.")
    temperature: float = Field(0.0, ge=0, description="0 = greedy decoding.")
    top_p: float = Field(1.0, gt=0, le=1, description="Nucleus sampling threshold.")
    max_new_tokens: int = Field(64, ge=1, description="Generation budget per response.")
    batch_size: int = Field(32, ge=1, description="Prompts per generate() call.")
    seed: int = Field(0, description="Sampling seed.")
    backend: Literal["hf", "vllm"] = Field("hf", description="hf (transformers generate) or vllm (GPU extra).")


@dataclass
class Sample:
    """One generated response. ``nucleus_sizes`` holds the top-p-0.95 nucleus size at each generated position."""

    text: str
    n_tokens: int
    finished: bool
    nucleus_sizes: list[int] = field(default_factory=list)


_VISION_TOKENS = ("image_token_id", "video_token_id", "vision_start_token_id", "vision_end_token_id")


def vision_token_ids(config) -> list[int]:
    """Token ids a completion must never contain (a sampled ``<|image_pad|>`` breaks the next forward pass)."""
    return [t for k in _VISION_TOKENS if (t := getattr(config, k, None)) is not None]


def render_prompts(processor, prompts: Sequence[list[dict]], images: Sequence[list] | None) -> list[str]:
    """Chat-template each conversation with its images the way TRL's trainers do."""
    from trl.data_utils import prepare_multimodal_messages

    tokenizer = getattr(processor, "tokenizer", processor)
    texts = []
    for i, prompt in enumerate(prompts):
        messages = prepare_multimodal_messages(prompt, images=images[i]) if images is not None else prompt
        template_owner = processor if images is not None else tokenizer
        texts.append(template_owner.apply_chat_template(messages, add_generation_prompt=True, tokenize=False))
    return texts


def prompt_lengths(processor, prompts: Sequence[list[dict]], image_sizes: Sequence[list[tuple[int, int]]]) -> list[int]:
    """Tokens each prompt takes with its images at the processor's pixel cap, without decoding a pixel: the rendered
    text with one placeholder per image, plus each image's tokens from its (width, height) by the processor's own
    resize rule (Qwen-VL's ``smart_resize``)."""
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import smart_resize

    tokenizer = getattr(processor, "tokenizer", processor)
    image = getattr(processor, "image_processor", None)
    placeholders = [[None] * len(sizes) for sizes in image_sizes]
    lengths = []
    for text, sizes in zip(render_prompts(processor, prompts, placeholders), image_sizes, strict=True):
        n = len(tokenizer(text, add_special_tokens=False)["input_ids"])
        for width, height in sizes:
            factor = image.patch_size * image.merge_size
            h, w = smart_resize(height, width, factor, image.size["shortest_edge"], image.size["longest_edge"])
            n += (h // factor) * (w // factor) - 1  # the placeholder already counted
        lengths.append(n)
    return lengths


class NucleusRecorder:
    """A logits processor that records, per row, the size of the smallest token set reaching ``p`` mass.

    It sees logits before the temperature warper, so it applies ``temperature`` itself: the sizes describe
    the distribution actually sampled from (the Rollout Branching Factor's definition).
    """

    def __init__(self, eos_ids: Sequence[int], temperature: float, p: float = 0.95):
        self.eos_ids, self.temperature, self.p = list(eos_ids), max(temperature, 1e-5), p
        self.sizes: list[list[int]] | None = None
        self._done = None

    def __call__(self, input_ids, scores):
        import torch

        if self.sizes is None:
            self.sizes = [[] for _ in range(scores.shape[0])]
            self._done = torch.zeros(scores.shape[0], dtype=torch.bool, device=scores.device)
        else:
            self._done |= torch.isin(input_ids[:, -1], torch.tensor(self.eos_ids, device=input_ids.device))
        probs = torch.softmax(scores.float() / self.temperature, dim=-1)
        sorted_probs = probs.sort(dim=-1, descending=True).values
        # smallest k with cumsum[k-1] >= p  ==  1 + #(cumsum < p)
        sizes = (sorted_probs.cumsum(-1) < self.p).sum(-1) + 1
        for row in (~self._done).nonzero().flatten().tolist():
            self.sizes[row].append(int(sizes[row]))
        return scores


def generate(
    model,
    processor,
    prompts: Sequence[list[dict]],
    images: Sequence[list] | None,
    sampling: SamplingConfig,
    record_nucleus: bool = False,
    progress: str | None = None,
    prefixes: Sequence[str] | None = None,
) -> list[list[Sample]]:
    """Sample ``sampling.n`` responses for each prompt, in batches; returns one list of samples per prompt.

    ``prefixes`` (one per prompt) start each response with a given text and generate the rest — a forced-prefix
    probe (e.g. which reasoning procedure is more accurate); the returned text includes the prefix.
    """
    import torch
    from tqdm.auto import tqdm
    from transformers import LogitsProcessorList

    tokenizer = getattr(processor, "tokenizer", processor)
    eos_ids = stop_token_ids(model.generation_config, tokenizer)
    suppress = vision_token_ids(model.config)
    greedy = sampling.temperature == 0
    torch.manual_seed(sampling.seed)
    model.eval()
    results: list[list[Sample]] = []
    starts = range(0, len(prompts), sampling.batch_size)
    # disable=None: tqdm's own switch, a bar on a terminal and none in a log file (or a captured CI run)
    for start in tqdm(starts, desc=progress, disable=None if progress is not None else True, unit="batch"):
        stop = start + sampling.batch_size
        batch_images = images[start:stop] if images is not None else None
        texts = render_prompts(processor, prompts[start:stop], batch_images)
        heads = list(prefixes[start:stop]) if prefixes is not None else [""] * len(texts)
        texts = [text + head for text, head in zip(texts, heads, strict=True)]
        kwargs = dict(text=texts, padding=True, padding_side="left", return_tensors="pt")
        if batch_images is not None and any(batch_images):
            kwargs["images"] = [img for imgs in batch_images for img in imgs]
        enc = processor(**kwargs).to(model.device)
        recorder = NucleusRecorder(eos_ids, sampling.temperature) if record_nucleus else None
        with torch.no_grad():
            out = model.generate(
                **enc,
                do_sample=not greedy,
                temperature=None if greedy else sampling.temperature,
                top_p=None if greedy else sampling.top_p,
                top_k=0,  # off, and repetition_penalty 1: as vLLM and TRL sample, never the checkpoint's own defaults
                repetition_penalty=1.0,
                max_new_tokens=sampling.max_new_tokens,
                use_cache=True,
                num_return_sequences=sampling.n,
                suppress_tokens=suppress or None,
                eos_token_id=eos_ids,
                pad_token_id=tokenizer.pad_token_id,
                logits_processor=LogitsProcessorList([recorder]) if recorder else None,
            )
        completions = out[:, enc["input_ids"].shape[1] :]
        for row, ids in enumerate(completions.tolist()):
            if row % sampling.n == 0:
                results.append([])
            n_tokens = next((i + 1 for i, t in enumerate(ids) if t in eos_ids), None)
            kept = ids[:n_tokens] if n_tokens else [t for t in ids if t != tokenizer.pad_token_id]
            results[-1].append(
                Sample(
                    text=heads[row // sampling.n] + tokenizer.decode(kept, skip_special_tokens=True),
                    n_tokens=len(kept),
                    finished=n_tokens is not None,
                    nucleus_sizes=recorder.sizes[row] if recorder else [],
                )
            )
    return results


def stop_token_ids(generation_config, tokenizer) -> list[int]:
    """The model's end tokens (generation config) plus the tokenizer's eos: where a response ends."""
    eos = generation_config.eos_token_id
    ids = eos if isinstance(eos, list) else [eos] if eos is not None else []
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in ids:
        ids.append(tokenizer.eos_token_id)
    return ids


__all__ = ["Sample", "SamplingConfig", "generate", "render_prompts", "stop_token_ids", "vision_token_ids"]
