"""The toy base's pretraining loop: plain PyTorch over tensors prepared once by the real processor.

Why not ``SFTTrainer``: it re-runs the processor every step (≈2 steps/s on 2 cores); tensors prepared once run
≈2.5× faster, and the base needs thousands of steps before its decoder reads colour and shape (toy-notes). The
prompts are the stages' own (``PromptSpec.messages`` through ``render_prompts``), and every chunk is checked
against the processor's batched output: the same token ids, the same pixel values in the same patch order.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from specs.generation.hf import render_prompts

CHECK_BATCH = 256  # examples per processor call when preparing (and checking) the tensors


def patchify(images, image_processor):
    """uint8 ``(B, H, W, 3)`` images → the processor's ``pixel_values`` (B·patches, C·T·P·P), in its order."""
    import torch

    ps, m, t = image_processor.patch_size, image_processor.merge_size, image_processor.temporal_patch_size
    mean = torch.tensor(image_processor.image_mean, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(image_processor.image_std, dtype=torch.float32).view(1, 3, 1, 1)
    x = images.permute(0, 3, 1, 2).to(torch.float32) * float(image_processor.rescale_factor)
    x = (x - mean) / std
    b, c, h, w = x.shape
    gh, gw = h // ps, w // ps
    # → (b, gh/m, gw/m, mh, mw, C, ph, pw): the processor's (gh, gw, mh, mw, C, ph, pw) per image
    x = x.reshape(b, c, gh // m, m, ps, gw // m, m, ps).permute(0, 2, 5, 3, 6, 1, 4, 7)
    x = x.unsqueeze(6).expand(*x.shape[:6], t, ps, ps)
    return x.reshape(b * gh * gw, c * t * ps * ps)


def prepare(processor, messages: Sequence[list[dict]], images: Sequence, responses: Sequence[str]) -> dict[str, Any]:
    """Token ids, prompt lengths and uint8 images for every example (one RGB PIL image each), checked against
    ``processor(text=…, images=…)`` as the trainers call it."""
    import numpy as np
    import torch


    tok = processor.tokenizer
    end = tok.convert_tokens_to_ids("<|im_end|>")
    ids, n_prompt, pixels = [], [], []
    for start in range(0, len(messages), CHECK_BATCH):
        stop = start + CHECK_BATCH
        chunk_images = [[img] for img in images[start:stop]]
        prompts = render_prompts(processor, messages[start:stop], chunk_images)
        enc = processor(text=prompts, images=list(images[start:stop]), padding=True, padding_side="right",
                        return_tensors="pt")
        uint8 = torch.from_numpy(np.stack([np.asarray(img, dtype=np.uint8) for img in images[start:stop]]))
        diff = (patchify(uint8, processor.image_processor) - enc["pixel_values"]).abs().max().item()
        if diff > 1e-5:
            raise AssertionError(f"patch order/values differ from the processor's (max |Δ| = {diff})")
        for row, answer in enumerate(responses[start:stop]):
            prompt_ids = enc["input_ids"][row][enc["attention_mask"][row].bool()].tolist()
            response_ids = tok(answer, add_special_tokens=False)["input_ids"] + [end]
            joint = tok(prompts[row] + answer, add_special_tokens=False)["input_ids"]
            if joint[-len(response_ids) + 1 :] != response_ids[:-1]:  # generation sees the same tokens
                raise AssertionError(f"response tokens depend on the prompt boundary: {answer!r}")
            ids.append(prompt_ids + response_ids)
            n_prompt.append(len(prompt_ids))
        pixels.append(uint8)
    return {"ids": ids, "n_prompt": n_prompt, "images": torch.cat(pixels)}


def batch(data: dict[str, Any], idx: list[int], pad_id: int, image_processor) -> dict[str, Any]:
    """A right-padded training batch; labels only on response tokens (incl. ``<|im_end|>``)."""
    import torch

    length = max(len(data["ids"][i]) for i in idx)
    input_ids = torch.full((len(idx), length), pad_id, dtype=torch.long)
    labels = torch.full((len(idx), length), -100, dtype=torch.long)
    mask = torch.zeros((len(idx), length), dtype=torch.long)
    for row, i in enumerate(idx):
        seq, k = data["ids"][i], data["n_prompt"][i]
        input_ids[row, : len(seq)] = torch.tensor(seq)
        labels[row, k : len(seq)] = torch.tensor(seq[k:])
        mask[row, : len(seq)] = 1
    images = data["images"][idx]
    side = images.shape[1] // image_processor.patch_size
    grid = torch.tensor([[1, side, side]] * len(idx))
    return {"input_ids": input_ids, "attention_mask": mask, "labels": labels,
            "pixel_values": patchify(images, image_processor), "image_grid_thw": grid}


def lr_factor(step: int, steps: int, warmup: int) -> float:
    """Linear warm-up, then cosine decay to 0 over the remaining steps (a factor of the peak lr).

    >>> [round(lr_factor(s, 100, 10), 3) for s in (0, 9, 10, 55, 100)]
    [0.1, 1.0, 1.0, 0.5, 0.0]
    """
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def train(model, processor, data: dict[str, Any], *, steps: int, batch_size: int, learning_rate: float,
          warmup_steps: int, grad_clip: float, seed: int, log: Callable[[str], None] | None = None) -> list:
    """AdamW over shuffled epochs; returns ``[(step, mean loss of the last 100 steps, seconds)]``."""
    import torch

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, steps, warmup_steps))
    pad_id = processor.tokenizer.pad_token_id
    model.train()
    model.config.use_cache = False
    order: list[int] = []
    history, losses, started = [], [], time.perf_counter()
    for step in range(steps):
        if len(order) < batch_size:
            order += torch.randperm(len(data["ids"]), generator=gen).tolist()
        idx, order = order[:batch_size], order[batch_size:]
        loss = model(**batch(data, idx, pad_id, processor.image_processor)).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        opt.step()
        sched.step()
        losses.append(loss.item())
        if (step + 1) % 100 == 0 or step + 1 == steps:
            history.append((step + 1, round(sum(losses) / len(losses), 4), round(time.perf_counter() - started, 1)))
            if log is not None:
                log(f"step {step + 1}/{steps} loss {history[-1][1]:.4f} {history[-1][2]:.0f}s")
            losses = []
    model.eval()
    model.config.use_cache = True  # generation is ~10x slower without the KV cache
    return history
