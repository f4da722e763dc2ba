"""Randomly initialised tiny Qwen-family models, built offline from a config (no download).

Tests and the toy world use them; they have the real architectures, so code that works on them works on
real Qwen2-VL / Qwen2.5-VL / Qwen3-VL checkpoints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from specs.models.loading import load_processor, save_pretrained_atomic
from specs.models.templates import chat_template
from specs.models.tokenizer import train_qwen_tokenizer

ARCHS = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl", "qwen2")


@dataclass(frozen=True)
class TinySize:
    """Model dimensions. Defaults: ~0.9 M parameters, which learns the toy world in ~3 minutes on 2 cores."""

    hidden: int = 128
    layers: int = 3
    heads: int = 4
    kv_heads: int = 2
    vision_hidden: int = 64
    vision_depth: int = 2
    vision_heads: int = 2
    vocab_size: int = 512
    patch_size: int = 14
    image_size: int = 84  # min = max pixels = image_size², so toy images are never resized
    min_pixels: int | None = None  # the processor's range, when not image_size² (a real model's settings)
    max_pixels: int | None = None
    max_positions: int = 2048


def _text_config(arch: str, size: TinySize, vocab: int, tok) -> dict:
    head_dim = size.hidden // size.heads
    cfg = dict(
        vocab_size=vocab,
        hidden_size=size.hidden,
        intermediate_size=2 * size.hidden,
        num_hidden_layers=size.layers,
        num_attention_heads=size.heads,
        num_key_value_heads=size.kv_heads,
        max_position_embeddings=size.max_positions,
        bos_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        tie_word_embeddings=True,
    )
    if arch != "qwen2":  # multimodal rope: sum(mrope_section) * 2 == head_dim
        half = head_dim // 2
        section = [half - 2 * (half * 3 // 8), half * 3 // 8, half * 3 // 8]  # 7B: [16, 24, 24]
        cfg["rope_parameters"] = {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": section}
    if arch == "qwen3_vl":
        cfg["head_dim"] = head_dim
        cfg["rope_parameters"]["mrope_interleaved"] = True
    return cfg


def build_config(arch: str, size: TinySize, tok):
    """The transformers config for ``arch`` at ``size``, with special-token ids taken from ``tok``."""
    from transformers import Qwen2_5_VLConfig, Qwen2Config, Qwen2VLConfig, Qwen3VLConfig

    vocab = max(len(tok), size.vocab_size)
    text = _text_config(arch, size, vocab, tok)
    if arch == "qwen2":
        return Qwen2Config(**text)
    ids = {
        "image_token_id": tok.convert_tokens_to_ids("<|image_pad|>"),
        "video_token_id": tok.convert_tokens_to_ids("<|video_pad|>"),
        "vision_start_token_id": tok.convert_tokens_to_ids("<|vision_start|>"),
        "vision_end_token_id": tok.convert_tokens_to_ids("<|vision_end|>"),
    }
    if arch == "qwen2_vl":  # its vision config names the widths differently and has no windows
        vision = dict(
            depth=size.vision_depth,
            embed_dim=size.vision_hidden,
            hidden_size=size.hidden,
            mlp_ratio=2,
            num_heads=size.vision_heads,
            patch_size=size.patch_size,
            spatial_merge_size=2,
            temporal_patch_size=2,
        )
        return Qwen2VLConfig(text_config=text, vision_config=vision, tie_word_embeddings=True, **ids)
    vision = dict(
        depth=size.vision_depth,
        hidden_size=size.vision_hidden,
        intermediate_size=2 * size.vision_hidden,
        num_heads=size.vision_heads,
        patch_size=size.patch_size,
        spatial_merge_size=2,
        temporal_patch_size=2,
        out_hidden_size=size.hidden,
    )
    if arch == "qwen2_5_vl":
        vision.update(window_size=4 * size.patch_size, fullatt_block_indexes=[size.vision_depth - 1])
        return Qwen2_5_VLConfig(text_config=text, vision_config=vision, tie_word_embeddings=True, **ids)
    vision.update(num_position_embeddings=64, deepstack_visual_indexes=[0], hidden_act="gelu_pytorch_tanh")
    return Qwen3VLConfig(text_config=text, vision_config=vision, tie_word_embeddings=True, **ids)


def build_processor(arch: str, tok, size: TinySize):
    """An image-only processor (works without torchvision) with the real Qwen chat template."""
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    from specs.models.processors import IMAGE_ONLY_PROCESSORS  # lazy: it imports transformers at its top

    tok.chat_template = chat_template(arch)
    if arch == "qwen2":
        return tok
    pixels = size.image_size**2
    image_processor = Qwen2VLImageProcessorPil(
        min_pixels=size.min_pixels or pixels, max_pixels=size.max_pixels or pixels, patch_size=size.patch_size,
        merge_size=2, temporal_patch_size=2,
    )
    return IMAGE_ONLY_PROCESSORS[arch](image_processor=image_processor, tokenizer=tok, chat_template=tok.chat_template)


def build_tiny_model(
    out: str | Path,
    arch: str = "qwen2_5_vl",
    corpus: Iterable[str] | None = None,
    size: TinySize = TinySize(),
    seed: int = 0,
    processor_from: Path | None = None,
) -> Path:
    """Train a tokenizer on ``corpus``, build a random model of ``arch``, save both as a normal HF folder.

    ``processor_from``: a real checkpoint's folder whose tokenizer, processor and chat template the tiny model takes
    instead (its vocabulary too)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoModelForImageTextToText


    if arch not in ARCHS:
        raise ValueError(f"unknown arch {arch!r}; choose one of {', '.join(ARCHS)}")

    if processor_from is not None:
        processor = load_processor(processor_from)
        tok = getattr(processor, "tokenizer", processor)
    else:
        tok = train_qwen_tokenizer(corpus if corpus is not None else default_corpus(), size.vocab_size)
        processor = build_processor(arch, tok, size)
    config = build_config(arch, size, tok)
    torch.manual_seed(seed)
    auto = AutoModelForCausalLM if arch == "qwen2" else AutoModelForImageTextToText
    model = auto.from_config(config)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.pad_token_id = tok.pad_token_id
    return save_pretrained_atomic(model, processor, out)


def default_corpus() -> list[str]:
    """Enough text for a tokenizer that covers the SPECS format, numbers and everyday question words."""
    words = (
        "How many objects are there? Subtract all red green blue yellow squares circles triangles. "
        "Which colour appears most often? Are there more than fewer Choices: yes no equal left "
        "Think step by step inside tags, then give the final answer. Put it in \\boxed{}. "
        "There are objects. The answer is Answer: So the total is"
    )
    lines = [words, "<think>reasoning</think>\n<answer>The answer is $\\boxed{12}$</answer>"]
    lines += [
        f"{a} + {b} = {a + b}. {a} - {b} = {a - b}. {a}/{b} = \\frac{{{a}}}{{{b}}}"
        for a in range(20)
        for b in range(1, 9)
    ]
    return lines * 3
