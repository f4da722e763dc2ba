"""``specs run``: the whole SPECS recipe from one YAML (default: the built-in toy recipe)."""

from __future__ import annotations

from pathlib import Path

import typer

from specs import console
from specs.atomic import mark
from specs.distributed import is_main_process, runner_group, wait_for_everyone
from specs.paths import check_output
from specs.recipe.cost import cost_table
from specs.recipe.plan import run_recipe, table
from specs.recipe.rehearsal import RESPONSE_TOKENS, rehearsal_recipe
from specs.recipe.runner import Run
from specs.recipe.schema import load_recipe


def run_command(
    recipe: str | None = typer.Argument(None, help="Recipe YAML, or a built-in name: toy (default), toy-fast."),
    out: Path = typer.Option(..., "--out", help="Run directory (rerunning skips completed stages)."),
    sets: list[str] = typer.Option([], "--set", "-s", help="Override a recipe key: a.b=value (repeatable)."),
    until: str | None = typer.Option(None, "--until", help="Stop after this stage (e.g. grpo_zero); a rerun "
                                     "without it goes on from there."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Keep the libraries' own progress bars and logs."),
) -> None:
    """base eval → GRPO-zero → distill → DPO + λ·SFT → final GRPO, with ID/OOD evals after each model.

    The console shows a stage counter, one line per training log step and each eval's result; run.log in the
    run directory keeps the same lines.
    """

    if not verbose:
        console.quiet_libraries()
    runner_group()  # the runner loads no model: its process group (under accelerate launch) is gloo, on no GPU
    rows = run_recipe(Run(load_recipe(recipe, sets), out, log=console.say), ready=console.attach, quiet=not verbose,
                      until=until)

    if not is_main_process():
        return
    console.say_block("\n" + table(rows))
    console.say_block(f"\nrun directory: {out} (report.html, summary.json, run.log, manifest.json, evals/, models/)")


SIZES_HELP = "Prompts in the full run's {} set (default: the lines of the recipe's file)."


def cost_command(
    recipe: Path = typer.Argument(..., help="Recipe YAML (its model and data need not be here)."),
    gpus: int = typer.Option(8, "--gpus", help="GPUs of the full run."),
    train: int | None = typer.Option(None, "--train", help=SIZES_HELP.format("training")),
    id_test: int | None = typer.Option(None, "--id", help=SIZES_HELP.format("ID test")),
    ood_test: int | None = typer.Option(None, "--ood", help=SIZES_HELP.format("OOD test")),
    sets: list[str] = typer.Option([], "--set", "-s", help="Override a recipe key: a.b=value (repeatable)."),
) -> None:
    """What a recipe will cost: per stage, optimizer steps, generation rounds, prompts, responses, tokens at the
    caps, checkpoints on disk, GPU memory and hours, under the assumptions printed with it."""

    console.say_block(cost_table(recipe, gpus, {"train": train, "id_test": id_test, "ood_test": ood_test}, sets))


def rehearse_command(
    recipe: Path = typer.Argument(..., help="Recipe YAML of a real run."),
    out: Path = typer.Option(..., "--out", help="Rehearsal folder: inputs/ (tiny model, data) and run/."),
    arch: str = typer.Option("qwen2_5_vl", "--arch", help="Model family when the recipe's base folder is not here."),
    gpus: int = typer.Option(8, "--gpus", help="GPUs of the full run (for the cost printed at the end)."),
    train: int | None = typer.Option(None, "--train", help=SIZES_HELP.format("training")),
    id_test: int | None = typer.Option(None, "--id", help=SIZES_HELP.format("ID test")),
    ood_test: int | None = typer.Option(None, "--ood", help=SIZES_HELP.format("OOD test")),
    model: Path | None = typer.Option(None, "--model", help="Rehearse with this model folder instead of a tiny one "
                                      "(a 7B-shaped one on a GPU, as scripts/gpu_check.sh does); images then keep the "
                                      "recipe's pixel cap."),
    tokens: int = typer.Option(RESPONSE_TOKENS, "--tokens", help="Every generation budget, in tokens."),
    until: str | None = typer.Option(None, "--until", help="Stop after this stage (e.g. grpo_zero)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Keep the libraries' own progress bars and logs."),
) -> None:
    """Every stage of a real recipe in minutes: its settings and engines, with a tiny model of the base's family,
    a sample of its data (or synthetic records with large images) and short lengths; then what the full run will
    cost. Launch it as the full run (e.g. accelerate launch with the DeepSpeed config) to rehearse that too."""

    if not verbose:
        console.quiet_libraries()
    runner_group()
    if is_main_process():  # the tiny model and the data, once
        check_output(out, {}, folder=True)
        out.mkdir(parents=True, exist_ok=True)
        mark(out)
        rehearsal_recipe(recipe, out / "inputs", arch, model, tokens)
    wait_for_everyone()
    rows = run_recipe(Run(load_recipe(out / "inputs" / "recipe.yaml"), out / "run", log=console.say),
                      ready=console.attach, quiet=not verbose, until=until)
    if is_main_process():
        console.say_block("\n" + table(rows))
        which = "every stage" if until is None else f"every stage up to {until}"
        console.say_block(f"\nrehearsal passed: {which} of {recipe} ran ({out / 'run'}). The full run will cost:\n")
        console.say_block(cost_table(recipe, gpus, {"train": train, "id_test": id_test, "ood_test": ood_test}))
