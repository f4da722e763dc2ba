"""The console: rank-0 lines that also land in run.log, and a compact line per training log step."""

from types import SimpleNamespace

from specs import console
from specs.stages.tracking import ConsoleLine


def test_say_prints_and_appends_to_run_log(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(console, "_log_file", None)
    log = console.attach(tmp_path)
    console.say("[1/9] data")
    assert capsys.readouterr().out == "[1/9] data\n"
    assert log.read_text().splitlines()[-1] == "[1/9] data"


def test_a_log_step_is_one_compact_line(capsys, monkeypatch):
    monkeypatch.setattr(console, "_log_file", None)
    line = ConsoleLine("grpo_zero")
    state = SimpleNamespace(is_world_process_zero=True, global_step=0, max_steps=10)
    line.on_train_begin(None, state, None)
    state.global_step = 2
    logs = {"loss": 0.5, "rewards/format_reward/mean": 0.25, "rewards/accuracy_reward/mean": 0.5, "reward": 0.75,
            "completions/mean_length": 17.0}
    line.on_log(None, state, None, logs=logs)
    out = capsys.readouterr().out
    assert out.startswith("  grpo_zero step 2/10  format_reward 0.250  accuracy_reward 0.500  reward 0.750")
    assert "ETA" in out and "mean_length" not in out and out.count("\n") == 1
