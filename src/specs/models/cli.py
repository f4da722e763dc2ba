"""``specs tiny-model``: build a random tiny Qwen-family model, fully offline."""

from __future__ import annotations

from pathlib import Path

import typer

from specs.models.tiny import ARCHS, build_tiny_model
from specs.paths import check_output


def tiny_model_command(
    out: Path = typer.Option(..., "--out", help="Folder to write (a normal Hugging Face model folder)."),
    arch: str = typer.Option("qwen2_5_vl", "--arch", help=f"One of: {', '.join(ARCHS)}."),
    seed: int = typer.Option(0, "--seed", help="Weight initialisation seed."),
) -> None:
    """Build a randomly initialised tiny model + locally trained tokenizer + processor."""
    if arch not in ARCHS:
        raise typer.BadParameter(f"unknown arch {arch!r}; choose one of {', '.join(ARCHS)}", param_hint="--arch")

    check_output(out, {}, folder=True)
    path = build_tiny_model(out, arch, seed=seed)
    typer.echo(f"wrote {arch} model to {path}")
