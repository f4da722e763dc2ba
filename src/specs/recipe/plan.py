"""The SPECS recipe as a list of stages over a run directory, and the summary table at the end."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from specs import console
from specs.data.jsonl import write_json_atomic
from specs.device_memory import PeakDeviceMemory
from specs.distributed import is_main_process, num_processes
from specs.errors import ConfigError
from specs.fresh_process import in_fresh_process, peak_rss_mb, rss_mb
from specs.generation.sample_cache import samples_cache
from specs.judge.config import JudgeConfig
from specs.layout import MODEL_ROWS
from specs.recipe.preflight import preflight
from specs.recipe.runner import Run, Stage
from specs.recipe.schema import Recipe, judge_users
from specs.report.run_report import refresh_run_report
from specs.stages import distill as distill_stage  # by module: tests replace its distill
from specs.stages.coldstart import dpo_dataset, sft_dataset
from specs.stages.dpo import train_dpo
from specs.stages.evaluate import evaluate_sets
from specs.stages.grpo import train_grpo
from specs.stages.sft import train_sft
from specs.toybase.pretrain import build_toy_base
from specs.toyworld import generate_split

SPLITS = ("train", "id-test", "ood-test")


def _make_data(run: Run) -> None:
    toy = run.recipe.data.toy
    sizes = {"train": toy.n_train, "id-test": toy.n_id_test, "ood-test": toy.n_ood_test}
    for split in SPLITS:
        if run.data(split).parent == run.data_dir:
            generate_split(run.data_dir, split, sizes[split], toy.seed)


def _make_base(run: Run) -> None:
    if num_processes() > 1:  # a DDP build would train a different model than the cached single-process one
        raise ConfigError(
            "the toy base is built in one process: run `specs toy-base --out DIR` first, then launch with "
            "--set base_model=DIR"
        )
    build_toy_base(run.model("base"), run.recipe.toy_base, run.recipe.prompt)


def run_judge(run: Run) -> JudgeConfig | None:
    """The recipe's judge, caching its replies in the run folder unless the recipe names a cache folder."""
    judge = run.recipe.judge
    if judge is not None and judge.cache_dir is None:
        judge = judge.model_copy(update={"cache_dir": run.root / "judge-cache"})
    return judge


def _eval(run: Run, name: str) -> None:
    spec = run.recipe.eval
    sets = {split: run.data(split) for split in ("id-test", "ood-test")}
    out = run.evals / f"{name}.json"
    result = evaluate_sets(run.model(name), sets, run.recipe.prompt, spec.sampling, spec.limit, f"eval {name}",
                           spec.extract, run_judge(run), cache=samples_cache(out))
    if is_main_process():
        write_json_atomic(out, result)
        shutil.rmtree(samples_cache(out), ignore_errors=True)
    run.log(f"  eval {name}: " + " · ".join(
        f"{split} acc {100 * r['accuracy']:.1f}% format {100 * r['format_rate']:.1f}%" for split, r in result.items()))


def _grpo(run: Run, start: str, out: str, which: str) -> None:
    train_grpo(run.model(start), run.data("train"), run.model(out), getattr(run.recipe, which), run.recipe.prompt,
               judge=run_judge(run))


def chosen_model(run: Run, source: str) -> Path | None:
    """The model distillation samples the chosen side from (``distill.chosen_source``): GRPO-zero, the base, or
    none (the teacher's responses come from ``distill.teacher_samples``)."""
    return {"grpo_zero": run.model("grpo_zero"), "base": run.model("base"), "teacher": None}[source]


def _distill(run: Run) -> None:
    cfg = run.recipe.distill
    stats = distill_stage.distill(chosen_model(run, cfg.chosen_source), run.model("base"), run.data("train"),
                    run.root / "pairs.jsonl", cfg, run.recipe.prompt, run_judge(run))
    for line in stats["summary"]:
        run.log("  " + line)


def _cold_start(run: Run) -> None:
    from specs.stages.gf_tracking import gf_outputs  # lazy: it imports transformers at its top

    cs, prompt = run.recipe.cold_start, run.recipe.prompt
    pairs, out = run.root / "pairs.jsonl", run.model("cold_start")
    cfg = cs.dpo if cs.method == "dpo" else cs.sft
    callbacks, train_out = gf_outputs(cfg, run.model("base"), prompt, run.data("id-test"), run.data("ood-test"), out)
    if cs.method == "dpo":
        train_dpo(run.model("base"), dpo_dataset(pairs, prompt), train_out, cfg, prompt, callbacks)
    else:
        train_sft(run.model("base"), sft_dataset(pairs, prompt), train_out, cfg, prompt, callbacks)


# The recipe keys every model-making stage reads (besides its own block): a change to one of them after such a
# stage has run would leave its artifact stale, so the runner refuses it (``Run.claim``).
SHARED_KEYS = ("prompt", "base_model", "seed")
TRAIN_DATA, TEST_DATA = ("data.train", "data.toy"), ("data.id_test", "data.ood_test", "data.toy")


