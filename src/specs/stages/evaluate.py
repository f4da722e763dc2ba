"""Evaluation: accuracy and format rate of a model on a canonical dataset, with per-family breakdowns.

Format rate is judged against the format each prompt asks for (``meta.format``: tags, boxed or plain), so
out-of-distribution format instructions measure instruction following, not habit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from specs.data.records import Example
from specs.generation.hf import Sample, SamplingConfig


def grade_sample(example: Example, text: str) -> tuple[bool, bool]:
    """``(correct, follows_format)`` for one response to one example."""
    from specs.grading import grade
    from specs.grading.formatcheck import follows_format

    gold = example.meta.get("answers") or example.answer  # MMMU open questions accept several answers
    result = grade(
        text, gold, choices=list(example.choices) if example.choices else None,
        answer_type=example.answer_type, precision=example.precision,
    )
    return result.correct, follows_format(text, str(example.meta.get("format", "tags")))


def summarize(examples: Sequence[Example], samples: Sequence[Sequence[Sample]]) -> dict[str, Any]:
    """Mean accuracy / format rate over all samples, overall and per family, format and OOD kind."""
    groups: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"correct": [], "format": []})
    per_prompt = []
    for example, responses in zip(examples, samples, strict=True):
        graded = [grade_sample(example, s.text) for s in responses]
        keys = ["all"] + [f"{k}={example.meta[k]}" for k in ("family", "format", "ood") if k in example.meta]
        for key in keys:
            groups[key]["correct"] += [float(c) for c, _ in graded]
            groups[key]["format"] += [float(f) for _, f in graded]
        per_prompt.append({"id": example.id, "n_correct": sum(c for c, _ in graded), "n": len(graded)})

    def rates(g: dict[str, list[float]]) -> dict[str, float]:
        n = len(g["correct"])
        return {"accuracy": sum(g["correct"]) / n, "format_rate": sum(g["format"]) / n, "n": n}

    overall = rates(groups.pop("all"))
    tokens = [s.n_tokens for r in samples for s in r]
    return {
        **overall,
        "n_prompts": len(examples),
        "mean_response_tokens": sum(tokens) / max(len(tokens), 1),
        "breakdown": {k: rates(v) for k, v in sorted(groups.items())},
        "per_prompt": per_prompt,
    }


def evaluate(
    model_path: str | Path,
    data_path: str | Path,
    sampling: SamplingConfig | None = None,
    limit: int | None = None,
    max_pixels: int | None = None,
    progress: str | None = "eval",
) -> dict[str, Any]:
    """Generate on (the first ``limit`` records of) ``data_path`` and grade every response.

    Under ``accelerate launch`` each rank generates for its share of the prompts; every rank returns the
    whole report (the caller writes it on the main process only).
    """
    from specs.data.records import load_examples

    sampling = sampling or SamplingConfig()
    examples = load_examples(data_path)[:limit]
    samples = sample_examples(model_path, examples, sampling, max_pixels, progress)
    report = summarize(examples, samples)
    report.update(model=str(model_path), data=str(data_path), sampling=sampling.model_dump())
    report["samples"] = [[s.text for s in r] for r in samples]
    return report


def sample_examples(
    model_path: str | Path, examples: Sequence[Example], sampling: SamplingConfig, max_pixels: int | None = None,
    progress: str | None = None,
) -> list[list[Sample]]:
    """Load ``model_path`` on ``sampling.backend`` and generate for ``examples``, sharded across ranks."""
    from specs.distributed import sharded_map
    from specs.models.loading import load_for_generation, load_processor

    processor = load_processor(model_path, max_pixels=max_pixels)
    if sampling.backend == "hf":
        model = load_for_generation(model_path)
        return sharded_map(lambda shard: generate_for(model, processor, shard, sampling, progress), examples)

    from transformers import GenerationConfig

    from specs.generation.hf import stop_token_ids, vision_token_ids
    from specs.generation.vllm_engine import VLLMEngine
    from specs.models.loading import load_config

    config = load_config(model_path)
    stops = stop_token_ids(GenerationConfig.from_model_config(config), getattr(processor, "tokenizer", processor))
    engine = VLLMEngine(model_path, sampling.seed, max_pixels)
    try:
        return sharded_map(
            lambda shard: engine.generate(
                processor, prompts_for(shard), open_images(shard), sampling, stops, vision_token_ids(config)
            ),
            examples,
        )
    finally:
        engine.close()


def prompts_for(examples: Sequence[Example]) -> list[list[dict]]:
    """Each example's question as the single user turn."""
    return [[{"role": "user", "content": e.question}] for e in examples]


def generate_for(
    model, processor, examples: Sequence[Example], sampling: SamplingConfig, progress: str | None,
    record_nucleus: bool = False,
):
    """Generate for canonical examples on the HF backend: their question as the user turn, images attached."""
    from specs.generation.hf import generate

    return generate(model, processor, prompts_for(examples), open_images(examples), sampling,
                    record_nucleus=record_nucleus, progress=progress)


def branching_report(model_path: str | Path, examples: Sequence[Example], sampling: SamplingConfig,
                     max_responses: int | None = None) -> dict[str, Any]:
    """The Rollout Branching Factor of a model: top-p 0.95 nucleus sizes over sampled responses (``specs rbf``).

    Token-weighted over all generated positions (and, as ``rbf_per_response``, the mean of per-response means).
    """
    from specs.metrics import DEFAULT_TOP_P, rollout_branching_factor
    from specs.models.loading import load_for_generation, load_processor

    if sampling.backend != "hf":
        raise ValueError("the RBF needs full next-token distributions: use backend=hf")

    model, processor = load_for_generation(model_path), load_processor(model_path)
    results = generate_for(model, processor, examples, sampling, progress=None, record_nucleus=True)
    responses = [s for per_prompt in results for s in per_prompt][:max_responses]
    sizes = [s.nucleus_sizes for s in responses]
    return {
        "rbf": rollout_branching_factor(sizes),
        "rbf_per_response": rollout_branching_factor(sizes, per_response=True),
        "nucleus_p": DEFAULT_TOP_P,
        "n_prompts": len(examples),
        "n_responses": len(responses),
        "n_positions": sum(len(s) for s in sizes),
        "finished_rate": sum(s.finished for s in responses) / len(responses),
        "sampling": sampling.model_dump(),
    }


def open_images(examples: Sequence[Example]) -> list[list]:
    """Each example's images as RGB PIL images, loaded now (files are closed again)."""
    from PIL import Image

    def load(path: Path):
        with Image.open(path) as img:
            return img.convert("RGB")

    return [[load(p) for p in e.images] for e in examples]
