"""Resume inside a training stage: SIGKILL a toy GRPO run after a checkpoint, rerun the same command, and it goes
on from that checkpoint to the same total number of steps (transformers' own resume: model, optimizer,
scheduler, RNG, data position)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow
MAX_STEPS, SAVE_STEPS = 6, 2


def grpo_command(toy_base, data, out):
    knobs = [f"max_steps={MAX_STEPS}", f"save_steps={SAVE_STEPS}", "batch_size=8", "num_generations=4",
             "max_completion_length=16", "learning_rate=1e-4", "logging_steps=1", "report_to=[]"]
    sets = [arg for knob in knobs for arg in ("--set", knob)]
    return [sys.executable, "-m", "specs", "grpo", "--model", str(toy_base), "--data", str(data), "--out", str(out),
            "--prompt", "toy", *sets]


def test_a_killed_grpo_stage_resumes_from_its_last_checkpoint(toy_base, toy_world, tmp_path):
    from specs.stages.common import last_complete_checkpoint

    out = tmp_path / "grpo"
    scratch = tmp_path / ".grpo.trainer"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    first = subprocess.Popen(grpo_command(toy_base, toy_world["train"], out), env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while time.time() < deadline and first.poll() is None:
        done = last_complete_checkpoint(scratch)  # saved whole, as resume judges it
        if done is not None and int(done.rsplit("-", 1)[1]) >= SAVE_STEPS * 2:
            break
        time.sleep(0.2)
    assert first.poll() is None, "the first run ended before it could be killed"
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert not out.exists()
    step = int(last_complete_checkpoint(scratch).rsplit("-", 1)[1])  # the kill may have cut a later save short

    second = subprocess.run(grpo_command(toy_base, toy_world["train"], out), env=env, capture_output=True,
                            text=True, timeout=600)
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert f"resuming grpo from step {step}" in second.stdout
    log = json.loads((out / "trainer_log.json").read_text())
    trained = [row["step"] for row in log if "loss" in row]  # the checkpoint's history, then the resumed steps
    assert trained == list(range(1, MAX_STEPS + 1))
    assert not scratch.exists(), "checkpoints are deleted once the stage has saved its model"


def test_a_checkpoint_cut_short_mid_save_is_not_resumed(tmp_path):
    """A kill while a checkpoint is written leaves a folder without (or with half) its trainer_state.json, the
    file transformers writes last: resume takes the last whole one instead."""
    from specs.stages.common import last_complete_checkpoint

    assert last_complete_checkpoint(tmp_path / "none") is None
    for step, state in ((2, '{"global_step": 2}'), (4, '{"global_step": 4}'), (6, '{"glob'), (8, None)):
        folder = tmp_path / f"checkpoint-{step}"
        folder.mkdir()
        (folder / "model.safetensors").write_text("weights")
        if state is not None:
            (folder / "trainer_state.json").write_text(state)
    assert last_complete_checkpoint(tmp_path) == str(tmp_path / "checkpoint-4")
