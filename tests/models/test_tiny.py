import json

import pytest
import torch
from PIL import Image

from specs.errors import ModelError
from specs.models.loading import load_model, load_processor
from specs.models.tiny import build_tiny_model


def encode(processor, color):
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "How many circles?"}]}]
    text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return processor(text=[text], images=[Image.new("RGB", (84, 84), color)], return_tensors="pt")


@pytest.mark.parametrize("arch", ["qwen2_vl", "qwen2_5_vl", "qwen3_vl"])
def test_vlm_round_trip_and_images_reach_the_vision_tower(tmp_path, arch, tiny_vlm):
    path = tiny_vlm if arch == "qwen2_5_vl" else build_tiny_model(tmp_path / arch, arch)
    from transformers import AutoModelForImageTextToText

    model = AutoModelForImageTextToText.from_pretrained(path)
    assert model.config.model_type == arch
    processor = load_processor(path)
    assert hasattr(processor, "image_processor"), "must not degrade to a bare tokenizer"
    red, blue = encode(processor, (220, 20, 20)), encode(processor, (20, 20, 220))
    n_image_tokens = int((red["input_ids"] == model.config.image_token_id).sum())
    assert n_image_tokens == 9  # 84x84, patch 14, merge 2
    out_red = model(**red).logits
    with torch.no_grad():
        out_blue = model(**blue).logits
    assert not torch.allclose(out_red, out_blue), "the image must change the output"
    out_red[0, -1].logsumexp(-1).backward()
    vision_grads = [p.grad for n, p in model.named_parameters() if "visual" in n and p.grad is not None]
    assert vision_grads and any(g.abs().sum() > 0 for g in vision_grads)


def test_stock_processor_class_is_recorded(tiny_vlm):
    cfg = json.loads((tiny_vlm / "processor_config.json").read_text())
    assert cfg["processor_class"] == "Qwen2_5_VLProcessor"


def test_text_only_model(tmp_path):
    path = build_tiny_model(tmp_path / "q2", "qwen2")
    model, tok = load_model(path), load_processor(path)
    ids = tok.apply_chat_template(
        [{"role": "user", "content": "2+2?"}], add_generation_prompt=True, return_tensors="pt"
    )
    ids = ids["input_ids"] if hasattr(ids, "keys") else ids
    assert model.generate(ids, max_new_tokens=3, do_sample=False).shape[1] == ids.shape[1] + 3


def test_generation_stops_on_the_chat_end_token(tiny_vlm):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_vlm)
    assert tok.eos_token == "<|im_end|>"
    assert json.loads((tiny_vlm / "generation_config.json").read_text())["eos_token_id"] == tok.eos_token_id


def test_missing_or_broken_folder_is_one_clear_error(tmp_path):
    with pytest.raises(ModelError, match="model folder not found"):
        load_model(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no config.json"):
        load_processor(tmp_path / "empty")


def test_pixel_cap(tiny_vlm):
    processor = load_processor(tiny_vlm, max_pixels=56 * 56)
    enc = encode(processor, (1, 2, 3))
    assert int(enc["image_grid_thw"].prod()) // 4 <= 4
