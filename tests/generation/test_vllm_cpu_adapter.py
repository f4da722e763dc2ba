"""The CPU weight-sync adapter for TRL's colocated vLLM (specs/generation/vllm_cpu.py).

The first tests pin the TRL code the adapter stands in for: when TRL's colocate sync changes, they fail and the
adapter must be revisited. The last one runs two colocated GRPO steps on vLLM's CPU backend (where vLLM is
installed), in a subprocess since the engine initialises torch.distributed in its process:

    python tests/generation/test_vllm_cpu_adapter.py MODEL DATA OUT    # prints one JSON line
"""

import importlib.util
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from specs.generation import vllm_cpu


def test_trl_colocate_sync_is_still_the_per_tensor_load_weights_the_adapter_replaces():
    from trl.generation.vllm_generation import VLLMGeneration
    from trl.trainer.grpo_trainer import GRPOTrainer

    sync = inspect.getsource(VLLMGeneration.sync_weights)
    assert "model_runner.model.load_weights([(name, param)])" in sync, "TRL changed its colocate weight sync"
    assert "self._iter_named_params()" in sync and "self.llm.reset_prefix_cache()" in sync
    assert list(inspect.signature(VLLMGeneration._iter_named_params).parameters) == ["self"]
    assert inspect.isgeneratorfunction(VLLMGeneration._iter_named_params)
    # in-process engine: the weights generator is handed to the worker as is, not pickled
    assert 'distributed_executor_backend="external_launcher"' in inspect.getsource(VLLMGeneration._init_vllm)
    # the trainer reaches the sync through the instance attribute the adapter replaces
    assert "self.vllm_generation.sync_weights()" in inspect.getsource(GRPOTrainer._generate_single_turn)


def test_the_adapter_leaves_server_mode_and_gpus_alone(monkeypatch):
    from types import SimpleNamespace

    server = SimpleNamespace(mode="server", sync_weights="trl's")
    assert not vllm_cpu.patch_trl_weight_sync_for_cpu(server) and server.sync_weights == "trl's"
    assert not vllm_cpu.patch_trl_weight_sync_for_cpu(None)
    monkeypatch.setattr(vllm_cpu, "on_vllm_cpu", lambda: False)  # a GPU platform
    colocate = SimpleNamespace(mode="colocate", sync_weights="trl's")
    assert not vllm_cpu.patch_trl_weight_sync_for_cpu(colocate) and colocate.sync_weights == "trl's"


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("vllm") is None and not os.environ.get("CI"),
                    reason="needs vllm-cpu (make test installs it)")
def test_two_colocated_grpo_steps_on_cpu_keep_the_engine_in_sync(tiny_vlm, toy_world, tmp_path):
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"}
    cmd = [sys.executable, __file__, str(tiny_vlm), str(toy_world["train"]), str(tmp_path / "grpo")]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if run.returncode == 0 and lines and json.loads(lines[-1]).get("skip"):
        pytest.skip(json.loads(lines[-1])["skip"])
    assert run.returncode == 0 and lines, run.stderr[-3000:]
    result = json.loads(lines[-1])
    assert result["syncs"] == 2, "one sync per optimizer step"
    assert result["moved"] > 1e-3 and result["moved_vision"] > 1e-3, "weights must move, or the checks prove nothing"
    assert result["stale_gap"] > 1e-2, "the engine must no longer match the initial weights"
    assert result["engine_vs_trainer"] < 1e-3, "engine log-probs differ from the trainer's synced weights"
    assert result["tensors_equal"] and result["tensors_compared"] >= 5, result


def _prompt_logprobs(trainer, dataset):
    """Log-probs of one prompt's tokens (every position), from the engine and from the trainer's model."""
    import torch
    from trl.data_utils import prepare_multimodal_messages
    from vllm import SamplingParams

    processor, row = trainer.processing_class, dataset[0]
    conversation = prepare_multimodal_messages(row["prompt"], images=row["images"])
    inputs = processor.apply_chat_template([conversation], add_generation_prompt=True, tokenize=True,
                                           return_dict=True, return_tensors="pt")
    ids = inputs["input_ids"][0].tolist()
    pad = processor.image_token_id  # one placeholder per image: vLLM expands it itself
    single = [t for i, t in enumerate(ids) if not (t == pad and i and ids[i - 1] == pad)]
    llm = trainer.vllm_generation.llm
    request = {"prompt_token_ids": single, "multi_modal_data": {"image": row["images"][0]}}
    out = llm.generate([request], SamplingParams(max_tokens=1, prompt_logprobs=0), use_tqdm=False)[0]
    assert list(out.prompt_token_ids) == ids, "the engine expanded the image differently from the trainer"
    engine = torch.tensor([d[t].logprob for d, t in zip(out.prompt_logprobs[1:], ids[1:], strict=True)])
    with torch.no_grad():
        logits = trainer.model.eval()(**inputs).logits[0, :-1].float()
    hf = torch.log_softmax(logits, -1).gather(-1, torch.tensor(ids[1:])[:, None])[:, 0]
    return engine, hf


