"""``specs toyworld generate``: write one split of the toy world and print what it holds."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import typer

from specs.console import OneLineErrors
from specs.data.jsonl import read_jsonl
from specs.errors import ConfigError
from specs.paths import check_output
from specs.toyworld.generate import SPLITS, generate_split

app = typer.Typer(cls=OneLineErrors, help="The procedural toy visual-reasoning world (84×84 grid scenes).",
                  no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Keep ``generate`` a named subcommand even while it is the only one."""


@app.command("generate")
def generate(
    out: Path = typer.Option(..., "--out", help="Output folder: <out>/<split>.jsonl and <out>/images/<split>/."),
    split: str = typer.Option(..., "--split", help=f"One of: {', '.join(SPLITS)}."),
    n: int = typer.Option(1000, "--n", help="Number of examples."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same split, n, seed → identical files)."),
) -> None:
    """Generate a split deterministically; its scenes never occur in another split."""
    if split not in SPLITS:
        raise ConfigError(f"unknown split {split!r} (choose from: {', '.join(SPLITS)})")
    if n < 1:
        raise ConfigError(f"--n must be at least 1, got {n}")
    check_output(out, {}, folder=True)
    start = time.perf_counter()
    path = generate_split(out, split, n, seed)
    seconds = time.perf_counter() - start
    rows = [row for _, row in read_jsonl(path)]
    typer.echo(f"{path}: {len(rows)} examples in {seconds:.1f} s ({len(rows) / max(seconds, 1e-9):.0f}/s)")
    for key, label in (("family", "families"), ("format", "formats"), ("ood", "ood")):
        counts = Counter(str(row["meta"][key]) for row in rows if key in row["meta"])
        if counts:
            typer.echo(f"  {label}: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
