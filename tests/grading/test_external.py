"""The external check (issue 21): cases labelled by others (tests/grading/external_cases.jsonl; each cites its
source repo, path, commit and place; rebuilt by bench/external_collect.py). Every disagreement must be listed
in external_verdicts.json with its class, and none classified "ours_wrong" may be a false positive."""

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1] / "bench"))

from grading import grade_specs, load_external  # noqa: E402  (bench/grading.py: one loader for bench and test)


def test_external_cases_agree_or_are_classified():
    cases = [json.loads(line) for line in (HERE / "external_cases.jsonl").read_text(encoding="utf-8").splitlines()]
    classified = json.loads((HERE / "external_verdicts.json").read_text(encoding="utf-8"))
    unexplained, false_positives = [], []
    for case, item in zip(cases, load_external(), strict=True):
        ours = grade_specs(item)
        if ours == item.label:
            continue
        key = f"{case['source']['where']} @ {case['source']['path']}"
        verdict = classified.get(key)
        if verdict is None:
            unexplained.append((key, item.gold[:60], ours))
        elif ours and not item.label and verdict["class"] != "convention":
            false_positives.append((key, verdict))
    assert not unexplained, unexplained
    assert not false_positives, false_positives
    assert all(v["class"] in ("convention", "label_wrong", "ours_wrong") for v in classified.values())
