"""``specs benchmark``: convert local benchmark / training files to canonical JSONL, and break reports down.

Heavy libraries (pyarrow, datasets, transformers) are imported inside the commands' code paths only, so
``specs --help`` stays fast. Bad input prints one ``error: FILE:LINE: field 'x': …`` line and exits 1.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import typer

from specs.data.jsonl import DataError

app = typer.Typer(
    help="Benchmarks (MathVista, MathVerse, MATH-Vision, MMMU) and RL training sets from local files.",
    no_args_is_help=True,
)


def _fail(err: Exception) -> typer.Exit:
    typer.echo(f"error: {err}", err=True)
    return typer.Exit(1)


@app.command("convert")
def convert_command(
    benchmark: str = typer.Argument(..., help="mathvista | mathverse | mathvision | mmmu"),
    path: Path = typer.Argument(..., help="Local file or folder (parquet, JSON, JSONL + images, save_to_disk)."),
    out: Path = typer.Option(..., "--out", help="Output folder: <out>/<benchmark>.jsonl + images/."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first n rows."),
    split: str | None = typer.Option(None, "--split", help="Split to pick in a folder of several."),
) -> None:
    """Convert one benchmark's local files into a canonical JSONL file with PNGs beside it."""
    from specs.benchmarks.breakdowns import BREAKDOWNS
    from specs.benchmarks.convert import ADAPTERS, convert
    from specs.config import ConfigError
    from specs.data.records import load_examples
    from specs.paths import check_output

    try:
        if benchmark in ADAPTERS:  # an unknown name is convert's own one-line error
            check_output(out, {"PATH": path}, folder=True)
        written = convert(benchmark, path, out, limit, split=split)
        examples = load_examples(written)
    except (ConfigError, DataError, ValueError) as err:
        raise _fail(err) from None
    n_images = sum(len(e.images) for e in examples)
    n_choice = sum(e.choices is not None for e in examples)
    typer.echo(f"{written}: {len(examples)} records, {n_images} images, {n_choice} with choices")
    for key in BREAKDOWNS[benchmark]:
        counts: Counter[str] = Counter()
        for e in examples:
            value = e.meta.get(key)
            counts.update(str(v) for v in (value if isinstance(value, list) else [value]) if v not in (None, ""))
        if counts:
            largest = ", ".join(f"{k}={n}" for k, n in counts.most_common(3))
            typer.echo(f"  {key}: {len(counts)} values (largest: {largest})")


@app.command("training-data")
def training_data_command(
    path: Path = typer.Argument(..., help="save_to_disk folder, parquet file/folder, or JSON/JSONL."),
    out: Path = typer.Option(..., "--out", help="Output folder: <out>/<name>.jsonl + images/ + report."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first n rows read."),
    max_image_pixels: int | None = typer.Option(None, "--max-image-pixels", min=1, help="Processor max_pixels."),
    max_prompt_tokens: int | None = typer.Option(None, "--max-prompt-tokens", min=1, help="Drop longer prompts."),
    tokens_per_image: int | None = typer.Option(None, "--tokens-per-image", min=0, help="Fixed count per image."),
    tokenizer: Path | None = typer.Option(None, "--tokenizer", help="Local tokenizer folder for text tokens."),
    overhead_tokens: int = typer.Option(0, "--overhead-tokens", min=0, help="Template + instruction tokens."),
    name: str = typer.Option("train", "--name", help="Output file name (without .jsonl)."),
    split: str | None = typer.Option(None, "--split", help="Split of a DatasetDict / folder of splits."),
) -> None:
    """Convert an Orsta-47K / ViRL39K-style training set, dropping prompts too long once images are counted."""
    from specs.benchmarks.training import load_training_rows

    try:
        report = load_training_rows(
            path, out, limit, max_image_pixels, max_prompt_tokens, tokens_per_image,
            tokenizer_path=tokenizer, overhead_tokens=overhead_tokens, name=name, split=split,
        )
    except (DataError, ValueError, OSError) as err:
        raise _fail(err) from None
    typer.echo(report.summary())


@app.command("breakdown")
def breakdown_command(
    data: Path = typer.Argument(..., help="Canonical JSONL written by `convert`."),
    report: Path = typer.Argument(..., help="Eval report JSON (with per_prompt)."),
    benchmark: str | None = typer.Option(None, "--benchmark", help="Default: meta.benchmark of the records."),
    out: Path | None = typer.Option(None, "--out", help="Write the breakdown JSON here."),
) -> None:
    """Per-category accuracy of an eval report, by the benchmark's usual keys."""
    from specs.benchmarks.breakdowns import benchmark_breakdown
    from specs.data.jsonl import write_json_atomic
    from specs.data.records import load_examples

    try:
        examples = load_examples(data, check_images=False)
        name = benchmark or str(examples[0].meta.get("benchmark", ""))
        per_prompt = json.loads(report.read_text(encoding="utf-8"))["per_prompt"]
        table = benchmark_breakdown([e.meta for e in examples], [e.id for e in examples], per_prompt, name)
    except (DataError, ValueError, OSError, KeyError, TypeError) as err:
        message = ValueError(f"{report}: no {err} in the report") if isinstance(err, KeyError) else err
        raise _fail(message) from None
    if out is not None:
        write_json_atomic(out, table)
    for key, groups in table.items():
        typer.echo(f"{key}:")
        for value, cell in groups.items():
            typer.echo(f"  {value}: {cell['accuracy']:.4f} (n={cell['n']})")
