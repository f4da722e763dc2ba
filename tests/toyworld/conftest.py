"""Shared toy-world splits, generated once per test session (small sizes keep the suite fast)."""

from __future__ import annotations

from pathlib import Path

import pytest

from specs.toyworld.generate import generate_split

SIZES = {"train": 500, "id-test": 500, "ood-test": 600, "pretrain": 900}


@pytest.fixture(scope="session")
def splits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("toyworld")
    return {split: generate_split(out, split, n, seed=0) for split, n in SIZES.items()}
