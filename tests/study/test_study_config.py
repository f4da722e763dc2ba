"""Study settings, presets, and how the study wires its Runs (no training here)."""

import pytest
import yaml

from specs.errors import ConfigError
from specs.recipe.schema import load_recipe
from specs.study.config import ARMS, DEFAULT_ARMS, PRESETS, load_study, recipe_path
from specs.study.runner import PAIRS, Study


def test_presets_and_overrides(tmp_path):
    quick = load_study("quick")
    assert quick.preset == "quick" and quick.recipe == "study-quick" and quick.seeds == [0, 1, 2]
    assert quick.arms == list(DEFAULT_ARMS) == load_study("full").arms and max(quick.pass_k) <= quick.pass_n
    full = load_study("full", ["seeds=[3,4,5,6]", "overrides.final_grpo.max_steps=50"], base_model=tmp_path)
    assert full.recipe == "toy" and full.seeds == [3, 4, 5, 6] and full.base_model == tmp_path
    assert full.overrides == {"final_grpo": {"max_steps": 50}}
    (tmp_path / "mine.yaml").write_text("recipe: toy-fast\narms: [sft, specs]\nseeds: [1]\n")
    mine = load_study(str(tmp_path / "mine.yaml"))
    assert mine.preset == "mine" and mine.arms == ["sft", "specs"]
    assert set(PRESETS) == {"quick", "full"}


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["pass_k=[1,16]"], "key 'pass_k': Value error, must be in 1..pass_n=4"),
        (["seeds=[1,1]"], "key 'seeds': Value error, must be a non-empty list of distinct values"),
        (["pass_n=2"], "key 'pass_k': Value error, must be in 1..pass_n=2, got [1, 2, 4]"),
        (["arms=[specs,nope]"], "key 'arms.1'"),
        (["gf_evry=3"], "key 'gf_evry': unknown key"),
    ],
)
def test_bad_settings_are_one_line(sets, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace(".", r"\.")):
        load_study("quick", sets)


def test_unknown_preset():
    with pytest.raises(ConfigError, match="not a preset"):
        load_study("medium")


def test_the_quick_recipe_is_a_valid_builtin():
    assert recipe_path("study-quick").name == "study-quick.yaml" and recipe_path("toy").name == "toy.yaml"
    recipe = load_recipe(recipe_path("study-quick"))
    assert recipe.name == "study-quick" and recipe.cold_start.dpo.logging_steps == 1
    with pytest.raises(ConfigError, match="neither a built-in recipe nor a file"):
        recipe_path("no-such-recipe")


