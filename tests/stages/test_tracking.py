"""Tracking: every training stage appends per-step metrics to a JSONL as it trains and writes TensorBoard events
into the run folder."""

import json

import pytest
from stages_helpers import TOY, dataset, toy_pair_rows

from specs.stages.sft import SFTStageConfig, train_sft
from specs.stages.tracking import MetricsJSONL, metrics_path, tensorboard_dir, trainer_report_to

pytestmark = pytest.mark.slow


def test_a_stage_writes_metrics_lines_and_tensorboard_events(toy_base, toy_world, tmp_path):
    rows = toy_pair_rows(toy_world["train"])
    cfg = SFTStageConfig(learning_rate=1e-4, batch_size=4, max_steps=3, logging_steps=1, freeze_vision=False)
    out = train_sft(toy_base, dataset(rows, ["prompt", "completion", "images"]), tmp_path / "sft", cfg, TOY)
    lines = [json.loads(line) for line in metrics_path(out).read_text().splitlines()]
    steps = [row["step"] for row in lines if "loss" in row]
    assert steps == [1, 2, 3] and all(row["time"] >= 0 for row in lines)
    assert list(tensorboard_dir(out).glob("events.out.tfevents.*"))


def test_no_tracker_but_always_the_jsonl(tmp_path):
    assert trainer_report_to(["tensorboard"]) == "none" and trainer_report_to(["tensorboard", "wandb"]) == ["wandb"]


def test_a_resumed_stage_keeps_its_history_up_to_the_checkpoint(tmp_path):
    from types import SimpleNamespace

    path = tmp_path / "m.metrics.jsonl"
    path.write_text("".join(json.dumps({"step": s}) + "\n" for s in (1, 2, 3, 4)) + '{"step": 5, "lo')
    MetricsJSONL(path).on_train_begin(None, SimpleNamespace(is_world_process_zero=True, global_step=2), None)
    assert [json.loads(line)["step"] for line in path.read_text().splitlines()] == [1, 2]
    MetricsJSONL(path).on_train_begin(None, SimpleNamespace(is_world_process_zero=True, global_step=0), None)
    assert path.read_text() == ""
