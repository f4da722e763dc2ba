"""One process per run folder: a live holder is named and refused, a dead one's lock is taken over, a stage
cut short by a kill is shown as interrupted, and Ctrl-C says which stage stopped and how to resume."""

import json
import os
import socket
import subprocess
import sys

import pytest

from specs.errors import ConfigError, Interrupted
from specs.recipe.lock import LOCK, run_lock
from specs.recipe.runner import Run, Stage
from specs.recipe.schema import load_recipe


def test_a_live_holder_is_refused_and_a_dead_ones_lock_taken_over(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        holder = {"pid": sleeper.pid, "host": socket.gethostname(), "started": "earlier"}
        (tmp_path / LOCK).write_text(json.dumps(holder))
        with pytest.raises(ConfigError, match=f"in use by process {sleeper.pid}"), run_lock(tmp_path):
            pass
    finally:
        sleeper.kill()
        sleeper.wait()
    said = []
    with run_lock(tmp_path, said.append):
        assert json.loads((tmp_path / LOCK).read_text())["pid"] == os.getpid()
    assert said == [f"{tmp_path}: took over the lock of process {sleeper.pid} (no longer running)"]
    assert not (tmp_path / LOCK).exists()


def test_a_stage_left_running_is_shown_as_interrupted_and_run_again(tmp_path):
    said, ran = [], []
    run = Run(load_recipe("toy-fast"), tmp_path / "run", said.append)
    stage = Stage("data", [tmp_path / "run" / "x"], lambda: ran.append(1) or (tmp_path / "run" / "x").write_text(""))
    run.claim([stage])
    run.manifest_path.write_text(json.dumps({"stages": {"data": {"status": "running", "outputs": []}}}))
    run.execute([stage])
    assert "data: interrupted last time (the process was killed); it runs again" in said and ran == [1]


def test_ctrl_c_names_the_stage_and_the_resume_command(tmp_path):
    said = []
    run = Run(load_recipe("toy-fast"), tmp_path / "run", said.append)

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(Interrupted, match=r"^\[1/1\] grpo_zero: interrupted \(Ctrl-C\)\. Resume with: "):
        run.execute([Stage("grpo_zero", [tmp_path / "run" / "m"], interrupted)])
    assert json.loads(run.manifest_path.read_text())["stages"]["grpo_zero"]["status"] == "interrupted"
    assert not (tmp_path / "run" / LOCK).exists()


def _stages(root):
    """Two stand-in stages reading grpo_zero's and final_grpo's keys; each writes its output file."""
    def write(name):
        return lambda: (root / name).write_text("")

    return [Stage("grpo_zero", [root / "g"], write("g"), ("grpo_zero", "prompt")),
            Stage("final_grpo", [root / "f"], write("f"), ("final_grpo", "prompt"))]


def test_a_changed_key_of_a_stage_not_yet_done_is_accepted_and_one_that_ran_is_refused(tmp_path):
    root = tmp_path / "run"
    first = Run(load_recipe("toy-fast"), root, print)
    stages = _stages(root)
    first.execute(stages[:1])  # grpo_zero done, final_grpo not yet
    said = []
    changed = Run(load_recipe("toy-fast", ["final_grpo.max_steps=9"]), root, said.append)
    changed.execute(_stages(root))
    assert any("recipe changed for stages not run yet (final_grpo.max_steps)" in line for line in said)
    assert (root / "f").is_file() and "max_steps: 9" in (root / "recipe.yaml").read_text()
    for key in ("grpo_zero.learning_rate=1e-3", "prompt.max_pixels=1000"):
        with pytest.raises(ConfigError, match=f"{key.split('=')[0]} changed, but grpo_zero(, final_grpo)? already ran"):
            Run(load_recipe("toy-fast", ["final_grpo.max_steps=9", key]), root).execute(_stages(root))


def test_a_corrupt_manifest_is_one_line(tmp_path):
    root = tmp_path / "run"
    Run(load_recipe("toy-fast"), root).execute(_stages(root)[:1])
    (root / "manifest.json").write_text("{not json")
    with pytest.raises(ConfigError, match="manifest.json: unreadable"):
        Run(load_recipe("toy-fast"), root).execute(_stages(root))


def test_an_out_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(ConfigError, match="is a file; --out must be a folder"):
        Run(load_recipe("toy-fast"), tmp_path / "out")
