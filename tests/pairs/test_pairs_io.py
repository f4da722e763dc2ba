import json
import random
from pathlib import Path

import pytest
from PIL import Image

from specs.data.prompt import PromptSpec
from specs.data.records import parse_example
from specs.errors import DataError
from specs.pairs.io import PairRecord, pair_record, read_pairs, to_dpo_rows, to_sft_rows, write_pairs
from specs.pairs.selection import Candidate, build_pair

CHOSEN = "<think>There are 3 circles.</think><answer>3</answer>"
BASE = "<think>1, 2, 3</think><answer>3</answer>"


@pytest.fixture
def records(tmp_path):
    """Two pair records whose examples point at real images in tmp/data/images."""
    data = tmp_path / "data"
    (data / "images").mkdir(parents=True)
    for name in ("a.png", "b.png"):
        Image.new("RGB", (4, 4), "red").save(data / "images" / name)
    first = {"id": "s1", "question": "How many circles?", "answer": 3, "images": ["images/a.png"]}
    second = {"id": "s2", "question": "Which colour?", "answer": "B", "images": ["images/a.png", "images/b.png"]}
    canon = [
        first | {"answer_type": "integer"},
        second | {"choices": ["red", "blue"], "precision": 1.0, "meta": {"family": "colour"}},
    ]
    out = []
    for i, obj in enumerate(canon):
        example = parse_example(obj, data / "canon.jsonl", i + 1)
        pair = build_pair(
            example.id,
            [Candidate.graded("grpo-zero", 0, CHOSEN, True)],
            [Candidate.graded("base", 3, BASE, True)],
            random.Random(i),
        )
        out.append(pair_record(example, pair))
    return out


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_round_trip(tmp_path, records):
    path = write_pairs(tmp_path / "out" / "pairs.jsonl", records)
    rows = _lines(path)
    assert rows[0]["images"] == ["../data/images/a.png"]  # relative to the pairs file's folder
    assert rows[0]["provenance"] == {
        "prompt_id": "s1",
        "chosen_model": "grpo-zero",
        "chosen_sample": 0,
        "rejected_model": "base",
        "rejected_sample": 3,
    }
    assert "choices" not in rows[0] and rows[1]["choices"] == ["red", "blue"]
    assert read_pairs(path) == records
    assert not list(path.parent.glob("*.tmp"))  # atomic write left no temp file


def test_pair_record_checks_ids(records):
    pair = build_pair("other", [Candidate.graded("z", 0, CHOSEN, True)], [Candidate.graded("b", 0, BASE, True)],
                      random.Random(0))  # fmt: skip
    with pytest.raises(ValueError, match="joined with example 's1'"):
        pair_record(records[0].example, pair)


def test_pair_record_invariants(records):
    r = records[0]
    with pytest.raises(ValueError, match="chosen"):
        PairRecord(r.example, "3", r.rejected, r.corruption, r.rejected_original, r.provenance)
    with pytest.raises(ValueError, match="must not be well formatted"):
        PairRecord(r.example, r.chosen, CHOSEN, r.corruption, r.rejected_original, r.provenance)


def test_dpo_and_sft_rows(records):
    prompt = PromptSpec()
    dpo = to_dpo_rows(records, prompt)
    assert set(dpo) == {"prompt", "chosen", "rejected", "images"}
    assert dpo["prompt"][0] == prompt.messages(records[0].example)
    assert dpo["prompt"][0][-1] == {"role": "user", "content": "How many circles?"}
    assert dpo["chosen"][0] == [{"role": "assistant", "content": CHOSEN}]
    assert dpo["rejected"][1] == [{"role": "assistant", "content": records[1].rejected}]
    assert len(dpo["images"][1]) == 2
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in dpo["images"][1])
    assert all(isinstance(p, str) for p in dpo["images"][1])
    sft = to_sft_rows(records, prompt)
    assert sft["prompt"] == dpo["prompt"]
    assert set(sft) == {"prompt", "completion", "images"}
    assert sft["completion"][0] == [{"role": "assistant", "content": CHOSEN}]
    assert sft["images"] == dpo["images"]


def _write_bad(tmp_path, records, mutate) -> Path:
    path = write_pairs(tmp_path / "out" / "pairs.jsonl", records)
    rows = _lines(path)
    mutate(rows[1])
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _set(key, value):
    return lambda row: row.__setitem__(key, value)


def _set_prov(key, value):
    return lambda row: row["provenance"].__setitem__(key, value)


BAD = [
    (lambda row: row.pop("chosen"), "chosen", "missing"),
    (_set("chosen", 3), "chosen", "expected str, got int"),
    (_set("rejected", ""), "rejected", "empty"),
    (lambda row: row.pop("rejected_original"), "rejected_original", "missing"),
    (_set("corruption", "shout"), "corruption", "unknown corruption 'shout'"),
    (_set("chosen", "3"), "chosen", "not well formatted"),
    (_set("rejected", CHOSEN), "rejected", "a rejected response must fail format_ok"),
    (_set("extra", 1), "extra", "unknown field"),
    (lambda row: row.pop("provenance"), "provenance", "missing"),
    (_set("provenance", [1]), "provenance", "expected dict, got list"),
    (lambda row: row["provenance"].pop("chosen_model"), "provenance", "missing key 'chosen_model'"),
    (_set_prov("chosen_sample", "0"), "provenance", "key 'chosen_sample': expected int, got str"),
    (_set_prov("rejected_sample", True), "provenance", "expected int, got bool"),
    (_set_prov("prompt_id", "s9"), "provenance", "prompt_id 's9' differs from id 's2'"),
    (lambda row: row.pop("question"), "question", "missing"),  # canonical checks come from parse_example
    (_set("images", ["images/missing.png"]), "images", "image not found"),
]


@pytest.mark.parametrize(("mutate", "field", "message"), BAD)
def test_validation_errors(tmp_path, records, mutate, field, message):
    path = _write_bad(tmp_path, records, mutate)
    with pytest.raises(DataError) as info:
        read_pairs(path)
    err = info.value
    assert (err.path, err.line, err.field) == (str(path), 2, field)
    assert message in err.message
    assert f"{path}:2: field '{field}'" in str(err)


def test_empty_and_broken_files(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(DataError, match="empty file: no pairs"):
        read_pairs(empty)
    with pytest.raises(DataError, match="cannot open"):
        read_pairs(tmp_path / "absent.jsonl")
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n")
    with pytest.raises(DataError, match="broken.jsonl:1: invalid JSON"):
        read_pairs(broken)


def test_check_images_off(tmp_path, records):
    path = _write_bad(tmp_path, records, _set("images", ["images/missing.png"]))
    assert len(read_pairs(path, check_images=False)) == 2


def test_rows_load_as_an_image_dataset(records):
    """The columns survive the cast the cold-start stage applies (paths → datasets.Image)."""
    datasets = pytest.importorskip("datasets")
    rows = to_dpo_rows(records, PromptSpec())
    ds = datasets.Dataset.from_dict(rows).cast_column("images", datasets.List(datasets.Image()))
    row = ds[1]
    assert [img.size for img in row["images"]] == [(4, 4), (4, 4)]
    assert row["prompt"] == PromptSpec().messages(records[1].example)
