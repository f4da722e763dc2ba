"""Helpers for the toy-world tests, written independently of the generator's own code."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def scene_key(scene: list[dict]) -> str:
    """The scene signature: objects sorted by cell, ``cell:shape:colour`` joined by ``|``."""
    return "|".join(f"{o['cell']}:{o['shape']}:{o['colour']}" for o in sorted(scene, key=lambda o: o["cell"]))


def bucket(scene: list[dict]) -> int:
    return int.from_bytes(hashlib.sha256(scene_key(scene).encode()).digest()[:8], "big") % 10
