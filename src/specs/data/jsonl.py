"""JSONL reading with errors that point at file, line and field; atomic writing.

Every artifact we write goes through a temp file + ``os.replace`` so a crash never leaves half a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from specs.atomic import atomic_file
from specs.errors import OS_HINTS, DataError, os_error


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (write a finite number, or null)")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is too large for a number")
    return value


def parse_json_line(text: str) -> Any:
    """One JSON value from a line, strictly: ``NaN``/``Infinity`` (which Python's json accepts) and nesting too
    deep to walk are refused, as ``ValueError`` with a message fit for ``FILE:LINE:``.

    >>> parse_json_line('{"a": [1, 2.5]}')
    {'a': [1, 2.5]}
    >>> parse_json_line('{"precision": NaN}')
    Traceback (most recent call last):
    ValueError: invalid JSON: NaN is not a JSON number (write a finite number, or null)
    >>> parse_json_line('[1e400]')
    Traceback (most recent call last):
    ValueError: invalid JSON: 1e400 is too large for a number
    """
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
        if "\\ud" in text.lower():  # a lone UTF-16 surrogate escape parses, then fails wherever it is written
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value
    except UnicodeEncodeError:
        raise ValueError("invalid JSON: a lone UTF-16 surrogate escape (\\udXXX) is not text") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except ValueError as exc:
        if "integer string conversion" in str(exc):  # Python's guard against quadratic-time int parsing
            raise ValueError("invalid JSON: a number of more than 4300 digits") from None
        raise ValueError(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply to read") from None


def read_json(path: str | Path) -> Any:
    """A whole JSON file (an eval report, a study.json), parsed as strictly as a line; ``DataError`` otherwise."""
    path = Path(path)
    try:
        return parse_json_line(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise DataError(path, None, f"not UTF-8 text: {exc.reason}") from None
    except OSError as exc:
        raise DataError(path, None, f"cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise DataError(path, None, str(exc)) from None


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-blank line; raise ``DataError`` on the first bad one."""
    path = Path(path)
    if path.is_dir():
        raise DataError(path, None, "is a folder; expected a JSONL file")
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        if exc.errno in OS_HINTS:  # permission denied is the machine's answer: said as every such fault is
            raise os_error(exc, path) from None
        raise DataError(path, None, f"cannot open: {exc.strerror or exc}") from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    obj = parse_json_line(line)
                except ValueError as exc:
                    raise DataError(path, number, str(exc)) from None
                if not isinstance(obj, dict):
                    raise DataError(path, number, f"expected a JSON object, got {type(obj).__name__}")
                yield number, obj
        except UnicodeDecodeError as exc:
            raise DataError(path, None, f"not UTF-8 text: {exc.reason}") from None



def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (:func:`specs.atomic.atomic_file`)."""
    with atomic_file(path) as handle:
        handle.write(text)
    return Path(path)


def write_jsonl_atomic(path: str | Path, rows: Iterable[dict[str, Any]]) -> Path:
    """Write one JSON object per line, atomically."""
    return write_text_atomic(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def write_json_atomic(path: str | Path, obj: Any) -> Path:
    """Write pretty JSON, atomically."""
    return write_text_atomic(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
