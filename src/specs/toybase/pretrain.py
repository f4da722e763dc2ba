"""Pretrain the toy base model: SFT (TRL's ``SFTTrainer``) of a tiny random VLM on toy-world transcripts.

The result behaves like an instruct VLM before RL: sometimes formatted, sometimes right. Deterministic by
seed, and cached: a folder whose card records the same settings is reused as it is.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import Field

from specs.config import Strict
from specs.data.prompt import PromptSpec, phrasing_index, requested_format
from specs.toybase.transcripts import base_transcript

CARD = "toy_base_card.json"


class ToyBaseConfig(Strict):
    """How the toy base model is built and measured."""

    n_pretrain: int = Field(12000, ge=1, description="Pretraining examples (toy-world 'pretrain' split).")
    steps: int = Field(500, ge=1, description="SFT optimizer steps.")
    batch_size: int = Field(32, ge=1, description="SFT batch size.")
    learning_rate: float = Field(2e-3, gt=0, description="Peak learning rate (cosine decay after warm-up).")
    warmup_steps: int = Field(30, ge=0, description="Linear warm-up steps.")
    seed: int = Field(0, description="Seed for data, initialisation and data order.")
    eval_n: int = Field(200, ge=1, description="Held-out prompts per split for the card's rates.")


def pretrain_rows(data_path: Path, prompt: PromptSpec, seed: int) -> dict[str, list]:
    """Prompt/completion/image columns for SFT, with one base transcript per record; prompts are rendered by the
    recipe's prompt spec, exactly as every later stage renders them."""
    from specs.data.records import load_examples

    rng = random.Random(f"{seed}:transcripts")
    rows: dict[str, list] = {"prompt": [], "completion": [], "images": []}
    for example in load_examples(data_path, check_images=False):
        rows["prompt"].append(prompt.messages(example))
        phrasing = phrasing_index(example.id, len(prompt.instructions.get(requested_format(example), [""])))
        rows["completion"].append(
            [{"role": "assistant", "content": base_transcript(example.meta, example.answer, phrasing, rng)}]
        )
        rows["images"].append([str(p) for p in example.images])
    return rows


def cached_card(out: Path, cfg: ToyBaseConfig) -> dict[str, Any] | None:
    """The card of an already-built toy base with the same settings, or None."""
    card_path = out / CARD
    if not card_path.is_file() or not (out / "config.json").is_file():
        return None
    card = json.loads(card_path.read_text())
    return card if card.get("settings") == cfg.model_dump() else None


def build_toy_base(out: str | Path, cfg: ToyBaseConfig | None = None, prompt: PromptSpec | None = None,
                   force: bool = False) -> dict[str, Any]:
    """Build (or reuse) the toy base model in ``out`` and return its card."""
    import datasets

    from specs.data.jsonl import write_json_atomic
    from specs.data.prompt import load_prompt
    from specs.models.tiny import build_tiny_model
    from specs.stages.sft import SFTStageConfig, train_sft
    from specs.toyworld import generate_split

    out, cfg, prompt = Path(out), cfg or ToyBaseConfig(), prompt or load_prompt("toy")
    if not force and (card := cached_card(out, cfg)) is not None:
        return card
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="specs-toybase-") as tmp:
        tmp = Path(tmp)
        data = generate_split(tmp / "world", "pretrain", cfg.n_pretrain, cfg.seed)
        rows = pretrain_rows(data, prompt, cfg.seed)
        corpus = [p[0]["content"] for p in rows["prompt"]] + [c[0]["content"] for c in rows["completion"]]
        random_model = build_tiny_model(tmp / "random", "qwen2_5_vl", corpus=corpus, seed=cfg.seed)
        dataset = datasets.Dataset.from_dict(rows).cast_column("images", datasets.List(datasets.Image()))
        sft = SFTStageConfig(
            learning_rate=cfg.learning_rate,
            batch_size=cfg.batch_size,
            max_steps=cfg.steps,
            lr_scheduler="cosine",
            warmup_steps=cfg.warmup_steps,
            seed=cfg.seed,
            freeze_vision=False,
            logging_steps=50,
        )
        train_sft(random_model, dataset, out, sft, prompt)
        train_seconds = time.perf_counter() - started
        card = {
            "settings": cfg.model_dump(),
            "pretrain_seconds": round(train_seconds, 1),
            "rates": measure(out, tmp / "eval", cfg, prompt),
            "command": "specs toy-base --out " + str(out),
            "targets": {"format_rate": [0.30, 0.50], "accuracy": [0.30, 0.60]},
        }
    write_json_atomic(out / CARD, card)
    return card


def measure(model: Path, data_dir: Path, cfg: ToyBaseConfig, prompt: PromptSpec) -> dict[str, Any]:
    """Greedy and T=1 rates on fresh id-test and ood-test scenes (never seen in pretraining)."""
    from specs.generation.hf import SamplingConfig
    from specs.stages.evaluate import evaluate
    from specs.toyworld import generate_split

    rates: dict[str, Any] = {}
    for split in ("id-test", "ood-test"):
        data = generate_split(data_dir, split, cfg.eval_n, cfg.seed + 1000)
        for name, temperature in (("greedy", 0.0), ("t1", 1.0)):
            sampling = SamplingConfig(temperature=temperature, batch_size=64)
            report = evaluate(model, data, prompt, sampling, progress=None)
            rates[f"{split}/{name}"] = {
                "accuracy": round(report["accuracy"], 4),
                "format_rate": round(report["format_rate"], 4),
                "n": report["n"],
                "breakdown": {k: {m: round(v, 4) for m, v in r.items()} for k, r in report["breakdown"].items()},
            }
    rates["eval_data"] = {"seed": cfg.seed + 1000, "n_per_split": cfg.eval_n}
    return rates
