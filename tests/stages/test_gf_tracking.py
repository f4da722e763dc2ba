import json

import pytest
from stages_helpers import TOY, dataset, toy_pair_rows

from specs.stages.dpo import DPOStageConfig, train_dpo
from specs.stages.gf_tracking import CURVE, gf_outputs


def test_gf_curve_is_recorded_and_the_best_checkpoint_handed_on(toy_base, toy_world, tmp_path):
    cfg = DPOStageConfig(learning_rate=1e-3, batch_size=4, max_steps=2, gf_every=1, gf_limit=8, gf_select="best")
    out = tmp_path / "cold_start"
    callbacks, last = gf_outputs(cfg, toy_base, TOY, toy_world["id-test"], toy_world["ood-test"], out)
    assert last == tmp_path / "cold_start-last"
    pairs = dataset(toy_pair_rows(toy_world["train"]), ["prompt", "chosen", "rejected", "images"])
    train_dpo(toy_base, pairs, last, cfg, TOY, callbacks)
    curve = json.loads((tmp_path / "cold_start-gf" / CURVE).read_text())
    assert [p["step"] for p in curve["points"]] == [0, 1, 2]
    assert curve["n_id"] == 8 and curve["n_ood"] == 8
    gfs = [c["gf"] for c in curve["curves"]["format_rate"]]
    assert gfs[0] == 0.0 and all(g >= 0 for g in gfs)
    best = max(range(3), key=lambda i: (gfs[i], -i))
    assert curve["best_step"] == best
    assert (out / "model.safetensors").is_file() and (last / "model.safetensors").is_file()


def test_tracking_off_trains_into_out(tmp_path, toy_base):
    callbacks, last = gf_outputs(DPOStageConfig(), toy_base, TOY, None, None, tmp_path / "o")
    assert callbacks == [] and last == tmp_path / "o"


def test_tracking_needs_both_sets(tmp_path, toy_base, toy_world):
    with pytest.raises(ValueError, match="needs an ID and an OOD dataset"):
        gf_outputs(DPOStageConfig(gf_every=2), toy_base, TOY, toy_world["id-test"], None, tmp_path / "o")


def test_under_sharded_weights_only_best_gf_selection_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("ACCELERATE_USE_DEEPSPEED", "true")
    monkeypatch.setenv("ACCELERATE_DEEPSPEED_ZERO_STAGE", "3")
    with pytest.raises(ValueError, match="needs whole weights"):
        gf_outputs(DPOStageConfig(gf_every=5, gf_select="best"), tmp_path, TOY, tmp_path / "id.jsonl",
                   tmp_path / "ood.jsonl", tmp_path / "o")
    # gf_select=last (the default) tracks under ZeRO-3: tests/test_distributed.py runs it with two processes
