"""GPU check: a random Qwen2.5-VL-7B-shaped model through our GRPO, DPO and generation code; tokens/s, memory, MFU.

Phases: grpo (default precision: fp32 masters under bf16 autocast, online filter on), grpo_bf16 (the same with pure
bf16 weights: what the master copy costs in memory and time), dpo, generation, resume (``specs grpo`` killed after
its first checkpoint and rerun: it must resume).

Random weights: the GPU machine has no network, and throughput, memory and the code paths (bf16, gradient
checkpointing, LoRA, the vision tower, a 152k vocabulary) do not depend on them. The model is built from a config
with the project's offline tokenizer and processor, initialised on the GPU (8 B random parameters take minutes on
a CPU) and saved as a model folder; each phase then runs the real stage functions, which load it from disk.

    bash scripts/gpu_check.sh                                        # 7B shape, one GPU; see there
    python scripts/gpu_check.py --shape tiny --out /tmp/c --steps 2  # the same code on a CPU in seconds
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import re
import shutil
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from specs.data.prompt import PromptSpec  # the default reasoning prompt: what a real run sends

NOTES = {
    "timing": "wall s: the whole phase (load, train, merge + save); timed s: steps 2..n, the first being warm-up "
    "(generation: the whole batch); tokens, tok/s: token positions the language model ran forward on (rollout "
    "prefill + decode, reference and training passes); decode/s: sampled tokens per second",
    "flops": "model FLOPs = 2N per token of each no-grad forward (rollouts, DPO reference, generation) + per token "
    "of each training forward 2N forward + 2N activation grads (+2N weight grads unless LoRA: frozen weights get "
    "none) (+2N recomputed forward under gradient checkpointing); N = all parameters (vision tower and embeddings "
    "included; attention-score and image FLOPs not counted); MFU = model FLOPs / (timed s x dense bf16 peak)",
    "lora": "training uses LoRA on the language model: full AdamW on 8.3 B parameters needs bf16 weights and grads "
    "(2 x 16.6 GB) plus fp32 Adam moments (66 GB), more than one 80 GB GPU holds",
    "grpo": "a random model earns reward 0 on every rollout, so GRPO advantages are 0 and no weight moves; the "
    "update's forward and backward still run and are counted",
    "dpo": "reference = the base (LoRA adapters disabled, as train_dpo does with LoRA)",
}
# Dense bf16 peak by device-name fragment, most specific first (NVIDIA datasheets, without sparsity).
PEAK_BF16_TFLOPS = (("H100 PCIe", 756.0), ("H100 NVL", 835.0), ("H100", 989.0), ("H200", 989.0), ("A100", 312.0))
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
                     response_tokens=512, gen_prompts=32, gen_tokens=256),
    },
    "tiny": {
        "text": dict(hidden_size=128, intermediate_size=256, num_hidden_layers=3, num_attention_heads=4,
                     num_key_value_heads=2, vocab_size=512, rope_theta=1e4, rms_norm_eps=1e-5,
                     max_position_embeddings=2048, tie_word_embeddings=True),
        "vision": dict(depth=2, hidden_size=64, intermediate_size=128, num_heads=2, window_size=56,
                       fullatt_block_indexes=[1]),
        "work": dict(lora_rank=8, lr=1e-3, grpo_batch=8, generations=4, rollout_tokens=32, dpo_batch=4,
                     response_tokens=64, gen_prompts=8, gen_tokens=32),
    },
}


def train_flops_per_token(n_params: int, lora: bool, grad_ckpt: bool) -> float:
    """One token through a training step: forward, activation grads, weight grads (not LoRA), recompute (GC)."""
    return 2.0 * n_params * (2 + (0 if lora else 1) + (1 if grad_ckpt else 0))


def phase_flops(n_params: int, nograd_tokens: int, grad_tokens: int, lora: bool, grad_ckpt: bool) -> float:
    """Model FLOPs of a phase from the tokens its forwards saw (``NOTES["flops"]``)."""
    return 2.0 * n_params * nograd_tokens + train_flops_per_token(n_params, lora, grad_ckpt) * grad_tokens


def peak_bf16_flops(device_name: str | None) -> float | None:
    """Dense bf16 peak FLOP/s of a card from its name; None when unknown (or a CPU)."""
    for fragment, tflops in PEAK_BF16_TFLOPS:
        if device_name and fragment.lower() in device_name.lower():
            return tflops * 1e12
    return None


def mfu(flops: float, seconds: float, peak: float | None) -> float | None:
    """Model FLOPs utilisation; None without a known peak."""
    return None if peak is None or seconds <= 0 else flops / seconds / peak


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


def build_base(shape_name: str, folder: Path, device: str) -> bool:
    """Build and save the random model unless ``folder`` already holds this shape (a rerun); True when built."""
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration

    from specs.models.loading import save_pretrained_atomic
    from specs.models.tiny import TinySize, build_processor, default_corpus
    from specs.models.tokenizer import train_qwen_tokenizer

    marker, shape = folder / "gpu_check_shape.json", SHAPES[shape_name]
    dims = {"text": shape["text"], "vision": shape["vision"]}
    if marker.is_file() and json.loads(marker.read_text()) == dims:
        return False
    tok = train_qwen_tokenizer(default_corpus(), 512)
    processor = build_processor("qwen2_5_vl", tok, TinySize(patch_size=14, image_size=84))  # 84 px: 9 image tokens
    torch.manual_seed(0)
    with torch.device(device):  # allocate and initialise where the model will run
        model = Qwen2_5_VLForConditionalGeneration._from_config(
            qwen25vl_config(shape, tok), dtype=torch.bfloat16 if device == "cuda" else torch.float32)
    model.generation_config.eos_token_id, model.generation_config.pad_token_id = tok.eos_token_id, tok.pad_token_id
    save_pretrained_atomic(model, processor, folder)
    marker.write_text(json.dumps(dims))
    return True


def tensor_files(folder: Path) -> dict[str, tuple[str, list[int]]]:
    """name → (file, shape) of a saved model, from the safetensors headers (no tensor data read)."""
    from safetensors import safe_open

    out = {}
    for file in sorted(folder.glob("*.safetensors")):
        with safe_open(file, "pt") as f:
            out.update({name: (file.name, f.get_slice(name).get_shape()) for name in f.keys()})  # noqa: SIM118
    return out


def changed_tensors(before: Path, after: Path) -> str:
    """How many of the first layer's LoRA-targeted weights differ between two saved models, as "k/n"."""
    from safetensors import safe_open

    a, b = tensor_files(before), tensor_files(after)
    names = [n for n in a if re.fullmatch(r"model\.(language_model\.)?layers\.0\..*_proj\.weight", n) and n in b]
    changed = 0
    for name in names:
        with safe_open(before / a[name][0], "pt") as fa, safe_open(after / b[name][0], "pt") as fb:
            changed += int(not fa.get_tensor(name).equal(fb.get_tensor(name)))
    return f"{changed}/{len(names)}"


