"""Bad input → one ``DataError`` naming the file, the row and the field; nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks_helpers import mathverse_parquet, mathvista_rows, mmmu_rows, png, write_parquet

from specs.benchmarks import convert
from specs.errors import DataError


def _error(benchmark: str, source: Path, out: Path) -> DataError:
    with pytest.raises(DataError) as info:
        convert(benchmark, source, out)
    assert not (out / f"{benchmark}.jsonl").exists()
    return info.value


def test_unknown_benchmark(tmp_path: Path) -> None:
    err = _error("mathvistaa", mathverse_parquet(tmp_path), tmp_path / "out")
    assert err.field == "benchmark" and "mathvistaa" in str(err) and "mathvista" in err.message


def test_missing_column_names_file_row_and_column(tmp_path: Path) -> None:
    rows = mathvista_rows()
    for row in rows:
        del row["answer"]
    source = write_parquet(tmp_path / "testmini.parquet", rows)
    err = _error("mathvista", source, tmp_path / "out")
    assert (err.path, err.line, err.field) == (str(source), 1, "answer")
    assert "missing column" in err.message


def test_undecodable_image(tmp_path: Path) -> None:
    rows = mathvista_rows()
    rows[1]["decoded_image"] = {"bytes": b"this is not an image", "path": "images/2.jpg"}
    source = write_parquet(tmp_path / "testmini.parquet", rows)
    err = _error("mathvista", source, tmp_path / "out")
    assert (err.line, err.field) == (2, "decoded_image") and "undecodable image" in err.message


def test_missing_image_file(tmp_path: Path) -> None:
    source = tmp_path / "testmini.json"
    source.write_text(json.dumps({row["pid"]: row for row in mathvista_rows(images_inline=False)}))
    err = _error("mathvista", source, tmp_path / "out")
    assert (err.line, err.field) == (1, "image") and "images/1.jpg" in err.message


def test_unparsable_options_string(tmp_path: Path) -> None:
    rows = mmmu_rows()
    rows[1]["options"] = "['$6', '$7'"
    source = write_parquet(tmp_path / "validation-00000-of-00001.parquet", rows)
    err = _error("mmmu", source, tmp_path / "out")
    assert (err.path, err.line, err.field) == (str(source), 2, "options") and "cannot parse" in err.message


def test_options_string_is_never_evaluated(tmp_path: Path) -> None:
    rows = mmmu_rows()
    rows[0]["options"] = "__import__('os').getcwd()"
    err = _error("mmmu", write_parquet(tmp_path / "v.parquet", rows), tmp_path / "out")
    assert err.field == "options"


def test_missing_image_columns_mmmu(tmp_path: Path) -> None:
    rows = [{k: v for k, v in row.items() if not k.startswith("image_")} for row in mmmu_rows()]
    err = _error("mmmu", write_parquet(tmp_path / "v.parquet", rows), tmp_path / "out")
    assert (err.line, err.field) == (1, "image_1")


def test_empty_gold_and_duplicate_id(tmp_path: Path) -> None:
    rows = mathvista_rows()
    rows[2]["answer"] = ""
    err = _error("mathvista", write_parquet(tmp_path / "a" / "t.parquet", rows), tmp_path / "out")
    assert (err.line, err.field) == (3, "answer")
    rows = mathvista_rows()
    rows[2]["pid"] = "1"
    err = _error("mathvista", write_parquet(tmp_path / "b" / "t.parquet", rows), tmp_path / "out")
    assert (err.line, err.field) == (3, "id") and "duplicate" in err.message


def test_bad_answer_type_and_precision(tmp_path: Path) -> None:
    rows = mathvista_rows()
    rows[0]["answer_type"] = "string"
    err = _error("mathvista", write_parquet(tmp_path / "a" / "t.parquet", rows), tmp_path / "out")
    assert (err.line, err.field) == (1, "answer_type")
    rows = mathvista_rows()
    rows[1]["precision"] = "one"
    rows[0]["precision"] = rows[2]["precision"] = None
    err = _error("mathvista", write_parquet(tmp_path / "b" / "t.parquet", rows), tmp_path / "out")
    assert (err.line, err.field) == (2, "precision")


def test_bad_jsonl_line_no_image_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "1.png").write_bytes(png(5, 5))
    source = tmp_path / "test.jsonl"
    row = {"id": "1", "question": "q", "options": [], "answer": "3", "level": 1, "subject": "s",
           "image": "images/1.png"}
    source.write_text(json.dumps(row) + "\n{not json\n")
    err = _error("mathvision", source, tmp_path / "out")
    assert (err.path, err.line) == (str(source), 2) and "invalid JSON" in err.message
    source.write_text(json.dumps({**row, "image": {"bytes": None, "path": None}}) + "\n")
    err = _error("mathvision", source, tmp_path / "out")
    assert (err.line, err.field) == (1, "image") and "neither bytes nor path" in err.message
    source.write_text(json.dumps({**row, "image": None}) + "\n")
    err = _error("mathvision", source, tmp_path / "out")
    assert (err.line, err.field) == (1, "image") and "no image" in err.message
    err = _error("mmmu", tmp_path / "nowhere", tmp_path / "out")
    assert err.line is None and "no such file" in err.message
