"""Tiny fixture files in each benchmark's real column layout (HF parquet, GitHub JSON, JSONL + images/)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
from PIL import Image

TAGS = "<think>reasoning</think><answer>{}</answer>"


def png(width: int, height: int, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 240)).save(buffer, format="JPEG")
    return buffer.getvalue()


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(path)
    return path


def mathvista_rows(images_inline: bool = True) -> list[dict[str, Any]]:
    hint = "Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end."
    base = {"unit": None, "precision": None, "choices": None}
    rows = [
        {**base, "pid": "1", "question": "Which segment is longer?", "choices": ["3 cm", "5 cm"], "answer": "5 cm",
         "question_type": "multi_choice", "answer_type": "text",
         "query": f"{hint}\nQuestion: Which segment is longer?\nChoices:\n(A) 3 cm\n(B) 5 cm",
         "metadata": {"task": "geometry problem solving", "skills": ["geometry reasoning", "arithmetic reasoning"],
                      "category": "math-targeted-vqa", "source": "GeoQA+", "context": "geometry diagram",
                      "grade": "high school", "language": "english"}},
        {**base, "pid": "2", "question": "How long is the bar?", "answer": "1.2", "precision": 1.0, "unit": "cm",
         "question_type": "free_form", "answer_type": "float",
         "query": "Hint: Please answer the question requiring a floating-point number with one decimal place."
                  "\nQuestion: How long is the bar?",
         "metadata": {"task": "figure question answering", "skills": ["arithmetic reasoning"],
                      "category": "general-vqa", "source": "FigureQA", "context": "bar chart",
                      "grade": "daily life", "language": "english"}},
        {**base, "pid": "3", "question": "Which years peak?", "answer": "[2014, 2016]",
         "question_type": "free_form", "answer_type": "list",
         "query": "Hint: Please answer the question requiring a Python list.\nQuestion: Which years peak?",
         "metadata": {"task": "figure question answering", "skills": ["statistical reasoning"],
                      "category": "general-vqa", "source": "ChartQA", "context": "line plot",
                      "grade": "daily life", "language": "english"}},
    ]
    for i, row in enumerate(rows, start=1):
        row["image"] = f"images/{row['pid']}.jpg"
        if images_inline:
            row["decoded_image"] = {"bytes": png(20 + i, 10), "path": row["image"]}
    return rows


def mathvista_parquet(folder: Path) -> Path:
    return write_parquet(folder / "data" / "testmini-00000-of-00001.parquet", mathvista_rows())


def mathvista_github(folder: Path) -> Path:
    """The GitHub ``data/testmini.json``: a dict keyed by pid, images under ``data/images/``."""
    data = folder / "data"
    (data / "images").mkdir(parents=True, exist_ok=True)
    table = {}
    for i, row in enumerate(mathvista_rows(images_inline=False), start=1):
        Image.new("RGB", (20 + i, 10)).save(data / row["image"], format="JPEG")
        table[row["pid"]] = row
    (data / "testmini.json").write_text(json.dumps(table))
    return data / "testmini.json"


def mathverse_parquet(folder: Path) -> Path:
    question = ("As shown in the figure, AB is parallel to CD and angle 1 = 60°. Find angle 2.\n"
                "Choices:\nA:40°\nB:60°\nC:120°\nD:140°")
    meta = {"split": "testmini", "source": "GeoQA", "subject": "Plane Geometry", "subfield": "Angle"}
    common = {"question_for_eval": "", "query_wo": "Please directly answer.", "query_cot": "Please reason first."}
    rows = [
        {**common, "sample_index": "1", "problem_index": "1", "problem_version": "Text Dominant",
         "question": question, "image": {"bytes": png(30, 20), "path": "image_1.png"}, "answer": "(C)",
         "question_type": "multi-choice", "metadata": meta},
        {**common, "sample_index": "2", "problem_index": "2", "problem_version": "Text Lite",
         "question": "Find the area of the square.", "image": {"bytes": png(31, 20), "path": "image_2.png"},
         "answer": "25", "question_type": "free-form", "metadata": {**meta, "subfield": "Area"}},
        {**common, "sample_index": "3", "problem_index": "1", "problem_version": "Vision Only", "question": "",
         "image": {"bytes": png(32, 20), "path": "image_3.png"}, "answer": "B", "question_type": "multi-choice",
         "metadata": meta},
    ]
    return write_parquet(folder / "testmini-00000-of-00001.parquet", rows)


def mathvision_rows() -> list[dict[str, Any]]:
    return [
        {"id": "1", "question": "<image1>\nHow many triangles are there?", "options": ["1", "2", "3", "4", "5"],
         "answer": "C", "solution": None, "level": 2, "subject": "counting", "image": "images/1.jpg"},
        {"id": "7", "question": "<image1>\nFind the ratio of the areas.", "options": [],
         "answer": "\x0crac{36}{13}", "solution": "Worked out.", "level": 5, "subject": "metric geometry - area",
         "image": "images/7.jpg"},
    ]


def mathvision_parquet(folder: Path) -> Path:
    rows = mathvision_rows()
    for i, row in enumerate(rows):
        row["decoded_image"] = {"bytes": png(40 + i, 10), "path": row["image"]}
    return write_parquet(folder / "test-00000-of-00001.parquet", rows)


def mathvision_jsonl(folder: Path) -> Path:
    (folder / "images").mkdir(parents=True, exist_ok=True)
    rows = mathvision_rows()
    for i, row in enumerate(rows):
        Image.new("RGB", (40 + i, 10)).save(folder / row["image"], format="JPEG")
    path = folder / "test.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def mmmu_rows(split: str = "validation") -> list[dict[str, Any]]:
    empty = {f"image_{k}": None for k in range(1, 8)}
    return [
        {**empty, "id": f"{split}_Accounting_1", "question": "Compare <image 1> and <image 2>. What is the price?",
         "options": "['$6', '$7', '$8']", "explanation": "", "image_1": {"bytes": png(50, 10), "path": None},
         "image_2": {"bytes": png(60, 10), "path": None}, "img_type": "['Tables']", "answer": "B",
         "topic_difficulty": "Medium", "question_type": "multiple-choice", "subfield": "Financial Accounting"},
        {**empty, "id": f"{split}_Accounting_2", "question": "<image 1> What is the rate, in percent?",
         "options": "[]", "explanation": "", "image_1": {"bytes": png(70, 10), "path": None},
         "img_type": "['Tables']", "answer": "12", "topic_difficulty": "Hard", "question_type": "open",
         "subfield": "Managerial Accounting"},
        {**empty, "id": f"{split}_Accounting_3", "question": "<image 1> Give the ratio.", "options": "[]",
         "explanation": "", "image_1": {"bytes": png(80, 10), "path": None}, "img_type": "['Tables']",
         "answer": "['24/7', '3.429']", "topic_difficulty": "Easy", "question_type": "open",
         "subfield": "Managerial Accounting"},
    ]


def mmmu_folder(folder: Path) -> Path:
    """HF layout: one folder per subject config, dev and validation shards side by side."""
    subject = folder / "Accounting"
    write_parquet(subject / "validation-00000-of-00001.parquet", mmmu_rows())
    write_parquet(subject / "dev-00000-of-00001.parquet", mmmu_rows("dev")[:1])
    return folder