class Meter:
    """Counts the tokens each language-model forward sees, by grad mode, with a time mark at each step end."""

    def __init__(self, sync) -> None:
        self.sync, self.handle, self.grad_ckpt = sync, None, False
        self.nograd = self.grad = self.decode = 0
        self.marks: list[tuple[float, int, int, int]] = []  # (time, nograd, grad, decode): attach, steps, detach

    def attach(self, model) -> None:
        text = next(m for m in model.modules() if type(m).__name__.endswith("TextModel"))  # not the vision tower
        self.handle = text.register_forward_pre_hook(self._count, with_kwargs=True)
        self.mark()

    def _count(self, module, args, kwargs) -> None:
        import torch

        x = kwargs.get("inputs_embeds")
        x = x if x is not None else kwargs.get("input_ids", args[0] if args else None)
        mask = kwargs.get("attention_mask")
        full = isinstance(mask, torch.Tensor) and mask.dim() == 2 and mask.shape[1] == x.shape[1]
        n = int(mask.sum()) if full else x.shape[0] * x.shape[1]  # prefill/training: real tokens; decode: all rows
        if torch.is_grad_enabled():
            self.grad += n
            self.grad_ckpt |= bool(getattr(module, "gradient_checkpointing", False))
        else:
            self.nograd += n
            self.decode += n if x.shape[1] == 1 else 0

    def mark(self) -> None:
        self.sync()
        self.marks.append((time.perf_counter(), self.nograd, self.grad, self.decode))

    def detach(self) -> None:
        self.mark()
        self.handle.remove()

    def window(self) -> dict[str, float]:
        """Time and counts from the end of step 1 (warm-up) to the end; all of it for one step or a batch."""
        steps = len(self.marks) - 2
        start = self.marks[1] if steps >= 2 else self.marks[0]
        diff = [e - s for s, e in zip(start, self.marks[-1], strict=True)]
        keys = ("timed_s", "nograd_tokens", "grad_tokens", "decode_tokens")
        return dict(zip(keys, diff, strict=True)) | {"steps": max(steps, 1), "timed_steps": max(steps - 1, 1)}


