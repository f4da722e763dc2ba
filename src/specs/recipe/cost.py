"""What a recipe will cost before it runs: optimizer steps, generation rounds, prompts, responses, tokens at the
caps, checkpoints on disk, memory per GPU and hours.

Pure arithmetic over the recipe's knobs, counted the way TRL 1.16 and transformers count them (GRPO's
``steps_per_generation`` counts micro-steps, so a generation round is ``steps_per_generation / grad_accum``
optimizer steps; every GPU pads its share of a round to its longest rollout; a checkpoint is written every
``save_steps`` optimizer steps and at the last one), plus the throughput guesses of :class:`Hardware`.
Nothing here is measured: the hours are only as good as those guesses.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from specs.config import build, deep_merge, parse_sets, read_yaml
from specs.generation.sampler import CHUNK_PROMPTS
from specs.recipe.schema import Recipe

GB = 1e9
LOGIT_BYTES = 6  # per logit of one micro-batch: the bf16 logits and an fp32 copy for the log-softmax


@dataclass(frozen=True)
class Hardware:
    """Assumptions, not measurements: Qwen2.5-VL-7B on H100 80GB SXM GPUs (replace them once a GPU has run).

    Sizes are Qwen2.5-VL-7B's config: 8.29 B parameters, 7.62 B in the language model (trained), the 0.68 B
    vision tower frozen; hidden 3,584, 28 layers, vocabulary 152,064. ``train_tps`` is ~35% of an H100's 989
    bf16 TFLOP/s over ~85 GFLOP per token (6 x 7.1 B matmul parameters for forward and backward, 2 x more for the
    activation-checkpointing recompute, attention at ~12K context). ``gen_tps`` is vLLM decoding a few dozen long
    sequences from ~10-20 GB of KV cache (bandwidth-bound, ~8 ms a step); ``seq_tps`` is one sequence's pace in
    such a batch, which sets a batch's tail: it ends with its longest response. ``hf_steps`` is HF ``generate``
    on the ZeRO-3-sharded model of GF tracking (each step gathers 16.6 GB of weights). Lengths are guesses about
    the data: prompts ~1,000 tokens (system ~110 + question + up to 1,280 image tokens), responses ~1,000.
    """

    gpu: str = "H100 80GB SXM"
    gpu_gb: float = 80.0
    params: float = 8.29e9
    trained_params: float = 7.62e9
    hidden: int = 3584
    layers: int = 28
    vocab: int = 152_064
    gen_tps: float = 4000.0  # vLLM decode tokens/s per GPU, all sequences together
    seq_tps: float = 100.0  # decode tokens/s of one sequence inside that batch
    hf_steps: float = 8.0  # HF generate decode steps/s on the ZeRO-3-sharded model (GF tracking)
    train_tps: float = 3500.0  # padded tokens/s per GPU through forward + backward (with recompute), ZeRO-3
    forward_share: float = 0.25  # a forward-only pass per token (old log-probs, DPO reference), relative to that
    mean_prompt: int = 1000
    padded_prompt: int = 1536  # the longest prompt of one GPU's share of a round: what its micro-batches pad to
    prompt_room: int = 4096  # the data's prompt cap (system prompt and image tokens included)
    mean_response: int = 1000
    typical_longest: int = 4096  # a batch's longest response when none runs away (the low estimate)
    optim_bytes: float = 12.0  # per trained parameter in a checkpoint: fp32 master weights + two Adam moments
    weight_bytes: float = 2.0  # per parameter: bf16 weights (in each checkpoint, each saved model, vLLM)
    disk_gbps: float = 1.0  # checkpoint write speed, GB/s
    round_overhead_s: float = 20.0  # per GRPO round: weights into vLLM, rewards
    stage_overhead_s: float = 300.0  # per model loaded: load, vLLM start, final save
    vllm_share: float = 0.45  # GPU memory share of an eval/distill vLLM engine (VLLMEngine's default)


@dataclass
class StageCost:
    """One stage of ``specs run``. ``generation_rounds``: batches that each wait for their longest response (GRPO
    rounds, vLLM calls, GF generate batches); ``max_tokens``: responses x their token cap; ``hours``: (no
    response runs away, every batch has one at the cap); ``memory_gb``: peak per GPU with everything at the caps."""

    stage: str
    optimizer_steps: int = 0
    generation_rounds: int = 0
    prompts_seen: int = 0
    responses_sampled: int = 0
    max_tokens: int = 0
    checkpoints: int = 0
    checkpoint_bytes: float = 0.0  # one checkpoint
    disk_peak_bytes: float = 0.0  # checkpoints on disk at once: keep_checkpoints + the one being written
    memory_gb: float = 0.0
    hours: tuple[float, float] = (0.0, 0.0)


def _longest(hw: Hardware, cap: int) -> tuple[int, int]:
    return min(hw.typical_longest, cap), cap


def _zero3_gb(hw: Hardware, world: int) -> float:
    """Weights (bf16), gradients (bf16) and optimizer state of full fine-tuning, sharded over ``world``."""
    return (hw.weight_bytes * hw.params + (2 + hw.optim_bytes) * hw.trained_params) / world / GB


def _activations_gb(hw: Hardware, tokens: int, logit_tokens: int) -> float:
    return (tokens * hw.hidden * 2 * hw.layers + logit_tokens * hw.vocab * LOGIT_BYTES) / GB


def _checkpoints(cost: StageCost, cfg: Any, steps: int, hw: Hardware) -> float:
    """Fill the checkpoint fields; return the seconds spent writing them."""
    if not cfg.save_steps:
        return 0.0
    cost.checkpoints = math.ceil(steps / cfg.save_steps)  # every save_steps, and at the last step
    cost.checkpoint_bytes = hw.optim_bytes * hw.trained_params + hw.weight_bytes * hw.params
    cost.disk_peak_bytes = min(cost.checkpoints, cfg.keep_checkpoints + 1) * cost.checkpoint_bytes
    return cost.checkpoints * cost.checkpoint_bytes / GB / hw.disk_gbps


def _grpo(name: str, cfg: Any, n_train: int, world: int, hw: Hardware) -> StageCost:
    trl, iters = cfg.trl, int(cfg.trl.get("num_iterations", 1))
    if trl.get("generation_batch_size"):
        spg = int(trl["generation_batch_size"]) // (cfg.batch_size * world)
    else:
        spg = int(trl.get("steps_per_generation") or cfg.grad_accum)  # micro-steps per round
    per_round = cfg.batch_size * world * spg  # completions, all GPUs
    prompts_per_round = per_round // cfg.num_generations
    if cfg.max_steps > 0:
        steps = cfg.max_steps
    else:  # TRL's sampler drops an incomplete last round
        rounds_per_epoch = min(n_train, cfg.limit or n_train) // prompts_per_round
        steps = math.ceil(cfg.epochs * rounds_per_epoch * spg * iters / cfg.grad_accum)
    rounds = math.ceil(steps * cfg.grad_accum / (spg * iters))
    cap = cfg.max_completion_length
    cost = StageCost(name, steps, rounds, rounds * prompts_per_round, rounds * per_round, rounds * per_round * cap)
    old_logps = cfg.grad_accum % (spg * iters) != 0 or (
        cfg.vllm != "off" and trl.get("vllm_importance_sampling_correction", True))
    per_gpu = per_round // world

    def round_s(longest: int) -> float:
        gen = max(per_gpu * min(hw.mean_response, cap) / hw.gen_tps, longest / hw.seq_tps)
        train = per_gpu * (hw.padded_prompt + longest) * (iters + hw.forward_share * old_logps) / hw.train_tps
        return gen + train + hw.round_overhead_s

    fixed = _checkpoints(cost, cfg, steps, hw) + hw.stage_overhead_s
    cost.hours = tuple((rounds * round_s(longest) + fixed) / 3600 for longest in _longest(hw, cap))
    vllm = cfg.vllm_gpu_memory_utilization * hw.gpu_gb if cfg.vllm == "colocate" else 0.0
    act = _activations_gb(hw, cfg.batch_size * (hw.prompt_room + cap), cfg.batch_size * cap)
    cost.memory_gb = _zero3_gb(hw, world) + vllm + act
    return cost


def _sample_s(sizes: list[int], n: int, chunk: int, world: int, hw: Hardware, longest: int, cap: int) -> float:
    """Seconds to sample ``n`` responses for sets of ``sizes`` prompts on vLLM, one call per ``chunk`` prompts
    (each rank samples its share of a call at once; a call ends with its longest response)."""
    total = 0.0
    for size in sizes:
        for start in range(0, size, chunk):
            per_gpu = math.ceil(min(chunk, size - start) / world) * n
            total += max(per_gpu * min(hw.mean_response, cap) / hw.gen_tps, longest / hw.seq_tps)
    return total


def _sampling_stage(name: str, sizes: list[int], sampling: Any, world: int, hw: Hardware, models: int = 1) -> StageCost:
    """An eval (``models`` = 1) or a distillation (``models`` = 2 sides sampled one after the other)."""
    cap, chunk = sampling.max_new_tokens, max(CHUNK_PROMPTS, sampling.batch_size)
    prompts = sum(sizes)
    responses = prompts * sampling.n * models
    calls = sum(math.ceil(s / chunk) for s in sizes) * models
    cost = StageCost(name, 0, calls, prompts, responses, responses * cap)
    cost.hours = tuple((models * (_sample_s(sizes, sampling.n, chunk, world, hw, longest, cap) + hw.stage_overhead_s))
                       / 3600 for longest in _longest(hw, cap))
    cost.memory_gb = hw.vllm_share * hw.gpu_gb if sampling.backend == "vllm" else hw.weight_bytes * hw.params / GB
    return cost


def _cold_start(recipe: Recipe, pairs: int, n_id: int, n_ood: int, world: int, hw: Hardware) -> StageCost:
    method = recipe.cold_start.method
    cfg = getattr(recipe.cold_start, method)  # full fine-tuning assumed (a LoRA checkpoint is far smaller)
    seqs, ref = (2, 1) if method == "dpo" else (1, 0)  # DPO: chosen + rejected, and the reference's forward
    batch = cfg.batch_size * cfg.grad_accum * world
    steps = cfg.max_steps if cfg.max_steps > 0 else math.ceil(cfg.epochs * math.ceil(pairs / batch))
    examples = min(steps * batch, math.ceil(pairs * cfg.epochs)) if cfg.max_steps <= 0 else steps * batch
    gf = [min(cfg.gf_limit or n, n) for n in (n_id, n_ood)] if cfg.gf_every else []
    points = (1 + steps // cfg.gf_every + (steps % cfg.gf_every > 0)) if gf else 0
    batches = sum(math.ceil(math.ceil(n / world) / 64) for n in gf)  # GF samples in batches of 64 per rank
    responses = points * sum(gf)
    cost = StageCost("cold_start", steps, points * batches, examples, responses, responses * cfg.gf_max_new_tokens)
    fixed = _checkpoints(cost, cfg, steps, hw) + hw.stage_overhead_s
    fixed += examples * seqs * (hw.mean_prompt + hw.mean_response) * (1 + hw.forward_share * ref) / hw.train_tps / world
    cost.hours = tuple((fixed + points * batches * longest / hw.hf_steps) / 3600
                       for longest in _longest(hw, cfg.gf_max_new_tokens))
    tokens = cfg.batch_size * seqs * min(cfg.max_length or 10**9, hw.prompt_room + recipe.distill.max_new_tokens)
    reference = ref * hw.weight_bytes * hw.params / world / GB  # sharded like the policy
    cost.memory_gb = _zero3_gb(hw, world) + reference + _activations_gb(hw, tokens, tokens)  # DPO: full-sequence logits
    return cost


def estimate(recipe: Recipe, n_train: int, n_id: int, n_ood: int, world_size: int,
             hardware: Hardware | None = None, keep_rate: float = 0.4) -> list[StageCost]:
    """Per stage of ``specs run``, in its order, what ``recipe`` costs on ``world_size`` GPUs.

    ``n_train``/``n_id``/``n_ood``: prompts in the data files; ``keep_rate``: pairs per distilled prompt (a guess;
    the distillation's stats JSON reports the real one)."""
    hw, spec = hardware or Hardware(), recipe.eval
    tests = [min(spec.limit or n, n) for n in (n_id, n_ood)]

    def evaluation(name: str) -> StageCost:
        return _sampling_stage(f"eval_{name}", tests, spec.sampling, world_size, hw)

    costs = [evaluation("base"), _grpo("grpo_zero", recipe.grpo_zero, n_train, world_size, hw), evaluation("grpo_zero")]
    if recipe.cold_start.method != "none":
        d = recipe.distill
        prompts = min(n_train, d.limit or n_train)
        sampling = SimpleNamespace(n=d.samples, max_new_tokens=d.max_new_tokens, batch_size=d.batch_size,
                                   backend=d.backend)
        sides = 1 if d.chosen_source == "teacher" else 2  # the chosen model, then the base
        costs += [_sampling_stage("distill", [prompts], sampling, world_size, hw, models=sides),
                  _cold_start(recipe, round(prompts * keep_rate), n_id, n_ood, world_size, hw),
                  evaluation("cold_start")]
    return [*costs, _grpo("final_grpo", recipe.final_grpo, n_train, world_size, hw), evaluation("final")]


def total(costs: list[StageCost]) -> StageCost:
    """The whole run: sums, the largest memory and disk peak; ``checkpoint_bytes`` is the bytes written in all."""
    out = StageCost("total")
    for c in costs:
        for key in ("optimizer_steps", "generation_rounds", "prompts_seen", "responses_sampled", "max_tokens",
                    "checkpoints"):
            setattr(out, key, getattr(out, key) + getattr(c, key))
        out.checkpoint_bytes += c.checkpoints * c.checkpoint_bytes
        out.disk_peak_bytes = max(out.disk_peak_bytes, c.disk_peak_bytes)
        out.memory_gb = max(out.memory_gb, c.memory_gb)
        out.hours = (out.hours[0] + c.hours[0], out.hours[1] + c.hours[1])
    return out


def _short(x: float) -> str:
    """A count in the table's units.

    >>> _short(8_388_608_000), _short(20_480_000), _short(640)
    ('8.4G', '20.5M', '640')
    """
    unit, size = next(((u, s) for u, s in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("K", 1e3)) if x >= s), ("", 1))
    return f"{x / size:.1f}{unit}" if unit else f"{x:.0f}"


