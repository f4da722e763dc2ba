"""Each benchmark's real layout → canonical rows that validate, grade, and keep the benchmark's conventions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks_helpers import (
    TAGS,
    mathverse_parquet,
    mathvision_jsonl,
    mathvision_parquet,
    mathvista_github,
    mathvista_parquet,
    mmmu_folder,
)
from PIL import Image

from specs.benchmarks import convert
from specs.data.records import Example, load_examples
from specs.grading import grade


def _convert(benchmark: str, source: Path, out: Path, **kwargs) -> tuple[list[dict], list[Example]]:
    written = convert(benchmark, source, out, **kwargs)
    assert written == out / f"{benchmark}.jsonl"
    rows = [json.loads(line) for line in written.read_text().splitlines()]
    return rows, load_examples(written)


def _grades(example: Example, answer: str) -> bool:
    gold = example.meta.get("answers", example.answer)
    return grade(TAGS.format(answer), gold, choices=list(example.choices) if example.choices else None,
                 answer_type=example.answer_type, precision=example.precision).correct


def _sizes(example: Example) -> list[tuple[int, int]]:
    sizes = []
    for path in example.images:
        with Image.open(path) as img:
            img.load()
            sizes.append(img.size)
    return sizes


@pytest.mark.parametrize("layout", ["parquet", "github-json"])
def test_mathvista(tmp_path: Path, layout: str) -> None:
    source = mathvista_parquet(tmp_path / "src") if layout == "parquet" else mathvista_github(tmp_path / "src")
    rows, examples = _convert("mathvista", tmp_path / "src" if layout == "parquet" else source, tmp_path / "out")
    mc, flt, lst = examples
    assert [e.id for e in examples] == ["1", "2", "3"]
    assert mc.question.startswith("Hint: Please answer") and mc.question.endswith("(A) 3 cm\n(B) 5 cm")
    assert mc.choices == ("3 cm", "5 cm") and mc.answer == "5 cm" and mc.answer_type == "text"
    assert rows[1]["precision"] == 1 and isinstance(rows[1]["precision"], int) and "precision" not in rows[0]
    assert flt.meta["unit"] == "cm" and lst.answer_type == "list" and lst.answer == "[2014, 2016]"
    assert mc.meta["skills"] == ["geometry reasoning", "arithmetic reasoning"]
    for key in ("question_type", "answer_type", "task", "category", "source", "context", "grade", "language"):
        assert key in mc.meta, key
    assert [_sizes(e) for e in examples] == [[(21, 10)], [(22, 10)], [(23, 10)]]
    assert rows[0]["images"] == ["images/mathvista/1_1.png"]
    assert _grades(mc, "B") and _grades(mc, "5 cm") and not _grades(mc, "3 cm")
    assert _grades(flt, "1.23") and not _grades(flt, "1.3")
    assert _grades(lst, "[2014, 2016]") and not _grades(lst, "[2016, 2014]")


def test_mathverse_choices_from_question_and_dressed_letter_gold(tmp_path: Path) -> None:
    _, (mc, free, vision) = _convert("mathverse", mathverse_parquet(tmp_path / "src"), tmp_path / "out")
    assert mc.choices == ("40°", "60°", "120°", "140°")
    assert mc.answer == "C" and mc.meta["raw_answer"] == "(C)"
    assert mc.meta["problem_version"] == "Text Dominant" and mc.meta["question_type"] == "multi-choice"
    assert mc.meta["subject"] == "Plane Geometry" and mc.meta["subfield"] == "Angle"
    assert _grades(mc, "C") and _grades(mc, "(C)") and _grades(mc, "120°") and not _grades(mc, "B")
    assert free.choices is None and _grades(free, "25")
    assert vision.question and vision.choices is None and vision.meta["problem_version"] == "Vision Only"
    assert _grades(vision, "B") and not _grades(vision, "C")
    assert [_sizes(e) for e in (mc, free, vision)] == [[(30, 20)], [(31, 20)], [(32, 20)]]


@pytest.mark.parametrize("layout", ["parquet", "jsonl"])
def test_mathvision(tmp_path: Path, layout: str) -> None:
    make = mathvision_parquet if layout == "parquet" else mathvision_jsonl
    _, (mc, free) = _convert("mathvision", make(tmp_path / "src"), tmp_path / "out")
    assert mc.question == "<image1>\nHow many triangles are there?\nChoices:\n(A) 1\n(B) 2\n(C) 3\n(D) 4\n(E) 5"
    assert mc.choices == ("1", "2", "3", "4", "5") and mc.answer == "C"
    assert mc.meta["level"] == 2 and mc.meta["subject"] == "counting"
    assert free.answer == "\\frac{36}{13}" and free.meta["raw_answer"] == "\x0crac{36}{13}" and free.choices is None
    assert _grades(mc, "C") and _grades(mc, "3") and not _grades(mc, "D")
    assert _grades(free, "36/13") and not _grades(free, "13/36")
    assert [_sizes(e) for e in (mc, free)] == [[(40, 10)], [(41, 10)]]


def test_mmmu_folder_picks_validation_and_keeps_image_order(tmp_path: Path) -> None:
    rows, (mc, open_q, multi) = _convert("mmmu", mmmu_folder(tmp_path / "src"), tmp_path / "out")
    assert [e.id for e in (mc, open_q, multi)] == [f"validation_Accounting_{i}" for i in (1, 2, 3)]  # no dev rows
    assert mc.choices == ("$6", "$7", "$8") and mc.question.endswith("(A) $6\n(B) $7\n(C) $8")
    assert _sizes(mc) == [(50, 10), (60, 10)]  # image_1 then image_2; the null image_3 is skipped
    assert rows[0]["images"] == [f"images/mmmu/validation_Accounting_1_{k}.png" for k in (1, 2)]
    assert mc.meta["subject"] == "Accounting" and mc.meta["discipline"] == "Business"
    assert mc.meta["subfield"] == "Financial Accounting" and mc.meta["topic_difficulty"] == "Medium"
    assert mc.meta["question_type"] == "multiple-choice" and mc.meta["img_type"] == ["Tables"]
    assert _grades(mc, "B") and _grades(mc, "$7") and not _grades(mc, "A")
    assert open_q.choices is None and _grades(open_q, "12")
    assert multi.answer == "24/7" and multi.meta["answers"] == ["24/7", "3.429"]
    assert _grades(multi, "3.429") and _grades(multi, "24/7")


def test_limit_no_format_request_and_rerun(tmp_path: Path) -> None:
    source = mathverse_parquet(tmp_path / "src")
    rows, examples = _convert("mathverse", source, tmp_path / "out", limit=2)
    assert len(examples) == 2 and examples[0].question.endswith("D:140°")  # the prompt spec asks for the format
    assert "format" not in examples[0].meta
    rows_again, _ = _convert("mathverse", source, tmp_path / "out", limit=2)
    assert rows_again == rows
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_raw_bytes_and_pil_cells(tmp_path: Path) -> None:
    from benchmarks_helpers import mathvision_rows, png, write_parquet

    from specs.benchmarks.images import store_image
    from specs.benchmarks.sources import Row

    rows = mathvision_rows()
    for i, row in enumerate(rows):
        row["decoded_image"] = png(9 + i, 4)  # raw bytes, not a struct
    _, examples = _convert("mathvision", write_parquet(tmp_path / "t.parquet", rows), tmp_path / "out")
    assert [_sizes(e) for e in examples] == [[(9, 4)], [(10, 4)]]
    row = Row(tmp_path / "t.parquet", 1, {})
    stored = store_image(Image.new("CMYK", (3, 2)), row, "image", tmp_path / "pil" / "x_1")
    assert stored is not None and stored[0].name == "x_1.png" and stored[1] == (3, 2)
    assert store_image(None, row, "image", tmp_path / "pil" / "x_2") is None
