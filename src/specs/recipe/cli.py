"""``specs run``: the whole SPECS recipe from one YAML (default: the built-in toy recipe)."""

from __future__ import annotations

from pathlib import Path

import typer


def run_command(
    recipe: str | None = typer.Argument(None, help="Recipe YAML, or a built-in name: toy (default), toy-fast."),
    out: Path = typer.Option(..., "--out", help="Run directory (rerunning skips completed stages)."),
    sets: list[str] = typer.Option([], "--set", "-s", help="Override a recipe key: a.b=value (repeatable)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Keep the libraries' own progress bars and logs."),
) -> None:
    """base eval → GRPO-zero → distill → DPO + λ·SFT → final GRPO, with ID/OOD evals after each model.

    The console shows a stage counter, one line per training log step and each eval's result; run.log in the
    run directory keeps the same lines.
    """
    from specs import console
    from specs.distributed import runner_group
    from specs.recipe.plan import run_recipe, table
    from specs.recipe.runner import Run
    from specs.recipe.schema import load_recipe

    if not verbose:
        console.quiet_libraries()
    runner_group()  # the runner loads no model: its process group (under accelerate launch) is gloo, on no GPU
    rows = run_recipe(Run(load_recipe(recipe, sets), out, log=console.say), ready=console.attach, quiet=not verbose)
    from specs.distributed import is_main_process

    if not is_main_process():
        return
    console.say("\n" + table(rows))
    console.say(f"\nrun directory: {out} (report.html, summary.json, run.log, manifest.json, evals/, models/)")
