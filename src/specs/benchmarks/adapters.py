"""One adapter per benchmark: a source row → a canonical draft, keeping the benchmark's own conventions.

A draft is a canonical record (``specs.data.records``) whose ``images`` are still raw ``(column, cell)``
pairs; :func:`specs.benchmarks.convert.convert` stores them. The adapters keep what each benchmark's
official grader and report need and nothing it would not recognise:

- MathVista: the ready-made ``query`` prompt (with its "Hint:" line and choices); gold is option *text*;
  ``precision`` is stored as a float upstream and cast to int here (grading.md).
- MathVerse: choices exist only inside the question text, so they are parsed out for the grader; a dressed
  letter gold ``(C)`` is stored as ``C``.
- MATH-Vision: options are listed in the prompt as ``(A) …``; golds get the decoded-escape repair.
- MMMU: ``options`` is a string holding a Python list; up to seven images, kept in column order.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from specs.benchmarks.sources import Row, as_dict, is_null, literal_list, scalar
from specs.data.records import ANSWER_TYPES
from specs.errors import DataError
from specs.grading import choices_from_question

Draft = dict[str, Any]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# A loader that decoded "\f" of "\frac" (etc.) left control characters in golds (grading.md, "Gold cleaning").
_DECODED_ESCAPES = {"\x0c": "\\f", "\x08": "\\b", "\x07": "\\a", "\x0b": "\\v"}
_DECODED_TAB = re.compile(r"\t(?=imes|heta|ext|an\b|frac)")
_DRESSED_LETTER = re.compile(r"^\s*[(\[]?([A-Z])[)\].]?\s*$")
_MMMU_ID = re.compile(r"^(?:dev|validation|test)_(.+)_\d+$")
MMMU_DISCIPLINES: dict[str, tuple[str, ...]] = {
    "Art and Design": ("Art", "Art_Theory", "Design", "Music"),
    "Business": ("Accounting", "Economics", "Finance", "Manage", "Marketing"),
    "Science": ("Biology", "Chemistry", "Geography", "Math", "Physics"),
    "Health and Medicine": (
        "Basic_Medical_Science", "Clinical_Medicine", "Diagnostics_and_Laboratory_Medicine", "Pharmacy",
        "Public_Health",
    ),
    "Humanities and Social Science": ("History", "Literature", "Sociology", "Psychology"),
    "Tech and Engineering": (
        "Agriculture", "Architecture_and_Engineering", "Computer_Science", "Electronics", "Energy_and_Power",
        "Materials", "Mechanical_Engineering",
    ),
}
_DISCIPLINE_OF = {subject: group for group, subjects in MMMU_DISCIPLINES.items() for subject in subjects}
MATHVERSE_VISION_ONLY = "Answer the question shown in the image."


def clean_gold(text: str) -> str:
    """Repair control characters left by a lossy decode (``"\\x0crac{36}{13}"`` → ``\\frac{36}{13}``), strip.

    Only lossless repairs: ``$…$``, ``\\boxed{}`` and units stay, the grader removes them when comparing.
    """
    for char, escape in _DECODED_ESCAPES.items():
        text = text.replace(char, escape)
    return _DECODED_TAB.sub(r"\\t", text).strip()


def bare_letter(gold: str) -> str | None:
    """``C``, ``(C)``, ``C.`` → ``C``; anything else → None (lower case is a variable, not an option)."""
    match = _DRESSED_LETTER.match(gold)
    return match.group(1) if match else None


def list_options(question: str, options: list[str]) -> str:
    """Append options as ``(A) …`` lines, the layout MathVista's own queries use."""
    lines = [f"({LETTERS[i]}) {option}" for i, option in enumerate(options)]
    return f"{question}\nChoices:\n" + "\n".join(lines)


def _answer(row: Row, column: str = "answer") -> str:
    value = row.get(column)
    text = "" if is_null(value) else clean_gold(str(scalar(value, row, column)))
    if not text:
        raise row.error("empty answer (a split without golds, such as a test split?)", column)
    return text


def _id(row: Row, column: str) -> str:
    value = row.get(column, row.key)
    if is_null(value) or not str(value).strip():
        raise row.error("missing id", column)
    return str(value).strip()


def _options(row: Row, column: str) -> list[str] | None:
    if column not in row.data:
        return None
    options = [str(o).strip() for o in literal_list(row.data[column], row, column)]
    if len(options) > len(LETTERS):
        raise row.error(f"{len(options)} options: more than there are letters", column)
    return options or None


def _precision(row: Row) -> int | None:
    value = row.get("precision", None)
    if is_null(value):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise row.error(f"expected a number, got {value!r}", "precision") from None