def format_costs(costs: list[StageCost], hardware: Hardware | None = None, world_size: int | None = None) -> str:
    """A plain-text table, one row per stage and a total; the assumptions under it when ``hardware`` is given."""
    head = ("stage", "opt steps", "rounds", "prompts", "responses", "tok@caps", "checkpoints", "GB/GPU", "hours")
    rows = []
    for c in [*costs, everything := total(costs)]:
        size = f"= {c.checkpoint_bytes / 1e12:.1f} TB" if c is everything else f"x {c.checkpoint_bytes / GB:.0f} GB"
        rows.append((c.stage, f"{c.optimizer_steps:,}" if c.optimizer_steps else "-", f"{c.generation_rounds:,}",
                     f"{c.prompts_seen:,}", f"{c.responses_sampled:,}", _short(c.max_tokens),
                     f"{c.checkpoints} {size}" if c.checkpoints else "-", f"{c.memory_gb:.0f}",
                     f"{c.hours[0]:.1f}-{c.hours[1]:.1f}"))
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    out = ["  ".join(s.ljust(w) if i == 0 else s.rjust(w) for i, (s, w) in enumerate(zip(r, widths, strict=True)))
           for r in (head, *rows)]
    out.append(f"checkpoints on disk at once: <= {everything.disk_peak_bytes / GB:.0f} GB (keep_checkpoints + the one "
               "being written)")
    if hardware is not None:
        hw, gpus = hardware, f"{world_size} x " if world_size else ""
        out += textwrap.wrap(
            f"assumed, not measured: {gpus}{hw.gpu}; vLLM {hw.gen_tps:,.0f} tokens/s per GPU, {hw.seq_tps:.0f} per "
            f"sequence; training {hw.train_tps:,.0f} tokens/s per GPU; HF generate under ZeRO-3 {hw.hf_steps:.0f} "
            f"steps/s; prompts ~{hw.mean_prompt:,} and responses ~{hw.mean_response:,} tokens; hours: each batch's "
            f"longest response {hw.typical_longest:,} tokens - at its cap", width=110)
    return "\n".join(out)


