"""Reading a run folder into study.json records: evals, the GF curve, DPO's chosen reward."""

import json

from specs.metrics import gf_curve
from specs.recipe.runner import Run
from specs.recipe.schema import Recipe
from specs.study.collect import chosen_reward, eval_record, gf_record


def run_in(tmp_path):
    return Run(Recipe(), tmp_path, log=lambda _: None)


def write(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


def test_eval_record_keeps_rates_not_samples(tmp_path):
    run = run_in(tmp_path)
    split = {"format_rate": 0.5, "accuracy": 0.25, "n": 4, "samples": [["x"]], "per_prompt": []}
    write(run.evals / "final.json", {"id-test": split, "ood-test": {**split, "accuracy": 0.75}})
    assert eval_record(run, "final") == {"id": {"format_rate": 0.5, "accuracy": 0.25, "n": 4},
                                         "ood": {"format_rate": 0.5, "accuracy": 0.75, "n": 4}}
    assert eval_record(run, "cold_start") is None


def test_gf_record_summarises_best_and_last(tmp_path):
    run = run_in(tmp_path)
    steps, ids, oods = [0, 5, 10], [0.2, 0.9, 0.95], [0.1, 0.5, 0.3]
    points = [{"step": s, "id": {"format_rate": i, "accuracy": 0.3}, "ood": {"format_rate": o, "accuracy": 0.2}}
              for s, i, o in zip(steps, ids, oods, strict=True)]
    curves = {"format_rate": [vars(p) for p in gf_curve(steps, ids, oods)],
              "accuracy": [vars(p) for p in gf_curve(steps, [0.3] * 3, [0.2] * 3)]}
    write(run.models / "cold_start-gf" / "gf_curve.json",
          {"points": points, "curves": curves, "beta": 2.0, "n_id": 8, "n_ood": 8, "best_step": None})
    record = gf_record(run)
    assert record["summary"]["format_rate"]["best"]["step"] == 5  # OOD gain 0.4 beats the last point's 0.2
    assert record["summary"]["format_rate"]["last"]["step"] == 10
    assert record["summary"]["accuracy"]["best"] == {**curves["accuracy"][0]}  # no gain: the reference, GF 0
    assert record["points"] == points and record["n_id"] == 8


def test_chosen_reward_series_from_the_trainer_log(tmp_path):
    run = run_in(tmp_path)
    log = [{"loss": 1.0, "rewards/chosen": 0.1, "step": 1}, {"rewards/chosen": -0.2, "step": 2},
           {"train_runtime": 3.0, "rewards/chosen": -0.3, "step": 2}, {"grad_norm": 1.0, "step": 3}]
    write(run.models / "cold_start" / "trainer_log.json", log)
    assert chosen_reward(run) == {"series": [{"step": 1, "value": 0.1}, {"step": 2, "value": -0.3}],
                                  "last": -0.3, "min": -0.3}
    write(run.models / "cold_start-last" / "trainer_log.json", [{"rewards/chosen": 0.5, "step": 4}])
    assert chosen_reward(run)["last"] == 0.5  # gf_select=best keeps the trainer's log beside the last model
    write(run.models / "cold_start-last" / "trainer_log.json", [{"loss": 0.5, "step": 4}])
    assert chosen_reward(run) is None  # an SFT log has no rewards
