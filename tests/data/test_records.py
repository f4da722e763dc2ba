import json

import pytest
from PIL import Image

from specs.data import load_examples
from specs.data.loader import load_dataset
from specs.data.prompt import PromptSpec
from specs.errors import DataError


def write(tmp_path, lines, name="d.jsonl"):
    path = tmp_path / name
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


@pytest.fixture
def image(tmp_path):
    (tmp_path / "img").mkdir()
    Image.new("RGB", (84, 84), (1, 2, 3)).save(tmp_path / "img" / "a.png")
    return "img/a.png"


def row(image, **kw):
    base = {"id": "a", "question": "How many?", "answer": "3", "images": [image]}
    base.update(kw)
    return base


def test_valid_file_loads_with_resolved_images(tmp_path, image):
    path = write(tmp_path, [row(image), row(image, id="b", choices=["2", "3"], answer_type="text", precision=1.0)])
    examples = load_examples(path)
    assert [e.id for e in examples] == ["a", "b"]
    assert examples[0].images[0] == (tmp_path / image).resolve()
    assert examples[1].choices == ("2", "3") and examples[1].precision == 1


@pytest.mark.parametrize(
    "lines, line, field, message",
    [
        (["{not json"], 1, None, "invalid JSON"),
        (["[1, 2]"], 1, None, "expected a JSON object"),
        ([{"id": "a", "answer": "3", "images": []}], 1, "question", "missing"),
        ([{"id": "a", "question": "q", "images": []}], 1, "answer", "missing"),
        ([{"id": "a", "question": "q", "answer": "3"}], 1, "images", "missing"),
        ([{"id": "a", "question": 5, "answer": "3", "images": []}], 1, "question", "expected str"),
        ([{"id": "a", "question": "q", "answer": "3", "images": "x.png"}], 1, "images", "expected list"),
        ([{"id": "a", "question": "q", "answer": "3", "images": ["nope.png"]}], 1, "images", "image not found"),
        ([{"id": "a", "question": "q", "answer": "3", "images": [], "colour": 1}], 1, "colour", "unknown field"),
        (
            [{"id": "a", "question": "q", "answer": "3", "images": [], "answer_type": "blob"}],
            1,
            "answer_type",
            "one of",
        ),
        ([{"id": "a", "question": "q", "answer": "3", "images": [], "choices": []}], 1, "choices", "non-empty"),
        ([{"id": "a", "question": " ", "answer": "3", "images": []}], 1, "question", "empty"),
        ([{"id": True, "question": "q", "answer": "3", "images": []}], 1, "id", "expected"),
        (["", {"id": "a", "question": "q", "answer": "3", "images": []}, "{"], 3, None, "invalid JSON"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path, lines, line, field, message):
    path = write(tmp_path, lines)
    with pytest.raises(DataError) as info:
        load_examples(path)
    err = info.value
    assert (err.path, err.line, err.field) == (str(path), line, field)
    assert message in str(err) and str(err).startswith(f"{path}:{line}:")


def test_duplicate_id(tmp_path, image):
    path = write(tmp_path, [row(image), row(image)])
    with pytest.raises(DataError, match=r"d.jsonl:2: field 'id': duplicate id 'a' \(first on line 1\)"):
        load_examples(path)


def test_empty_file(tmp_path):
    path = write(tmp_path, ["", "  "])
    with pytest.raises(DataError, match="empty file"):
        load_examples(path)


def test_unreadable_image(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"not a png")
    path = write(tmp_path, [{"id": "a", "question": "q", "answer": "1", "images": ["bad.png"]}])
    with pytest.raises(DataError, match="field 'images': image bad.png is unreadable"):
        load_examples(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="cannot open"):
        load_examples(tmp_path / "absent.jsonl")


def test_dataset_has_trl_columns_and_decoded_images(tmp_path, image):
    path = write(tmp_path, [row(image, meta={"family": "count_all"})])
    ds = load_dataset(path, PromptSpec(system="Be brief.", instructions={"tags": ["Use tags."]}))
    item = ds[0]
    assert item["prompt"] == [{"role": "system", "content": "Be brief."},
                              {"role": "user", "content": "How many?\nUse tags."}]
    assert item["images"][0].size == (84, 84)
    assert item["family"] == "count_all" and item["answer"] == "3"
