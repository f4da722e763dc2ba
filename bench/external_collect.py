"""Collect the external labelled cases (tests/grading/external_cases.jsonl) from public repositories.

Why: a grader checked only against cases its authors wrote checks the authors' conventions. These cases were
labelled by others: Math-Verify's regression tests (expected verdicts), open-r1's accuracy-reward tests, and
MathVista's official result file for Bard (real responses, the official scorer's ``true_false``). Every line
cites its source repository, path and commit. Run it against local git mirrors (``git show`` only):

    python bench/external_collect.py --mirrors /work/.mirror --out tests/grading/external_cases.jsonl
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import subprocess
from pathlib import Path
from typing import Any

MATH_VERIFY = ("huggingface/Math-Verify", "tests/test_all.py")
OPEN_R1 = ("huggingface/open-r1", "tests/test_rewards.py")
MATHVISTA = ("lupantech/MathVista", "results/bard/output_bard.json")
MATHVISTA_SAMPLE = 160  # seeded sample of the 1,000 testmini responses (keeps the fixture small)
MAX_RESPONSE_CHARS = 3000


def _show(mirrors: Path, repo: str, path: str) -> tuple[str, str]:
    git = mirrors / repo.replace("/", "+") / "repo"
    commit = subprocess.run(["git", "-C", str(git), "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    text = subprocess.run(["git", "-C", str(git), "show", f"HEAD:{path}"], capture_output=True, text=True, check=True)
    return commit.stdout.strip(), text.stdout


def _source(repo: str, path: str, commit: str, where: str) -> dict[str, str]:
    return {"repo": repo, "path": path, "commit": commit, "where": where}


def math_verify_cases(mirrors: Path) -> list[dict[str, Any]]:
    """Every ``(gold, pred, expected)`` of a parametrized test that calls ``compare_strings`` with defaults
    other than precision/match types (those are recorded: they are Math-Verify's settings, not ours)."""
    commit, text = _show(mirrors, *MATH_VERIFY)
    out = []
    for node in ast.parse(text).body:
        if not isinstance(node, ast.FunctionDef) or "allow_set_relation_comp" in ast.unparse(node):
            continue
        for deco in node.decorator_list:
            if not (isinstance(deco, ast.Call) and ast.unparse(deco.func).endswith("parametrize")):
                continue
            names = [n.strip() for n in ast.literal_eval(deco.args[0]).split(",")]
            if names[:3] != ["gold", "pred", "expected"]:
                continue
            for item in deco.args[1].elts:
                try:
                    values = ast.literal_eval(item)
                except ValueError:
                    continue
                row = dict(zip(names, values, strict=True))
                out.append(
                    {
                        "response": row["pred"],
                        "gold": row["gold"],
                        "label": bool(row["expected"]),
                        "kind": "math-verify-suite",
                        "source": _source(*MATH_VERIFY, commit, f"{node.name} line {item.lineno}"),
                    }
                )
    return out


def open_r1_cases(mirrors: Path) -> list[dict[str, Any]]:
    """The accuracy-reward tests: ``completion = [[{"content": …}]]``, ``solution = [...]``, expected reward."""
    commit, text = _show(mirrors, *OPEN_R1)
    out = []
    for node in ast.walk(ast.parse(text)):
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_accuracy_reward")):
            continue
        values: dict[str, Any] = {}
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                try:
                    values[stmt.targets[0].id] = ast.literal_eval(stmt.value)
                except ValueError:
                    continue
            if isinstance(stmt, ast.Expr) and "assertEqual" in ast.unparse(stmt):
                expected = ast.literal_eval(stmt.value.args[1])
        out.append(
            {
                "response": values["completion"][0][0]["content"],
                "gold": values["solution"][0],
                "label": expected == 1.0,
                "kind": "open-r1-reward-test",
                "source": _source(*OPEN_R1, commit, f"{node.name} line {node.lineno}"),
            }
        )
    return out


def _none(value: Any) -> Any:
    return None if value in (None, "None", "", "nan") else value


def mathvista_cases(mirrors: Path) -> list[dict[str, Any]]:
    """A seeded sample of Bard's testmini responses with the official verdict (``true_false``)."""
    commit, text = _show(mirrors, *MATHVISTA)
    rows = list(json.loads(text).values())
    rows = [r for r in rows if len(r.get("response") or "") <= MAX_RESPONSE_CHARS]
    out = []
    for row in random.Random(21).sample(rows, MATHVISTA_SAMPLE):
        choices = _none(row.get("choices"))
        precision = _none(row.get("precision"))
        out.append(
            {
                "response": row["response"],
                "gold": str(row["answer"]),
                "label": bool(row["true_false"]),
                "choices": choices,
                "answer_type": row.get("answer_type"),
                "precision": float(precision) if precision is not None else None,
                "kind": "mathvista-official",
                "official_extraction": row.get("extraction"),
                "source": _source(*MATHVISTA, commit, f"pid {row['pid']}"),
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--out", type=Path, default=Path("tests/grading/external_cases.jsonl"))
    args = parser.parse_args()
    cases = math_verify_cases(args.mirrors) + open_r1_cases(args.mirrors) + mathvista_cases(args.mirrors)
    with args.out.open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases -> {args.out}")


if __name__ == "__main__":
    main()