def _main(model: Path, data: Path, out: Path) -> dict:
    import functools

    import torch
    import trl.generation.vllm_generation as trl_vllm
    from trl import GRPOTrainer

    from specs.data.loader import load_dataset
    from specs.data.prompt import load_prompt
    from specs.generation.hf import vision_token_ids
    from specs.models.loading import load_config
    from specs.stages.common import load_for_training
    from specs.stages.grpo import GRPOStageConfig, grpo_args

    if not vllm_cpu.on_vllm_cpu():
        return {"skip": "vLLM runs on a GPU here: TRL's own sync applies"}
    # fp32 and eager: an exact comparison, and a 2 s engine start instead of a 20 s compile
    trl_vllm.LLM = functools.partial(trl_vllm.LLM, dtype="float32", enforce_eager=True)
    cfg = GRPOStageConfig(vllm="colocate", max_steps=2, batch_size=8, num_generations=8, max_completion_length=16,
                          limit=8, learning_rate=1e-2, report_to=[], logging_steps=1, freeze_vision=False)
    prompt = load_prompt("toy")
    args = grpo_args(cfg, out, vision_token_ids(load_config(model)))
    policy, processor = load_for_training(model, cfg, prompt)
    dataset = load_dataset(data, prompt, limit=cfg.limit)

    def length_reward(completions, **kwargs):  # varies within a group, so every step has a gradient
        return [float(len(str(c))) for c in completions]

    trainer = GRPOTrainer(model=policy, reward_funcs=[length_reward], args=args, train_dataset=dataset,
                          processing_class=processor)
    assert vllm_cpu.patch_trl_weight_sync_for_cpu(trainer.vllm_generation)
    synced, cpu_sync = [], trainer.vllm_generation.sync_weights

    def counted_sync():
        synced.append({n: p.detach().clone() for n, p in policy.named_parameters()})
        cpu_sync()

    trainer.vllm_generation.sync_weights = counted_sync
    trainer.train()
    final = {n: p.detach().clone() for n, p in policy.named_parameters()}

    def trainer_at(weights: dict) -> None:
        with torch.no_grad():
            for name, param in policy.named_parameters():
                param.copy_(weights[name])

    trainer_at(synced[-1])  # the trainer as the engine last saw it (step 2 has updated it since)
    engine_lp, trainer_lp = _prompt_logprobs(trainer, dataset)
    trainer_at(final)  # one more sync, then the same image again: its vision embedding must be recomputed
    cpu_sync()
    engine_final, trainer_final = _prompt_logprobs(trainer, dataset)
    trainer_at(synced[0])
    _, initial_lp = _prompt_logprobs(trainer, dataset)
    # tensors the CPU backend keeps readable (norms, embeddings); packed linears are covered by the log-probs
    engine = dict(trainer.vllm_generation.llm.apply_model(
        lambda m: {n: p.detach().clone() for n, p in m.named_parameters() if p.numel()})[0])
    compared, equal = 0, True
    for name, value in final.items():
        key = name.removeprefix("model.").replace("language_model.", "language_model.model.", 1)
        if key in engine and engine[key].shape == value.shape:
            compared += 1
            equal = equal and torch.equal(engine[key], value)
    return {
        "syncs": len(synced),
        "moved": max((synced[-1][n] - synced[0][n]).abs().max().item() for n in final),
        "moved_vision": max((final[n] - synced[0][n]).abs().max().item() for n in final if "visual" in n),
        "engine_vs_trainer": max((engine_lp - trainer_lp).abs().max().item(),
                                 (engine_final - trainer_final).abs().max().item()),
        "stale_gap": (engine_final - initial_lp).abs().max().item(),
        "tensors_compared": compared,
        "tensors_equal": equal,
    }


if __name__ == "__main__":
    print(json.dumps(_main(*map(Path, sys.argv[1:4]))), flush=True)
    os._exit(0)  # skip the engine's atexit teardown of the process group
