"""Pairs file → the datasets the cold-start trainers take (DPO pairs, or SFT on the chosen side)."""

from __future__ import annotations

from pathlib import Path

from specs.data.prompt import PromptSpec
from specs.pairs.io import read_pairs, to_dpo_rows, to_sft_rows


def _with_images(columns: dict):
    import datasets

    return datasets.Dataset.from_dict(columns).cast_column("images", datasets.List(datasets.Image(mode="RGB")))


def dpo_dataset(pairs: Path, prompt: PromptSpec):
    """``prompt``/``chosen``/``rejected``/``images`` for TRL's DPOTrainer (prompts rendered by ``prompt``)."""

    return _with_images(to_dpo_rows(read_pairs(pairs), prompt))


def sft_dataset(pairs: Path, prompt: PromptSpec):
    """``prompt``/``completion``/``images`` (the chosen responses) for TRL's SFTTrainer."""

    return _with_images(to_sft_rows(read_pairs(pairs), prompt))
