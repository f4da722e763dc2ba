"""The recipe plan's wiring (no training): which models a stage hands to its stage function."""

import json

import pytest

from specs.recipe import plan
from specs.recipe.runner import Run
from specs.recipe.schema import load_recipe


@pytest.mark.parametrize("source", ["grpo_zero", "base", "teacher"])
def test_distill_samples_the_chosen_side_the_recipe_names(tmp_path, monkeypatch, source):
    from specs.stages import distill as stage

    calls = []

    def fake(chosen_model, base_model, data, out, cfg, prompt, judge=None):
        calls.append((chosen_model, base_model, cfg.chosen_source))
        return {"summary": []}

    monkeypatch.setattr(stage, "distill", fake)
    teacher = tmp_path / "teacher.jsonl"
    teacher.write_text(json.dumps({"id": "s0", "text": "<think>a</think><answer>1</answer>"}) + "\n")
    sets = [f"distill.chosen_source={source}"] + ([f"distill.teacher_samples={teacher}"] if source == "teacher" else [])
    run = Run(load_recipe("toy", sets=sets), tmp_path / "run", log=lambda _: None)
    next(s for s in plan.stages(run) if s.name == "distill").run()
    expected = {"grpo_zero": run.model("grpo_zero"), "base": run.model("base"), "teacher": None}[source]
    assert calls == [(expected, run.model("base"), source)]
