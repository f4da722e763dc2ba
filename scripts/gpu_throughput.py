"""The GPU check's throughput phases: LoRA GRPO, DPO, generation and a kill-and-resume on the full-depth shape,
with a meter that counts the tokens each forward sees and turns them into tokens/s, FLOP/s and MFU."""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
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
