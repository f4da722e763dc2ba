"""``specs lmms-eval``: any stage's checkpoint on lmms-eval tasks, with the recipe's prompt, into one eval JSON.

Register with ``app.command("lmms-eval")(lmms_eval_command)``. lmms-eval is an optional extra, imported only here
and only when the command runs; without it the command says how to install it.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import typer

from specs.config import load
from specs.data.jsonl import write_json_atomic
from specs.data.prompt import load_prompt
from specs.errors import ConfigError, SpecsError
from specs.generation.hf import SamplingConfig
from specs.lmms.run import check_sampling, evaluate_lmms
from specs.lmms.tasks import parse_data
from specs.paths import check_output
from specs.stages.cli import PROMPT, SET

INSTALL = ("lmms-eval is not installed (the optional lmms extra). On the CPU stack of requirements.lock: "
           "pip install --no-deps -r requirements-lmms.lock; elsewhere: pip install -e '.[lmms]'")


def lmms_eval_command(
    model: Path = typer.Argument(..., help="Model folder (any stage's checkpoint)."),
    tasks: str = typer.Option(..., "--tasks", help="Comma-separated lmms-eval tasks: ours (specs_mathvista, "
                              "specs_mathverse, specs_mathvision, specs_mmmu, specs_megabench_core[_si], each with "
                              "--data) or any task lmms-eval or --include-path knows."),
    out: Path = typer.Option(..., "--out", help="Result JSON."),
    data: list[str] = typer.Option([], "--data", help="TASK=PATH: the local HF parquet file (or folder of "
                                   "shards) one of our tasks reads (repeatable)."),
    include_path: Path | None = typer.Option(None, "--include-path", help="A folder of your own task YAMLs."),
    prompt: str | None = PROMPT,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first n questions of each task."),
    sets: list[str] = SET,
) -> None:
    """Evaluate with lmms-eval's tasks and metrics (MathVista, MathVerse, MATH-Vision, MMMU, MEGA-Bench) offline."""

    if not installed():
        raise ConfigError(INSTALL)
    names = [t.strip() for t in tasks.split(",") if t.strip()]
    local = parse_data(data)
    check_output(out, {"MODEL": model, "--include-path": include_path, **{f"--data {k}": v for k, v in local.items()}})
    spec, sampling = load_prompt(prompt), load(SamplingConfig, None, sets)
    check_sampling(sampling)
    if not names:
        raise ConfigError("--tasks: give at least one task name")
    try:
        report = evaluate_lmms(model, names, spec, prompt, local, include_path, limit, sampling,
                               output_path=out.parent / f"{out.stem}-lmms")
    except SpecsError:
        raise
    except Exception as err:  # inside lmms-eval or a task's own code: its message as our one line
        raise SpecsError(f"lmms-eval: {type(err).__name__}: {err}") from err
    write_json_atomic(out, report)
    typer.echo(json.dumps(report["results"]))
    typer.echo(f"wrote {out}")


def installed() -> bool:
    """Whether lmms-eval can be imported (checked without importing it: that takes seconds)."""
    return importlib.util.find_spec("lmms_eval") is not None


__all__ = ["lmms_eval_command"]
