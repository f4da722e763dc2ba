"""Stage commands: ``specs grpo | dpo | sft | eval``. Each reads inputs from disk and writes outputs to disk.

Training knobs come from an optional ``--config`` YAML and ``--set key=value`` overrides; ``--help`` lists
every knob with its default.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typer

from specs.benchmarks import benchmark_breakdown, convert
from specs.config import fields_help, load
from specs.data.jsonl import write_json_atomic
from specs.data.prompt import load_prompt
from specs.data.records import load_examples
from specs.distributed import is_main_process, wait_for_everyone
from specs.errors import ConfigError
from specs.generation.hf import SamplingConfig
from specs.generation.sample_cache import samples_cache
from specs.judge import load_judge, require_judge
from specs.metrics import mean_pass_at_k
from specs.paths import check_output
from specs.stages import coldstart
from specs.stages.distill import DistillConfig, distill
from specs.stages.dpo import DPOStageConfig, train_dpo
from specs.stages.evaluate import evaluate
from specs.stages.grpo import GRPOStageConfig, train_grpo
from specs.stages.sft import SFTStageConfig, train_sft

CONFIG = typer.Option(None, "--config", help="YAML file of stage knobs (see the list below).")
SET = typer.Option([], "--set", "-s", help="Override one knob: key=value (repeatable).")
GF_ID = typer.Option(None, "--gf-id", help="ID test set for GF tracking (with gf_every > 0).")
GF_OOD = typer.Option(None, "--gf-ood", help="OOD test set for GF tracking (with gf_every > 0).")
PROMPT = typer.Option(
    None, "--prompt",
    help="The prompt every stage must share: a built-in name (toy, reasoning), a recipe YAML (its prompt: block, "
    "e.g. RUN_DIR/recipe.yaml) or a prompt YAML. Default: reasoning (a system prompt asking for <think>/<answer>).",
)
JUDGE = typer.Option(
    None, "--judge",
    help="The LLM judge for a knob set to judge: a YAML judge block (base_url, model, api_key_env, …) or a recipe "
    "with a judge: block. Replies are cached in judge-cache/ beside --out unless it sets cache_dir.",
)


def _prompt(source: str | None):
    return load_prompt(source)


def _judge(source: Path | None, out: Path, use: str | None):
    """The ``--judge`` block (its cache beside the output unless it names one); required when ``use`` is set."""

    judge = load_judge(source) if source is not None else None
    if use is not None:
        require_judge(judge, use)
    if judge is not None and judge.cache_dir is None:
        judge = judge.model_copy(update={"cache_dir": out.parent / "judge-cache"})
    return judge


def grpo_command(
    model: Path = typer.Option(..., "--model", help="Starting model folder."),
    data: Path = typer.Option(..., "--data", help="Canonical JSONL of prompts."),
    out: Path = typer.Option(..., "--out", help="Output model folder."),
    config: Path | None = CONFIG,
    sets: list[str] = SET,
    prompt: str | None = PROMPT,
    judge: Path | None = JUDGE,
) -> None:
    """GRPO with R = 0.5·format + 1.0·accuracy (GRPO-zero and the final stage)."""

    check_output(out, {"--model": model, "--data": data}, folder=True)
    cfg, spec = load(GRPOStageConfig, config, sets), _prompt(prompt)
    judge_cfg = _judge(judge, out, "accuracy=judge" if cfg.accuracy == "judge" else None)
    train_grpo(model, data, out, cfg, spec, judge=judge_cfg)
    _wrote(out)


def _wrote(out: Path) -> None:
    """One line per run, not one per rank."""

    if is_main_process():
        typer.echo(f"wrote {out}")


def _cold_start_command(method: str, pairs_help: str, doc: str):
    """``specs dpo`` and ``specs sft`` differ only in the trainer and the dataset built from the pairs."""

    def command(
        model: Path = typer.Option(..., "--model", help="Base model folder (also the DPO reference)."),
        pairs: Path = typer.Option(..., "--pairs", help=pairs_help),
        out: Path = typer.Option(..., "--out", help="Output model folder."),
        config: Path | None = CONFIG,
        sets: list[str] = SET,
        gf_id: Path | None = GF_ID,
        gf_ood: Path | None = GF_OOD,
        prompt: str | None = PROMPT,
    ) -> None:
        from specs.stages.gf_tracking import gf_outputs  # lazy: it imports transformers at its top

        train = train_dpo if method == "dpo" else train_sft
        check_output(out, {"--model": model, "--pairs": pairs, "--gf-id": gf_id, "--gf-ood": gf_ood}, folder=True)
        cfg = load(DPOStageConfig if method == "dpo" else SFTStageConfig, config, sets)
        spec = _prompt(prompt)

        def run() -> Path:
            dataset = getattr(coldstart, f"{method}_dataset")(pairs, spec)
            callbacks, train_out = gf_outputs(cfg, model, spec, gf_id, gf_ood, out)
            return train(model, dataset, train_out, cfg, spec, callbacks)

        run()
        _wrote(out)

    command.__doc__ = doc
    return command


dpo_command = _cold_start_command(
    "dpo",
    "Pairs JSONL from `specs distill`.",
    "DPO + λ·SFT on self-distilled format pairs, reference = the base (λ = 0: plain DPO).",
)
sft_command = _cold_start_command(
    "sft",
    "Pairs JSONL; trains on the chosen responses.",
    "The classical SFT cold start on the chosen responses (the baseline SPECS is compared with).",
)


def distill_command(
    chosen_model: Path | None = typer.Option(
        None, "--chosen-model", help="GRPO-zero (or a teacher) model folder; omitted with -s chosen_source=base (the "
        "base is sampled for both sides) or chosen_source=teacher (-s teacher_samples=FILE.jsonl)."),
    base_model: Path = typer.Option(..., "--base-model", help="Base model folder (rejected side)."),
    data: Path = typer.Option(..., "--data", help="Canonical JSONL of prompts."),
    out: Path = typer.Option(..., "--out", help="Pairs JSONL to write (stats go beside it)."),
    config: Path | None = CONFIG,
    sets: list[str] = SET,
    prompt: str | None = PROMPT,
    judge: Path | None = JUDGE,
) -> None:
    """Self-distilled format pairs: chosen = correct + formatted, rejected = correct base + a corruption."""

    cfg, spec = load(DistillConfig, config, sets), _prompt(prompt)
    check_output(out, {"--chosen-model": chosen_model, "--base-model": base_model, "--data": data,
                     "teacher_samples": cfg.teacher_samples}, folder=False)
    judge_cfg = _judge(judge, out, "consistency=judge" if cfg.consistency == "judge" else None)
    stats = distill(chosen_model, base_model, data, out, cfg, spec, judge_cfg)
    if is_main_process():
        for line in stats["summary"]:
            typer.echo(line)
        typer.echo(f"wrote {out}")


def eval_command(
    model: Path = typer.Argument(..., help="Model folder."),
    data: Path | None = typer.Argument(None, help="Canonical JSONL (or use --benchmark with --data)."),
    out: Path = typer.Option(..., "--out", help="Result JSON."),
    benchmark: str | None = typer.Option(None, "--benchmark", help="mathvista, mathverse, mathvision or mmmu."),
    bench_data: Path | None = typer.Option(None, "--data", help="The benchmark's local file or folder."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first n records."),
    samples: int | None = typer.Option(None, "--samples", min=1, help="Responses per prompt (sets n; T=1 if unset)."),
    k: list[int] = typer.Option([], "--k", help="Report unbiased pass@k for these k (repeatable; k ≤ samples)."),
    config: Path | None = CONFIG,
    sets: list[str] = SET,
    prompt: str | None = PROMPT,
    extract: str = typer.Option(
        "rule", "--extract", help="rule, or judge: the --judge model extracts the answer where the rules find none "
        "(MathVista's scorer); the rules grade it.",
    ),
    judge: Path | None = JUDGE,
) -> None:
    """Accuracy and format rate (with per-family breakdown); greedy unless sampling is set; pass@k with --k."""

    check_output(out, {"MODEL": model, "DATA": data, "--data": bench_data}, folder=False)
    if samples is not None:
        sets = [
            f"n={samples}",
            *([] if any(x.startswith("temperature=") for x in sets) else ["temperature=1.0"]),
            *sets,
        ]
    sampling, spec = load(SamplingConfig, config, sets), _prompt(prompt)
    if extract not in ("rule", "judge"):
        raise ConfigError(f"--extract {extract!r}: expected rule or judge")
    judge_cfg = _judge(judge, out, "--extract judge" if extract == "judge" else None)
    if any(x < 1 for x in k):
        raise ConfigError(f"--k {min(k)}: pass@k needs k >= 1")
    if any(x > sampling.n for x in k):
        raise ConfigError(f"--k {max(k)} needs at least that many samples per prompt (--samples)")

    if benchmark:
        if bench_data is None:
            raise ConfigError("--benchmark needs --data PATH (the benchmark's local file or folder)")

        folder = out.parent / f"{out.stem}-{benchmark}-data"
        if folder.resolve() == bench_data.resolve() or folder.resolve() in bench_data.resolve().parents:
            raise ConfigError(f"--data {bench_data} is where this --out's converted copy goes ({folder}): choose "
                              "another --out")
        if is_main_process():  # one rank converts, the others wait and read the result
            convert(benchmark, bench_data, folder, limit)
        wait_for_everyone()
        data = folder / f"{benchmark}.jsonl"
    elif data is None:
        raise ConfigError("give a canonical DATA file, or --benchmark NAME --data PATH")

    report = evaluate(model, data, spec, sampling, limit=limit, extract=extract, judge=judge_cfg,
                      cache=samples_cache(out))
    if benchmark:
        examples = load_examples(data, check_images=False)
        report["benchmark"] = benchmark
        report["benchmark_breakdown"] = benchmark_breakdown(
            [e.meta for e in examples], [e.id for e in examples], report["per_prompt"], benchmark
        )
    if k:
        counts = [(p["n"], p["n_correct"]) for p in report["per_prompt"]]
        report["pass_at_k"] = {str(x): mean_pass_at_k(counts, x) for x in sorted(set(k))}
    if not is_main_process():
        return
    write_json_atomic(out, report)
    shutil.rmtree(samples_cache(out), ignore_errors=True)
    typer.echo(json.dumps({key: report[key] for key in ("accuracy", "format_rate", "n", "pass_at_k") if key in report}))


def register(app: typer.Typer) -> None:
    """Add the stage commands to the root app, with every knob listed in their help."""
    app.command("grpo", epilog=fields_help(GRPOStageConfig))(grpo_command)
    app.command("dpo", epilog=fields_help(DPOStageConfig))(dpo_command)
    app.command("distill", epilog=fields_help(DistillConfig))(distill_command)
    app.command("sft", epilog=fields_help(SFTStageConfig))(sft_command)
    app.command("eval", epilog=fields_help(SamplingConfig))(eval_command)