@pytest.fixture
def study(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    cfg = load_study("quick", ["overrides.final_grpo.max_steps=7"], base_model=base)
    s = Study(cfg, tmp_path / "study", log=lambda _: None)
    for split in ("train", "id-test", "ood-test"):  # the world's data, as its data stage would leave it
        s.world().data(split).parent.mkdir(parents=True, exist_ok=True)
        s.world().data(split).write_text("")
    return s


def test_trunks_and_branches_share_the_world_and_differ_only_where_they_should(study):
    world, trunk = study.world(), study.trunk(2)
    assert [s.name for s in study.world_stages(world)] == ["data", "eval_base"]  # the given base is not built
    assert trunk.model("base") == study.cfg.base_model and trunk.data("train") == world.data("train")
    r = trunk.recipe
    assert (r.grpo_zero.seed, r.distill.seed, r.cold_start.dpo.seed, r.cold_start.sft.seed, r.final_grpo.seed) == (
        2, 2, 2, 2, 2)
    assert r.eval.limit == study.cfg.limits.eval and r.final_grpo.max_steps == 7
    assert [s.name for s in study.trunk_stages(trunk, 2)] == [
        "grpo_zero", "eval_grpo_zero", "distill", "distill_coupled", "measure_base"]
    finals = set()
    for arm, spec in ARMS.items():
        branch = study.branch(2, arm)
        assert branch.root == study.root / "seed-2" / arm and branch.model("base") == study.cfg.base_model
        cold = branch.recipe.cold_start
        assert cold.method == spec.method
        if spec.sft_weight is not None:
            assert cold.dpo.sft_weight == spec.sft_weight
        assert cold.dpo.gf_every == cold.sft.gf_every == study.cfg.gf_every and cold.dpo.gf_select == "last"
        finals.add(yaml.safe_dump(branch.recipe.final_grpo.model_dump()))
        names = [s.name for s in study.branch_stages(branch, trunk, 2, arm)]
        tail = ["final_grpo", "eval_final", "measure_final"]
        assert names == (tail if arm == "grpo_only" else
                         ["pairs", "cold_start", "eval_cold_start", "measure_cold_start", *tail])
    assert len(finals) == 1  # the same final-GRPO budget in every arm


def test_only_the_pairs_the_arms_need_are_distilled(tmp_path, study):
    study.cfg.arms = ["grpo_only"]
    assert [s.name for s in study.trunk_stages(study.trunk(0), 0)] == ["measure_base"]
    study.cfg.arms = ["sft", "specs"]
    assert "distill_coupled" not in [s.name for s in study.trunk_stages(study.trunk(0), 0)]


def test_a_study_folder_refuses_other_settings(study):
    study.claim()
    study.cfg.threads = 2
    study.claim()  # threads change speed, not results
    study.cfg.seeds = [*study.cfg.seeds, 99]
    study.claim()  # a rerun with more seeds adds them
    study.cfg.pass_n = 8
    with pytest.raises(ConfigError, match="different study settings"):
        study.claim()


NEW_ARMS = ("specs_lambda_half", "specs_seqnorm", "base_chosen", "no_filter")


def test_the_ablation_arms_are_opt_in_and_resolve_to_their_recipe_values(study):
    assert not set(NEW_ARMS) & set(DEFAULT_ARMS) and set(NEW_ARMS) <= set(ARMS)
    chosen = load_study("quick", [f"arms=[specs,{','.join(NEW_ARMS)}]"])
    assert chosen.arms == ["specs", *NEW_ARMS]
    dpo = {arm: study.branch(0, arm).recipe.cold_start.dpo for arm in ("specs", *NEW_ARMS)}
    assert {arm: (study.branch(0, arm).recipe.cold_start.method, d.sft_weight, d.sft_normalization)
            for arm, d in dpo.items()} == {
        "specs": ("dpo", 1.0, "token_mean"),
        "specs_lambda_half": ("dpo", 0.5, "token_mean"),
        "specs_seqnorm": ("dpo", 1.0, "sequence_mean"),
        "base_chosen": ("dpo", 1.0, "token_mean"),
        "no_filter": ("dpo", 1.0, "token_mean"),
    }
    # the two pairs ablations train on their own distillation in the trunk; the λ/normalisation ones on SPECS's
    study.cfg.arms = ["specs", *NEW_ARMS]
    trunk = study.trunk(0)
    assert [s.name for s in study.trunk_stages(trunk, 0)] == [
        "grpo_zero", "eval_grpo_zero", "distill", "distill_base_chosen", "distill_no_filter", "measure_base"]
    for kind in PAIRS:
        (trunk.root / PAIRS[kind]).parent.mkdir(parents=True, exist_ok=True)
        (trunk.root / PAIRS[kind]).write_text(kind)
    for arm, kind in [("specs_lambda_half", "decoupled"), ("specs_seqnorm", "decoupled"),
                      ("base_chosen", "base_chosen"), ("no_filter", "no_filter")]:
        branch = study.branch(0, arm)
        stage = next(s for s in study.branch_stages(branch, trunk, 0, arm) if s.name == "pairs")
        stage.run()
        assert (branch.root / "pairs.jsonl").read_text() == kind, arm


def test_the_pairs_ablations_distill_with_the_trunks_settings_but_one(study, monkeypatch):
    """base_chosen samples the base for the chosen side; no_filter drops the consistency filter; nothing else moves."""
    from specs.stages import distill as stage

    calls = {}

    def fake(chosen_model, base_model, data, out, cfg, prompt, judge=None):
        calls[out.name] = (chosen_model, base_model, data, cfg)
        return {"summary": []}

    monkeypatch.setattr(stage, "distill", fake)
    study.cfg.arms = ["specs", "coupled", "base_chosen", "no_filter"]
    trunk = study.trunk(1)
    for s in study.trunk_stages(trunk, 1):
        if s.name.startswith("distill"):
            s.run()
    base, grpo_zero, data = trunk.model("base"), trunk.model("grpo_zero"), trunk.data("train")
    recipe = trunk.recipe.distill
    expected = {
        "pairs.jsonl": (grpo_zero, {}),
        "pairs-coupled.jsonl": (grpo_zero, {"coupled": True}),
        "pairs-base-chosen.jsonl": (base, {"chosen_source": "base"}),
        "pairs-no-filter.jsonl": (grpo_zero, {"consistency": "none"}),
    }
    assert set(calls) == set(expected)
    for name, (model, changed) in expected.items():
        chosen_model, base_model, got_data, cfg = calls[name]
        assert (chosen_model, base_model, got_data) == (model, base, data), name
        assert cfg.model_dump() == {**recipe.model_dump(), **changed}, name
    assert recipe.consistency == "rule" and recipe.chosen_source == "grpo_zero" and recipe.seed == 1
