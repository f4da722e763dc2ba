"""``specs data check``: validate a canonical JSONL file and print what it holds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from specs.data.jsonl import DataError
from specs.data.records import load_examples

app = typer.Typer(help="Canonical dataset files (JSONL + images).", no_args_is_help=True)


@app.command("check")
def check(path: Path = typer.Argument(..., help="Canonical JSONL file.")) -> None:
    """Validate every record (fields, types, images, unique ids) and print counts."""
    try:
        examples = load_examples(path)
    except DataError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None
    n_images = sum(len(e.images) for e in examples)
    typer.echo(f"{path}: {len(examples)} records, {n_images} images, "
               f"{sum(e.choices is not None for e in examples)} multiple choice")
    for key, label in (("family", "families"), ("format", "formats")):
        counts = Counter(str(e.meta[key]) for e in examples if key in e.meta)
        if counts:
            typer.echo(f"  {label}: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
