"""``specs toy-base``: install (or rebuild) the toy base model and print its card."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from specs.atomic import MARK, mark
from specs.paths import check_output
from specs.toybase.prebuilt import CARD
from specs.toybase.pretrain import ToyBaseConfig, build_toy_base


def toy_base_command(
    out: Path = typer.Option(Path("runs/toy-base"), "--out", help="Model folder (reused when its card matches)."),
    steps: int | None = typer.Option(None, "--steps", min=1, help="Optimizer steps (default: ToyBaseConfig's)."),
    seed: int = typer.Option(0, "--seed", help="Seed for data, initialisation and order."),
    force: bool = typer.Option(False, "--force", help="Pretrain from scratch even if a matching model exists."),
) -> None:
    """The toy base: a tiny VLM pretrained on toy-world transcripts and captions, like an instruct VLM before RL.

    At the default settings the package's prebuilt model is installed; --force (or other settings) pretrains it
    (about 10-20 minutes on 2 CPU cores). The prompt is the toy recipes' (src/specs/data/prompts/toy.yaml).
    """

    cfg = ToyBaseConfig(seed=seed) if steps is None else ToyBaseConfig(steps=steps, seed=seed)

    if out.is_dir() and (out / CARD).is_file() and not (out / MARK).exists():
        mark(out)  # a toy base installed before specs marked its folders: its card says it is ours
    check_output(out, {}, folder=True)
    card = build_toy_base(out, cfg, force=force, log=lambda line: typer.echo(line, err=True))
    typer.echo(json.dumps({k: card[k] for k in ("pretrain_seconds", "rl_headroom")}, indent=2))
    typer.echo(f"toy base: {out} (card: {out / 'toy_base_card.json'})")