def mathvista(row: Row) -> Draft:
    """MathVista (parquet or GitHub ``testmini.json``)."""
    pid = _id(row, "pid")
    query, question = row.text("query", ""), row.text("question")
    choices = _options(row, "choices")
    answer_type = row.text("answer_type", "") or None
    if answer_type is not None and answer_type not in ANSWER_TYPES:
        raise row.error(f"must be one of {', '.join(ANSWER_TYPES)}, got {answer_type!r}", "answer_type")
    metadata = as_dict(row.get("metadata", None), row, "metadata")
    meta: dict[str, Any] = {"question_type": row.text("question_type", ""), "answer_type": answer_type}
    for key in ("task", "skills", "category", "source", "context", "grade", "language"):
        if not is_null(metadata.get(key)):
            meta[key] = list(metadata[key]) if key == "skills" else metadata[key]
    if row.text("unit", ""):
        meta["unit"] = row.text("unit")
    decoded = row.get("decoded_image", None)
    cell = ("decoded_image", decoded) if not is_null(decoded) else ("image", row.get("image", None))
    return {
        "id": pid,
        "question": query or (list_options(question, choices) if choices else question),
        "answer": _answer(row),
        "choices": choices,
        "answer_type": answer_type,
        "precision": _precision(row),
        "meta": {k: v for k, v in meta.items() if v not in (None, "")},
        "images": [cell],
    }


def mathverse(row: Row) -> Draft:
    """MathVerse: one row per (problem, version); Vision-Only rows have the whole question in the image."""

    question_type = row.text("question_type")
    question = row.text("question")
    answer = _answer(row)
    multi = question_type == "multi-choice"
    choices = choices_from_question(question) if multi and question else None
    meta: dict[str, Any] = {
        "problem_version": row.text("problem_version"), "question_type": question_type,
        "problem_index": row.text("problem_index", ""),
    }
    metadata = as_dict(row.get("metadata", None), row, "metadata")
    meta.update({k: metadata[k] for k in ("subject", "subfield", "source") if not is_null(metadata.get(k))})
    letter = bare_letter(answer) if multi else None
    if letter is not None and letter != answer:
        meta["raw_answer"] = answer
    if not question:
        question = MATHVERSE_VISION_ONLY + (" Give the letter of the correct option." if multi else "")
    return {
        "id": _id(row, "sample_index"), "question": question, "answer": letter or answer, "choices": choices,
        "meta": meta, "images": [("image", row.get("image", None))],  # text-only config: no column
    }


def mathvision(row: Row) -> Draft:
    """MATH-Vision (parquet, or ``test.jsonl`` + ``images/``)."""
    raw = row.get("answer")
    answer = _answer(row)
    choices = _options(row, "options")
    question = row.text("question")
    meta: dict[str, Any] = {"subject": row.text("subject", ""), "level": row.get("level", None)}
    if not is_null(raw) and str(raw).strip() != answer:
        meta["raw_answer"] = str(raw)
    decoded = row.get("decoded_image", None)
    cell = ("decoded_image", decoded) if not is_null(decoded) else ("image", row.get("image"))
    return {
        "id": _id(row, "id"), "question": list_options(question, choices) if choices else question,
        "answer": answer, "choices": choices,
        "meta": {k: v for k, v in meta.items() if not is_null(v) and v != ""}, "images": [cell],
    }


def mmmu_subject(row: Row, ex_id: str) -> str:
    """``validation_Art_Theory_12`` → ``Art_Theory``; else the config folder name (HF: ``<Subject>/…parquet``)."""
    match = _MMMU_ID.match(ex_id)
    return match.group(1) if match else row.file.parent.name


def mmmu(row: Row) -> Draft:
    """MMMU (one parquet per subject config). A list gold holds accepted alternatives: ``meta.answers``."""
    ex_id = _id(row, "id")
    question_type = row.text("question_type")
    row.get("options")  # required (and parsed) even for open questions: a missing column means a wrong file
    parsed = _options(row, "options")
    options = parsed if question_type == "multiple-choice" else None
    raw = row.get("answer")
    alternatives = literal_list(raw, row, "answer") if isinstance(raw, list) or (
        isinstance(raw, str) and raw.strip().startswith("[")
    ) else []
    golds = [clean_gold(str(a)) for a in alternatives if str(a).strip()] or [_answer(row)]
    subject = mmmu_subject(row, ex_id)
    meta: dict[str, Any] = {
        "subject": subject, "discipline": _DISCIPLINE_OF.get(subject),
        "subfield": row.text("subfield", ""), "topic_difficulty": row.text("topic_difficulty", ""),
        "question_type": question_type,
    }
    if len(golds) > 1:
        meta["answers"] = golds
    img_type = row.get("img_type", None)
    if isinstance(img_type, str) and img_type.startswith("["):
        with contextlib.suppress(DataError):  # informative only: a malformed img_type must not stop a run
            meta["img_type"] = [str(t) for t in literal_list(img_type, row, "img_type")]
    images = [(f"image_{k}", row.get(f"image_{k}", None)) for k in range(1, 8)]
    if not any(f"image_{k}" in row.data for k in range(1, 8)):
        row.get("image_1")  # raises: missing column
    question = row.text("question")
    return {
        "id": ex_id, "question": list_options(question, options) if options else question, "answer": golds[0],
        "choices": options, "meta": {k: v for k, v in meta.items() if v not in (None, "")},
        "images": [(name, cell) for name, cell in images if not is_null(cell)],
    }


ADAPTERS: dict[str, Callable[[Row], Draft]] = {
    "mathvista": mathvista, "mathverse": mathverse, "mathvision": mathvision, "mmmu": mmmu,
}
DEFAULT_SPLITS = {"mathvista": "testmini", "mathverse": "testmini", "mathvision": "test", "mmmu": "validation"}
