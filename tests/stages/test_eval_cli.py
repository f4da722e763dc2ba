"""``specs eval``: canonical files and local benchmark files through one evaluator."""

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from specs.cli import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from benchmarks_helpers import mathvista_parquet  # noqa: E402


def test_eval_on_a_canonical_file(tiny_vlm, toy_world, tmp_path):
    out = tmp_path / "r.json"
    args = ["eval", str(tiny_vlm), str(toy_world["id-test"]), "--out", str(out), "--limit", "4"]
    result = CliRunner().invoke(app, [*args, "-s", "max_new_tokens=8"])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["n"] == 4 and 0 <= report["accuracy"] <= 1 and report["sampling"]["temperature"] == 0.0
    assert any(k.startswith("family=") for k in report["breakdown"])


def test_eval_on_a_local_benchmark_file(tiny_vlm, tmp_path):
    source = mathvista_parquet(tmp_path / "src")
    out = tmp_path / "mv.json"
    args = ["eval", str(tiny_vlm), "--benchmark", "mathvista", "--data", str(source), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "-s", "max_new_tokens=8"])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["benchmark"] == "mathvista" and "question_type" in report["benchmark_breakdown"]


def test_eval_needs_data(tiny_vlm, tmp_path):
    result = CliRunner().invoke(app, ["eval", str(tiny_vlm), "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 2 and "give a canonical DATA file" in result.output


def test_eval_reports_pass_at_k_with_the_sampling_settings(tiny_vlm, toy_world, tmp_path):
    out = tmp_path / "r.json"
    args = ["eval", str(tiny_vlm), str(toy_world["id-test"]), "--out", str(out), "--limit", "3", "--samples", "4"]
    result = CliRunner().invoke(app, [*args, "--k", "1", "--k", "4", "-s", "max_new_tokens=6"])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["sampling"]["n"] == 4 and report["sampling"]["temperature"] == 1.0
    assert report["n"] == 12 and set(report["pass_at_k"]) == {"1", "4"}
    assert report["pass_at_k"]["1"] <= report["pass_at_k"]["4"]
    assert report["pass_at_k"]["1"] == pytest.approx(sum(p["n_correct"] for p in report["per_prompt"]) / 12)


def test_pass_at_k_needs_enough_samples(tiny_vlm, toy_world, tmp_path):
    args = ["eval", str(tiny_vlm), str(toy_world["id-test"]), "--out", str(tmp_path / "r.json"), "--k", "4"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "needs at least that many samples" in result.output
