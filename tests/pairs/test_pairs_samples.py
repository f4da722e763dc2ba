"""The samples file (a teacher's pre-generated responses): reading, and one located error per bad line."""

import json

import pytest

from specs.errors import DataError
from specs.pairs.samples import read_samples


def write(path, *lines):
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def test_responses_are_grouped_by_id_in_file_order(tmp_path):
    path = write(tmp_path / "t.jsonl", {"id": "s1", "text": "a"}, "", {"id": 7, "text": "b"}, {"id": "s1", "text": "c"})
    assert read_samples(path) == {"s1": ["a", "c"], "7": ["b"]}  # ids compare as strings, as the data loader reads


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"text": "a"}, "t.jsonl:2: field 'id': missing"),
        ({"id": "s1"}, "t.jsonl:2: field 'text': missing"),
        ({"id": "s1", "text": 3}, "t.jsonl:2: field 'text': expected str, got int"),
        ({"id": True, "text": "a"}, "t.jsonl:2: field 'id': expected str or int, got bool"),
        ({"id": "s1", "text": "  "}, "t.jsonl:2: field 'text': empty"),
        ({"id": "s1", "text": "a", "score": 1}, "t.jsonl:2: field 'score': unknown field (allowed: id, text)"),
        ("[1, 2]", "t.jsonl:2: expected a JSON object, got list"),
        ("{nope", "t.jsonl:2: invalid JSON"),
    ],
)
def test_a_bad_line_is_one_error_naming_file_line_and_field(tmp_path, line, message):
    path = write(tmp_path / "t.jsonl", {"id": "s0", "text": "fine"}, line)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_samples(path)


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(DataError, match="empty file: no responses"):
        read_samples(write(tmp_path / "t.jsonl", ""))
