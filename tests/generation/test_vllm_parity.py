"""On a GPU with the vLLM extra: greedy vLLM responses equal the HF backend's (run with `pytest -m gpu`)."""

import importlib.util

import pytest

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(importlib.util.find_spec("vllm") is None, reason="needs the vllm extra (GPU only)"),
]


def test_greedy_vllm_matches_hf(toy_base, toy_world):
    import torch

    if not torch.cuda.is_available():
        pytest.skip("needs a GPU")
    from specs.data.prompt import load_prompt
    from specs.data.records import load_examples
    from specs.generation.hf import SamplingConfig
    from specs.generation.sampler import Sampler

    examples = load_examples(toy_world["id-test"])
    texts = {}
    for backend in ("hf", "vllm"):
        sampling = SamplingConfig(max_new_tokens=48, batch_size=32, backend=backend)
        with Sampler(toy_base, load_prompt("toy"), backend) as sampler:
            texts[backend] = [s[0].text for s in sampler.sample(examples, sampling)]
    same = sum(a == b for a, b in zip(texts["hf"], texts["vllm"], strict=True)) / len(examples)
    assert same >= 0.9, f"only {same:.0%} of greedy responses agree"
