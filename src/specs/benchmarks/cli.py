"""``specs benchmark``: convert local benchmark / training files to canonical JSONL, and break reports down.

Heavy libraries (pyarrow, datasets, transformers) are imported inside the commands' code paths only, so
``specs --help`` stays fast. Bad input prints one ``error: FILE:LINE: field 'x': …`` line and exits 1.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from specs.benchmarks.breakdowns import BREAKDOWNS, benchmark_breakdown
from specs.benchmarks.convert import ADAPTERS, convert
from specs.benchmarks.training import load_training_rows
from specs.console import OneLineErrors
from specs.data.jsonl import read_json, write_json_atomic
from specs.data.records import load_examples
from specs.errors import ConfigError, DataError
from specs.paths import check_output

app = typer.Typer(
    cls=OneLineErrors,
    help="Benchmarks (MathVista, MathVerse, MATH-Vision, MMMU) and RL training sets from local files.",
    no_args_is_help=True,
)


@app.command("convert")
def convert_command(
    benchmark: str = typer.Argument(..., help="mathvista | mathverse | mathvision | mmmu"),
    path: Path = typer.Argument(..., help="Local file or folder (parquet, JSON, JSONL + images, save_to_disk)."),
    out: Path = typer.Option(..., "--out", help="Output folder: <out>/<benchmark>.jsonl + images/."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first n rows."),
    split: str | None = typer.Option(None, "--split", help="Split to pick in a folder of several."),
) -> None:
    """Convert one benchmark's local files into a canonical JSONL file with PNGs beside it."""

    if benchmark in ADAPTERS:  # an unknown name is convert's own one-line error
        check_output(out, {"PATH": path}, folder=True)
    written = convert(benchmark, path, out, limit, split=split)
    examples = load_examples(written)
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

    check_output(out, {"PATH": path, "--tokenizer": tokenizer}, folder=True)
    report = load_training_rows(
        path, out, limit, max_image_pixels, max_prompt_tokens, tokens_per_image,
        tokenizer_path=tokenizer, overhead_tokens=overhead_tokens, name=name, split=split,
    )
    typer.echo(report.summary())


def _per_prompt(report: Path) -> list[dict]:
    """An eval report's ``per_prompt`` entries, each with an id, n and n_correct, or a ``DataError``."""

    entries = read_json(report)
    entries = entries.get("per_prompt") if isinstance(entries, dict) else None
    if not isinstance(entries, list):
        raise DataError(report, None, "not an eval report (no per_prompt list; write one with specs eval)",
                        "per_prompt")
    for i, entry in enumerate(entries):
        if not (isinstance(entry, dict) and {"id", "n", "n_correct"} <= set(entry)
                and all(isinstance(entry[k], int) and not isinstance(entry[k], bool) for k in ("n", "n_correct"))):
            raise DataError(report, None, f"entry {i}: expected id, n and n_correct (integers)", "per_prompt")
    return entries


@app.command("breakdown")
def breakdown_command(
    data: Path = typer.Argument(..., help="Canonical JSONL written by `convert`."),
    report: Path = typer.Argument(..., help="Eval report JSON (with per_prompt)."),
    benchmark: str | None = typer.Option(None, "--benchmark", help="Default: meta.benchmark of the records."),
    out: Path | None = typer.Option(None, "--out", help="Write the breakdown JSON here."),
) -> None:
    """Per-category accuracy of an eval report, by the benchmark's usual keys."""

    if out is not None:
        check_output(out, {"DATA": data, "REPORT": report})
    examples = load_examples(data, check_images=False)
    if not examples:
        raise DataError(data, None, "no records")
    name = benchmark or str(examples[0].meta.get("benchmark", ""))
    if name not in BREAKDOWNS:
        raise ConfigError(f"--benchmark {name!r}: choose one of {', '.join(BREAKDOWNS)} (the records name none)")
    table = benchmark_breakdown([e.meta for e in examples], [e.id for e in examples], _per_prompt(report), name)
    if out is not None:
        write_json_atomic(out, table)
    for key, groups in table.items():
        typer.echo(f"{key}:")
        for value, cell in groups.items():
            typer.echo(f"  {value}: {cell['accuracy']:.4f} (n={cell['n']})")
