"""``rbf_command`` end to end on a random tiny Qwen2.5-VL (vocabulary 512) and a 4-example toy-world split."""

import json

import pytest
from typer.testing import CliRunner

from specs.cli import app as root
from specs.metrics import nucleus_size


@pytest.fixture(scope="module")
def app():
    """The root CLI (which turns errors into one line); tests invoke its ``rbf`` command."""
    return root


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    from specs.toyworld import generate_split

    return generate_split(tmp_path_factory.mktemp("rbf-world"), "id-test", 4, seed=0)


def run(app, *args):
    result = CliRunner().invoke(app, ["rbf", *[str(a) for a in args]])
    assert result.exit_code == 0, result.output
    return result


def test_rbf_random_model_high_at_temperature_1_and_about_1_when_cold(app, tiny_vlm, split, tmp_path):
    hot, cold = tmp_path / "hot.json", tmp_path / "cold.json"
    args = (tiny_vlm, split, "--samples", 2, "--max-new-tokens", 8, "--seed", 3)
    result = run(app, *args, "--temperature", 1.0, "--out", hot)
    run(app, *args, "--temperature", 0.05, "--out", cold)

    report = json.loads(hot.read_text())
    assert "RBF" in result.output and "8 responses (4 prompts x 2)" in result.output
    assert f"{report['n_positions']} positions" in result.output and '"temperature": 1.0' in result.output
    assert report["n_prompts"] == 4 and report["n_responses"] == 8
    assert 8 <= report["n_positions"] <= 8 * 8
    expected = {"n": 2, "temperature": 1.0, "top_p": 1.0, "max_new_tokens": 8, "seed": 3}
    assert {k: report["sampling"][k] for k in expected} == expected
    assert report["nucleus_p"] == 0.95
    # near-uniform over ~512 tokens: the 0.95 nucleus holds hundreds of them
    assert report["rbf"] > 100 and report["rbf_per_response"] > 100

    cold_report = json.loads(cold.read_text())
    assert 1.0 <= cold_report["rbf"] < 1.5
    assert cold_report["rbf"] < report["rbf"] / 50


def test_rbf_limit_and_no_out(app, tiny_vlm, split, tmp_path):
    result = run(app, tiny_vlm, split, "--samples", 1, "--max-new-tokens", 2, "--limit", 2)
    assert "2 responses (2 prompts x 1)" in result.output
    assert "wrote" not in result.output


def test_rbf_reports_a_missing_model_in_one_line(app, split, tmp_path):
    result = CliRunner().invoke(app, ["rbf", str(tmp_path / "nope"), str(split)])
    assert result.exit_code == 1
    assert "error:" in result.output and "model folder not found" in result.output
    assert "Traceback" not in result.output


def test_generation_recorder_agrees_with_nucleus_size():
    """The sizes recorded during generation follow this module's definition on the temperature-scaled softmax."""
    import torch

    from specs.generation.hf import NucleusRecorder

    torch.manual_seed(0)
    logits = torch.randn(6, 50) * torch.tensor([0.5, 1.0, 2.0, 4.0, 8.0, 0.1]).unsqueeze(1)
    for temperature in (0.5, 1.0, 2.0):
        recorder = NucleusRecorder(eos_ids=[0], temperature=temperature)
        recorder(torch.zeros(6, 1, dtype=torch.long), logits)
        probs = torch.softmax(logits.double() / temperature, dim=-1)
        assert [row[0] for row in recorder.sizes] == [nucleus_size(row.tolist()) for row in probs]