def meter_callback(meter: Meter):
    """A TrainerCallback that runs ``meter`` over the training loop."""
    from transformers import TrainerCallback

    class MeterCallback(TrainerCallback):
        def on_train_begin(self, args, state, control, model=None, **kwargs):
            meter.attach(model)

        def on_step_end(self, args, state, control, **kwargs):
            meter.mark()

        def on_train_end(self, args, state, control, **kwargs):
            meter.detach()

    return MeterCallback()


def ckpt_knob(on: bool) -> dict[str, bool]:
    """Gradient checkpointing on/off, under the name the installed TrainingArguments knows."""
    from transformers import TrainingArguments

    from specs.stages.common import checkpointing_knob

    return checkpointing_knob(TrainingArguments, on)


def trained(out: Path, base: Path, keep: bool) -> dict[str, Any]:
    """What the trainer logged and whether weights moved; the (16 GB) output folder is deleted unless ``keep``."""
    steps = [e for e in json.loads((out / "trainer_log.json").read_text()) if "loss" in e]
    summary = {"logged_steps": len(steps), "changed_tensors": changed_tensors(base, out)}
    last = steps[-1] if steps else {}
    summary |= {key: [e.get(key) for e in steps] for key in ("loss", "grad_norm", "reward") if key in last}
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(out.parent / f".{out.name}.trainer", ignore_errors=True)
    return summary


def grpo_config(args, work: dict[str, Any], **knobs):
    from specs.stages.grpo import GRPOStageConfig

    return GRPOStageConfig(
        learning_rate=work["lr"], batch_size=work["grpo_batch"], num_generations=work["generations"],
        max_steps=args.steps, max_completion_length=args.rollout_tokens or work["rollout_tokens"],
        lora_rank=work["lora_rank"], logging_steps=1, trl=ckpt_knob(args.grad_ckpt), report_to=[], **knobs,
    )


def run_grpo(args, work: dict[str, Any], base: Path, data: Path, meter: Meter, **knobs) -> dict[str, Any]:
    """GRPO with the default precision (fp32 masters, bf16 autocast) and the online filter's code path on (a band
    of [0, 1] drops nothing, so the weights still move as without it)."""
    from specs.stages.grpo import train_grpo

    knobs = {"accuracy_filter": (0.0, 1.0), **knobs}
    out = train_grpo(base, data, args.out / "models" / "grpo", grpo_config(args, work, **knobs), PromptSpec(),
                     callbacks=[meter_callback(meter)])
    log = [e for e in json.loads((out / "trainer_log.json").read_text()) if "filter/dropped_share" in e]
    filtered = {"filter_dropped_share": [e["filter/dropped_share"] for e in log]}
    return trained(out, base, args.keep_models) | filtered | {"precision": knobs.get("precision", "auto"),
                                                              "note": NOTES["grpo"]}


def run_grpo_bf16(args, work: dict[str, Any], base: Path, data: Path, meter: Meter) -> dict[str, Any]:
    """The same GRPO with pure-bf16 weights (no fp32 master copy): the memory and step time the default pays for."""
    return run_grpo(args, work, base, data, meter, precision="bf16")


