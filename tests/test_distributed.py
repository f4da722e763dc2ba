"""The whole recipe under ``accelerate launch`` with two CPU processes (gloo), with our DDP and DeepSpeed ZeRO-3
configs: one process group for the trainers, sharded generation for eval and distill, one writer for every
artifact, and whole models saved in the stock layout even when no rank holds all the weights."""

import json
import math
import os
import subprocess
import sys

import pytest

from specs.grading.formatcheck import format_ok

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["ddp", "zero3"])
def launched(request, toy_base, tmp_path_factory, launch):
    out = tmp_path_factory.mktemp(f"launched-{request.param}") / "run"
    gf = ["--set", "cold_start.dpo.gf_every=2", "--set", "cold_start.dpo.gf_limit=7"]  # 7: uneven over 2 ranks
    stdout = launch("run", "toy-fast", "--out", str(out), "--set", f"base_model={toy_base}", *gf,
                               config=request.param)
    return out, stdout


def test_every_stage_finishes_and_only_the_main_rank_reports(launched):
    out, stdout = launched
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["status"] for s in manifest["stages"].values()] == ["done"] * 9
    assert stdout.count("prompts tried: 64") == 1 and stdout.count("OOD format") == 1
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "data", "evals", "manifest.json", "models", "pairs.jsonl", "pairs.stats.json", "recipe.yaml", "report.html",
        "run.log", "summary.json",
    ]


def test_sharded_distill_writes_one_consistent_pairs_file(launched):
    out, _ = launched
    rows = [json.loads(line) for line in (out / "pairs.jsonl").read_text().splitlines()]
    stats = json.loads((out / "pairs.stats.json").read_text())
    assert stats["prompts"] == 64 and stats["pairs"] == len(rows) > 0
    assert all(format_ok(r["chosen"]) and not format_ok(r["rejected"]) for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)


def test_trainers_run_as_one_group(launched):
    out, _ = launched
    n_pairs = len((out / "pairs.jsonl").read_text().splitlines())
    dpo = json.loads((out / "models" / "cold_start" / "trainer_log.json").read_text())[-1]
    assert dpo["epoch"] == pytest.approx(3 / math.ceil(n_pairs / (8 * 2)))  # 3 steps of 8 pairs × 2 ranks
    for name in ("grpo_zero", "final"):
        log = json.loads((out / "models" / name / "trainer_log.json").read_text())[-1]
        assert log["epoch"] == pytest.approx(3 / (64 / (2 * 2)))  # 3 steps of 2 prompts per rank × 2 ranks


def test_trained_models_are_saved_whole_in_the_stock_layout(launched, toy_base):
    from safetensors.torch import load_file

    base = load_file(toy_base / "model.safetensors")
    for name in ("grpo_zero", "cold_start", "final"):
        trained = load_file(launched[0] / "models" / name / "model.safetensors")
        assert trained.keys() == base.keys(), name  # ZeRO-3 once wrote model.model.* here
        assert all(trained[k].shape == base[k].shape for k in base)
        changed = {k for k in base if not trained[k].equal(base[k])}
        assert changed and not any(k.startswith("visual.") for k in changed)  # the vision tower is frozen


def test_sharded_eval_equals_one_process(launched, toy_base, tmp_path):
    out, _ = launched
    launched_eval = json.loads((out / "evals" / "base.json").read_text())["id-test"]
    assert [p["id"] for p in launched_eval["per_prompt"]] == [f"id-test-{i:06d}" for i in range(32)]
    single = tmp_path / "single.json"
    subprocess.run(
        [sys.executable, "-m", "specs", "eval", str(toy_base), str(out / "data" / "id-test.jsonl"), "--out",
         str(single), "-s", "max_new_tokens=40", "-s", "batch_size=64", "--prompt", str(out / "recipe.yaml")],
        check=True, capture_output=True, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert json.loads(single.read_text())["samples"] == launched_eval["samples"]  # greedy: sharding changes nothing


def test_the_toy_base_is_not_built_under_several_processes(tmp_path, launch):
    with pytest.raises(AssertionError, match="the toy base is built in one process"):
        launch("run", "toy-fast", "--out", str(tmp_path / "run"))


def test_gf_is_tracked_with_every_rank_generating(launched):
    """Under ZeRO-3 no rank holds the whole model, so every rank samples its share of the GF prompts."""
    out, _ = launched
    curve = json.loads((out / "models" / "cold_start-gf" / "gf_curve.json").read_text())
    assert [p["step"] for p in curve["points"]] == [0, 2, 3]
    assert curve["n_id"] == curve["n_ood"] == 7
    assert all(0 <= p[s]["format_rate"] <= 1 for p in curve["points"] for s in ("id", "ood"))
