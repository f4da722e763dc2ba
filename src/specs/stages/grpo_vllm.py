"""TRL 1.16's colocated vLLM sees each image's tokens twice; this hands it one placeholder per image instead.

In colocate mode ``GRPOTrainer`` passes vLLM the prompt ids with every image already expanded by the trainer's
processor (N image tokens) together with the raw image; vLLM does not recognise the expanded run and expands its
first token again, so rollouts are sampled from a prompt with N + N' - 1 image tokens (measured: 9 sent, 17 in the
engine's prompt on an 84x84 image), unlike the one the trainer scores — on GPUs as on CPUs (TRL issues #6294 and
#6401; the fix, PR #6718, is not in 1.16). TRL drops the engine's prompt ids in colocate mode, so only the rollouts
change. Server mode places its features on the trainer's own runs and is left alone.
"""

from __future__ import annotations

from typing import Any


def one_placeholder_per_image(ids: list[int], image_token: int) -> list[int]:
    """Each run of ``image_token`` cut to one token (the engine expands it from the image).

    >>> one_placeholder_per_image([1, 7, 7, 7, 2, 7, 7, 3], 7)
    [1, 7, 2, 7, 3]
    """
    return [t for i, t in enumerate(ids) if t != image_token or i == 0 or ids[i - 1] != image_token]


def expand_images_once(vllm_generation: Any) -> bool:
    """Make a colocated ``VLLMGeneration`` send one placeholder per image; returns whether it applied."""
    if vllm_generation is None or getattr(vllm_generation, "mode", None) != "colocate":
        return False
    image_token = getattr(vllm_generation.processing_class, "image_token_id", None)
    if image_token is None:
        return False
    generate = vllm_generation.generate

    def generate_once(prompts, images, num_generations, profiler=None):
        if images is not None:
            prompts = [one_placeholder_per_image(list(p), image_token) for p in prompts]
        return generate(prompts, images, num_generations, profiler)

    vllm_generation.generate = generate_once
    return True
