"""Self-distillation: sample the GRPO-zero model and the base on the same prompts, build format pairs.

chosen = a GRPO-zero response that is correct and well formatted; rejected = a correct base response with
one random format corruption. The pair differs in format, not in correctness (``coupled`` is the paper's
ablation where the rejected side is also wrong).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from specs.config import Strict
from specs.data.prompt import PromptSpec
from specs.judge.config import JudgeConfig, require_judge


class DistillConfig(Strict):
    """Sampling and pair-building knobs. The paper does not state them; these are our documented defaults."""

    samples: int = Field(4, ge=1, description="Responses sampled per prompt from each model.")
    temperature: float = Field(1.0, gt=0, description="Sampling temperature for both models.")
    top_p: float = Field(1.0, gt=0, le=1, description="Nucleus threshold for both models.")
    max_new_tokens: int = Field(1024, ge=1, description="Generation budget per response.")
    batch_size: int = Field(32, ge=1, description="Prompts per generate() call.")
    seed: int = Field(0, description="Sampling and pair-picking seed.")
    coupled: bool = Field(False, description="Ablation: the rejected side is an incorrect base response.")
    consistency: Literal["rule", "judge", "none"] = Field(
        "rule", description="Chosen filter: rule (think conclusion agrees with the answer), judge (asks the "
        "recipe's judge: block whether the reasoning supports the answer), none."
    )
    limit: int | None = Field(None, ge=1, description="Use only the first n prompts.")
    backend: Literal["hf", "vllm"] = Field("hf", description="Sampler: hf (transformers) or vllm (GPU extra).")


def sample_model(model_path: Path, examples, cfg: DistillConfig, prompt: PromptSpec, label: str):
    """``cfg.samples`` responses per example from one model (loaded, used, released)."""
    from specs.generation.hf import SamplingConfig
    from specs.generation.sampler import Sampler

    sampling = SamplingConfig(
        n=cfg.samples,
        temperature=cfg.temperature,
        top_p=cfg.top_p,
        max_new_tokens=cfg.max_new_tokens,
        batch_size=cfg.batch_size,
        seed=cfg.seed,
        backend=cfg.backend,
    )
    with Sampler(model_path, prompt, cfg.backend) as sampler:
        return sampler.sample(examples, sampling, progress=f"sample {label}")


def _judge_record(judge: JudgeConfig) -> dict[str, Any]:
    return {"base_url": judge.base_url, "model": judge.model}


def _consistency(cfg: DistillConfig, example, judge_filter: Callable[[str], bool] | None):
    from specs.pairs.consistency import conclusion_agrees

    if cfg.consistency == "none":
        return None
    if cfg.consistency == "judge":
        return judge_filter
    choices = list(example.choices) if example.choices else None
    return lambda text: conclusion_agrees(text, choices=choices)


def _to_judge(candidates: list[dict[str, list]], coupled: bool) -> list[str]:
    """The chosen texts ``build_pair`` may show the filter: correct and well formatted, on prompts that have a
    rejected side (one batch instead of one request at a time)."""
    return [
        c.text
        for sides in candidates
        if any(b.correct == (not coupled) for b in sides["base"])
        for c in sides["chosen"]
        if c.correct and c.format_ok
    ]


def distill(chosen_model: Path, base_model: Path, data: Path, out: Path, cfg: DistillConfig,
            prompt: PromptSpec, judge: JudgeConfig | None = None) -> dict[str, Any]:
    """Write the pairs JSONL ``out`` (and ``out`` with ``.stats.json``); return the stats.

    Under ``accelerate launch`` each rank samples its share of the prompts; the pairs are built from the
    gathered samples (identically on every rank) and written by the main process. With ``consistency: judge``
    the candidates are judged in one batch first (by the main process alone; ``judge`` is required).
    """
    from specs.data.jsonl import write_json_atomic
    from specs.data.records import load_examples
    from specs.distributed import is_main_process, wait_for_everyone
    from specs.pairs import Candidate, DistillStats, Pair, build_pair, pair_record, write_pairs
    from specs.pairs.consistency import JudgeFilter
    from specs.rewards import score_example

    judge_filter = None
    if cfg.consistency == "judge":  # before any sampling: a missing judge is a config error
        judge_filter = JudgeFilter(require_judge(judge, "consistency=judge"))
    examples = load_examples(data)[: cfg.limit]
    sides = {
        "chosen": sample_model(chosen_model, examples, cfg, prompt, "chosen"),
        "base": sample_model(base_model, examples, cfg, prompt, "base"),
    }
    names = {"chosen": str(chosen_model), "base": str(base_model)}
    rng = random.Random(f"{cfg.seed}:pairs")
    candidates = []
    for i, example in enumerate(examples):
        per_side = {}
        for side, samples in sides.items():
            scores = [score_example(s.text, example, fmt="tags") for s in samples[i]]  # pairs need strict tags
            per_side[side] = [
                Candidate(names[side], j, s.text, sc.accuracy == 1.0, sc.format == 1.0)
                for j, (s, sc) in enumerate(zip(samples[i], scores, strict=True))
            ]
        candidates.append(per_side)
    if judge_filter is not None:
        judge_filter.prefetch(_to_judge(candidates, cfg.coupled))
    stats, rows = DistillStats(), []
    for example, per_side in zip(examples, candidates, strict=True):
        result = build_pair(
            example.id,
            per_side["chosen"],
            per_side["base"],
            rng,
            coupled=cfg.coupled,
            consistency=_consistency(cfg, example, judge_filter),
        )
        stats.add(result)
        if isinstance(result, Pair):
            rows.append(pair_record(example, result))
    if rows and is_main_process():
        write_pairs(out, rows)
    record = {
        **stats.as_dict(),
        "summary": stats.summary_lines(),
        "chosen_model": names["chosen"],
        "base_model": names["base"],
        "data": str(data),
        "settings": cfg.model_dump(),
        **({"judge": _judge_record(judge_filter.client.config)} if judge_filter is not None else {}),
        "prompt": prompt.model_dump(),
    }
    if is_main_process():
        write_json_atomic(out.with_suffix(".stats.json"), record)
    wait_for_everyone()
    if not rows:
        raise ValueError(f"{data}: no pairs were built from {stats.prompts} prompts (dropped: {dict(stats.dropped)})")
    return record
