"""Human-verdict cases for ``grade`` (docs/grading.md). The verdicts live in cases.yaml, grouped by family."""

from pathlib import Path

import pytest
import yaml

from specs.grading import grade

FAMILIES = yaml.safe_load(Path(__file__).with_name("cases.yaml").read_text(encoding="utf-8"))
CASES = [(f"{family}-{i}", case) for family, cases in FAMILIES.items() for i, case in enumerate(cases)]
KEYS = {"r", "gold", "ok", "choices", "type", "precision", "why"}


@pytest.mark.parametrize("case", [case for _, case in CASES], ids=[name for name, _ in CASES])
def test_case(case):
    options = {"choices": case.get("choices"), "answer_type": case.get("type"), "precision": case.get("precision")}
    result = grade(case["r"], case["gold"], **options)
    assert result.correct == case["ok"], (
        f"verdict {case['ok']}, grader {result.correct}: response={case['r']!r} gold={case['gold']!r} "
        f"{options} extracted={result.extracted!r} method={result.method} why={case.get('why')!r}"
    )


def test_suite_shape():
    assert len(CASES) >= 300
    for family, cases in FAMILIES.items():
        assert {case["ok"] for case in cases} == {True, False}, f"{family} needs true and false cases"
    for name, case in CASES:
        assert {"r", "gold", "ok"} <= set(case) <= KEYS, name
        assert isinstance(case["ok"], bool) and isinstance(case["r"], str), name
        assert case["ok"] or case.get("why"), f"{name}: a false case needs a why"
