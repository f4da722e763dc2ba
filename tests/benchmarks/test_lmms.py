"""``specs lmms-eval``: a tiny checkpoint on our tasks, one local parquet row each, offline, on CPU.

Skipped only where the lmms extra is not installed (``make test`` installs it).
"""

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from specs.cli import app

needs_lmms = pytest.mark.skipif(importlib.util.find_spec("lmms_eval") is None,
                                reason="the lmms extra: pip install --no-deps -r requirements-lmms.lock")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmarks_helpers import (  # noqa: E402
    mathverse_parquet,
    mathvision_parquet,
    mathvista_rows,
    mmmu_folder,
    write_parquet,
)
from PIL import Image  # noqa: E402

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


def hub_parquet(path: Path, image_columns: list[str]) -> Path:
    """Rewrite a helper's parquet as the hub's are written: its image columns as HF ``Image`` features."""
    import datasets
    import pandas as pd

    table = datasets.Dataset.from_pandas(pd.read_parquet(path))
    for column in image_columns:
        table = table.cast_column(column, datasets.Image())
    table.to_parquet(str(path))
    return path


def megabench_parquet(folder: Path) -> Path:
    """One MEGA-Bench query in the hub's string-encoded layout; its image is read from $HF_HOME/megabench_data/."""

    row = {"id": "0", "task_name": "count_squares", "task_description": "Count the red squares.",
           "example_text": "", "query_text": "<image> How many red squares? Answer:", "global_media": "[]",
           "example_media": "[]", "query_media": "['images/red.png']", "eval_context": "{}",
           "answer": "{'answer': '1'}", "metric_info": "{'field_score_function': {'answer': 'exact_str_match'}}"}
    write_parquet(folder / "test-00000-of-00001.parquet", [row])
    return folder


def run(tiny_vlm, tmp_path, tasks="", *extra):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(json.dumps({"prompt": {"system": SYSTEM, "instructions": {"tags": [INSTRUCTION]}}}))
    data = mathvista_folder(tmp_path / "MathVista")
    out = tmp_path / "result.json"
    tasks = ",".join(["specs_mathvista", *([tasks] if tasks else [])])
    args = ["lmms-eval", str(tiny_vlm), "--tasks", tasks, "--data", f"specs_mathvista={data}",
            "--out", str(out), "--prompt", str(recipe), "--limit", "1", "-s", "max_new_tokens=8", *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


@needs_lmms
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
    # Folded into the run's report when written to RUN_DIR/evals/lmms-<name>.json.
    from specs.report.run_report import render_run_report

    (tmp_path / "run" / "evals").mkdir(parents=True)
    (tmp_path / "run" / "evals" / "lmms-final.json").write_text(json.dumps(report))
    page = render_run_report(tmp_path / "run").read_text()
    assert "Benchmarks through lmms-eval" in page and f"acc_score {scores['acc_score']:.4g}" in page


@needs_lmms
def test_every_shipped_task_scores_our_responses_with_lmms_evals_code(tiny_vlm, tmp_path, offline_hf, monkeypatch):
    """Scripted answers through all our tasks: the upstream scorers' numbers (a right MathVista answer scores 1, the
    <think> block is kept for format_score) and MEGA-Bench's responses file (its reasoning dropped)."""
    from specs.generation import hf

    def scripted(model, processor, prompts, images, sampling, **kwargs):
        assert sampling.max_new_tokens == 8 and sampling.temperature == 0
        answer = lambda p: "1.2" if "How long is the bar?" in p[-1]["content"] else "1"  # noqa: E731
        return [[hf.Sample(f"<think>I measure.</think><answer>{answer(p)}</answer>", 9, True)] for p in prompts]

    monkeypatch.setattr(hf, "generate", scripted)
    media = tmp_path / "hf" / "megabench_data" / "images"
    media.mkdir(parents=True)
    Image.new("RGB", (28, 28), "red").save(media / "red.png")
    data = {"specs_mathverse": hub_parquet(mathverse_parquet(tmp_path / "MathVerse"), ["image"]).parent,
            "specs_mathvision": hub_parquet(mathvision_parquet(tmp_path / "MathVision"), ["decoded_image"]).parent,
            "specs_mmmu": mmmu_folder(tmp_path / "MMMU"),
            "specs_megabench_core_si": megabench_parquet(tmp_path / "MEGA-Bench" / "core_single_image")}
    for file in data["specs_mmmu"].rglob("*.parquet"):
        hub_parquet(file, ["image_1", "image_2"])
    extra = [f"--data={name}={path}" for name, path in data.items()]
    report = run(tiny_vlm, tmp_path, ",".join(data), *extra)
    results = report["results"]
    assert results["specs_mathvista"]["acc_score"] == 1.0 and report["samples"]["specs_mathvista"][0]["acc_score"] == 1
    assert all(results[name]["format_score"] == 1.0 for name in ("specs_mathvista", "specs_mathverse",
                                                                   "specs_mathvision", "specs_mmmu"))
    mmmu = report["samples"]["specs_mmmu"][0]["prompt"]  # two images first; their places in the text kept
    assert mmmu.count("<|image_pad|>") == 2 and "Compare <image 1> and <image 2>" in mmmu
    (submission,) = report["submissions"]
    assert Path(submission).parent == tmp_path / "result-lmms" / "submissions"
    (entry,) = json.loads(Path(submission).read_text())
    assert entry["query_response"][0]["response"] == "<answer>1</answer>"


@needs_lmms
def test_refusals_are_one_line(tiny_vlm, tmp_path):
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["lmms-eval", str(tiny_vlm), "--tasks", "specs_mathvista", "--out", str(out)])
    assert result.exit_code == 2 and "give --data specs_mathvista=PATH" in result.output
    bad = CliRunner().invoke(app, ["lmms-eval", str(tiny_vlm), "--tasks", "x", "--out", str(tiny_vlm / "r.json")])
    assert bad.exit_code == 2 and "is inside MODEL" in bad.output and "Traceback" not in bad.output


def test_without_the_extra_it_says_how_to_install(tmp_path, monkeypatch):
    import specs.lmms.cli

    monkeypatch.setattr(specs.lmms.cli, "installed", lambda: False)
    result = CliRunner().invoke(app, ["lmms-eval", str(tmp_path), "--tasks", "x", "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 2 and "pip install --no-deps -r requirements-lmms.lock" in result.output
