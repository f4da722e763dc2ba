"""One example through every stage: the token ids each stage feeds the model are identical.

Captured where the model sees them: every ``generate`` call (GRPO rollouts inside TRL, distillation, eval, GF
tracking, pass@k, RBF) and the prompt part of the DPO and SFT training batches (TRL's collators). Run for the toy
recipe's prompt and for the 7B recipe's, whose system prompt must ask for the tags.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import transformers

from specs.data.jsonl import write_jsonl_atomic
from specs.data.prompt import PromptSpec, load_prompt
from specs.data.records import load_examples
from specs.generation.hf import SamplingConfig

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = {
    "toy": (str(ROOT / "src" / "specs" / "recipe" / "builtin" / "toy.yaml"), None),
    "7b": (str(ROOT / "recipes" / "qwen2.5-vl-7b.yaml"), "<think>"),
}


@pytest.fixture
def captured(monkeypatch):
    """Every prompt a ``generate`` call received, as token-id tuples with the left padding removed."""
    seen: list[tuple[str, tuple[int, ...]]] = []
    original = transformers.GenerationMixin.generate
    stage = {"name": "?"}

    def recording(self, *args, **kwargs):
        ids, mask = kwargs["input_ids"], kwargs["attention_mask"]
        for row, keep in zip(ids.tolist(), mask.tolist(), strict=True):
            seen.append((stage["name"], tuple(t for t, m in zip(row, keep, strict=True) if m)))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(transformers.GenerationMixin, "generate", recording)
    return seen, stage


def batch_prompt(trainer) -> tuple[int, ...]:
    """The prompt tokens of the first training example as TRL's collator builds the batch."""
    batch = trainer.data_collator([trainer.train_dataset[0]])
    ids, attention = batch["input_ids"][0].tolist(), batch["attention_mask"][0].tolist()
    if "completion_mask" in batch:  # DPO
        completion = batch["completion_mask"][0].tolist()
    else:  # SFT: the loss (labels != -100) covers the completion only
        completion = [label != -100 for label in batch["labels"][0].tolist()]
    return tuple(t for t, a, c in zip(ids, attention, completion, strict=True) if a and not c)


def one_example(toy_world, tmp_path: Path) -> Path:
    row = next(line for line in Path(toy_world["train"]).read_text().splitlines())
    import json

    record = json.loads(row)
    record["images"] = [str(Path(toy_world["train"]).parent / record["images"][0])]
    return write_jsonl_atomic(tmp_path / "one.jsonl", [record])


def pairs_file(data: Path, tmp_path: Path) -> Path:
    from specs.pairs.io import PairRecord, write_pairs

    example = load_examples(data)[0]
    chosen = f"<think>{example.meta['solution']}</think><answer>{example.answer}</answer>"
    prov = {"prompt_id": example.id, "chosen_model": "a", "chosen_sample": 0, "rejected_model": "b",
            "rejected_sample": 0}
    record = PairRecord(example, chosen, f"{example.meta['solution']} {example.answer}", "strip_all", chosen, prov)
    return write_pairs(tmp_path / "pairs.jsonl", [record])


@pytest.mark.parametrize("recipe", sorted(PROMPTS))
def test_every_stage_renders_the_same_prompt(recipe, tiny_vlm, toy_world, tmp_path, captured):
    from specs.stages.coldstart import dpo_dataset, sft_dataset
    from specs.stages.distill import DistillConfig, distill
    from specs.stages.dpo import DPOStageConfig, dpo_trainer
    from specs.stages.evaluate import branching_report, evaluate
    from specs.stages.gf_tracking import gf_outputs
    from specs.stages.grpo import GRPOStageConfig, train_grpo
    from specs.stages.sft import SFTStageConfig, sft_trainer
    from specs.study.measure import pass_at_k

    source, must_ask = PROMPTS[recipe]
    prompt: PromptSpec = load_prompt(source)  # the recipe's prompt: block, as `specs run` and --prompt read it
    seen, stage = captured
    data = one_example(toy_world, tmp_path)
    examples = load_examples(data)
    greedy = SamplingConfig(max_new_tokens=2)

    stage["name"] = "eval"
    evaluate(tiny_vlm, data, prompt, greedy, progress=None)
    stage["name"] = "grpo"
    train_grpo(tiny_vlm, data, tmp_path / "grpo", GRPOStageConfig(
        learning_rate=1e-5, batch_size=2, num_generations=2, max_steps=1, max_completion_length=2), prompt)
    stage["name"] = "distill"
    with pytest.raises(ValueError, match="no pairs"):  # a random model answers nothing right: sampling is what counts
        distill(tiny_vlm, tiny_vlm, data, tmp_path / "p.jsonl", DistillConfig(samples=1, max_new_tokens=2), prompt)
    stage["name"] = "pass@k"
    pass_at_k(tiny_vlm, data, prompt, n=2, ks=[1], limit=None, max_new_tokens=2, batch_size=2, seed=0)
    stage["name"] = "rbf"
    branching_report(tiny_vlm, examples, SamplingConfig(n=2, temperature=1.0, max_new_tokens=2), prompt)
    stage["name"] = "gf"
    pairs = pairs_file(data, tmp_path)
    cfg = DPOStageConfig(learning_rate=1e-5, batch_size=1, max_steps=1, gf_every=1, gf_max_new_tokens=2)
    callbacks, out = gf_outputs(cfg, tiny_vlm, prompt, data, data, tmp_path / "dpo")
    dpo = dpo_trainer(tiny_vlm, dpo_dataset(pairs, prompt), out, cfg, prompt, callbacks)
    dpo.train()
    sft = sft_trainer(tiny_vlm, sft_dataset(pairs, prompt), tmp_path / "sft", SFTStageConfig(max_steps=1), prompt)

    prompts = {name: {ids for n, ids in seen if n == name} for name in ("eval", "grpo", "distill", "pass@k", "rbf",
                                                                        "gf")}
    prompts["dpo"], prompts["sft"] = {batch_prompt(dpo)}, {batch_prompt(sft)}
    reference = prompts["eval"]
    assert len(reference) == 1
    assert {name: ids == reference for name, ids in prompts.items()} == dict.fromkeys(prompts, True)

    text = dpo.processing_class.tokenizer.decode(next(iter(reference)))
    assert examples[0].question in text and "<|image_pad|>" in text
    if prompt.system:
        assert prompt.system in text
    if must_ask:
        assert must_ask in text  # the 7B prompt asks for the format; real data never does
    if prompt.instructions:
        assert prompt.instruction(examples[0]) in text
