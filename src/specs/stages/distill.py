"""Self-distillation: sample the GRPO-zero model and the base on the same prompts, build format pairs.

chosen = a GRPO-zero response that is correct and well formatted; rejected = a correct base response with
one random format corruption. The pair differs in format, not in correctness (``coupled`` is the paper's
ablation where the rejected side is also wrong).

``chosen_source`` names where the chosen side comes from: ``grpo_zero`` (the chosen model, GRPO-zero in a
recipe: SPECS), ``base`` (the base model too: the paper's base-model distillation) or ``teacher``
(pre-generated responses from ``teacher_samples``, ``specs.pairs.samples``: the paper's 72B-teacher ablation).
"""

from __future__ import annotations

import random
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, FilePath, ValidationInfo, field_validator

from specs.config import Strict
from specs.data.jsonl import write_json_atomic
from specs.data.prompt import PromptSpec
from specs.data.records import load_examples
from specs.distributed import is_main_process, wait_for_everyone
from specs.errors import ConfigError, DataError
from specs.fresh_process import in_fresh_process
from specs.generation.hf import SamplingConfig
from specs.generation.sample_cache import samples_cache
from specs.generation.sampler import Sampler
from specs.generation.vllm_engine import require_vllm
from specs.judge.config import JudgeConfig, require_judge
from specs.judge.consistency import JudgeFilter
from specs.pairs import Candidate, DistillStats, Pair, build_pair, pair_record, write_pairs
from specs.pairs.consistency import conclusion_agrees
from specs.pairs.samples import read_samples
from specs.rewards import score_example


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
    chosen_source: Literal["grpo_zero", "base", "teacher"] = Field(
        "grpo_zero", description="Where chosen responses come from: grpo_zero (the chosen model; GRPO-zero in a "
        "recipe: SPECS), base (sampled from the base model too, with its own seed: base-model distillation) or "
        "teacher (the pre-generated responses of teacher_samples: teacher distillation)."
    )
    teacher_samples: FilePath | None = Field(
        None, validate_default=True, description='With chosen_source teacher: a JSONL of responses, one per line, '
        '{"id": <prompt id>, "text": <response>}; every line of a prompt is a chosen candidate.'
    )
    limit: int | None = Field(None, ge=1, description="Use only the first n prompts.")
    backend: Literal["hf", "vllm"] = Field("hf", description="Sampler: hf (transformers) or vllm (GPU extra).")

    @field_validator("teacher_samples")
    @classmethod
    def _teacher_file(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        source = info.data.get("chosen_source")
        if source == "teacher" and path is None:
            raise ValueError('chosen_source=teacher needs teacher_samples (a JSONL of {"id", "text"} lines)')
        if source not in (None, "teacher") and path is not None:
            raise ValueError(f"is only read with chosen_source=teacher (chosen_source is {source})")
        return path


def chosen_seed(seed: int) -> int:
    """The chosen side's sampling seed when it is the base too: its own draws, not a copy of the rejected side's
    (a hash, so seed s's chosen draws are not seed s+1's rejected ones)."""
    return zlib.crc32(f"{seed}:chosen".encode())


def chosen_model_for(cfg: DistillConfig, chosen_model: Path | None, base_model: Path) -> Path | None:
    """The model the chosen side is sampled from (None: the teacher's responses); a contradiction is one line."""
    if cfg.chosen_source == "teacher":
        if chosen_model is not None:
            raise ConfigError("chosen_source=teacher takes the chosen side from teacher_samples: drop --chosen-model")
        return None
    if cfg.chosen_source == "base":
        if chosen_model is not None and Path(chosen_model).resolve() != Path(base_model).resolve():
            raise ConfigError(f"chosen_source=base samples the chosen side from the base model ({base_model}), "
                              f"not from {chosen_model}: drop --chosen-model")
        return base_model
    if chosen_model is None:
        raise ConfigError("chosen_source=grpo_zero samples the chosen side from a chosen model: give --chosen-model")
    return chosen_model


def sample_model(model_path: Path, examples, cfg: DistillConfig, prompt: PromptSpec, label: str,
                 cache: Path | None = None):
    """``cfg.samples`` responses per example from one model (loaded, used, released); finished chunks are kept in
    ``cache`` (when given) so a killed distillation resumes."""

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
        return sampler.sample(examples, sampling, progress=f"sample {label}", cache=cache)


def sample(model_path: Path, examples, cfg: DistillConfig, prompt: PromptSpec, label: str, cache: Path):
    """:func:`sample_model`; on vLLM in a process of its own, since the two models' engines cannot follow each
    other in one process (``specs.fresh_process``)."""
    if cfg.backend == "vllm":
        require_vllm()  # here, not in the sampling process: one line before anything starts
        return in_fresh_process(sample_model, model_path, examples, cfg, prompt, label, cache,
                                label=f"distill: sampling {label}")
    return sample_model(model_path, examples, cfg, prompt, label, cache)


def _texts(samples) -> list[list[str]]:
    return [[s.text for s in per_example] for per_example in samples]


def _judge_record(judge: JudgeConfig) -> dict[str, Any]:
    return {"base_url": judge.base_url, "model": judge.model}


def _consistency(cfg: DistillConfig, example, judge_filter: Callable[[str], bool] | None):
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


def check_teacher_ids(path: Path, by_id: dict[str, list[str]], ids: set[str]) -> None:
    """Teacher responses must answer some of the training prompts (pre-flight checks it before stage 1)."""
    if not ids & set(by_id):
        raise DataError(path, None, f"no response for any of the {len(ids)} prompts (ids such as "
                        f"{next(iter(by_id))!r} are not among them)", "id")


def _teacher_texts(cfg: DistillConfig, examples) -> tuple[list[list[str]], int]:
    """Per example, the teacher's responses for its id; and how many responses matched no example."""

    by_id = read_samples(cfg.teacher_samples)
    ids = {e.id for e in examples}
    check_teacher_ids(cfg.teacher_samples, by_id, ids)
    unmatched = sum(len(texts) for key, texts in by_id.items() if key not in ids)
    return [by_id.get(e.id, []) for e in examples], unmatched


def distill(chosen_model: Path | None, base_model: Path, data: Path, out: Path, cfg: DistillConfig,
            prompt: PromptSpec, judge: JudgeConfig | None = None) -> dict[str, Any]:
    """Write the pairs JSONL ``out`` (and ``out`` with ``.stats.json``); return the stats.

    Under ``accelerate launch`` each rank samples its share of the prompts; the pairs are built from the
    gathered samples (identically on every rank) and written by the main process. With ``consistency: judge``
    the candidates are judged in one batch first (by the main process alone; ``judge`` is required).
    ``chosen_model`` is the model sampled for the chosen side with ``chosen_source: grpo_zero``; with ``base``
    it may be omitted (or be the base), with ``teacher`` it must be omitted.
    """

    judge_filter = None
    if cfg.consistency == "judge":  # before any sampling: a missing judge is a config error
        judge_filter = JudgeFilter(require_judge(judge, "consistency=judge"))
    chosen_model = chosen_model_for(cfg, chosen_model, base_model)
    examples = load_examples(data)[: cfg.limit]
    cache = samples_cache(out)  # one folder per side: the two sides may be one model at two seeds
    unmatched = None
    if chosen_model is None:  # the teacher's file is read (and checked) before any sampling
        chosen_texts, unmatched = _teacher_texts(cfg, examples)
    else:
        chosen_cfg = cfg.model_copy(update={"seed": chosen_seed(cfg.seed)}) if cfg.chosen_source == "base" else cfg
        chosen_texts = _texts(sample(chosen_model, examples, chosen_cfg, prompt, "chosen", cache=cache / "chosen"))
    base_texts = _texts(sample(base_model, examples, cfg, prompt, "base", cache=cache / "base"))
    sides = {"chosen": chosen_texts, "base": base_texts}
    names = {"chosen": str(chosen_model or cfg.teacher_samples), "base": str(base_model)}
    rng = random.Random(f"{cfg.seed}:pairs")
    candidates = []
    for i, example in enumerate(examples):
        per_side = {}
        for side, texts in sides.items():
            scores = [score_example(text, example, fmt="tags") for text in texts[i]]  # pairs need strict tags
            per_side[side] = [
                Candidate(names[side], j, text, sc.accuracy == 1.0, sc.format == 1.0)
                for j, (text, sc) in enumerate(zip(texts[i], scores, strict=True))
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
        "chosen_source": cfg.chosen_source,
        "chosen_model": names["chosen"],
        "base_model": names["base"],
        **({"teacher_unmatched_responses": unmatched} if unmatched is not None else {}),
        "data": str(data),
        "settings": cfg.model_dump(mode="json"),
        **({"judge": _judge_record(judge_filter.client.config)} if judge_filter is not None else {}),
        "prompt": prompt.model_dump(),
    }
    if is_main_process():
        write_json_atomic(out.with_suffix(".stats.json"), record)
        shutil.rmtree(cache, ignore_errors=True)
    wait_for_everyone()
    if not rows:
        raise DataError(data, None, f"no pairs were built from {stats.prompts} prompts "
                        f"(dropped: {dict(stats.dropped)})")
    return record
