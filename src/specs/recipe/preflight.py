"""Pre-flight: everything ``specs run`` can check in seconds, checked before its first stage runs.

Why: stages run in order for hours (a day at 7B scale), and a bad value read only by the last stage — an unknown
``lr_scheduler``, a ``trl:`` value of the wrong type, a truncated base model, a broken line in a test set — would
otherwise surface after the others have spent their time. Each check is the one the stage itself makes (the TRL
config it will build, the model-folder check it will run), made early, not a second copy of the rules.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from specs.data.image import image_size
from specs.data.jsonl import read_jsonl
from specs.data.records import content_key, load_examples
from specs.errors import ConfigError, DataError
from specs.generation.hf import prompt_lengths
from specs.generation.vllm_engine import require_vllm
from specs.models.loading import check_model_folder, load_config, load_processor
from specs.pairs.samples import read_samples
from specs.recipe.runner import Run, Stage
from specs.stages.distill import check_teacher_ids
from specs.stages.dpo import dpo_args
from specs.stages.grpo import grpo_args
from specs.stages.sft import sft_args


def preflight(run: Run, plan: list[Stage]) -> None:
    """Raise the first problem as one line (``SpecsError``): model folder, data files, every stage's TRL config."""
    recipe, names = run.recipe, {stage.name for stage in plan}
    fits = _PromptsFit()  # each split's prompts counted once, however many engines check them
    _outside_inputs(run)
    if recipe.base_model is not None:
        check_model_folder(recipe.base_model)
    examples = {}
    for split in ("train", "id_test", "ood_test"):
        if (path := getattr(recipe.data, split)) is not None:
            examples[split] = load_examples(path)  # every line and every image, as the stages will read them
    for key in ("grpo_zero", "final_grpo"):
        cfg = getattr(recipe, key)
        if key not in names or "train" not in examples or recipe.base_model is None:
            continue
        budget, limit = cfg.max_completion_length, cfg.trl.get("vllm_max_model_length") if cfg.vllm != "off" else None
        why = f"{key}.trl.vllm_max_model_length {limit} less max_completion_length {budget}"
        if not limit and (limit := _context_length(recipe.base_model)):
            why = f"the base model's context ({limit} tokens) less {key}.max_completion_length {budget}"
        if limit:
            fits(run, examples["train"], "train", limit - budget, why)
    if recipe.base_model is not None and (context := _context_length(recipe.base_model)):
        # eval's and distill's engines take the model's context as their length (vLLM's default)
        ev, distill = recipe.eval, recipe.distill
        uses = [("eval.sampling", split, ev.sampling.max_new_tokens, ev.limit) for split in ("id_test", "ood_test")
                if ev.sampling.backend == "vllm" and any(n.startswith("eval_") for n in names)]
        if distill.backend == "vllm" and "distill" in names:
            uses.append(("distill", "train", distill.max_new_tokens, distill.limit))
        for key, split, budget, limit in uses:
            if split in examples:
                fits(run, examples[split][:limit], split, context - budget,
                             f"the base model's context ({context} tokens) less {key}.max_new_tokens {budget}")
    if "distill" in names and recipe.distill.chosen_source == "teacher":
        samples = read_samples(recipe.distill.teacher_samples)
        if "train" in examples:  # the ids the distill stage will look up, resolved now rather than four stages in
            check_teacher_ids(recipe.distill.teacher_samples, samples, {e.id for e in examples["train"]})
    _no_test_in_train(run, examples)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "model"
        for key, args in _trl_configs(recipe, names, out).items():
            _as(key, args)


