"""Tolerant readers of a run folder, for the run report.

Why tolerant: the report is re-rendered after every stage, so it reads a folder that is still being written —
a stage's metrics JSONL grows while it trains (its last line may be torn), the summary appears only at the end,
and a stage that has not run has no files at all. Every reader here returns ``None`` or an empty value for a
missing or unreadable piece; it never raises, so the report shows what there is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specs.data.records import Example, parse_example
from specs.errors import DataError
from specs.layout import MODEL_ROWS
from specs.rewards import score_example

SPLITS = (("id-test", "ID"), ("ood-test", "OOD"))
METRICS = (("format_rate", "format"), ("accuracy", "acc"))


def read_json(path: Path) -> Any:
    """The decoded file, or ``None`` when it is missing or not (yet) valid JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file, skipping lines that do not decode (a line torn by a running stage)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return []
    rows = []
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


def stage_log(models: Path, names: tuple[str, ...]) -> tuple[list[dict[str, Any]], Path | None]:
    """A training stage's logged rows and where they came from: ``<name>.metrics.jsonl`` (written as the stage
    trains), else the ``trainer_log.json`` its model folder gets at the end; the first of ``names`` that has
    rows wins (the cold start trains into ``cold_start-last`` when it hands on its best-GF checkpoint)."""
    for name in names:
        for path in (models / f"{name}.metrics.jsonl", models / name / "trainer_log.json"):
            rows = read_rows(path) if path.suffix == ".jsonl" else read_json(path)
            if isinstance(rows, list):
                rows = [r for r in rows if isinstance(r, dict)]
                if rows:
                    return rows, path
    return [], None


def model_rows() -> tuple[tuple[str, str], ...]:
    """(eval name, label) of the models a run evaluates, in recipe order (:data:`specs.layout.MODEL_ROWS`)."""
    return MODEL_ROWS


def evals(run_dir: Path) -> dict[str, dict[str, Any]]:
    """The per-model eval reports written so far (``evals/<model>.json``), keyed by eval name, in recipe order."""
    found = {}
    for name, _ in model_rows():
        result = read_json(run_dir / "evals" / f"{name}.json")
        if isinstance(result, dict):
            found[name] = result
    return found


def lmms_reports(run_dir: Path) -> dict[str, dict[str, Any]]:
    """The lmms-eval reports written into the run (``specs lmms-eval … --out RUN_DIR/evals/lmms-<name>.json``),
    keyed by file stem."""
    found = {}
    for path in sorted((Path(run_dir) / "evals").glob("lmms-*.json")):
        result = read_json(path)
        if isinstance(result, dict) and isinstance(result.get("results"), dict):
            found[path.stem] = result
    return found


def summary_rows(run_dir: Path) -> tuple[dict[str, dict[str, Any]], str]:
    """The summary table's rows (label → ``"<split>/<metric>"`` → value) and where they came from:
    ``summary.json`` once the run has written it, the eval reports before that."""
    written = read_json(run_dir / "summary.json")
    if isinstance(written, dict) and written:
        return {str(k): v for k, v in written.items() if isinstance(v, dict)}, "summary.json"
    labels = dict(model_rows())
    rows = {}
    for name, result in evals(run_dir).items():
        rows[labels[name]] = {f"{split}/{metric}": (result.get(split) or {}).get(metric)
                              for split, _ in SPLITS for metric, _ in METRICS}
    return rows, "evals/"


@dataclass(frozen=True)
class Response:
    """One model's answer to one prompt, graded: ``correct``/``formatted`` are ``None`` when unknown."""

    text: str
    correct: bool | None
    formatted: bool | None
    n_correct: int | None = None
    n: int | None = None


def examples_by_id(paths: list[Path]) -> dict[str, Example]:
    """Canonical records by id from the first of ``paths`` that reads; images resolve against that file's folder
    and need not exist. A line that does not validate is skipped."""

    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        found: dict[str, Example] = {}
        for number, line in enumerate(lines, start=1):
            try:
                example = parse_example(json.loads(line), Path(path), number, check_images=False)
            except (ValueError, DataError, TypeError):
                continue
            found.setdefault(example.id, example)
        if found:
            return found
    return {}


def split_examples(run_dir: Path, split: str, reports: list[dict[str, Any]]) -> dict[str, Example]:
    """The records an eval split was run on: the run's own ``data/<split>.jsonl``, else the data file the eval
    report names (a recipe may point a split at a file outside the run folder)."""
    named = [Path(r["data"]) for r in reports if isinstance(r.get("data"), str)]
    return examples_by_id([run_dir / "data" / f"{split}.jsonl", *named, *[run_dir / p for p in named]])


def responses(report: dict[str, Any], examples: dict[str, Example]) -> dict[str, Response]:
    """The first response per prompt of one split's eval report, by prompt id, graded by the scorer the eval and
    the rewards use. ``samples`` are stored in the order of ``per_prompt``; with one sample per prompt the
    eval's own verdict is kept for correctness (it includes any judge extraction)."""

    out = {}
    for entry, samples in zip(report.get("per_prompt") or [], report.get("samples") or [], strict=False):
        if not isinstance(entry, dict) or not samples:
            continue
        ex_id, text = str(entry.get("id")), str(samples[0])
        example = examples.get(ex_id)
        score = score_example(text, example, fmt=None) if example is not None else None
        n, n_correct = _count(entry.get("n")), _count(entry.get("n_correct"))  # numbers, or nothing is shown
        if n == 1 and isinstance(n_correct, int):
            correct: bool | None = n_correct == 1
        else:
            correct = None if score is None else score.accuracy == 1.0
        out[ex_id] = Response(text, correct, None if score is None else score.format == 1.0, n_correct, n)
    return out


def _count(value: Any) -> int | None:
    """A count read from a run folder's file, when it is one (a whole number ≥ 0); else None: an edited report's
    ``"n": "<script>…"`` is never rendered."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
