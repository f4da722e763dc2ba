"""The judge's config: one ``judge:`` block per recipe, checked before anything runs, and ``--judge`` for stage
commands."""

import pytest
from typer.testing import CliRunner

from specs.cli import app
from specs.config import build
from specs.errors import ConfigError
from specs.judge import JudgeConfig, load_judge, require_judge
from specs.recipe.schema import Recipe, load_recipe

JUDGE_SETS = ["judge.base_url=http://localhost:8000/v1", "judge.model=qwen-judge"]


def test_defaults_and_required_fields():
    cfg = JudgeConfig(base_url="http://localhost:8000/v1", model="m")
    assert (cfg.api_key_env, cfg.cache_dir, cfg.concurrency) == ("OPENAI_API_KEY", None, 8)
    with pytest.raises(ConfigError, match="key 'model': Field required"):
        build(JudgeConfig, {"base_url": "http://x"})
    with pytest.raises(ConfigError, match="key 'api_key': unknown key"):  # the key itself never goes in a config
        build(JudgeConfig, {"base_url": "http://x", "model": "m", "api_key": "sk-…"})
    with pytest.raises(ConfigError, match="consistency=judge needs a judge: add a judge: block"):
        require_judge(None, "consistency=judge")


@pytest.mark.parametrize(
    ("sets", "keys"),
    [
        (["distill.consistency=judge"], "distill.consistency=judge needs"),
        (["eval.extract=judge", "final_grpo.accuracy=judge"], "eval.extract=judge and final_grpo.accuracy=judge need"),
        (["grpo_zero.accuracy=judge"], "grpo_zero.accuracy=judge needs"),
    ],
)
def test_a_recipe_that_selects_the_judge_needs_a_judge_block(sets, keys):
    with pytest.raises(ConfigError, match=rf"toy.yaml: key 'judge': Value error, {keys} a judge: block"):
        load_recipe("toy", sets)
    recipe = load_recipe("toy", [*sets, *JUDGE_SETS])
    assert recipe.judge.model == "qwen-judge"


def test_the_default_recipe_needs_no_judge():
    recipe = load_recipe("toy")
    assert recipe.judge is None and recipe.eval.extract == "rule" and recipe.final_grpo.accuracy == "rule"
    assert recipe.distill.consistency == "rule"
    with pytest.raises(ConfigError, match="key 'judge.model': Field required"):
        load_recipe("toy", JUDGE_SETS[:1])


def test_recipe_cache_dir_is_relative_to_the_recipe_and_runs_cache_in_their_folder(tmp_path):
    from specs.recipe.plan import run_judge
    from specs.recipe.runner import Run

    path = tmp_path / "r.yaml"
    path.write_text("judge: {base_url: 'http://h:8000/v1', model: m, cache_dir: cache}\n")
    assert load_recipe(path).judge.cache_dir == tmp_path / "cache"
    recipe = build(Recipe, {"judge": {"base_url": "http://h:8000/v1", "model": "m"}})
    assert run_judge(Run(recipe, tmp_path / "run")).cache_dir == tmp_path / "run" / "judge-cache"
    assert recipe.judge.cache_dir is None  # the recipe itself (and so the run's identity) is untouched


def test_load_judge_reads_a_block_or_a_recipe(tmp_path):
    block = tmp_path / "judge.yaml"
    block.write_text("base_url: http://h:8000\nmodel: m\ntimeout: 5\n")
    assert load_judge(block).timeout == 5
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("name: x\njudge:\n  base_url: http://h:8000\n  model: m\n  concurrency: 0\n")
    with pytest.raises(ConfigError, match=r"recipe.yaml:5: key 'concurrency': Input should be greater"):
        load_judge(recipe)
    recipe.write_text("name: x\njudge: null\n")
    with pytest.raises(ConfigError, match="key 'judge': expected a mapping"):
        load_judge(recipe)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grpo", "--model", "m", "--data", "d.jsonl", "--out", "o", "-s", "accuracy=judge"], "accuracy=judge"),
        (["distill", "--chosen-model", "z", "--base-model", "b", "--data", "d.jsonl", "--out", "p.jsonl",
          "-s", "consistency=judge"], "consistency=judge"),
        (["eval", "m", "d.jsonl", "--out", "r.json", "--extract", "judge"], "--extract judge"),
    ],
)
def test_stage_commands_refuse_a_judge_use_without_a_judge(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing there: the check must come before any model or data is read
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"error: {message} needs a judge" in result.output and "--judge FILE" in result.output


def test_stage_command_judge_file_errors_are_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "j.yaml").write_text("base_url: http://h:8000\n")
    result = CliRunner().invoke(app, ["eval", "m", "d.jsonl", "--out", "r.json", "--extract", "judge",
                                      "--judge", "j.yaml"])
    assert result.exit_code == 2 and "j.yaml: key 'model': Field required" in result.output
    assert "accuracy (" in CliRunner().invoke(app, ["grpo", "--help"]).output
