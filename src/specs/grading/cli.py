"""``specs grade IN.jsonl --out OUT.jsonl``: grade model responses offline.

Each input line: ``response``, ``ground_truth``, and optionally ``answers`` (accepted alternatives, as in
``meta.answers``), ``choices``, ``answer_type``, ``precision``, ``id``. The golds are ``ground_truth`` plus
``answers`` and the reading is the reward's (strict) unless ``--lenient`` — one meaning of "correct".
Each output line echoes ``id`` (and the input ``line``) and adds ``correct``, ``extracted``,
``format_ok``. A bad line is reported as ``FILE:LINE: field 'x': message`` on stderr and skipped; the others
are still graded and written, and the exit code is 1. The output is written atomically (temp file + rename).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from specs.data.jsonl import parse_json_line, write_jsonl_atomic
from specs.errors import DataError
from specs.grading.formatcheck import format_ok
from specs.grading.golds import accepted_golds
from specs.grading.grade import ANSWER_TYPES, grade
from specs.paths import check_output

# field → (accepted types, required)
_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "response": ((str,), True),
    "ground_truth": ((str, int, float, list), True),
    "answers": ((list,), False),
    "choices": ((list,), False),
    "answer_type": ((str,), False),
    "precision": ((int, float), False),
    "id": ((str, int), False),
}


class LineError(ValueError):
    """One bad input line, located by field."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


def _validate(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise LineError(None, f"expected a JSON object, got {type(record).__name__}")
    for name, (kinds, required) in _FIELDS.items():
        value = record.get(name)
        if value is None:
            if required:
                raise LineError(name, "missing")
            continue
        if isinstance(value, bool) or not isinstance(value, kinds):
            expected = " or ".join(kind.__name__ for kind in kinds)
            raise LineError(name, f"expected {expected}, got {type(value).__name__}")
    gold = record["ground_truth"]
    if isinstance(gold, list) and not (gold and all(isinstance(g, (str, int, float)) for g in gold)):
        raise LineError("ground_truth", "a list must hold strings or numbers (accepted alternatives)")
    choices = record.get("choices")
    if choices is not None and not all(isinstance(c, (str, int, float)) and c is not True and c is not False
                                       for c in choices):
        raise LineError("choices", "must be a list of strings or numbers")
    answer_type = record.get("answer_type")
    if answer_type is not None and answer_type not in ANSWER_TYPES:
        raise LineError("answer_type", f"must be one of {', '.join(ANSWER_TYPES)}, got {answer_type!r}")
    return record


def grade_line(record: dict[str, Any], line: int, strict: bool = True) -> dict[str, Any]:
    """Grade one validated record into its output row (golds: ``ground_truth`` plus ``answers``)."""
    answer_type = record.get("answer_type")
    result = grade(
        record["response"],
        accepted_golds(record["ground_truth"], record.get("answers"), answer_type),
        choices=record.get("choices") or None,
        answer_type=answer_type,
        precision=record.get("precision"),
        strict=strict,
    )
    return {
        "id": record.get("id"),
        "line": line,
        "correct": result.correct,
        "extracted": result.extracted,
        "format_ok": format_ok(record["response"]),
    }


def grade_command(
    input: Path = typer.Argument(..., help="JSONL with response and ground_truth per line."),
    out: Path = typer.Option(..., "--out", help="Where to write one graded JSON line per good input line."),
    lenient: bool = typer.Option(
        False, "--lenient", help="Also read a truncated <answer> block (default: the reward's strict reading)."
    ),
) -> None:
    """Grade responses against gold answers (docs/grading.md) and report accuracy and format compliance."""

    check_output(out, {"IN": input})
    try:
        lines = input.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise DataError(input, None, f"not UTF-8 text: {exc.reason}") from None
    except OSError as exc:
        raise DataError(input, None, f"cannot read: {exc.strerror or exc}") from None
    rows: list[dict[str, Any]] = []
    bad = 0
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            rows.append(grade_line(_validate(parse_json_line(text)), number, strict=not lenient))
        except (LineError, ValueError, ArithmeticError) as exc:  # a bad line is reported and skipped
            bad += 1
            where = f"field '{exc.field}': " if isinstance(exc, LineError) and exc.field else ""
            typer.echo(f"{input}:{number}: {where}{exc}", err=True)
    write_jsonl_atomic(out, rows)
    correct = sum(row["correct"] for row in rows)
    formatted = sum(row["format_ok"] for row in rows)
    total = max(len(rows), 1)
    typer.echo(f"graded {len(rows)} lines: accuracy {correct / total:.2%}, format {formatted / total:.2%}"
               f"{f', {bad} bad lines' if bad else ''} -> {out}")
    if bad:
        raise typer.Exit(1)
