"""The toy base shipped with the package: the result of ``specs toy-base --force`` at the default settings.

Pretraining a base that really sees colour and shape takes minutes of CPU; shipping the result keeps ``make demo``
within its budget. It is only used when the requested settings and prompt are exactly the ones it was built
with, and ``make toy-base`` rebuilds it (CI rebuilds it too and checks the card's rates within noise).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from specs.atomic import atomic_dir

PREBUILT = Path(__file__).resolve().parent / "prebuilt"
CARD = "toy_base_card.json"


def prebuilt_card() -> dict[str, Any] | None:
    """The shipped model's card, or None when the package carries no prebuilt model."""
    card = PREBUILT / CARD
    if not card.is_file() or not (PREBUILT / "model.safetensors").is_file():
        return None
    return json.loads(card.read_text())


def matches(card: dict[str, Any] | None, settings: dict[str, Any], prompt: dict[str, Any]) -> bool:
    """True when ``card`` describes a base built with these settings and rendered with this prompt."""
    return card is not None and card.get("settings") == settings and card.get("prompt") == prompt


def install_prebuilt(out: Path, settings: dict[str, Any], prompt: dict[str, Any]) -> dict[str, Any] | None:
    """Copy the shipped model to ``out`` (atomically) if it matches; return its card, else None."""
    card = prebuilt_card()
    if not matches(card, settings, prompt):
        return None
    with atomic_dir(out) as tmp:
        for item in PREBUILT.iterdir():
            if item.is_file():
                shutil.copy2(item, tmp / item.name)
    return card
