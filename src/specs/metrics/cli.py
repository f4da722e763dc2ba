"""``specs rbf``: sample responses from a model and report its Rollout Branching Factor."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from specs.data.jsonl import write_json_atomic
from specs.data.prompt import load_prompt
from specs.data.records import load_examples
from specs.errors import DataError
from specs.generation.hf import SamplingConfig
from specs.metrics.branching import DEFAULT_TOP_P
from specs.paths import check_output
from specs.stages.evaluate import branching_report


def rbf_command(
    model: Path = typer.Argument(..., help="Model folder."),
    data: Path = typer.Argument(..., help="Canonical JSONL of prompts."),
    samples: int = typer.Option(8, "--samples", min=1, help="Responses sampled per prompt."),
    temperature: float = typer.Option(
        1.0, "--temperature", min=0.0, help="Sampling temperature (the nucleus is measured at this temperature)."
    ),
    max_new_tokens: int = typer.Option(64, "--max-new-tokens", min=1, help="Generation budget per response."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first n records."),
    out: Path | None = typer.Option(None, "--out", help="Also write the result as JSON here."),
    seed: int = typer.Option(0, "--seed", help="Sampling seed."),
    prompt: str | None = typer.Option(
        None, "--prompt", help="Built-in prompt name (toy, reasoning), recipe YAML or prompt YAML (default: reasoning)."
    ),
) -> None:
    """Rollout Branching Factor: mean top-p-0.95 nucleus size over all generated positions (token-weighted).

    Responses are sampled from the full temperature-scaled distribution (top_p = 1); the nucleus size at each
    position is measured on that same distribution. Temperature 0 means greedy decoding (nucleus sizes of about 1).
    """

    if out is not None:
        check_output(out, {"MODEL": model, "DATA": data})
    sampling = SamplingConfig(n=samples, temperature=temperature, top_p=1.0, max_new_tokens=max_new_tokens, seed=seed)
    examples = load_examples(data)[:limit]
    if not examples:
        raise DataError(data, None, "no records")
    spec = load_prompt(prompt)
    report = {**branching_report(model, examples, sampling, spec), "model": str(model), "data": str(data)}
    typer.echo(f"RBF (top-p {DEFAULT_TOP_P}, token-weighted): {report['rbf']:.4f}")
    typer.echo(f"RBF (mean of per-response means): {report['rbf_per_response']:.4f}")
    typer.echo(
        f"{report['n_responses']} responses ({len(examples)} prompts x {samples}), {report['n_positions']} positions"
    )
    typer.echo(f"sampling: {json.dumps(report['sampling'])}")
    if out is not None:
        write_json_atomic(out, report)
        typer.echo(f"wrote {out}")


__all__ = ["rbf_command"]
