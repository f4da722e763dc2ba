"""Fault injection: SIGKILL a ``specs run toy-fast`` at six points, rerun each time, and the run still finishes whole.

The points, in the order the run reaches them: making data, the base eval, GRPO-zero mid-training (after a
checkpoint, so the rerun resumes inside the stage), between two stages, distillation with one side's samples on
disk (the rerun reads them back), and the final GRPO after a checkpoint. Every rerun is the same command; the
last one goes to the end. Then: the summary's schema, every artifact loads, nothing temporary is left behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
TIMEOUT = 600


def _log(out: Path) -> str:
    path = out / "run.log"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _said(text: str) -> Callable[[Path], bool]:
    return lambda out: text in _log(out).rsplit("--- ", 1)[-1]  # in this attempt's part of run.log


def _checkpoint(model: str) -> Callable[[Path], bool]:
    """A checkpoint saved whole (as resume judges it: a kill while it is written would rightly not resume it)."""
    from specs.stages.common import last_complete_checkpoint

    return lambda out: last_complete_checkpoint(out / "models" / f".{model}.trainer") is not None


def _chunks(side: str) -> Callable[[Path], bool]:
    return lambda out: any((out / ".pairs.jsonl.samples").glob(f"{side}*/chunk-*.jsonl"))


# (where, when to kill): each predicate reads the run folder as the killed process left it
POINTS = [
    ("data", _said("[1/9] data")),
    ("eval_base", _said("[2/9] eval_base")),
    ("grpo_zero mid-training", _checkpoint("grpo_zero")),
    ("between stages", _said("[3/9] grpo_zero: done")),
    ("distill, one side sampled", _chunks("chosen")),
    ("final_grpo after a checkpoint", _checkpoint("final")),
]


def command(out: Path, toy_base: Path) -> list[str]:
    sets = [f"base_model={toy_base}", "grpo_zero.save_steps=1", "final_grpo.save_steps=1"]
    return [sys.executable, "-m", "specs", "run", "toy-fast", "--out", str(out),
            *[arg for s in sets for arg in ("--set", s)]]


def _kill_when(argv: list[str], out: Path, ready: Callable[[Path], bool], env: dict[str, str]) -> None:
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + TIMEOUT
    while time.time() < deadline and process.poll() is None and not ready(out):
        time.sleep(0.05)
    assert process.poll() is None, f"the run ended before it could be killed:\n{_log(out)[-3000:]}"
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_a_run_killed_at_six_points_finishes_whole(toy_base: Path, tmp_path: Path) -> None:
    out, env = tmp_path / "run", {**os.environ, "OMP_NUM_THREADS": "1"}
    argv = command(out, toy_base)
    for _where, ready in POINTS:
        _kill_when(argv, out, ready, env)
    final = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert final.returncode == 0, final.stdout[-3000:] + final.stderr[-3000:]
    log = _log(out)
    assert log.count("interrupted last time (the process was killed); it runs again") >= len(POINTS) - 1, log
    assert "resuming grpo_zero from step" in log and "resuming final from step" in log, log
    _check_whole(out)


def _check_whole(out: Path) -> None:
    from specs.data.records import load_examples
    from specs.models.loading import check_model_folder, load_model
    from specs.pairs.io import read_pairs

    manifest = json.loads((out / "manifest.json").read_text())
    assert {entry["status"] for entry in manifest["stages"].values()} == {"done"}, manifest
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary) == ["base", "GRPO-zero", "cold start", "final"]
    for row in summary.values():
        assert set(row) == {f"{s}/{m}" for s in ("id-test", "ood-test") for m in ("format_rate", "accuracy")}
        assert all(0.0 <= value <= 1.0 for value in row.values())
    for split in ("train", "id-test", "ood-test"):
        assert load_examples(out / "data" / f"{split}.jsonl")
    for name in ("base", "grpo_zero", "cold_start", "final"):
        evaluation = json.loads((out / "evals" / f"{name}.json").read_text())
        assert {"id-test", "ood-test"} <= set(evaluation)
    for name in ("grpo_zero", "cold_start", "final"):
        check_model_folder(out / "models" / name)
        load_model(out / "models" / name)
    assert read_pairs(out / "pairs.jsonl")
    leftovers = [p.name for p in out.rglob(".*") if p.name.endswith((".tmp", ".trainer", ".samples", ".old"))]
    assert not leftovers, leftovers
