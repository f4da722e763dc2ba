"""Generation on vLLM (the CPU build here) vs transformers ``generate``, side by side in one run.

    .venv/bin/python bench/generation_backends.py [--prompts 200] [--tokens 64] [--repeats 2]

The toy base samples the same OOD prompts greedily on both backends through our sampler, each model loaded (or
engine started) in a process of its own; each side is timed after a warm-up batch, the median of ``--repeats``
timed passes. Prints generated tokens per second of each, their ratio, the engine start time, and the share of
identical responses (float32: expected 100%).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def measure(backend: str, model: str, data: str, tokens: int, repeats: int) -> dict:
    from specs.data.prompt import load_prompt
    from specs.data.records import load_examples
    from specs.generation.hf import SamplingConfig
    from specs.generation.sampler import Sampler

    examples = load_examples(data)
    sampling = SamplingConfig(max_new_tokens=tokens, batch_size=len(examples), backend=backend)
    with Sampler(model, load_prompt("toy"), backend) as sampler:
        started = time.perf_counter()
        sampler.sample(examples[:8], sampling)  # loads the model / starts the engine, warms up
        start_s = time.perf_counter() - started
        runs = []
        for _ in range(repeats):
            started = time.perf_counter()
            samples = sampler.sample(examples, sampling)
            runs.append(time.perf_counter() - started)
    n_tokens = sum(s[0].n_tokens for s in samples)
    seconds = statistics.median(runs)
    return {"tokens_per_s": n_tokens / seconds, "seconds": seconds, "start_s": start_s, "tokens": n_tokens,
            "texts": [s[0].text for s in samples]}


def main() -> None:
    from specs.fresh_process import in_fresh_process
    from specs.toybase.pretrain import build_toy_base
    from specs.toyworld import generate_split

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "toy-base"
        build_toy_base(model)
        data = str(generate_split(Path(tmp), "ood-test", args.prompts, seed=3))
        hf, vllm = (in_fresh_process(measure, b, model, data, args.tokens, args.repeats, label=b)
                    for b in ("hf", "vllm"))
    same = sum(a == b for a, b in zip(hf["texts"], vllm["texts"], strict=True)) / args.prompts
    for name, r in (("hf", hf), ("vllm", vllm)):
        print(f"{name:5} {r['tokens_per_s']:8.0f} tokens/s  ({r['tokens']} tokens in {r['seconds']:.2f} s; "
              f"load/start + warm-up {r['start_s']:.1f} s)")
    print(f"vllm/hf {vllm['tokens_per_s'] / hf['tokens_per_s']:.2f}x; identical greedy responses {100 * same:.1f}%")
    print(json.dumps({"vllm_over_hf": vllm["tokens_per_s"] / hf["tokens_per_s"], "identical": same}))


if __name__ == "__main__":
    main()
