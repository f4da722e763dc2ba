"""Orsta-47K / ViRL39K-style training sets → canonical JSONL, with the prompt-length filter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks_helpers import jpeg, png, write_parquet
from PIL import Image

from specs.benchmarks import image_tokens, load_training_rows, smart_resize
from specs.data.records import load_examples
from specs.errors import DataError
from specs.grading import grade


def _virl(folder: Path) -> Path:
    """ViRL39K layout: ``qid``, ``question`` with ``<image>``, ``answer`` as ``\\boxed{…}``, image path lists."""
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "small.jpg").write_bytes(jpeg(56, 56))  # 4 tokens
    (folder / "images" / "big.png").write_bytes(png(560, 560))  # 400 tokens (100 at max 280x280 pixels)
    rows = [
        {"qid": "q1", "question": "<image>Which is larger?\nChoices:\nA: 1\nB: 2", "answer": "\\boxed{B}",
         "image": ["images/small.jpg"], "category": "math", "source": "geo"},
        {"qid": "q2", "question": "<image>\nCount the pixels.", "answer": "\\boxed{\\frac{1}{2}}",
         "image": ["images/big.png"], "category": "math", "source": "geo"},
        {"qid": "q3", "question": "<image>Anything?", "answer": "", "image": ["images/small.jpg"],
         "category": "math", "source": "geo"},
        {"qid": "q1", "question": "<image>Same id again: 7?", "answer": "7", "image": ["images/small.jpg"],
         "category": "math", "source": "geo"},
    ]
    return write_parquet(folder / "39Krelease.parquet", rows)


def test_qwen_token_rule() -> None:
    assert smart_resize(1080, 1920) == (1092, 1932)
    assert image_tokens(1920, 1080) == 39 * 69
    assert image_tokens(560, 560, max_pixels=280 * 280) == 100
    assert image_tokens(10, 10) == 4  # up-scaled to the 56x56 minimum


def test_virl_layout_filter_and_report(tmp_path: Path) -> None:
    report = load_training_rows(_virl(tmp_path / "src"), tmp_path / "out", max_prompt_tokens=200)
    assert report.kept == 2 and report.n_images == 2
    assert report.dropped == {"empty answer": 1, "prompt over 200 tokens": 1}
    examples = load_examples(report.path)
    first, dup = examples
    assert first.id == "q1" and dup.id.startswith("q1-") and first.question.startswith("Which is larger?")
    assert first.answer == "B" and first.choices == ("1", "2") and first.meta["source"] == "geo"
    assert first.images[0].suffix == ".jpg"  # original JPEG bytes kept, not re-encoded
    assert grade("<think>x</think><answer>B</answer>", first.answer, choices=list(first.choices)).correct
    saved = json.loads((tmp_path / "out" / "train.report.json").read_text())
    assert saved["kept"] == 2 and saved["dropped"]["prompt over 200 tokens"] == 1


def test_max_image_pixels_and_fixed_tokens(tmp_path: Path) -> None:
    source = _virl(tmp_path / "src")
    report = load_training_rows(source, tmp_path / "a", max_prompt_tokens=200, max_image_pixels=280 * 280)
    assert report.kept == 3 and "prompt over 200 tokens" not in report.dropped
    big = [e for e in load_examples(report.path) if e.id == "q2"][0]
    assert big.answer == "\\frac{1}{2}" and big.meta["prompt_tokens"] == 100 + len("Count the pixels.") // 4 + 1
    with Image.open(big.images[0]) as img:
        assert img.size == (560, 560)
    with pytest.raises(DataError, match="no rows kept"):
        load_training_rows(source, tmp_path / "b", max_prompt_tokens=200, tokens_per_image=500)
    report = load_training_rows(source, tmp_path / "c", limit=1)
    assert report.kept == 1 and report.dropped == {}


def test_orsta_saved_dataset_with_chat_prompt_and_reward_model(tmp_path: Path) -> None:
    import datasets

    ds = datasets.Dataset.from_dict({
        "data_source": ["mathverse_train", "chartqa"],
        "images": [[{"bytes": png(30, 30), "path": None}], [{"bytes": png(40, 30), "path": None}]],
        "prompt": [[{"role": "user", "content": "<image>What is 2+3?"}],
                   [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "<image>Peak year?"}]],
        "reward_model": [{"ground_truth": "5", "style": "rule"}, {"ground_truth": "2016", "style": "rule"}],
    }).cast_column("images", datasets.List(datasets.Image()))
    ds.save_to_disk(str(tmp_path / "orsta"))
    report = load_training_rows(tmp_path / "orsta", tmp_path / "out", name="orsta")
    assert report.path == tmp_path / "out" / "orsta.jsonl" and report.kept == 2
    first, second = load_examples(report.path)
    assert (first.question, first.answer, first.meta["data_source"]) == ("What is 2+3?", "5", "mathverse_train")
    assert (second.question, second.answer) == ("Peak year?", "2016")
    assert first.images[0].name == "orsta-1_1.png"  # no id column: file stem + row number


def test_missing_column_names_the_aliases(tmp_path: Path) -> None:
    source = write_parquet(tmp_path / "t.parquet", [{"question": "q", "label_text": "3", "image": None}])
    with pytest.raises(DataError) as info:
        load_training_rows(source, tmp_path / "out")
    err = info.value
    assert (err.path, err.line, err.field) == (str(source), 1, "answer")
    assert "answer, ground_truth" in err.message and "label_text" in err.message
    source = write_parquet(tmp_path / "u.parquet", [{"question": "q", "answer": "3"}])
    with pytest.raises(DataError, match="field 'images'"):
        load_training_rows(source, tmp_path / "out")
    report = load_training_rows(source, tmp_path / "out", require_images=False)
    assert report.kept == 1 and report.n_images == 0
