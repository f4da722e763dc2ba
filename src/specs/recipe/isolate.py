"""Each stage of ``specs run`` in a fresh process (``specs.fresh_process``), so that its memory is gone before the
next stage starts; the runner's process loads no model. The manifest records each stage's peak resident memory and
the runner's own after it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specs import console
from specs.fresh_process import in_fresh_process, peak_rss_mb, rss_mb


def run_isolated(recipe: dict[str, Any], root: Path, stage: str, quiet: bool) -> dict[str, float]:
    """Run ``stage`` of the run folder ``root`` (``recipe``: the resolved recipe as JSON data) in a fresh process;
    returns its peak resident memory and the runner's, in MB."""
    peak = in_fresh_process(_stage_process, recipe, str(root), stage, quiet, label=stage)
    return {"peak_rss_mb": peak, "runner_rss_mb": rss_mb()}


def _stage_process(recipe_data: dict[str, Any], root: str, name: str, quiet: bool) -> float:
    """The stage's process: the stage as the runner planned it, its lines into the same console and run.log."""
    from specs.recipe.plan import stages
    from specs.recipe.runner import Run
    from specs.recipe.schema import Recipe

    if quiet:
        console.quiet_libraries()
    run = Run(Recipe.model_validate(recipe_data), Path(root), log=console.say, report=False)
    next(s for s in stages(run) if s.name == name).run()
    return peak_rss_mb()
