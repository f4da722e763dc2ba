"""Per-category accuracy tables, including list-valued keys (MathVista skills)."""

from __future__ import annotations

import pytest

from specs.benchmarks import BENCHMARKS, BREAKDOWNS, breakdown
from specs.benchmarks.breakdowns import benchmark_breakdown


def test_every_benchmark_has_breakdown_keys() -> None:
    assert set(BREAKDOWNS) == set(BENCHMARKS)
    assert {"task", "skills", "question_type", "answer_type", "category"} <= set(BREAKDOWNS["mathvista"])
    assert BREAKDOWNS["mathverse"][0] == "problem_version"
    assert {"subject", "level"} <= set(BREAKDOWNS["mathvision"])
    assert {"subject", "subfield", "topic_difficulty"} <= set(BREAKDOWNS["mmmu"])


def test_list_values_count_in_each_group_and_missing_keys_are_skipped() -> None:
    meta = [
        {"skills": ["algebra", "logic"], "task": "fqa", "level": 1},
        {"skills": ["algebra", "algebra"], "task": "gps", "level": 2},
        {"skills": [], "task": "fqa"},
        {"task": "", "level": None},
    ]
    table = breakdown(meta, [True, False, True, True], ["skills", "task", "level", "absent"])
    assert table["skills"] == {"algebra": {"accuracy": 0.5, "n": 2}, "logic": {"accuracy": 1.0, "n": 1}}
    assert table["task"] == {"fqa": {"accuracy": 1.0, "n": 2}, "gps": {"accuracy": 0.0, "n": 1}}
    assert table["level"] == {"1": {"accuracy": 1.0, "n": 1}, "2": {"accuracy": 0.0, "n": 1}}
    assert table["absent"] == {}


def test_fractional_verdicts_and_length_check() -> None:
    table = breakdown([{"k": "a"}, {"k": "a"}], [0.25, 0.75], ["k"])
    assert table["k"]["a"] == {"accuracy": 0.5, "n": 2}
    with pytest.raises(ValueError, match="2 records but 1 verdicts"):
        breakdown([{}, {}], [True], ["k"])


def test_benchmark_breakdown_from_eval_report() -> None:
    meta = [{"problem_version": "Vision Only"}, {"problem_version": "Text Lite"}, {"problem_version": "Text Lite"}]
    per_prompt = [{"id": "1", "n_correct": 1, "n": 1}, {"id": "2", "n_correct": 1, "n": 4}]  # "3" not evaluated
    table = benchmark_breakdown(meta, ["1", "2", "3"], per_prompt, "mathverse")
    expected = {"Text Lite": {"accuracy": 0.25, "n": 1}, "Vision Only": {"accuracy": 1.0, "n": 1}}
    assert table["problem_version"] == expected
    with pytest.raises(ValueError, match="unknown benchmark"):
        benchmark_breakdown(meta, ["1", "2", "3"], per_prompt, "gsm8k")
