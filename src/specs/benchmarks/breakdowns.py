"""Per-category accuracy, the way each benchmark's own report breaks results down.

``BREAKDOWNS[name]`` lists the ``meta`` keys the adapters fill for that benchmark's usual tables: MathVista's
``calculate_score`` groups by question/answer type, language, source, category, task, context, grade and
skills; MathVerse reports per problem version; MATH-Vision per subject and level; MMMU per discipline,
subject, subfield and difficulty. A list-valued key (MathVista ``skills``) counts an example once in each of
its values, as MathVista's script does, so those groups overlap and their ``n`` do not add up to the total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "mathvista": (
        "question_type", "answer_type", "task", "skills", "category", "source", "context", "grade", "language",
    ),
    "mathverse": ("problem_version", "question_type", "subject", "subfield"),
    "mathvision": ("subject", "level"),
    "mmmu": ("discipline", "subject", "subfield", "topic_difficulty", "question_type"),
}


def _values(value: Any) -> list[str]:
    """Group labels of one meta value: a list counts in each distinct item; None and ``""`` in none."""
    items = value if isinstance(value, (list, tuple, set)) else [value]
    labels = [str(item) for item in items if item is not None and str(item) != ""]
    return list(dict.fromkeys(labels))


def breakdown(
    records_meta: Sequence[Mapping[str, Any]], correct: Sequence[bool | float], keys: Sequence[str]
) -> dict[str, dict[str, dict[str, float | int]]]:
    """``{key: {value: {"accuracy", "n"}}}`` over the records whose meta has ``key``.

    ``correct[i]`` is record i's verdict, or its mean accuracy over several samples (a float in [0, 1]).
    Records without the key are left out of that key's groups.

    >>> meta = [{"skills": ["algebra", "logic"]}, {"skills": ["algebra"]}, {}]
    >>> breakdown(meta, [True, False, True], ["skills"])["skills"]["algebra"]
    {'accuracy': 0.5, 'n': 2}
    """
    if len(records_meta) != len(correct):
        raise ValueError(f"{len(records_meta)} records but {len(correct)} verdicts")
    result: dict[str, dict[str, dict[str, float | int]]] = {}
    for key in keys:
        sums: dict[str, list[float]] = defaultdict(list)
        for meta, verdict in zip(records_meta, correct, strict=True):
            for label in _values(meta.get(key)):
                sums[label].append(float(verdict))
        result[key] = {
            label: {"accuracy": sum(scores) / len(scores), "n": len(scores)} for label, scores in sorted(sums.items())
        }
    return result


def benchmark_breakdown(
    records_meta: Sequence[Mapping[str, Any]], ids: Sequence[str], per_prompt: Sequence[Mapping[str, Any]],
    benchmark: str,
) -> dict[str, dict[str, dict[str, float | int]]]:
    """``breakdown`` over ``BREAKDOWNS[benchmark]`` from an eval report's ``per_prompt`` list.

    Each record counts with its mean accuracy ``n_correct / n`` over its samples (one sample: 0 or 1);
    entries are matched by id, so a report made with ``--limit`` covers just its records.
    """
    if benchmark not in BREAKDOWNS:
        raise ValueError(f"unknown benchmark {benchmark!r} (known: {', '.join(BREAKDOWNS)})")
    scores = {str(p["id"]): p["n_correct"] / p["n"] for p in per_prompt if p.get("n")}
    kept = [(meta, scores[str(i)]) for meta, i in zip(records_meta, ids, strict=True) if str(i) in scores]
    return breakdown([m for m, _ in kept], [s for _, s in kept], BREAKDOWNS[benchmark])