class _PromptsFit:
    """Every prompt, with its images at the recipe's pixel cap, leaves its response the whole budget in the engine:
    vLLM refuses a longer prompt, and would do so hours into the stage (and again on every resume). Token counts
    are kept per split, so the GRPO stages and distillation count the training prompts once."""

    def __init__(self) -> None:
        self.counted: dict[str, list[int]] = {}

    def __call__(self, run: Run, examples: list, split: str, room: int, why: str) -> None:
        lengths = self.counted.get(split, [])
        if len(lengths) < len(examples):
            lengths = self.counted[split] = _prompt_lengths(run, examples)
        for example, n in zip(examples, lengths, strict=False):
            if n > room:
                path = run.data(split.replace("_", "-"))
                line = next((number for number, row in read_jsonl(path) if row.get("id") == example.id), None)
                raise DataError(path, line, f"the prompt takes {n} tokens with its images at the recipe's pixel cap "
                                f"(prompt.max_pixels); {why} leave {room}: shorten it, or raise the limit",
                                field="question")


def _prompt_lengths(run: Run, examples: list) -> list[int]:
    """Each prompt's tokens with its images at the recipe's pixel cap, from the image headers (nothing decoded)."""
    processor = load_processor(run.recipe.base_model, max_pixels=run.recipe.prompt.max_pixels)
    lengths: list[int] = []
    for start in range(0, len(examples), 256):
        chunk = examples[start : start + 256]
        sizes = [[image_size(path) for path in example.images] for example in chunk]
        lengths += prompt_lengths(processor, [run.recipe.prompt.messages(e) for e in chunk], sizes)
    return lengths


def _context_length(model: Path) -> int | None:
    """The longest sequence the model takes (its text config's ``max_position_embeddings``), when it says."""

    config = load_config(model)
    text = getattr(config, "text_config", None) or config
    length = getattr(text, "max_position_embeddings", None)
    return length if isinstance(length, int) and length > 0 else None


def _no_test_in_train(run: Run, examples: dict[str, list]) -> None:
    """A test record that is also a training record (same question, answer and images) would measure recall."""

    if "train" not in examples:
        return
    train = {content_key(e): e.id for e in examples["train"]}
    for split in ("id_test", "ood_test"):
        for example in examples.get(split, []):
            if (key := content_key(example)) in train:
                raise DataError(getattr(run.recipe.data, split), None, f"record {example.id!r} is also in the "
                                f"training set (as {train[key]!r}: same question, answer and images); remove it "
                                "from one of them", "id")


def _outside_inputs(run: Run) -> None:
    """The run folder is never an input, nor inside one (a run into the base model's folder would fill it)."""
    root = run.root.resolve()
    given = {"base_model": run.recipe.base_model, "distill.teacher_samples": run.recipe.distill.teacher_samples,
             **{f"data.{split}": getattr(run.recipe.data, split) for split in ("train", "id_test", "ood_test")}}
    for key, path in given.items():
        if path is not None and (root == Path(path).resolve() or Path(path).resolve() in root.parents):
            raise ConfigError(f"--out {run.root} is {key} or inside it ({path}): write the run elsewhere")


def _trl_configs(recipe: Any, names: set[str], out: Path) -> dict[str, Callable[[], Any]]:
    """Recipe key → a call building the TRL config that key's stage trains with."""
    from specs.stages.gf_tracking import check_gf_settings  # lazy: it imports transformers at its top

    def grpo(cfg):
        if cfg.vllm != "off":
            require_vllm()
        return grpo_args(cfg, out, vision_ids=[])

    configs: dict[str, Callable[[], Any]] = {}
    for key in ("grpo_zero", "final_grpo"):
        if key in names:
            configs[key] = lambda cfg=getattr(recipe, key): grpo(cfg)
    method = recipe.cold_start.method
    if "cold_start" in names and method != "none":
        cfg = getattr(recipe.cold_start, method)
        configs[f"cold_start.{method}"] = lambda: (check_gf_settings(cfg), _cold_start_args(method, cfg, out))
    return configs


def _cold_start_args(method: str, cfg: Any, out: Path) -> Any:
    if method == "dpo":
        return dpo_args(cfg, out)

    return sft_args(cfg, out)


def _as(key: str, build: Callable[[], Any]) -> None:
    try:
        build()
    except ConfigError as err:
        raise ConfigError(f"{key}: {err}") from None
