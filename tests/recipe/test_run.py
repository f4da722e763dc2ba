"""End to end: ``specs run`` on the CI-sized recipe, then resume and refusal behaviour."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from specs.cli import app
from specs.data.prompt import load_prompt
from specs.grading.formatcheck import format_ok


@pytest.fixture(scope="module")
def fast_run(toy_fast_run):
    return toy_fast_run


def test_every_stage_ran_and_wrote_its_outputs(fast_run):
    out, output = fast_run
    manifest = json.loads((out / "manifest.json").read_text())
    names = ["data", "eval_base", "grpo_zero", "eval_grpo_zero", "distill", "cold_start", "eval_cold_start",
             "final_grpo", "eval_final"]
    assert list(manifest["stages"]) == names
    for entry in manifest["stages"].values():
        assert entry["status"] == "done" and entry["seconds"] >= 0
        assert all(Path(p).exists() for p in entry["outputs"])
    for model in ("grpo_zero", "cold_start", "final"):
        assert (out / "models" / model / "model.safetensors").is_file()
    for label in ("base", "GRPO-zero", "cold start", "final"):
        assert label in output
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == {"base", "GRPO-zero", "cold start", "final"}


def test_the_console_is_short_and_kept_in_run_log(fast_run):
    out, output = fast_run
    lines = output.splitlines()
    assert len(lines) < 80 and not any("it/s]" in line or "Loading weights" in line for line in lines)
    assert "[3/9] grpo_zero" in lines and any(line.startswith("  grpo_zero step 3/3  format_reward") for line in lines)
    assert any(line.startswith("  eval final: id-test acc") for line in lines)
    logged = (out / "run.log").read_text()
    assert "[9/9] eval_final: done in" in logged and "final              " in logged  # the table too


def test_every_training_stage_left_metrics_lines_and_tensorboard_events(fast_run):
    out, _ = fast_run
    models = out / "models"
    for stage in ("grpo_zero", "cold_start", "final"):
        rows = [json.loads(line) for line in (models / f"{stage}.metrics.jsonl").read_text().splitlines()]
        assert rows and all("step" in row for row in rows), stage
        assert list((models / "tensorboard" / stage).glob("events.out.tfevents.*")), stage
    assert not list(models.glob(".*.trainer")), "scratch folders are removed once a stage has saved"


def test_pairs_satisfy_the_format_invariants(fast_run):
    out, _ = fast_run
    rows = [json.loads(line) for line in (out / "pairs.jsonl").read_text().splitlines()]
    assert rows
    for row in rows:
        assert format_ok(row["chosen"]) and not format_ok(row["rejected"])
        assert row["provenance"]["prompt_id"] == row["id"]
    stats = json.loads((out / "pairs.stats.json").read_text())
    assert stats["pairs"] == len(rows) and stats["prompts"] == 64


def test_rerun_skips_completed_stages(fast_run, toy_base):
    out, _ = fast_run
    before = (out / "models" / "final" / "model.safetensors").stat().st_mtime
    result = CliRunner().invoke(app, ["run", "toy-fast", "--out", str(out), "--set", f"base_model={toy_base}"])
    assert result.exit_code == 0, result.output
    assert result.output.count("done already, skipped") == 9
    assert (out / "models" / "final" / "model.safetensors").stat().st_mtime == before


def test_a_change_to_a_stage_that_ran_is_refused(fast_run, toy_base):
    out, _ = fast_run
    args = ["run", "toy-fast", "--out", str(out), "--set", f"base_model={toy_base}", "--set", "final_grpo.max_steps=9"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "final_grpo.max_steps changed, but final_grpo already ran with the old value" in result.output


def test_a_folder_made_before_a_new_knob_existed_is_reopened(fast_run, toy_base):
    """A key added in a later version, at its default, is no change: the old run folder is reused."""
    import yaml

    out, _ = fast_run
    recipe_file = out / "recipe.yaml"
    saved = recipe_file.read_text()
    old = yaml.safe_load(saved)
    del old["final_grpo"]["drop_zero_std"]  # as if written before the knob existed
    recipe_file.write_text(yaml.safe_dump(old, sort_keys=False))
    try:
        result = CliRunner().invoke(app, ["run", "toy-fast", "--out", str(out), "--set", f"base_model={toy_base}"])
        assert result.exit_code == 0, result.output
        assert "different recipe" not in result.output
    finally:
        recipe_file.write_text(saved)


def test_bad_recipe_is_one_line(tmp_path):
    (tmp_path / "r.yaml").write_text("grpo_zero:\n  learnig_rate: 1\n")
    result = CliRunner().invoke(app, ["run", str(tmp_path / "r.yaml"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {tmp_path / 'r.yaml'}:2: key 'grpo_zero.learnig_rate': unknown key"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["dpo", "sft"])
def test_cold_start_commands_on_the_run_pairs(fast_run, toy_base, tmp_path, command):
    out, _ = fast_run
    args = [command, "--model", str(toy_base), "--pairs", str(out / "pairs.jsonl"), "--out", str(tmp_path / "m"),
            "--prompt", str(out / "recipe.yaml")]
    result = CliRunner().invoke(app, [*args, "-s", "max_steps=1", "-s", "batch_size=2"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m" / "model.safetensors").is_file() and result.output.count("wrote") == 1


def test_distill_command(fast_run, toy_base, tmp_path):
    out, _ = fast_run
    args = ["distill", "--chosen-model", str(out / "models" / "grpo_zero"), "--base-model", str(toy_base),
            "--data", str(out / "data" / "train.jsonl"), "--out", str(tmp_path / "p.jsonl"),
            "--prompt", str(out / "recipe.yaml")]  # the run's prompt: block, as the run rendered it
    result = CliRunner().invoke(app, [*args, "-s", "limit=32", "-s", "samples=4", "-s", "max_new_tokens=40"])
    assert result.exit_code == 0, result.output
    assert "prompts tried: 32" in result.output
    stats = json.loads((tmp_path / "p.stats.json").read_text())
    assert stats["prompt"] == json.loads(json.dumps(load_prompt("toy").model_dump()))
    assert stats["settings"]["samples"] == 4 and stats["pairs"] == len((tmp_path / "p.jsonl").read_text().splitlines())
