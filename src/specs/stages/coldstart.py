"""Pairs file → the datasets the cold-start trainers take (DPO pairs, or SFT on the chosen side)."""

from __future__ import annotations

from pathlib import Path


def _with_images(columns: dict):
    import datasets

    return datasets.Dataset.from_dict(columns).cast_column("images", datasets.List(datasets.Image()))


def dpo_dataset(pairs: Path):
    """``prompt``/``chosen``/``rejected``/``images`` for TRL's DPOTrainer."""
    from specs.pairs.io import read_pairs, to_dpo_rows

    return _with_images(to_dpo_rows(read_pairs(pairs)))


def sft_dataset(pairs: Path):
    """``prompt``/``completion``/``images`` (the chosen responses) for TRL's SFTTrainer."""
    from specs.pairs.io import read_pairs, to_sft_rows

    return _with_images(to_sft_rows(read_pairs(pairs)))
