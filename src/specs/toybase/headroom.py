"""The toy base's card: its rates, and the precondition for RL measured before any RL runs (``rl_headroom``).

Gates (toy-notes): the base must *see* — per-family greedy accuracy on the colour and shape questions above
the most common answer — and there must be something RL can select: a procedure the base samples sometimes
whose forced-prefix greedy accuracy clearly beats the one greedy decoding takes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from specs.data.prompt import PromptSpec
from specs.data.records import load_examples
from specs.generation.hf import SamplingConfig
from specs.generation.sampler import Sampler
from specs.stages.evaluate import grade_sample, summarize
from specs.toybase.transcripts import PREFIXES, procedure_of
from specs.toyworld import generate_split

SEEING_FAMILIES = ("count_color", "count_shape", "count_color_shape", "subtract")
MECHANISM = (
    "procedure selection: the base answers most prompts with a biased glance (exact up to 3, compressed above) "
    "and counts exactly in about a third of its samples; GRPO's reward can select the count"
)


def _rounded(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "accuracy": round(report["accuracy"], 4), "format_rate": round(report["format_rate"], 4), "n": report["n"],
        "breakdown": {k: {m: round(v, 4) for m, v in r.items()} for k, r in report["breakdown"].items()},
    }


def most_common_rate(examples) -> dict[str, float]:
    """Per family, the share of the most common gold answer (a blind guesser's accuracy)."""
    golds: dict[str, Counter] = defaultdict(Counter)
    for e in examples:
        golds[e.meta["family"]][e.answer] += 1
    return {f: round(c.most_common(1)[0][1] / sum(c.values()), 4) for f, c in sorted(golds.items())}


def measure(model: Path, data_dir: Path, n: int, seed: int, prompt: PromptSpec) -> dict[str, Any]:
    """Greedy and T=1 rates on fresh id-test and ood-test scenes (never seen in pretraining), and the headroom."""

    rates: dict[str, Any] = {"eval_data": {"seed": seed, "n_per_split": n}}
    sets = {split: load_examples(generate_split(data_dir, split, n, seed)) for split in ("id-test", "ood-test")}
    greedy, t1 = SamplingConfig(batch_size=64), SamplingConfig(temperature=1.0, n=4, batch_size=16, seed=seed)
    sampled: dict[str, list] = {}
    with Sampler(model, prompt) as sampler:
        for split, examples in sets.items():
            rates[f"{split}/greedy"] = _rounded(summarize(examples, sampler.sample(examples, greedy, shard=False)))
            sampled[split] = sampler.sample(examples, t1, shard=False)
            rates[f"{split}/t1"] = _rounded(summarize(examples, sampled[split]))
        examples = sets["id-test"]
        forced = {}
        for name, prefix in PREFIXES.items():
            samples = sampler.sample(examples, greedy, shard=False, prefixes=[prefix] * len(examples))
            forced[name] = round(summarize(examples, samples)["accuracy"], 4)
    by_procedure: dict[str, list[bool]] = defaultdict(list)
    for e, responses in zip(examples, sampled["id-test"], strict=True):
        for s in responses:
            by_procedure[procedure_of(s.text)].append(grade_sample(e, s.text)[0])
    total = sum(len(v) for v in by_procedure.values())
    family_greedy = rates["id-test/greedy"]["breakdown"]
    baseline = most_common_rate(examples)
    headroom = {
        "mechanism": MECHANISM,
        "per_family_greedy": {f: {"accuracy": family_greedy[f"family={f}"]["accuracy"], "most_common": baseline[f]}
                              for f in baseline},
        "forced_prefix_greedy_accuracy": forced,
        "forced_prefix_gap": round(forced["count"] - forced["glance"], 4),
        "t1_procedure_share": {p: round(len(v) / total, 4) for p, v in sorted(by_procedure.items())},
        "t1_procedure_accuracy": {p: round(sum(v) / len(v), 4) for p, v in sorted(by_procedure.items())},
        "split": "id-test", "n": len(examples),
    }
    return {"rates": rates, "rl_headroom": headroom}
