"""Reading benchmark and training files from local paths, row by row, with located errors.

Benchmarks ship in several layouts — HF parquet shards, a GitHub ``testmini.json`` dict keyed by id,
``test.jsonl`` next to an ``images/`` folder, a ``datasets.save_to_disk`` folder — and every row must be
traceable to its file and position when it is bad. ``iter_rows`` hides the layout and yields :class:`Row`,
which knows where it came from and builds ``DataError`` s that say so.

Parquet is read with pyarrow (``to_pylist``), not pandas, so cells are plain Python (lists, dicts, None)
rather than numpy arrays and NaN-filled object columns.
"""

from __future__ import annotations

import ast
import contextlib
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specs.data.jsonl import read_jsonl
from specs.errors import DataError

_MISSING = object()
_TABLE_SUFFIXES = (".parquet", ".jsonl", ".json")
_HF_DISK_MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")


@dataclass(frozen=True)
class Row:
    """One input row and where it came from (``line`` is 1-based: JSONL line, parquet row, or JSON item)."""

    file: Path
    line: int
    data: dict[str, Any]
    key: str | None = None  # the dict key when the file is a JSON object keyed by id (MathVista testmini.json)

    def error(self, message: str, field: str | None = None) -> DataError:
        return DataError(self.file, self.line, message, field)

    def get(self, column: str, default: Any = _MISSING) -> Any:
        """The cell, or ``default``; without a default a missing column is a ``DataError`` naming it."""
        if column in self.data:
            return self.data[column]
        if default is _MISSING:
            raise self.error(f"missing column (row has: {', '.join(sorted(self.data)) or 'nothing'})", column)
        return default

    def text(self, column: str, default: Any = _MISSING) -> str:
        """A cell as a stripped string; None/NaN become ``""``; a list or object is refused (its Python repr
        would be stored as the text, silently wrong)."""
        value = self.get(column, default)
        return "" if is_null(value) else str(scalar(value, self, column)).strip()


def scalar(value: Any, row: Row, column: str) -> Any:
    """``value`` when it is text or a number; a list, object or array cell is one ``DataError`` line."""
    if isinstance(value, (list, tuple, dict, set)) or type(value).__name__ == "ndarray":
        kind = "an object" if isinstance(value, dict) else "a list"
        raise row.error(f"{kind}, not text or a number (it would be stored as its Python repr)", column)
    return value


def is_null(value: Any) -> bool:
    """None or a float NaN (pandas writes missing floats as NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_dict(value: Any, row: Row, field: str) -> dict[str, Any]:
    """A struct cell (dict) or a JSON-encoded one; null is ``{}``."""
    if is_null(value):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError:
            raise row.error("expected a JSON object", field) from None
    if not isinstance(value, dict):
        raise row.error(f"expected an object, got {type(value).__name__}", field)
    return value


def literal_list(value: Any, row: Row, field: str) -> list[Any]:
    """A list cell, or a string holding a Python list (MMMU ``options``) parsed with ``ast.literal_eval``.

    ``literal_eval`` only accepts literals, so a hostile cell cannot run code; ``eval`` would.
    """
    if is_null(value):
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        if not value.strip():
            return []
        try:
            parsed = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise row.error(f"cannot parse as a list: {value[:80]!r}", field) from None
        if isinstance(parsed, (list, tuple)):
            return list(parsed)
    raise row.error(f"expected a list, got {type(value).__name__}", field)


def _split_matches(file: Path, root: Path, split: str) -> bool:
    """HF shard names (``testmini-00000-of-00001.parquet``), plain files (``test.jsonl``) or split folders."""
    name = file.name
    parents = file.relative_to(root).parts[:-1]
    return name.startswith((f"{split}-", f"{split}.", f"{split}_")) or split in parents


def table_files(path: Path, split: str | None = None) -> list[Path]:
    """The data files under ``path`` (a file or a folder), narrowed to ``split`` when some names match it."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(path, None, "no such file or folder")
    for suffix in _TABLE_SUFFIXES:  # parquet wins over stray JSON (dataset_info.json, READMEs)
        files = sorted(p for p in path.rglob(f"*{suffix}") if p.is_file() and not p.name.startswith("."))
        if suffix == ".json":
            files = [p for p in files if p.name not in _HF_DISK_MARKERS]
        if files:
            if split:
                matching = [p for p in files if _split_matches(p, path, split)]
                files = matching or files
            return files
    raise DataError(path, None, "no .parquet, .jsonl or .json files found")


def is_saved_dataset(path: Path) -> bool:
    """A ``datasets.Dataset.save_to_disk`` folder (Dataset or DatasetDict)."""
    return path.is_dir() and any((path / marker).is_file() for marker in _HF_DISK_MARKERS)


def iter_rows(path: str | Path, split: str | None = None) -> Iterator[Row]:
    """Every row of the data at ``path``: parquet, JSONL, JSON (list, or dict keyed by id), or a saved dataset."""
    path = Path(path)
    if is_saved_dataset(path):
        yield from _iter_saved(path, split)
        return
    for file in table_files(path, split):
        if file.suffix == ".parquet":
            yield from _iter_parquet(file)
        elif file.suffix == ".jsonl":
            yield from (Row(file, line, obj) for line, obj in read_jsonl(file))
        else:
            yield from _iter_json(file)


def _iter_parquet(file: Path) -> Iterator[Row]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(file)
        line = 0
        for batch in parquet.iter_batches(batch_size=64):
            for obj in batch.to_pylist():
                line += 1
                yield Row(file, line, obj)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(file, None, f"cannot read parquet: {exc}") from None


def _iter_json(file: Path) -> Iterator[Row]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(file, None, f"cannot read JSON: {exc}") from None
    if isinstance(data, dict):
        items: Sequence[tuple[str | None, Any]] = list(data.items())
    elif isinstance(data, list):
        items = [(None, obj) for obj in data]
    else:
        raise DataError(file, None, f"expected a JSON list or object, got {type(data).__name__}")
    for line, (key, obj) in enumerate(items, start=1):
        if not isinstance(obj, dict):
            raise DataError(file, line, f"expected an object, got {type(obj).__name__}")
        yield Row(file, line, obj, key)


def _undecoded(dataset: Any) -> Any:
    """Cast image features to ``decode=False`` so rows carry the original bytes (kept, not re-encoded)."""
    import datasets

    for name, feature in dataset.features.items():
        if isinstance(feature, datasets.Image):
            dataset = dataset.cast_column(name, datasets.Image(decode=False))
        elif isinstance(getattr(feature, "feature", None), datasets.Image):
            dataset = dataset.cast_column(name, datasets.List(datasets.Image(decode=False)))
    return dataset


def _iter_saved(path: Path, split: str | None) -> Iterator[Row]:
    import datasets

    try:
        loaded = datasets.load_from_disk(str(path))
    except (OSError, ValueError, FileNotFoundError) as exc:
        raise DataError(path, None, f"cannot load saved dataset: {exc}") from None
    if isinstance(loaded, datasets.DatasetDict):
        names = list(loaded)
        chosen = split if split in loaded else ("train" if "train" in loaded else None)
        if chosen is None and len(names) == 1:
            chosen = names[0]
        if chosen is None:
            raise DataError(path, None, f"choose a split: {', '.join(names)}", "split")
        loaded = loaded[chosen]
    with contextlib.suppress(ValueError, TypeError):  # exotic layouts keep PIL images, which we also accept
        loaded = _undecoded(loaded)
    for line, obj in enumerate(loaded, start=1):
        yield Row(path, line, dict(obj))
