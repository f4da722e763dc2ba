"""``specs rehearse RECIPE``: every stage of a real recipe, on this machine, in minutes.

Everything the recipe says is kept — prompt, engines (vLLM), generation rounds, token limits of the engines, losses,
filters, checkpointing — except the model (a tiny random model of the base's family, with the base's own tokenizer,
processor and chat template when the folder is there, else Qwen's stock processor settings and chat template), the
data (the first records of the recipe's files with their images, or, where a file is missing, synthetic records with
realistic images: 0.3-12 MP, several aspect ratios, up to three per record) and the sizes (one generation round per
GRPO stage with as many optimizer steps as the recipe's, one micro-batch a step instead of grad_accum, 32-token
responses, images at 1/16 of the pixel cap, a few prompts per eval). A random model answers nothing correctly, so
distillation's chosen side is written out (a teacher's samples) and its pairs are coupled. Run it under the launcher
the full run will use (``accelerate launch`` with its DeepSpeed config): a defect of the real path fails here in
minutes instead of a GPU-day in. It ends by printing what the full run costs.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

from specs.atomic import atomic_file
from specs.config import read_yaml
from specs.data.jsonl import read_jsonl, write_jsonl_atomic, write_text_atomic
from specs.data.prompt import prompt_data
from specs.models.tiny import TinySize, build_tiny_model

RESPONSE_TOKENS = 32  # every generation budget, rehearsed (default)
PROMPTS = {"train": 48, "id_test": 8, "ood_test": 8}
SIZES = [(640, 480), (1024, 768), (1920, 1080), (800, 3200), (3840, 960), (3000, 2000), (4000, 3000)]  # 0.3-12 MP


def rehearsal_recipe(recipe_file: Path, out: Path, arch: str, model: Path | None = None,
                     tokens: int = RESPONSE_TOKENS) -> Path:
    """Write ``out/recipe.yaml``: the recipe with the model, data and lengths replaced, the tiny model and the data
    beside it. ``arch`` is the family when the recipe's base folder is not there. ``model``: a model folder to
    rehearse with instead of a tiny one (a 7B-shaped one on a GPU: ``scripts/gpu_check.sh``); images then keep the
    recipe's pixel cap. ``tokens``: every generation budget. Rebuilt models and data are kept (a rerun resumes)."""
    import yaml

    raw, _lines = read_yaml(recipe_file)
    here = Path(recipe_file).parent
    base = here / raw["base_model"] if raw.get("base_model") else None
    if model is not None:
        raw["base_model"] = str(Path(model).resolve())
    else:
        base = base if base and (base / "config.json").is_file() else None
        raw["base_model"] = str(tiny_base(base, out / "base", arch))
    data = raw.setdefault("data", {})
    for key, n in PROMPTS.items():
        given = here / data[key] if data.get(key) else None
        dst = out / "data" / f"{key}.jsonl"
        if not dst.is_file():
            sample_records(given, n, dst) if given and given.is_file() else synthetic_records(dst, n, key)
        data[key] = str(dst.resolve())
    _scale(raw, tokens, pixel_divisor=1 if model is not None else 16)
    # A random model answers nothing correctly, so no pair could be built: distillation is rehearsed with the chosen
    # side from written-out correct responses and the rejected side from the base's (incorrect) samples on vLLM.
    raw["distill"].update(chosen_source="teacher", coupled=True,
                          teacher_samples=str(teacher_samples(Path(data["train"]), out / "teacher.jsonl")))
    return write_text_atomic(out / "recipe.yaml", yaml.safe_dump(raw, sort_keys=False))


def teacher_samples(train: Path, dst: Path) -> Path:
    """A correct, well formatted response per training prompt (its gold), as a teacher's samples file."""
    rows = [{"id": row["id"], "text": f"<think>Reading the figure, the answer is {row['answer']}.</think>"
                                      f"<answer>The answer is $\\boxed{{{row['answer']}}}$.</answer>"}
            for _number, row in read_jsonl(train)]
    return write_jsonl_atomic(dst, rows)