def stages(run: Run) -> list[Stage]:
    """base eval → GRPO-zero → distill → cold start → final GRPO, each model evaluated on ID and OOD.

    Each stage names the recipe keys it reads, so a rerun may change the keys of the stages not yet done."""
    recipe = run.recipe
    cold = recipe.cold_start.method != "none"
    final_start = "cold_start" if cold else "base"
    judged = {key.split(".")[0] for key in judge_users(dict(recipe))}  # stages whose results the judge shapes

    def keys(block: str, data: tuple[str, ...]) -> tuple[str, ...]:
        return (block, *SHARED_KEYS, *data, *(("judge",) if block in judged else ()))

    def evaluation(name: str) -> Stage:
        return Stage(f"eval_{name}", [run.evals / f"{name}.json"], lambda: _eval(run, name), keys("eval", TEST_DATA))

    plan = [
        Stage("data", [run.data(s) for s in SPLITS], lambda: _make_data(run), ("data",), main_only=True,
              isolated=False),
        Stage("base", [run.model("base") / "config.json"], lambda: _make_base(run), ("toy_base", *SHARED_KEYS)),
        evaluation("base"),
        Stage("grpo_zero", [run.model("grpo_zero")], lambda: _grpo(run, "base", "grpo_zero", "grpo_zero"),
              keys("grpo_zero", TRAIN_DATA)),
        evaluation("grpo_zero"),
    ]
    if cold:
        plan += [
            Stage("distill", [run.root / "pairs.jsonl"], lambda: _distill(run), keys("distill", TRAIN_DATA)),
            Stage("cold_start", [run.model("cold_start")], lambda: _cold_start(run), keys("cold_start", TEST_DATA)),
            evaluation("cold_start"),
        ]
    plan += [
        Stage("final_grpo", [run.model("final")], lambda: _grpo(run, final_start, "final", "final_grpo"),
              (*keys("final_grpo", TRAIN_DATA), "cold_start.method")),
        evaluation("final"),
    ]
    if run.recipe.base_model:  # a given base model is used as it is
        plan = [s for s in plan if s.name != "base"]
    return plan


def summary(run: Run) -> dict[str, Any]:
    """Format rate and accuracy on ID and OOD for every evaluated model."""
    import json

    rows = {}
    for name, label in MODEL_ROWS:
        path = run.evals / f"{name}.json"
        if path.is_file():
            result = json.loads(path.read_text())
            rows[label] = {
                f"{split}/{metric}": result[split][metric]
                for split in ("id-test", "ood-test")
                for metric in ("format_rate", "accuracy")
            }
    return rows


def table(rows: dict[str, dict[str, float]]) -> str:
    """A fixed-width text table of ``summary``'s rows (percentages)."""
    cols = ["id-test/format_rate", "id-test/accuracy", "ood-test/format_rate", "ood-test/accuracy"]
    heads = ["ID format", "ID acc", "OOD format", "OOD acc"]
    lines = [f"{'model':<12}" + "".join(f"{h:>12}" for h in heads)]
    for label, row in rows.items():
        lines.append(f"{label:<12}" + "".join(f"{100 * row[c]:>11.1f}%" for c in cols))
    return "\n".join(lines)


def run_recipe(run: Run, ready: Callable[[Path], Any] = lambda _root: None, quiet: bool = True,
               until: str | None = None) -> dict[str, Any]:
    """Pre-flight, then every stage (up to and including ``until``) — each in a fresh process
    (:func:`run_isolated`) — then ``summary.json``; returns the summary rows.

    ``ready(run.root)`` is called once the pre-flight has passed and the folder's lock is taken (the console
    attaches ``run.log`` then: a recipe refused before any stage leaves no folder behind)."""

    plan = stages(run)
    if until is not None:
        names = [stage.name for stage in plan]
        if until not in names:
            raise ConfigError(f"--until {until}: not a stage of this recipe (its stages: {', '.join(names)})")
        plan = plan[: names.index(until) + 1]
    preflight(run, plan)
    recipe = run.recipe.model_dump(mode="json")
    run.execute(plan, ready, isolate=lambda stage: run_isolated(recipe, run.root, stage.name, quiet))
    rows = summary(run)
    if is_main_process():
        write_json_atomic(run.root / "summary.json", rows)

        refresh_run_report(run.root, run.log)
    return rows


def run_isolated(recipe: dict[str, Any], root: Path, stage: str, quiet: bool) -> dict[str, float]:
    """Run ``stage`` of the run folder ``root`` (``recipe``: the resolved recipe as JSON data) in a fresh process,
    so that its memory (a vLLM engine, caches, DeepSpeed state) is gone before the next stage starts; returns its
    peak resident memory, the runner's, and on a GPU the device's peak (this rank's GPU, all processes), in MB, for
    the manifest."""
    with PeakDeviceMemory() as gpu:
        peak = in_fresh_process(_stage_process, recipe, str(root), stage, quiet, label=stage)
    return {"peak_rss_mb": peak, "runner_rss_mb": rss_mb()} | ({} if gpu.mib is None else {"peak_gpu_mib": gpu.mib})


def _stage_process(recipe_data: dict[str, Any], root: str, name: str, quiet: bool) -> float:
    """The stage's process: the stage as the runner planned it, its lines into the same console and run.log."""
    if quiet:
        console.quiet_libraries()
    run = Run(Recipe.model_validate(recipe_data), Path(root), log=console.say, report=False)
    next(s for s in stages(run) if s.name == name).run()
    return peak_rss_mb()
