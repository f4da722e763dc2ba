"""Distillation's chosen side: GRPO-zero (SPECS), the base, or a teacher's file; and the chosen filter switched off."""

import json

import pytest

from specs.config import build
from specs.data.prompt import PromptSpec
from specs.errors import ConfigError, DataError
from specs.generation.hf import Sample
from specs.recipe.schema import load_recipe
from specs.stages import distill as stage
from specs.stages.distill import DistillConfig, chosen_seed

SOUND = "<think>I get 12.</think><answer>12</answer>"
LUCKY = "<think>I get 14.</think><answer>12</answer>"  # right answer, but the reasoning concludes 14
PLAIN = "I get 12. Answer: 12"  # correct, unformatted: no chosen, but a rejected side after its corruption


def _data(path, n=3):
    rows = [{"id": f"p{i}", "question": "How many?", "answer": "12", "images": []} for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _samples(*texts):
    return [Sample(t, n_tokens=len(t.split()), finished=True) for t in texts]


@pytest.fixture
def sampled(monkeypatch):
    """Scripted sampling: records (model, label, seed) of each call; the base side always answers SOUND."""
    calls = []

    def fake(path, examples, cfg, prompt, label, cache=None):
        calls.append((path, label, cfg.seed))
        return [_samples(SOUND if label == "base" else LUCKY) for _ in examples]

    monkeypatch.setattr(stage, "sample_model", fake)
    return calls


def _teacher(path, *rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_chosen_source_and_teacher_samples_are_checked_at_config_time(tmp_path):
    with pytest.raises(ConfigError, match="key 'teacher_samples': Value error, chosen_source=teacher needs"):
        build(DistillConfig, {"chosen_source": "teacher"})
    teacher = _teacher(tmp_path / "t.jsonl", {"id": "p0", "text": SOUND})
    with pytest.raises(ConfigError, match="teacher_samples.*only read with chosen_source=teacher"):
        build(DistillConfig, {"teacher_samples": str(teacher)})
    with pytest.raises(ConfigError, match="teacher_samples"):
        build(DistillConfig, {"chosen_source": "teacher", "teacher_samples": str(tmp_path / "missing.jsonl")})
    with pytest.raises(ConfigError, match="chosen_source"):
        build(DistillConfig, {"chosen_source": "72b"})


def test_the_recipe_reaches_every_chosen_side_knob(tmp_path):
    _teacher(tmp_path / "teacher.jsonl", {"id": "p0", "text": SOUND})
    (tmp_path / "r.yaml").write_text("distill:\n  chosen_source: teacher\n  teacher_samples: teacher.jsonl\n")
    recipe = load_recipe(tmp_path / "r.yaml")  # a relative path resolves against the recipe's folder
    assert recipe.distill.chosen_source == "teacher" and recipe.distill.teacher_samples == tmp_path / "teacher.jsonl"
    assert load_recipe("toy", sets=["distill.chosen_source=base"]).distill.chosen_source == "base"
    assert load_recipe("toy", sets=["distill.consistency=none"]).distill.consistency == "none"
    assert load_recipe("toy").distill.chosen_source == "grpo_zero"


def test_consistency_none_from_a_recipe_keeps_chosen_responses_the_rule_drops(tmp_path, sampled):
    data = _data(tmp_path / "d.jsonl")
    for consistency, pairs in (("rule", 0), ("none", 3)):
        cfg = load_recipe("toy", sets=[f"distill.consistency={consistency}"]).distill
        if pairs == 0:
            with pytest.raises(ValueError, match="no pairs were built"):
                stage.distill(tmp_path / "z", tmp_path / "b", data, tmp_path / "p.jsonl", cfg, PromptSpec())
            continue
        stats = stage.distill(tmp_path / "z", tmp_path / "b", data, tmp_path / "p.jsonl", cfg, PromptSpec())
        assert stats["pairs"] == pairs and stats["settings"]["consistency"] == "none"


def test_base_chosen_samples_the_base_for_both_sides_with_its_own_seed(tmp_path, sampled):
    data = _data(tmp_path / "d.jsonl")
    cfg = DistillConfig(chosen_source="base", consistency="none", seed=3)
    stats = stage.distill(None, tmp_path / "b", data, tmp_path / "p.jsonl", cfg, PromptSpec())
    assert sampled == [(tmp_path / "b", "chosen", chosen_seed(3)), (tmp_path / "b", "base", 3)]
    assert chosen_seed(3) not in (3, 4) and stats["chosen_model"] == str(tmp_path / "b")
    assert stats["chosen_source"] == "base"
    assert stage.distill(tmp_path / "b", tmp_path / "b", data, tmp_path / "p.jsonl", cfg, PromptSpec())  # the base
    with pytest.raises(ConfigError, match="chosen_source=base samples the chosen side from the base model"):
        stage.distill(tmp_path / "z", tmp_path / "b", data, tmp_path / "p.jsonl", cfg, PromptSpec())
    with pytest.raises(ConfigError, match="chosen_source=grpo_zero samples the chosen side from a chosen model"):
        stage.distill(None, tmp_path / "b", data, tmp_path / "p.jsonl", DistillConfig(), PromptSpec())


def test_teacher_responses_are_the_chosen_candidates_of_their_prompt(tmp_path, sampled):
    data = _data(tmp_path / "d.jsonl")
    teacher = _teacher(tmp_path / "t.jsonl", {"id": "p0", "text": LUCKY}, {"id": "p0", "text": SOUND},
                       {"id": "p2", "text": PLAIN}, {"id": "elsewhere", "text": SOUND})
    cfg = DistillConfig(chosen_source="teacher", teacher_samples=teacher)
    out = tmp_path / "pairs.jsonl"
    stats = stage.distill(None, tmp_path / "b", data, out, cfg, PromptSpec())
    assert [label for _, label, _ in sampled] == ["base"]  # only the base is sampled
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["p0"] and rows[0]["chosen"] == SOUND  # LUCKY fails the rule filter
    assert rows[0]["provenance"]["chosen_model"] == str(teacher) and rows[0]["provenance"]["chosen_sample"] == 1
    assert stats["dropped"]["no_correct_formatted_chosen"] == 2  # p1 has no teacher response, p2 none formatted
    assert stats["teacher_unmatched_responses"] == 1 and stats["settings"]["teacher_samples"] == str(teacher)
    with pytest.raises(ConfigError, match="chosen_source=teacher takes the chosen side from teacher_samples"):
        stage.distill(tmp_path / "z", tmp_path / "b", data, out, cfg, PromptSpec())


def test_a_bad_teacher_file_is_one_located_error_before_any_sampling(tmp_path, monkeypatch):
    monkeypatch.setattr(stage, "sample_model", lambda *a: pytest.fail("sampled before the teacher file was read"))
    data = _data(tmp_path / "d.jsonl")
    bad = tmp_path / "t.jsonl"
    bad.write_text(json.dumps({"id": "p0", "text": SOUND}) + "\n" + json.dumps({"id": "p1", "response": "x"}) + "\n")
    cfg = DistillConfig(chosen_source="teacher", teacher_samples=bad)
    with pytest.raises(DataError, match=r"t\.jsonl:2: field 'response': unknown field"):
        stage.distill(None, tmp_path / "b", data, tmp_path / "p.jsonl", cfg, PromptSpec())
    other = _teacher(tmp_path / "o.jsonl", {"id": "q9", "text": SOUND})
    cfg = DistillConfig(chosen_source="teacher", teacher_samples=other)
    with pytest.raises(DataError, match=r"o\.jsonl: field 'id': no response for any of the 3 prompts"):
        stage.distill(None, tmp_path / "b", data, tmp_path / "p.jsonl", cfg, PromptSpec())


def test_base_chosen_draws_differ_from_the_rejected_sides_on_the_toy_base(toy_base, toy_world, tmp_path, monkeypatch):
    """On a real model: the chosen side's own seed gives other draws than the base side's, not a copy."""
    from specs.data.prompt import load_prompt

    drawn = {}
    real = stage.sample_model

    def spy(path, examples, cfg, prompt, label, cache=None):
        drawn[label] = [[s.text for s in per] for per in real(path, examples, cfg, prompt, label, cache=cache)]
        return [_samples(*texts) for texts in drawn[label]]

    monkeypatch.setattr(stage, "sample_model", spy)
    cfg = DistillConfig(chosen_source="base", samples=2, limit=6, max_new_tokens=24, batch_size=6)
    try:
        stage.distill(None, toy_base, toy_world["train"], tmp_path / "p.jsonl", cfg, load_prompt("toy"))
    except ValueError as err:  # 24 tokens may leave no correct, formatted response: the draws are what counts
        assert "no pairs" in str(err)
    assert set(drawn) == {"chosen", "base"} and drawn["chosen"] != drawn["base"]
    assert not (tmp_path / ".p.jsonl.samples").exists()  # the samples cache goes once the stats are written


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ([], 2, "chosen_source=grpo_zero samples the chosen side from a chosen model: give --chosen-model"),
        (["--chosen-model", "z", "-s", "chosen_source=base"], 2,
         "chosen_source=base samples the chosen side from the base model (b), not from z: drop --chosen-model"),
        (["-s", "chosen_source=teacher"], 2,
         "--set: key 'teacher_samples': Value error, chosen_source=teacher needs teacher_samples"),
    ],
)
def test_the_distill_command_says_which_chosen_side_is_missing_or_contradicted(args, code, message, tmp_path,
                                                                               monkeypatch):
    from typer.testing import CliRunner

    from specs.cli import app

    monkeypatch.chdir(tmp_path)  # nothing there: the check comes before any model or data is read
    result = CliRunner().invoke(app, ["distill", "--base-model", "b", "--data", "d.jsonl", "--out", "p.jsonl", *args])
    assert result.exit_code == code and f"error: {message}" in result.output, result.output