def prompt_counts(recipe_file: Path, sizes: dict[str, int | None]) -> dict[str, int]:
    """Prompts per split: ``sizes`` where given, else the lines of the recipe's file (0 when it is not there)."""
    raw, _lines = read_yaml(recipe_file)
    data = raw.get("data") or {}

    def lines(key: str) -> int:
        path = recipe_file.parent / data[key] if data.get(key) else None
        return sum(1 for line in path.open(encoding="utf-8") if line.strip()) if path and path.is_file() else 0

    return {key: n if n is not None else lines(key) for key, n in sizes.items()}


def settings_only(recipe_file: Path, sets: list[str] | None = None) -> Recipe:
    """The recipe's settings with its paths left out: what it costs does not need its model or data here."""
    raw, lines = read_yaml(recipe_file)
    raw.pop("base_model", None)
    raw["data"] = {k: v for k, v in (raw.get("data") or {}).items() if k == "toy"}
    return build(Recipe, deep_merge(raw, parse_sets(sets or [])), str(recipe_file), lines)


def cost_table(recipe_file: Path, gpus: int, sizes: dict[str, int | None], sets: list[str] | None = None) -> str:
    """``format_costs`` for a recipe file on ``gpus`` GPUs, the prompt counts from ``sizes`` or its files."""
    counts = prompt_counts(Path(recipe_file), sizes)
    text = format_costs(estimate(settings_only(Path(recipe_file), sets), counts["train"], counts["id_test"],
                                 counts["ood_test"], gpus), Hardware(), gpus)
    return f"prompts: {counts['train']:,} train, {counts['id_test']:,} ID, {counts['ood_test']:,} OOD\n{text}"