def run_resume(args, work: dict[str, Any], base: Path, data: Path, meter: Meter) -> dict[str, Any]:
    """``specs grpo`` with a checkpoint every step, SIGKILLed after its first checkpoint, then run again: it must
    say it resumes and finish at the same step count."""
    import os
    import signal
    import subprocess

    out, steps = args.out / "models" / "resume", max(args.steps, 2)
    scratch = out.parent / f".{out.name}.trainer"
    knobs = {"max_steps": steps, "save_steps": 1, "batch_size": work["grpo_batch"],
             "num_generations": work["generations"], "max_completion_length": args.rollout_tokens or 64,
             "lora_rank": work["lora_rank"], "learning_rate": work["lr"], "report_to": "[]", "logging_steps": 1}
    command = [sys.executable, "-m", "specs", "grpo", "--model", str(base), "--data", str(data), "--out", str(out),
               *[arg for key, value in knobs.items() for arg in ("--set", f"{key}={value}")]]
    first, start = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), time.time()
    while first.poll() is None and not list(scratch.glob("checkpoint-*/trainer_state.json")):
        time.sleep(0.5)
    killed_after = time.time() - start
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    second = subprocess.run(command, capture_output=True, text=True)
    resumed = re.search(r"resuming resume from step (\d+)", second.stdout)
    log = json.loads((out / "trainer_log.json").read_text()) if (out / "trainer_log.json").is_file() else []
    shutil.rmtree(out, ignore_errors=True)
    if second.returncode != 0 or resumed is None:
        raise RuntimeError(f"rerun after the kill: exit {second.returncode}, no resume line; {second.stderr[-500:]}")
    return {"killed_after_s": killed_after, "resumed_from_step": int(resumed.group(1)),
            "final_step": max((e["step"] for e in log if "loss" in e), default=None), "steps": steps}


