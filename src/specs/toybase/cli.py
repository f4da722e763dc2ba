"""``specs toy-base``: pretrain (or reuse) the toy base model and print its card."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def toy_base_command(
    out: Path = typer.Option(Path("runs/toy-base"), "--out", help="Model folder (reused when its card matches)."),
    steps: int = typer.Option(500, "--steps", min=1, help="SFT steps."),
    seed: int = typer.Option(0, "--seed", help="Seed for data, initialisation and order."),
    force: bool = typer.Option(False, "--force", help="Rebuild even if a matching model exists."),
) -> None:
    """Pretrain a tiny VLM on toy-world transcripts so it behaves like an instruct VLM before RL."""
    from specs.toybase.pretrain import ToyBaseConfig, build_toy_base

    card = build_toy_base(out, ToyBaseConfig(steps=steps, seed=seed), force=force)  # the toy recipe's prompt
    typer.echo(json.dumps({k: card[k] for k in ("pretrain_seconds", "rates")}, indent=2))
    typer.echo(f"toy base: {out} (card: {out / 'toy_base_card.json'})")
