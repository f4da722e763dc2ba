"""One lmms-eval run of one checkpoint: ``simple_evaluate`` with our model and tasks, and our eval report of it.

The metrics are lmms-eval's, as it computed them (its names, e.g. ``acc_score``); nothing is re-graded here. The
report adds what our other eval reports record — model, prompt, tasks, limit, sampling — plus every response with
the prompt it answered, as rendered.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from specs.data.prompt import PromptSpec
from specs.errors import ConfigError
from specs.generation.hf import SamplingConfig
from specs.lmms.tasks import PREFIX, write_local_tasks

# Sampling knobs that become lmms-eval gen_kwargs (they override the task's generation_kwargs, as --gen_kwargs does).
GEN_KEYS = ("temperature", "top_p", "max_new_tokens")
_SAMPLE_KEYS = ("doc_id", "target")


def check_sampling(sampling: SamplingConfig) -> dict[str, Any]:
    """The ``-s`` knobs that apply here, as lmms-eval gen_kwargs; n > 1 and vLLM are refused (one response each)."""
    if sampling.n != 1 or sampling.backend != "hf":
        raise ConfigError("-s n / backend: lmms-eval runs score one response per question, sampled with hf")
    return {key: getattr(sampling, key) for key in GEN_KEYS if key in sampling.model_fields_set}


def evaluate_lmms(
    model_path: Path, tasks: list[str], prompt: PromptSpec, prompt_source: str | None = None,
    data: dict[str, Path] | None = None, include_path: Path | None = None, limit: int | None = None,
    sampling: SamplingConfig | None = None, output_path: Path | None = None,
) -> dict[str, Any]:
    """Evaluate the checkpoint at ``model_path`` on lmms-eval ``tasks``; our tasks (``specs_*``) read ``data``.

    ``output_path``: where task code may write files of its own (MEGA-Bench's responses file, in
    ``<output_path>/submissions/``). Raises ``ConfigError``/``DataError``/``ModelError`` on our side's problems.
    """

    sampling = sampling or SamplingConfig()
    gen_kwargs = check_sampling(sampling)
    data = data or {}
    missing = [t for t in tasks if t.startswith(PREFIX) and t not in data]
    if missing:
        raise ConfigError(f"{missing[0]} reads local files: give --data {missing[0]}=PATH (its parquet file or folder)")
    import lmms_eval
    from lmms_eval.tasks import TaskManager

    from specs.lmms.model import SpecsLMM  # lazy: lmms-eval (optional) at its top; it applies the filelock shim

    before = set(_submissions(output_path))
    with tempfile.TemporaryDirectory(prefix="specs-lmms-tasks-") as folder, _unused_judge_key(bool(data)):
        data_files = write_local_tasks({t: data[t] for t in tasks if t in data}, Path(folder))
        manager = TaskManager(include_path=[folder, *([str(include_path)] if include_path else [])])
        unknown = [t for t in tasks if t not in manager.all_tasks]
        if unknown:
            where = f" or {include_path}" if include_path else " (add your own with --include-path)"
            raise ConfigError(f"--tasks: {', '.join(unknown)}: no such task in lmms-eval{where}")
        model = SpecsLMM(model_path, prompt, batch_size=sampling.batch_size, seed=sampling.seed)
        out = _simple_evaluate(model, tasks, manager, limit, gen_kwargs, sampling.seed, output_path)
    return {
        "model": str(model_path), "tasks": tasks, "limit": limit,
        "prompt_source": prompt_source or "reasoning", "prompt": prompt.model_dump(),
        "sampling": {"batch_size": sampling.batch_size, "seed": sampling.seed, **gen_kwargs},
        "data_files": data_files,
        "results": {task: metrics(values) for task, values in out["results"].items()},
        "samples": {task: samples(out, task, model.prompts) for task in out.get("samples", {})},
        "submissions": sorted(str(p) for p in set(_submissions(output_path)) - before),
        "lmms_eval": _plain({"version": getattr(lmms_eval, "__version__", None) or _version(),
                             **{k: out.get(k) for k in ("results", "configs", "n-samples", "higher_is_better")}}),
    }


def _submissions(output_path: Path | None) -> list[Path]:
    """The files task code wrote under ``<output_path>/submissions/`` (MEGA-Bench's responses file)."""
    return sorted(output_path.glob("submissions/*.json")) if output_path else []


@contextlib.contextmanager
def _unused_judge_key(needed: bool) -> Iterator[None]:
    """Upstream MathVista/MathVerse utils build an OpenAI judge client when imported, which fails without
    ``OPENAI_API_KEY``; our tasks (their reasoning variants) score by rules and never call it. So, for a run of our
    tasks only, an unset key is a placeholder until the run ends (a task that does call the judge then fails)."""
    if not needed or os.environ.get("OPENAI_API_KEY"):
        yield
        return
    os.environ["OPENAI_API_KEY"] = "unused-by-rule-based-scoring"
    try:
        yield
    finally:
        os.environ.pop("OPENAI_API_KEY", None)


def _simple_evaluate(model, tasks: list[str], manager, limit: int | None, gen_kwargs: dict[str, Any], seed: int,
                     output_path: Path | None) -> dict[str, Any]:
    from lmms_eval.evaluator import simple_evaluate

    # Only what task code reads from lmms-eval's CLI arguments: where to write, and scoring on the docs with media.
    cli_args = argparse.Namespace(output_path=str(output_path) if output_path else None, process_with_media=True)
    out = simple_evaluate(
        model=model, tasks=tasks, task_manager=manager, limit=limit, log_samples=True, cli_args=cli_args,
        gen_kwargs=",".join(f"{k}={v}" for k, v in gen_kwargs.items()) or None, random_seed=seed,
        verbosity="WARNING",
    )
    if out is None:  # lmms-eval returns None on ranks other than 0 (we run one process)
        raise ConfigError("lmms-eval returned no results (run one process: our model is not data-parallel)")
    return out


def metrics(values: dict[str, Any]) -> dict[str, Any]:
    """lmms-eval's numbers for one task, keyed ``metric`` (``metric,filter`` when the filter is not ``none``)."""
    found = {}
    for key, value in values.items():
        name, _, filter_name = key.partition(",")
        if filter_name and value != "N/A":
            found[name if filter_name == "none" else key] = value
    return found


def samples(out: dict[str, Any], task: str, prompts: dict[tuple[str, str, int], str]) -> list[dict[str, Any]]:
    """Per question: lmms-eval's logged id, target, response and per-sample metric values, and our rendered prompt."""
    names = list((out.get("higher_is_better") or {}).get(task, {}))
    split = ((out.get("configs") or {}).get(task) or {}).get("test_split")
    rows = []
    for logged in out["samples"][task]:
        response = logged.get("filtered_resps")
        row = {key: logged.get(key) for key in _SAMPLE_KEYS}
        row["prompt"] = prompts.get((task, split, logged.get("doc_id")))
        row["response"] = response[0] if isinstance(response, list) and len(response) == 1 else response
        row.update({name: logged[name] for name in names if name in logged})
        rows.append(_plain(row))
    return rows


def _plain(obj: Any) -> Any:
    """JSON-safe: numpy numbers and the functions inside lmms-eval's configs become plain values and strings."""
    return json.loads(json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def _version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lmms_eval")
    except PackageNotFoundError:
        return None
