"""Evaluation: accuracy and format rate of a model on a canonical dataset, with per-family breakdowns.

Format rate is judged against the format each prompt asks for (``meta.format``: tags, boxed or plain), so
out-of-distribution format instructions measure instruction following, not habit. With ``extract: judge``,
a response whose answer the rules cannot locate has it extracted by the judge (as MathVista's official scorer
does with a model), and that answer is graded by the rules; the format verdict never changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from specs.data.prompt import PromptSpec
from specs.data.records import Example, load_examples
from specs.generation import sampler as samplers  # by module: tests replace its Sampler
from specs.generation.hf import Sample, SamplingConfig
from specs.grading import grade_answer
from specs.judge.client import JudgeClient
from specs.judge.config import JudgeConfig, require_judge
from specs.judge.prompts import extract_prompt, extracted_answer
from specs.metrics import DEFAULT_TOP_P, rollout_branching_factor
from specs.rewards import score_example
from specs.rewards.contract import example_golds

Extract = Literal["rule", "judge"]


def grade_sample(example: Example, text: str) -> tuple[bool, bool]:
    """``(correct, follows the requested format)`` for one response to one example (the one scorer's verdict)."""

    result = score_example(text, example, fmt=None)
    return result.accuracy == 1.0, result.format == 1.0


def judge_extraction(examples: Sequence[Example], samples: Sequence[Sequence[Sample]], judge: JudgeClient
                     ) -> tuple[list[list[tuple[bool, bool]]], dict[str, int]]:
    """:func:`grade_sample` for every response, with the judge extracting the answers the rules do not find (one
    :meth:`JudgeClient.ask_many`); returns the verdicts and counts (asked, extracted, correct)."""

    scores = [[score_example(s.text, e, fmt=None) for s in r] for e, r in zip(examples, samples, strict=True)]
    graded = [[(sc.accuracy == 1.0, sc.format == 1.0) for sc in row] for row in scores]
    todo = [(i, j) for i, row in enumerate(scores) for j, sc in enumerate(row) if sc.extracted is None]
    prompts = [extract_prompt(samples[i][j].text, examples[i].question, examples[i].choices) for i, j in todo]
    counts = {"asked": len(todo), "extracted": 0, "correct": 0}
    for (i, j), reply in zip(todo, judge.ask_many(prompts), strict=True):
        answer, example = extracted_answer(reply), examples[i]
        if answer is None:
            continue
        # the one gold rule, as score_example reads it
        options = list(example.choices) if example.choices else None
        correct = grade_answer(answer, example_golds(example), choices=options,
                               answer_type=example.answer_type, precision=example.precision).correct
        counts["extracted"] += 1
        counts["correct"] += correct
        graded[i][j] = (correct, graded[i][j][1])
    return graded, counts


def summarize(examples: Sequence[Example], samples: Sequence[Sequence[Sample]],
              judge: JudgeClient | None = None) -> dict[str, Any]:
    """Mean accuracy / format rate over all samples, overall and per family, format and OOD kind; with ``judge``,
    answers the rules cannot locate are extracted by the judge (:func:`judge_extraction`)."""
    groups: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"correct": [], "format": []})
    per_prompt = []
    judged = None
    if judge is not None:
        all_graded, judged = judge_extraction(examples, samples, judge)
    else:
        all_graded = [[grade_sample(e, s.text) for s in r] for e, r in zip(examples, samples, strict=True)]
    for example, graded in zip(examples, all_graded, strict=True):
        keys = ["all"] + [f"{k}={example.meta[k]}" for k in ("family", "format", "ood") if k in example.meta]
        for key in keys:
            groups[key]["correct"] += [float(c) for c, _ in graded]
            groups[key]["format"] += [float(f) for _, f in graded]
        per_prompt.append({"id": example.id, "n_correct": sum(c for c, _ in graded), "n": len(graded)})

    def rates(g: dict[str, list[float]]) -> dict[str, float]:
        n = len(g["correct"])
        return {"accuracy": sum(g["correct"]) / n, "format_rate": sum(g["format"]) / n, "n": n}

    overall = rates(groups.pop("all"))
    tokens = [s.n_tokens for r in samples for s in r]
    return {
        **overall,
        "n_prompts": len(examples),
        "mean_response_tokens": sum(tokens) / max(len(tokens), 1),
        "breakdown": {k: rates(v) for k, v in sorted(groups.items())},
        "per_prompt": per_prompt,
        **({"judge_extraction": judged} if judged is not None else {}),
    }


def evaluate_sets(
    model_path: str | Path,
    sets: dict[str, str | Path],
    prompt: PromptSpec,
    sampling: SamplingConfig | None = None,
    limit: int | None = None,
    progress: str | None = "eval",
    extract: Extract = "rule",
    judge: JudgeConfig | None = None,
    cache: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """Generate on (the first ``limit`` records of) each named data file and grade every response; the model is
    loaded once for all sets. ``extract="judge"`` (with ``judge``) lets the judge find answers the rules miss.
    ``cache``: a folder for finished chunks of samples (``<cache>/<set name>``), so a killed eval resumes.

    Under ``accelerate launch`` each rank generates for its share of the prompts; every rank returns the
    whole report (the caller writes it on the main process only; the judge is asked by the main process).
    """
    client = JudgeClient(require_judge(judge, "extract=judge")) if extract == "judge" else None
    sampling = sampling or SamplingConfig()
    reports = {}
    with samplers.Sampler(model_path, prompt, sampling.backend) as sampler:
        for name, data_path in sets.items():
            examples = load_examples(data_path)[:limit]
            samples = sampler.sample(examples, sampling, progress=f"{progress} {name}" if progress else None,
                                     cache=cache / name if cache is not None else None)
            report = summarize(examples, samples, client)
            report.update(model=str(model_path), data=str(data_path), sampling=sampling.model_dump(),
                          prompt=prompt.model_dump())
            report["samples"] = [[s.text for s in r] for r in samples]
            reports[name] = report
    return reports


def evaluate(
    model_path: str | Path, data_path: str | Path, prompt: PromptSpec, sampling: SamplingConfig | None = None,
    limit: int | None = None, progress: str | None = "eval", extract: Extract = "rule",
    judge: JudgeConfig | None = None, cache: Path | None = None,
) -> dict[str, Any]:
    """:func:`evaluate_sets` on one data file."""
    return evaluate_sets(model_path, {"data": data_path}, prompt, sampling, limit, progress, extract, judge,
                         cache)["data"]


def branching_report(model_path: str | Path, examples: Sequence[Example], sampling: SamplingConfig,
                     prompt: PromptSpec, max_responses: int | None = None) -> dict[str, Any]:
    """The Rollout Branching Factor of a model: top-p 0.95 nucleus sizes over sampled responses (``specs rbf``).

    Token-weighted over all generated positions (and, as ``rbf_per_response``, the mean of per-response means).
    """
    with samplers.Sampler(model_path, prompt, sampling.backend) as sampler:  # it refuses RBF off the HF backend
        results = sampler.sample(examples, sampling, record_nucleus=True, shard=False)
    responses = [s for per_prompt in results for s in per_prompt][:max_responses]
    sizes = [s.nucleus_sizes for s in responses]
    return {
        "rbf": rollout_branching_factor(sizes),
        "rbf_per_response": rollout_branching_factor(sizes, per_response=True),
        "nucleus_p": DEFAULT_TOP_P,
        "n_prompts": len(examples),
        "n_responses": len(responses),
        "n_positions": sum(len(s) for s in sizes),
        "finished_rate": sum(s.finished for s in responses) / len(responses),
        "sampling": sampling.model_dump(),
    }
