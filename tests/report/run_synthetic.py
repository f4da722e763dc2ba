"""A small synthetic run folder (a few JSON files, tiny PNGs, short metrics logs) for the run report's tests.

It has the layout ``specs run`` writes (src/specs/recipe/runner.py, plan.py) with numbers the tests choose, so
the report can be checked value by value without training anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image

IDS = ["id-test-000000", "id-test-000001", "id-test-000002"]
QUESTIONS = ["How many circles are there?", "How many red objects are there?", "Is 2 < 3 & 3 > 1? Answer 1 or 0."]
GOLDS = ["3", "2", "1"]
# per model: one response per ID prompt; the base's first answer holds markup that must be shown, not run
RESPONSES = {
    "base": ["<think>About 2 & maybe <b>4</b>.</think><answer>2</answer>", "2", "<script>alert(1)</script>"],
    "grpo_zero": ["<think>Counting: 3.</think><answer>3</answer>", "<think>2 red.</think><answer>2</answer>",
                  "<think>yes</think><answer>1</answer>"],
    "final": ["<think>Counting: 3.</think><answer>3</answer>", "<think>2 red.</think><answer>2</answer>",
              "<think>yes</think><answer>0</answer>"],
}
# summary.json's numbers (distinct from the evals', so a test can tell which source the table used)
SUMMARY = {
    "base": {"id-test/format_rate": 0.125, "id-test/accuracy": 0.25, "ood-test/format_rate": 0.5,
             "ood-test/accuracy": 0.375},
    "GRPO-zero": {"id-test/format_rate": 0.875, "id-test/accuracy": 0.625, "ood-test/format_rate": 0.75,
                  "ood-test/accuracy": 0.5},
    "final": {"id-test/format_rate": 1.0, "id-test/accuracy": 0.75, "ood-test/format_rate": 0.8125,
              "ood-test/accuracy": 0.5625},
}
PAIR = {
    "id": "train-000004", "question": "How many blue squares are there?", "answer": "1",
    "images": ["data/images/train/train-000004.png"], "answer_type": "integer",
    "meta": {"family": "count_color_shape", "format": "tags"},
    "chosen": "<think>Counting: 1 blue square.</think>\n<answer>1</answer>",
    "rejected": "<think>At a glance, 1.</think>\nAnswer: 1",
    "corruption": "answer_to_plain",
    "rejected_original": "<think>At a glance, 1.</think>\n<answer>1</answer>",
    "provenance": {"prompt_id": "train-000004", "chosen_model": "/x/models/grpo_zero", "chosen_sample": 1,
                   "rejected_model": "/x/base", "rejected_sample": 0},
}


def _png(path: Path, colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (6, 6), colour).save(path)


def _write(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


def _eval(model: str, root: Path) -> dict[str, Any]:
    from specs.grading.formatcheck import format_ok

    texts = RESPONSES[model]
    correct = [t.endswith(f"<answer>{g}</answer>") or t == g for t, g in zip(texts, GOLDS, strict=True)]
    split = {"accuracy": sum(correct) / 3, "format_rate": sum(map(format_ok, texts)) / 3, "n": 3, "n_prompts": 3,
             "per_prompt": [{"id": i, "n_correct": int(c), "n": 1} for i, c in zip(IDS, correct, strict=True)],
             "samples": [[t] for t in texts], "data": str(root / "data" / "id-test.jsonl")}
    return {"id-test": split, "ood-test": {**split, "accuracy": split["accuracy"] / 2, "samples": [], "per_prompt": []}}


def data_folder(root: Path) -> Path:
    """``data/`` with three ID-test records (each with a tiny PNG) and an empty train split's image folder."""
    lines = []
    for i, (ex_id, question, gold) in enumerate(zip(IDS, QUESTIONS, GOLDS, strict=True)):
        _png(root / "data" / "images" / "id-test" / f"{ex_id}.png", (40 * i, 200, 90))
        lines.append(json.dumps({"id": ex_id, "question": question, "answer": gold,
                                 "images": [f"images/id-test/{ex_id}.png"], "answer_type": "integer",
                                 "meta": {"family": "count_shape", "format": "tags"}}))
    (root / "data" / "id-test.jsonl").write_text("\n".join(lines) + "\n")
    (root / "recipe.yaml").write_text("name: synthetic\nbase_model: /x/base\ncold_start: {method: dpo}\n")
    return root


def partial_run(root: Path) -> Path:
    """Only what a run has after its base eval: data, the base's eval report, a manifest with that much."""
    data_folder(root)
    _write(root / "evals" / "base.json", _eval("base", root))
    _write(root / "manifest.json", {"stages": {"data": {"status": "done", "seconds": 0.1},
                                               "eval_base": {"status": "done", "seconds": 2.5},
                                               "grpo_zero": {"status": "running", "started": "now"}}})
    return root


def full_run(root: Path) -> Path:
    """A finished run: summary, evals of three models, GRPO/DPO logs, a GF curve and a pairs file."""
    partial_run(root)
    for model in ("grpo_zero", "final"):
        _write(root / "evals" / f"{model}.json", _eval(model, root))
    _write(root / "summary.json", SUMMARY)
    models = root / "models"
    grpo = [{"step": 1, "rewards/format_reward/mean": 0.1, "rewards/accuracy_reward/mean": 0.3, "reward": 0.35},
            {"step": 2, "rewards/format_reward/mean": 0.4, "rewards/accuracy_reward/mean": 0.5, "reward": 0.7}]
    (models / "grpo_zero.metrics.jsonl").parent.mkdir(parents=True, exist_ok=True)
    (models / "grpo_zero.metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in grpo) + '{"step": 3, "rew')
    final = [{**r, "filter/dropped_share": 0.25 * r["step"]} for r in grpo]  # only in trainer_log.json
    _write(models / "final" / "trainer_log.json", final)
    dpo = [{"step": 1, "loss": 0.69, "rewards/chosen": 0.01, "rewards/rejected": -0.02, "rewards/margins": 0.03},
           {"step": 2, "loss": 0.5, "rewards/chosen": 0.05, "rewards/rejected": -0.2, "rewards/margins": 0.25}]
    (models / "cold_start.metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in dpo))
    points = [{"step": s, "id": {"format_rate": f, "accuracy": a}, "ood": {"format_rate": f / 2, "accuracy": a / 2}}
              for s, f, a in ((0, 0.2, 0.3), (2, 0.8, 0.4))]
    curves = {m: [{"step": p["step"], "psi_id": p["id"][m], "psi_ood": p["ood"][m], "g_id": 0.0, "g_ood": 0.0,
                   "gf": 0.1 * p["step"]} for p in points] for m in ("format_rate", "accuracy")}
    _write(models / "cold_start-gf" / "gf_curve.json", {"metric_for_selection": "format_rate", "select": "last",
                                                        "beta": 2.0, "points": points, "curves": curves, "n_id": 3,
                                                        "n_ood": 3, "best_step": None})
    _png(root / PAIR["images"][0], (0, 0, 255))
    (root / "pairs.jsonl").write_text(json.dumps(PAIR) + "\n")
    _write(root / "pairs.stats.json", {"prompts": 4, "pairs": 1, "dropped": {"no_correct_base": 3},
                                       "corruptions": {"answer_to_plain": 1}, "chosen_source": "grpo_zero"})
    return root
