"""RL training prompts (Orsta-47K, ViRL39K and look-alikes) from local files → canonical JSONL + images.

Public training sets name the same things differently (``question``/``problem``/``prompt``; ``answer``/
``ground_truth``/``reward_model.ground_truth``; ``image``/``images``), so columns are found through one small,
explicit alias table rather than guessed; when no alias is present the error names the file and the column.

Prompts that would not fit the model's prompt budget once images are counted are dropped *here*, with the
count and reason reported, instead of being silently truncated by the trainer (which cuts image tokens and
fails, or cuts the question). Image tokens follow the Qwen-VL rule: (H/28)·(W/28) after the processor's resize
to at most ``max_image_pixels``; text is ≈ 4 characters a token unless a local tokenizer is given.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specs.atomic import mark
from specs.benchmarks.adapters import clean_gold
from specs.benchmarks.convert import file_stem
from specs.benchmarks.images import decode, image_roots, image_tokens, is_empty_cell, save_decoded
from specs.benchmarks.sources import Row, is_null, iter_rows, literal_list
from specs.data.jsonl import write_json_atomic, write_jsonl_atomic
from specs.errors import DataError
from specs.grading import choices_from_question

ALIASES: dict[str, tuple[str, ...]] = {
    "question": ("question", "problem", "prompt", "query"),
    "answer": ("answer", "ground_truth", "reward_model.ground_truth", "gt_answer", "solution"),
    "images": ("images", "image", "image_path", "image_paths", "decoded_image"),
    "choices": ("choices", "options"),
    "id": ("id", "qid", "pid", "uid"),
}
META_COLUMNS = ("source", "data_source", "category", "ability", "subject")
_IMAGE_PLACEHOLDER = re.compile(r"<image>\s*")


@dataclass
class TrainingReport:
    """What a conversion kept and dropped (written beside the JSONL as ``<name>.report.json``)."""

    path: Path
    kept: int = 0
    n_images: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    max_prompt_tokens: int | None = None
    longest_kept_tokens: int = 0

    def summary(self) -> str:
        dropped = ", ".join(f"{n} {why}" for why, n in sorted(self.dropped.items())) or "none"
        return f"{self.path}: kept {self.kept} rows ({self.n_images} images); dropped: {dropped}"


def _lookup(data: dict[str, Any], alias: str) -> Any:
    """``a.b`` reaches into a struct column (verl layout: ``reward_model.ground_truth``)."""
    value: Any = data
    for part in alias.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def find(row: Row, name: str, required: bool = True) -> tuple[str | None, Any]:
    """``(column, value)`` of the first alias of ``name`` present in the row, else a ``DataError`` (required)."""
    for alias in ALIASES[name]:
        top, _, nested = alias.partition(".")
        if top in row.data and (not nested or _lookup(row.data, alias) is not None):
            return alias, _lookup(row.data, alias)  # a present column with a null cell is an empty value
    if required:
        present = ", ".join(sorted(row.data)) or "nothing"
        raise row.error(f"missing column: none of {', '.join(ALIASES[name])} (row has: {present})", name)
    return None, None


def prompt_text(value: Any) -> str:
    """A question cell as text: a string, or the last user turn of a chat list (verl/Orsta ``prompt``)."""
    if isinstance(value, list):
        turns = [t for t in value if isinstance(t, dict) and t.get("role", "user") == "user"]
        value = turns[-1].get("content", "") if turns else ""
        if isinstance(value, list):  # content parts: [{"type": "text", "text": ...}, {"type": "image"}]
            value = "\n".join(str(p.get("text", "")) for p in value if isinstance(p, dict) and p.get("text"))
    text = "" if is_null(value) else str(value)
    return _IMAGE_PLACEHOLDER.sub("", text).strip()  # TRL inserts its own image placeholders


def last_boxed(text: str) -> str | None:
    """Content of the last brace-balanced ``\\boxed{…}`` (ViRL39K stores golds as ``\\boxed{B}``)."""
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    depth, begin = 0, start + len("\\boxed{")
    for i in range(begin - 1, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[begin:i].strip()
    return None


def _answers(value: Any, row: Row, column: str) -> list[str]:
    items = literal_list(value, row, column) if isinstance(value, (list, tuple)) else [value]
    golds = []
    for item in items:
        text = clean_gold("" if is_null(item) else str(item))
        golds.append(last_boxed(text) or text)
    return [g for g in golds if g]


def text_counter(tokenizer_path: str | Path | None) -> Callable[[str], int]:
    """Tokens of a text: the local tokenizer's count, or ⌈len/4⌉ (a fair average for English + LaTeX)."""
    if tokenizer_path is None:
        return lambda text: math.ceil(len(text) / 4)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_path), local_files_only=True)
    return lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"])


