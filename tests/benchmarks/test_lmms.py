"""``specs lmms-eval``: a tiny checkpoint on our MathVista task, one local parquet row, offline, on CPU.

Skipped only where the lmms extra is not installed (``make test`` installs it).
"""

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from specs.cli import app

pytest.importorskip("lmms_eval", reason="the lmms extra: pip install --no-deps -r requirements-lmms.lock")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmarks_helpers import mathvista_rows  # noqa: E402

SYSTEM = "You are the test recipe's reasoner."
INSTRUCTION = "Put the final answer in <answer></answer>."


@pytest.fixture
def offline_hf(tmp_path, monkeypatch):
    """Hub off, and lmms-eval's datasets cache in a temp folder."""
    for key in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.setenv(key, "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf" / "datasets"))


def mathvista_folder(folder: Path) -> Path:
    """One MathVista testmini row as on the hub: ``data/testmini-*.parquet`` with an HF ``Image`` column."""
    import datasets
    import pandas as pd

    row = mathvista_rows()[1]  # free-form: "How long is the bar?", answer 1.2
    table = datasets.Dataset.from_pandas(pd.DataFrame([row])).cast_column("decoded_image", datasets.Image())
    (folder / "data").mkdir(parents=True)
    table.to_parquet(str(folder / "data" / "testmini-00000-of-00001.parquet"))
    return folder


def run(tiny_vlm, tmp_path, *extra):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(json.dumps({"prompt": {"system": SYSTEM, "instructions": {"tags": [INSTRUCTION]}}}))
    data = mathvista_folder(tmp_path / "MathVista")
    out = tmp_path / "lmms.json"
    args = ["lmms-eval", str(tiny_vlm), "--tasks", "specs_mathvista", "--data", f"specs_mathvista={data}",
            "--out", str(out), "--prompt", str(recipe), "--limit", "1", "-s", "max_new_tokens=8", *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def test_a_checkpoint_answers_a_local_task_with_the_recipes_prompt(tiny_vlm, tmp_path, offline_hf):
    report = run(tiny_vlm, tmp_path)
    scores = report["results"]["specs_mathvista"]
    assert all(0 <= scores[k] <= 1 for k in ("acc_score", "format_score"))
    assert report["lmms_eval"]["n-samples"]["specs_mathvista"]["effective"] == 1 and report["limit"] == 1
    assert report["lmms_eval"]["configs"]["specs_mathvista"]["generation_kwargs"]["max_new_tokens"] == 8
    assert report["data_files"]["specs_mathvista"][0].endswith("testmini-00000-of-00001.parquet")
    (sample,) = report["samples"]["specs_mathvista"]
    # The recipe's system prompt replaced the task's; its format instruction follows the question; image first.
    assert sample["prompt"].startswith(f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n<|vision_start|>")
    assert "You are a helpful assistant" not in sample["prompt"]
    assert "Question: How long is the bar?" in sample["prompt"]  # MathVista's own query, hint and all
    assert sample["prompt"].endswith(f"\n{INSTRUCTION}<|im_end|>\n<|im_start|>assistant\n")
    assert report["prompt"]["system"] == SYSTEM and isinstance(sample["response"], str)


def test_the_numbers_are_lmms_evals_metrics_on_our_responses(tiny_vlm, tmp_path, offline_hf, monkeypatch):
    """A scripted right answer scores 1/1 through the upstream scorer (the <think> block kept for format_score)."""
    from specs.generation import hf

    def scripted(model, processor, prompts, images, sampling, **kwargs):
        assert sampling.max_new_tokens == 8 and sampling.temperature == 0
        return [[hf.Sample("<think>The bar ends at 1.2.</think><answer>1.2</answer>", 12, True)] for _ in prompts]

    monkeypatch.setattr(hf, "generate", scripted)
    report = run(tiny_vlm, tmp_path)
    assert report["results"]["specs_mathvista"]["acc_score"] == 1.0
    assert report["results"]["specs_mathvista"]["format_score"] == 1.0
    assert report["samples"]["specs_mathvista"][0]["acc_score"] == 1.0


def test_refusals_are_one_line(tiny_vlm, tmp_path):
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["lmms-eval", str(tiny_vlm), "--tasks", "specs_mathvista", "--out", str(out)])
    assert result.exit_code == 1 and "give --data specs_mathvista=PATH" in result.output
    bad = CliRunner().invoke(app, ["lmms-eval", str(tiny_vlm), "--tasks", "x", "--out", str(tiny_vlm / "r.json")])
    assert bad.exit_code == 2 and "is inside MODEL" in bad.output and "Traceback" not in bad.output
