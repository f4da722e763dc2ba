"""One process per run folder: a live holder is named and refused, a dead one's lock is taken over, a stage
cut short by a kill is shown as interrupted, and Ctrl-C says which stage stopped and how to resume."""

import json
import os
import socket
import subprocess
import sys

import pytest

from specs.config import ConfigError
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
    run.claim()
    run.manifest_path.write_text(json.dumps({"stages": {"data": {"status": "running", "outputs": []}}}))
    run.execute([stage])
    assert "data: interrupted last time (the process was killed); it runs again" in said and ran == [1]


def test_ctrl_c_names_the_stage_and_the_resume_command(tmp_path):
    said = []
    run = Run(load_recipe("toy-fast"), tmp_path / "run", said.append)

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run.execute([Stage("grpo_zero", [tmp_path / "run" / "m"], interrupted)])
    assert said[-1].startswith("[1/1] grpo_zero: interrupted (Ctrl-C). Resume with: ")
    assert json.loads(run.manifest_path.read_text())["stages"]["grpo_zero"]["status"] == "interrupted"
    assert not (tmp_path / "run" / LOCK).exists()


def test_an_out_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(ConfigError, match="is a file; --out must be a folder"):
        Run(load_recipe("toy-fast"), tmp_path / "out").execute([])
