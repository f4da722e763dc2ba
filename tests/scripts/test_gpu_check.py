"""scripts/gpu_check.{sh,py} and gpu_throughput.py: FLOPs/MFU arithmetic, the 7B-shaped config, the check on CPU."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _load_script():
    spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "scripts" / "gpu_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gpu_check = _load_script()
throughput = importlib.import_module("gpu_throughput")  # beside it (scripts/ is on the path once it is loaded)


def test_training_flops_per_token():
    n = 1000
    assert throughput.train_flops_per_token(n, lora=True, grad_ckpt=False) == 4 * n  # fwd + activation grads
    assert throughput.train_flops_per_token(n, lora=True, grad_ckpt=True) == 6 * n  # + recomputed forward
    assert throughput.train_flops_per_token(n, lora=False, grad_ckpt=False) == 6 * n  # + weight grads
    assert throughput.train_flops_per_token(n, lora=False, grad_ckpt=True) == 8 * n
    flops = throughput.phase_flops(n, nograd_tokens=10, grad_tokens=5, lora=True, grad_ckpt=True)
    assert flops == 2 * n * 10 + 6 * n * 5


def test_peak_flops_by_card_and_mfu():
    peak = throughput.peak_bf16_flops
    assert peak("NVIDIA H100 80GB HBM3") == 989e12
    assert peak("NVIDIA H100 PCIe") == 756e12
    assert peak("NVIDIA H200") == 989e12
    assert peak("NVIDIA A100-SXM4-80GB") == 312e12
    assert peak("Tesla T4") is None and peak("cpu") is None and peak(None) is None
    assert throughput.mfu(989e12 * 2, 4.0, 989e12) == 0.5
    assert throughput.mfu(1e12, 1.0, None) is None


@pytest.fixture(scope="module")
def tok():
    from specs.models.tiny import default_corpus
    from specs.models.tokenizer import train_qwen_tokenizer

    return train_qwen_tokenizer(default_corpus(), 512)


def test_7b_shape_is_qwen25vl_7b_with_our_token_ids(tok):
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration

    config = gpu_check.qwen25vl_config(gpu_check.SHAPES["7b"], tok)
    with torch.device("meta"):  # shapes only, no memory
        model = Qwen2_5_VLForConditionalGeneration._from_config(config)
    assert sum(p.numel() for p in model.parameters()) == 8_292_166_656  # Qwen2.5-VL-7B-Instruct
    assert config.text_config.rope_parameters["mrope_section"] == [16, 24, 24]
    assert config.text_config.rope_parameters["rope_theta"] == 1e6 and not config.tie_word_embeddings
    for field, token in [("image_token_id", "image_pad"), ("video_token_id", "video_pad"),
                         ("vision_start_token_id", "vision_start"), ("vision_end_token_id", "vision_end")]:
        assert getattr(config, field) == tok.convert_tokens_to_ids(f"<|{token}|>") < len(tok)


def test_tiny_shape_is_build_tiny_models_size(tok):
    from specs.models.tiny import TinySize, build_config

    size = TinySize(max_positions=32768)  # the rehearsal's length: prompts with 12 MP images at the recipe's cap fit
    ours, ref = gpu_check.qwen25vl_config(gpu_check.SHAPES["tiny"], tok), build_config("qwen2_5_vl", size, tok)
    assert ours.text_config.to_dict() == ref.text_config.to_dict()
    assert ours.vision_config.to_dict() == ref.vision_config.to_dict()


@pytest.mark.slow
def test_tiny_check_runs_every_phase_on_cpu(tmp_path):
    from safetensors.torch import load_file

    out = tmp_path / "check"
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHON=sys.executable, WHEELS=str(tmp_path / "no-wheels"))
    command = ["bash", "scripts/gpu_check.sh", "--shape", "tiny", "--out", str(out), "--steps", "2", "--keep-models",
               "--phases", "grpo,grpo_bf16,dpo,generation,resume"]
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "phase       steps" in proc.stdout and "MFU" in proc.stdout

    report = json.loads((out / "gpu_check.json").read_text())
    assert report["card"] == "cpu" and report["peak_bf16_tflops"] is None and report["ok"] is True
    assert set(report["versions"]) >= {"torch", "transformers", "trl"} and report["date"]
    for name in ("grpo", "dpo", "generation"):
        phase = report["phases"][name]
        assert phase["error"] is None, name
        assert phase["tokens_per_s"] > 0 and phase["tflops_per_s"] > 0, name
        assert phase["mfu"] is None and phase["peak_mem_gib"] is None, name
    grpo, dpo, gen = (report["phases"][name] for name in ("grpo", "dpo", "generation"))
    assert grpo["logged_steps"] == 2 and grpo["grad_tokens"] > 0 and grpo["decode_tokens"] > 0
    assert dpo["logged_steps"] == 2 and dpo["grad_tokens"] > 0 and dpo["nograd_tokens"] > 0  # policy + reference
    assert grpo["grad_ckpt"] and dpo["grad_ckpt"]  # forced on, as on a GPU
    assert gen["generated_tokens"] > 0 and gen["grad_tokens"] == 0
    assert grpo["filter_dropped_share"] == [0.0, 0.0] and grpo["precision"] == "auto"
    assert report["phases"]["grpo_bf16"]["error"] is None and report["phases"]["grpo_bf16"]["precision"] == "bf16"
    resume = report["phases"]["resume"]
    assert resume["error"] is None and resume["resumed_from_step"] >= 1 and resume["final_step"] == resume["steps"]

    models = out / "models"
    assert (models / "grpo" / "trainer_log.json").is_file()
    base = load_file(models / "base-tiny" / "model.safetensors")
    trained = load_file(models / "dpo" / "model.safetensors")
    lora_targets = [k for k in base if "visual" not in k and k.endswith("_proj.weight")]
    assert lora_targets and all(not base[k].equal(trained[k]) for k in lora_targets)  # LoRA merged into every target
    assert all(base[k].equal(trained[k]) for k in base if "visual" in k)  # vision tower frozen
    assert dpo["changed_tensors"] == "7/7"


@pytest.mark.slow
def test_recipe_phase_rehearses_the_7b_recipe_up_to_grpo_zero_on_cpu(tmp_path):
    """The GPU's first check, on a CPU: two vLLM engines in sequence (the base eval's, GRPO-zero's colocated one),
    ZeRO-3, large images at the recipe's cap, per-stage memory from the manifest and the round's time."""
    out = tmp_path / "check"
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHON=sys.executable, WHEELS=str(tmp_path / "no-wheels"))
    command = ["bash", "scripts/gpu_check.sh", "--shape", "tiny", "--out", str(out), "--phases", "recipe",
               "--rollout-tokens", "8"]
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + (out / "rehearsal.log").read_text()[-4000:]
    report = json.loads((out / "gpu_check.json").read_text())
    recipe = report["phases"]["recipe"]
    assert report["ok"] and recipe["error"] is None and recipe["processes"] == 1
    assert list(recipe["stages"]) == ["eval_base", "grpo_zero"]  # --until grpo_zero
    for stage in recipe["stages"].values():
        assert stage["status"] == "done" and stage["seconds"] > 0 and stage["peak_ram_gib"] > 0
        assert stage["peak_gpu_gib"] is None  # no GPU: nothing to read
    assert recipe["round_steps"] == 8 and recipe["round_s"] > 0  # one round: the recipe's 8 optimizer steps
    assert report["versions"]["vllm"] and report["versions"]["deepspeed"]
    assert report["system"] == {"cuda_runtime": None, "gpus": [], "driver": None}
    assert "peak GPU GiB" in proc.stdout and "one GRPO-zero generation round" in proc.stdout
    rehearsed = yaml.safe_load((out / "rehearsal" / "inputs" / "recipe.yaml").read_text())
    assert rehearsed["prompt"]["max_pixels"] == 1003520  # the recipe's cap: images are not scaled down