def load_training_rows(
    path: str | Path,
    out_dir: str | Path,
    limit: int | None = None,
    max_image_pixels: int | None = None,
    max_prompt_tokens: int | None = None,
    tokens_per_image: int | None = None,
    *,
    tokenizer_path: str | Path | None = None,
    overhead_tokens: int = 0,
    name: str = "train",
    split: str | None = None,
    require_images: bool = True,
) -> TrainingReport:
    """Convert a local training set (``save_to_disk`` folder, parquet, JSON/JSONL) to ``<out>/<name>.jsonl``.

    ``limit`` caps the rows *read*. With ``max_prompt_tokens``, a row is dropped when question tokens + image
    tokens (``tokens_per_image`` each if given, else the Qwen rule at ``max_image_pixels``) + ``overhead_tokens``
    (chat template, format instruction added later) exceed it. Original JPEG/PNG/WebP bytes are kept.
    """
    out_dir = Path(out_dir)
    count_text = text_counter(tokenizer_path)
    folder, report = out_dir / "images" / name, TrainingReport(out_dir / f"{name}.jsonl")
    report.max_prompt_tokens = max_prompt_tokens
    dropped: Counter[str] = Counter()
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n_read, row in enumerate(iter_rows(Path(path), split), start=1):
        if limit is not None and n_read > limit:
            break
        question = prompt_text(find(row, "question")[1])
        column, raw_answer = find(row, "answer")
        golds = _answers(raw_answer, row, column or "answer")
        image_column, cells = find(row, "images", required=require_images)
        if not question or not golds:
            dropped["empty question" if not question else "empty answer"] += 1
            continue
        cells = cells if isinstance(cells, (list, tuple)) else [cells]
        decoded = [decode(c, row, image_column or "images", image_roots(row)) for c in cells if not is_empty_cell(c)]
        tokens = overhead_tokens + count_text(question) + sum(
            tokens_per_image if tokens_per_image is not None else image_tokens(*img.size, max_pixels=max_image_pixels)
            for _, img in decoded
        )
        if max_prompt_tokens is not None and tokens > max_prompt_tokens:
            dropped[f"prompt over {max_prompt_tokens} tokens"] += 1
            continue
        raw_id = find(row, "id", required=False)[1]
        ex_id = str(raw_id).strip() if not is_null(raw_id) and str(raw_id).strip() else f"{row.file.stem}-{row.line}"
        ex_id = ex_id if ex_id not in seen else f"{ex_id}-{row.file.stem}-{row.line}"
        seen.add(ex_id)
        stem = file_stem(ex_id)
        images = [
            save_decoded(data, img, folder / f"{stem}_{k}", keep_encoding=True).relative_to(out_dir).as_posix()
            for k, (data, img) in enumerate(decoded, start=1)
        ]
        record: dict[str, Any] = {"id": ex_id, "question": question, "answer": golds[0], "images": images}
        choices = _choices(row, question)
        if choices:
            record["choices"] = choices
        meta = {k: row.data[k] for k in META_COLUMNS if isinstance(row.data.get(k), (str, int, float))}
        meta.update({"prompt_tokens": tokens, **({"answers": golds} if len(golds) > 1 else {})})
        record["meta"] = meta
        records.append(record)
        report.longest_kept_tokens = max(report.longest_kept_tokens, tokens)
        report.n_images += len(images)
    if not records:
        raise DataError(path, None, f"no rows kept (dropped: {dict(dropped) or 'none'})")
    report.kept, report.dropped = len(records), dict(dropped)
    out_dir.mkdir(parents=True, exist_ok=True)
    mark(out_dir)
    write_jsonl_atomic(report.path, records)
    write_json_atomic(out_dir / f"{name}.report.json", {**vars(report), "path": str(report.path)})
    return report


def _choices(row: Row, question: str) -> list[str] | None:
    """An explicit choices/options column, else options listed in the question text (``Choices:\\nA: …``)."""
    column, value = find(row, "choices", required=False)
    if column is not None:
        options = [str(o).strip() for o in literal_list(value, row, column)]
        if options:
            return options

    return choices_from_question(question)