def _scale(raw: dict[str, Any], tokens: int, pixel_divisor: int) -> None:
    """Lengths down, structure kept: one generation round per GRPO stage, one checkpoint saved per training stage,
    ``tokens`` for every generation budget, images at 1/``pixel_divisor`` of the pixel cap (on a CPU, 16: a GRPO
    round encodes all its prompts' images at once: at 1,280 tokens an image, 1,024 rollouts' pixel values are ~9 GB
    on each rank)."""

    prompt = raw.get("prompt") or "reasoning"
    prompt = dict(prompt_data(prompt) if isinstance(prompt, str) else prompt)
    prompt["max_pixels"] = max((prompt.get("max_pixels") or REHEARSAL_SIZE.max_pixels) // pixel_divisor, 56 * 56)
    raw["prompt"] = prompt
    ev = raw.setdefault("eval", {})
    ev["limit"] = min(ev.get("limit") or PROMPTS["id_test"], PROMPTS["id_test"])
    ev.setdefault("sampling", {})["max_new_tokens"] = tokens
    for name in ("grpo_zero", "final_grpo"):
        grpo = raw.get(name) or {}
        accum, trl = grpo.get("grad_accum", 1), dict(grpo.get("trl") or {})
        per_round = max(1, trl.get("steps_per_generation", accum) // accum)  # optimizer steps a round: kept
        # one completion batch a step instead of grad_accum: a round's rollouts are generated, and their old
        # log-probs computed, at once (1,024 a rank at the 7B recipe's sizes: ~20 GB of RAM here)
        trl["steps_per_generation"], grpo["grad_accum"], grpo["trl"] = per_round, 1, trl
        grpo.update(max_steps=per_round, save_steps=per_round, max_completion_length=tokens)  # one round
        raw[name] = grpo
    distill = raw.setdefault("distill", {})
    distill.update(limit=PROMPTS["train"] // 3, max_new_tokens=tokens)
    cold = raw.setdefault("cold_start", {})
    for method in ("dpo", "sft"):
        cfg = cold.setdefault(method, {})
        cfg.update(max_steps=2, save_steps=1, grad_accum=1)
        if cfg.get("gf_every"):
            cfg.update(gf_every=1, gf_limit=4, gf_max_new_tokens=tokens)


# Qwen2-VL/2.5-VL's stock processor: 4-16384 tokens of 28x28 pixels (the recipe's prompt caps it); long positions
REHEARSAL_SIZE = TinySize(min_pixels=56 * 56, max_pixels=28 * 28 * 16384, max_positions=32768)


def tiny_base(base: Path | None, out: Path, arch: str) -> Path:
    """A tiny random model of ``base``'s family with its tokenizer, processor and chat template (or, without a base
    folder, ``arch`` with Qwen's stock processor settings and chat template)."""
    out = out.resolve()
    if (out / "config.json").is_file():
        return out
    if base is None:
        return build_tiny_model(out, arch, size=REHEARSAL_SIZE)
    model_type = json.loads((base / "config.json").read_text())["model_type"]
    return build_tiny_model(out, model_type, size=REHEARSAL_SIZE, processor_from=base)


def sample_records(src: Path, n: int, dst: Path) -> Path:
    """The first ``n`` records of ``src`` with their images, copied beside ``dst``."""
    rows = []
    for _number, row in read_jsonl(src):
        if len(rows) == n:
            break
        rows.append(row)
    for row in rows:
        for rel in row.get("images") or []:
            target = dst.parent / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src.parent / rel, target)
    write_jsonl_atomic(dst, rows)
    return dst


def synthetic_records(dst: Path, n: int, split: str) -> Path:
    """``n`` arithmetic questions about numbers drawn on large images: 0.3-12 MP, wide, tall and square, 1-3 per
    record; a few multiple-choice. Deterministic for a split."""
    from PIL import Image, ImageDraw

    rng = random.Random(f"rehearsal-{split}")
    rows = []
    for i in range(n):
        a, b = rng.randint(2, 99), rng.randint(2, 99)
        images = []
        for k in range(rng.choice([1, 1, 2, 3])):
            w, h = SIZES[(i + k) % len(SIZES)]
            img = Image.new("RGB", (w, h), tuple(rng.randrange(256) for _ in range(3)))
            draw = ImageDraw.Draw(img)
            draw.rectangle([w // 8, h // 8, w // 2, h // 2], fill=(255, 255, 255))
            draw.text((w // 8 + 4, h // 8 + 4), f"{a} + {b}" if k == 0 else f"figure {k}", fill=(0, 0, 0))
            rel = f"images/{split}-{i}-{k}.jpg"
            (dst.parent / rel).parent.mkdir(parents=True, exist_ok=True)
            with atomic_file(dst.parent / rel, "wb") as handle:
                img.save(handle, format="JPEG", quality=70)
            images.append(rel)
        choices = [str(a + b + d) for d in (-2, 0, 3, 5)] if i % 4 == 3 else None
        rows.append({"id": f"{split}-{i}", "question": "What is the sum of the two numbers shown in the figure?",
                     "answer": str(a + b), "images": images, "choices": choices, "answer_type": "integer",
                     "meta": {"family": "rehearsal_sum"}})
    write_jsonl_atomic(dst, rows)
    return dst
