"""``specs data check``: validate a canonical JSONL file and print what it holds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from specs.console import OneLineErrors
from specs.data.combine import combine
from specs.data.records import load_examples
from specs.paths import check_output

app = typer.Typer(cls=OneLineErrors, help="Canonical dataset files (JSONL + images).", no_args_is_help=True)


@app.command("check")
def check(path: Path = typer.Argument(..., help="Canonical JSONL file.")) -> None:
    """Validate every record (fields, types, images, unique ids) and print counts."""
    examples = load_examples(path)
    n_images = sum(len(e.images) for e in examples)
    typer.echo(f"{path}: {len(examples)} records, {n_images} images, "
               f"{sum(e.choices is not None for e in examples)} multiple choice")
    for key, label in (("family", "families"), ("format", "formats")):
        counts = Counter(str(e.meta[key]) for e in examples if key in e.meta)
        if counts:
            typer.echo(f"  {label}: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))


@app.command("combine")
def combine_command(
    inputs: list[Path] = typer.Argument(..., help="Canonical JSONL files to merge."),
    out: Path = typer.Option(..., "--out", help="The merged training JSONL."),
    holdout: int = typer.Option(0, "--holdout", min=0, help="Records moved to --holdout-out (the ID test set)."),
    holdout_out: Path | None = typer.Option(None, "--holdout-out", help="JSONL for the held-out records."),
    seed: int = typer.Option(0, "--seed", help="Which records are held out."),
) -> None:
    """Merge sources into one training file, holding out a random slice as the in-distribution test set."""

    named = {f"input {i}": path for i, path in enumerate(inputs, 1)}
    check_output(out, named)
    if holdout_out is not None:
        check_output(holdout_out, {**named, "--out": out})
    counts = combine(inputs, out, holdout, holdout_out, seed)
    typer.echo(f"wrote {out} ({counts['train']} records)"
               + (f" and {holdout_out} ({counts['holdout']} held out)" if holdout_out else ""))