def run_dpo(args, work: dict[str, Any], base: Path, data: Path, meter: Meter) -> dict[str, Any]:
    from specs.data.records import load_examples
    from specs.models.loading import load_processor
    from specs.pairs.corruptions import corrupt
    from specs.pairs.io import pair_record, write_pairs
    from specs.pairs.selection import Pair
    from specs.stages.coldstart import dpo_dataset
    from specs.stages.dpo import DPOStageConfig, train_dpo

    tok, records = load_processor(base).tokenizer, []
    for ex in load_examples(data)[: work["dpo_batch"] * args.steps]:  # chosen: ~response_tokens, well formatted
        step = ex.meta["solution"] + " "
        reps = max(1, (args.response_tokens or work["response_tokens"]) // len(tok(step)["input_ids"]))
        chosen = f"<think>{step * reps}</think>\n<answer>{ex.answer}</answer>"
        rejected = corrupt(chosen, "answer_to_plain")
        records.append(pair_record(ex, Pair(ex.id, chosen, rejected, "answer_to_plain", chosen, "gpu-check", 0,
                                            "gpu-check", 0)))
    pairs = write_pairs(data.parent / "pairs.jsonl", records)
    cfg = DPOStageConfig(learning_rate=work["lr"], batch_size=work["dpo_batch"], max_steps=args.steps,
                         lora_rank=work["lora_rank"], logging_steps=1, trl=ckpt_knob(args.grad_ckpt))
    out = train_dpo(base, dpo_dataset(pairs, PromptSpec()), args.out / "models" / "dpo", cfg, PromptSpec(),
                    callbacks=[meter_callback(meter)])
    return trained(out, base, args.keep_models) | {"note": NOTES["dpo"]}


def run_generation(args, work: dict[str, Any], base: Path, data: Path, meter: Meter) -> dict[str, Any]:
    from specs.data.records import load_examples
    from specs.generation.hf import SamplingConfig, generate
    from specs.generation.sampler import open_images
    from specs.models.loading import load_model, load_processor

    examples = load_examples(data)[: args.gen_prompts or work["gen_prompts"]]
    prompts, images = [PromptSpec().messages(e) for e in examples], open_images(examples)
    model, processor = load_model(base).to(args.device), load_processor(base)
    budget = args.max_new_tokens or work["gen_tokens"]
    sampling = SamplingConfig(temperature=1.0, max_new_tokens=budget, batch_size=len(prompts))
    generate(model, processor, prompts[:2], images[:2], sampling.model_copy(update={"max_new_tokens": 4}))  # warm-up
    meter.attach(model)
    samples = generate(model, processor, prompts, images, sampling)
    meter.detach()
    return {"prompts": len(prompts), "generated_tokens": sum(s.n_tokens for group in samples for s in group)}


PHASES = {"grpo": run_grpo, "grpo_bf16": run_grpo_bf16, "dpo": run_dpo, "generation": run_generation,
          "resume": run_resume}


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
    lines = [f"{'phase':<11}{'steps':>6}{'wall s':>8}{'timed s':>9}{'tokens':>9}{'tok/s':>10}{'decode/s':>10}"
             f"{'peak GiB':>10}{'TFLOP/s':>9}{'MFU':>7}"]
    for name, p in report["phases"].items():
        if "tokens" not in p:
            lines.append(f"{name:<11}failed after {p['wall_s']:.0f} s: {p['error']}")
            continue
        mem = "n/a" if p["peak_mem_gib"] is None else f"{p['peak_mem_gib']:.1f}"
        util = "n/a" if p["mfu"] is None else f"{100 * p['mfu']:.1f}%"
        lines.append(f"{name:<11}{p['steps']:>6}{p['wall_s']:>8.1f}{p['timed_s']:>9.2f}{p['tokens']:>9}"
                     f"{p['tokens_per_s']:>10.0f}{p['decode_tokens_per_s']:>10.0f}{mem:>10}{p['tflops_per_s']:>9.2f}"
                     f"{util:>7}" + ("" if p["error"] is None else f"  error: {p['error']}"))
    peak = "n/a" if report["peak_bf16_tflops"] is None else f"{report['peak_bf16_tflops']:.0f} TFLOP/s"
    lines.append(f"card: {report['card']}, dense bf16 peak {peak}; N = {report['n_params']:,} parameters "
                 f"({report['n_params_vision']:,} vision); base ready in {report['build_s']:.0f} s, all done in "
                 f"{report['total_s']:.0f} s")
    lines += [f"{name}: LoRA-target weights of layer 0 changed: {p['changed_tensors']}"
              for name, p in report["phases"].items() if "changed_tensors" in p]
    return "\n".join(lines + [f"{key}: {text}" for key, text in NOTES.items()])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="7b")
    parser.add_argument("--out", type=Path, default=Path("runs/gpu-check"), help="work dir; gpu_check.json here")
    parser.add_argument("--steps", type=int, default=3, help="GRPO and DPO steps (the first is warm-up)")
    parser.add_argument("--phases", default="grpo,grpo_bf16,dpo,generation,resume",
                        help="comma-separated, run in this order")
    parser.add_argument("--rollout-tokens", type=int, help="GRPO completion budget (default: the shape's)")
    parser.add_argument("--response-tokens", type=int, help="DPO response length in tokens (default: the shape's)")
    parser.add_argument("--gen-prompts", type=int, help="prompts in the generation batch (default: the shape's)")
    parser.add_argument("--max-new-tokens", type=int, help="generation budget (default: the shape's)")
    parser.add_argument("--no-grad-ckpt", dest="grad_ckpt", action="store_false", help="no gradient checkpointing")
    parser.add_argument("--keep-models", action="store_true", help="keep the trained model folders")
    args = parser.parse_args(argv)
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    if unknown := sorted(set(phases) - set(PHASES)):
        parser.error(f"unknown phase(s): {', '.join(unknown)}")
    from importlib.metadata import version

    import torch

    from specs.data.jsonl import write_json_atomic
    from specs.toyworld import generate_split

    args.device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.shape == "7b" and args.device != "cuda":
        parser.error("the 7b shape needs a CUDA GPU; use --shape tiny on a CPU")
    card = torch.cuda.get_device_name() if args.device == "cuda" else "cpu"
    peak = peak_bf16_flops(card) if args.device == "cuda" else None
    packages = ("torch", "transformers", "trl", "accelerate", "peft", "datasets")
    report: dict[str, Any] = {
        "card": card, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "shape": args.shape,
        "versions": {p: version(p) for p in packages} | {"python": sys.version.split()[0], "cuda": torch.version.cuda},
        "peak_bf16_tflops": None if peak is None else peak / 1e12, "notes": NOTES, "config": SHAPES[args.shape],
        "phases": {},
    }
    result, start = args.out / "gpu_check.json", time.perf_counter()
    base = args.out / "models" / f"base-{args.shape}"
    report["built"] = build_base(args.shape, base, args.device)
    work = SHAPES[args.shape]["work"]
    data = generate_split(args.out / "data", "train", max(64, args.gen_prompts or work["gen_prompts"],
                                                          work["dpo_batch"] * args.steps), seed=0)
    shapes = {name: math.prod(s) for name, (_, s) in tensor_files(base).items()}
    report |= {"build_s": time.perf_counter() - start, "n_params": sum(shapes.values()),
               "n_params_vision": sum(n for name, n in shapes.items() if name.startswith("visual."))}
    write_json_atomic(result, report)
    print(f"base model ready after {report['build_s']:.0f} s: {report['n_params']:,} parameters", flush=True)
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
