"""Build the toy base model: a tiny random VLM pretrained on toy-world transcripts and captions, then measured.

The result behaves like an instruct VLM before RL: sometimes formatted, usually a biased glance, now and then an
exact count — and its card records the precondition for RL (``rl_headroom``) before any RL runs. Deterministic
by seed; cached (a folder whose card has the same settings and prompt is reused); and shipped prebuilt
(``specs.toybase.prebuilt``), because a base that reads colour and shape takes minutes of CPU to pretrain.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import Field

from specs.config import Strict
from specs.data.jsonl import write_json_atomic
from specs.data.prompt import PromptSpec, load_prompt
from specs.data.records import load_examples
from specs.errors import ModelError
from specs.generation.sampler import open_images
from specs.models.loading import check_model_folder, load_model, load_processor, save_pretrained_atomic
from specs.models.tiny import build_tiny_model
from specs.toybase.headroom import measure
from specs.toybase.loop import prepare, train
from specs.toybase.prebuilt import CARD, install_prebuilt, matches
from specs.toybase.transcripts import CAPTION_QUESTION, GLANCE_SHARE, base_transcript, caption
from specs.toyworld import generate_split


class ToyBaseConfig(Strict):
    """How the toy base model is built and measured."""

    n_pretrain: int = Field(12000, ge=1, description="Question-answer examples (toy-world 'pretrain' split).")
    n_captions: int = Field(6000, ge=0, description="Caption examples (scenes of the pretrain split, described).")
    steps: int = Field(3000, ge=1, description="Optimizer steps.")
    batch_size: int = Field(32, ge=1, description="Examples per step.")
    learning_rate: float = Field(2e-3, gt=0, description="Peak AdamW learning rate (cosine decay to 0).")
    warmup_steps: int = Field(30, ge=0, description="Linear warm-up steps.")
    grad_clip: float = Field(1.0, gt=0, description="Gradient-norm clip.")
    glance_share: float = Field(GLANCE_SHARE, ge=0, le=1, description="Share of 'glance' transcripts (else count).")
    seed: int = Field(0, description="Seed for data, transcripts, initialisation and data order.")
    eval_n: int = Field(200, ge=1, description="Held-out prompts per split for the card's rates.")


def corpus(examples, prompt: PromptSpec, cfg: ToyBaseConfig) -> tuple[list, list[list[dict]], list[str]]:
    """``(examples, messages, responses)``: one transcript per record (its prompt rendered by the recipe's prompt
    spec, exactly as every stage renders it), then ``n_captions`` caption examples."""
    rng = random.Random(f"{cfg.seed}:transcripts")
    messages, responses = [], []
    for e in examples:
        picked = prompt.phrasing(e)  # the habit is tied to the phrasing the stages will render
        messages.append(prompt.messages(e))
        responses.append(base_transcript(e.meta, e.question, e.answer, picked[0] if picked else 0, rng,
                                         list(e.choices) if e.choices else None, glance_share=cfg.glance_share))
    captions = [replace(e, id=f"caption-{i}", question=CAPTION_QUESTION)
                for i, e in enumerate(examples[: cfg.n_captions])]
    system = [{"role": "system", "content": prompt.system}] if prompt.system else []
    messages += [system + [{"role": "user", "content": CAPTION_QUESTION}] for _ in captions]
    responses += [caption(e.meta["scene"]) for e in captions]
    return list(examples) + captions, messages, responses


def cached_card(out: Path, cfg: ToyBaseConfig, prompt: PromptSpec) -> dict[str, Any] | None:
    """The card of an already-built toy base with the same settings and prompt, or None."""

    card_path = out / CARD
    if not card_path.is_file():
        return None
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
        check_model_folder(out)  # a card beside truncated or missing weights is rebuilt, not reused
    except (OSError, ValueError, ModelError):
        return None
    return card if matches(card, cfg.model_dump(), prompt.model_dump()) else None


def build_toy_base(out: str | Path, cfg: ToyBaseConfig | None = None, prompt: PromptSpec | None = None,
                   force: bool = False, log=None) -> dict[str, Any]:
    """Build (or reuse, or install the prebuilt) toy base in ``out`` and return its card."""

    out, cfg, prompt = Path(out), cfg or ToyBaseConfig(), prompt or load_prompt("toy")
    if not force:
        card = cached_card(out, cfg, prompt) or install_prebuilt(out, cfg.model_dump(), prompt.model_dump())
        if card is not None:
            return card
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="specs-toybase-") as tmp:
        tmp = Path(tmp)
        examples, messages, responses = corpus(
            load_examples(generate_split(tmp / "world", "pretrain", cfg.n_pretrain, cfg.seed)), prompt, cfg)
        texts = [m["content"] for conv in messages for m in conv] + responses
        random_model = build_tiny_model(tmp / "random", "qwen2_5_vl", corpus=texts, seed=cfg.seed)
        model, processor = load_model(random_model, dtype="float32"), load_processor(random_model)
        data = prepare(processor, messages, [imgs[0] for imgs in open_images(examples)], responses)
        history = train(model, processor, data, steps=cfg.steps, batch_size=cfg.batch_size,
                        learning_rate=cfg.learning_rate, warmup_steps=cfg.warmup_steps, grad_clip=cfg.grad_clip,
                        seed=cfg.seed, log=log)
        save_pretrained_atomic(model, processor, out)
        seconds = round(time.perf_counter() - started, 1)

        card = {
            "settings": cfg.model_dump(),
            "prompt": prompt.model_dump(),
            "pretrain_seconds": seconds,
            "loss_history": history,
            **measure(out, tmp / "eval", cfg.eval_n, cfg.seed + 1000, prompt),
            "command": "specs toy-base --out DIR --force",
        }
    write_json_atomic(out / CARD, card)
    return card
