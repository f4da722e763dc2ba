"""Typed configs from YAML and ``--set key=value`` overrides, validated by pydantic with one-line errors.

Every stage and the recipe are pydantic models with ``extra="forbid"``: an unknown key, a wrong type or a
missing path is one clear line naming the file, line and key — never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from specs.errors import ConfigError

T = TypeVar("T", bound=BaseModel)


MAX_YAML_VALUES = 10_000  # a recipe has a few hundred; an alias bomb of 824 bytes expands to billions


class YAMLTooLarge(yaml.YAMLError):
    """A YAML document whose aliases expand past :data:`MAX_YAML_VALUES` values (or nest past Python's stack)."""

    def __init__(self, problem: str = f"its aliases expand to more than {MAX_YAML_VALUES} values (an alias "
                 "bomb?); write the values out"):
        super().__init__(problem)
        self.problem = problem


def load_yaml(text: str) -> Any:
    """``yaml.safe_load``, refusing a document whose anchors and aliases expand to more than
    :data:`MAX_YAML_VALUES` values: every reader of YAML walks the expanded tree (pydantic, the recipe diff),
    so a few hundred bytes of aliases could take all memory. Counted on the composed nodes, shared ones once.

    >>> load_yaml("a: &x [1, 2]\\nb: *x")
    {'a': [1, 2], 'b': [1, 2]}
    """
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) in sizes:
            if sizes[id(node)] < 0:  # an alias inside its own anchor: endless when expanded
                raise YAMLTooLarge()
            return sizes[id(node)]
        sizes[id(node)] = -1
        children = node.value if isinstance(node, yaml.SequenceNode) else \
            [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else []
        total = 1 + sum(size(child) for child in children)
        if total > MAX_YAML_VALUES:
            raise YAMLTooLarge()
        sizes[id(node)] = total
        return total

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is not None:
            size(root)
        return yaml.safe_load(text)
    except RecursionError:
        raise YAMLTooLarge("nested too deeply") from None


class Strict(BaseModel):
    """Base for our configs: unknown keys are errors, values are validated on assignment too."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, protected_namespaces=(), allow_inf_nan=False)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each mapping key path in a YAML document to its 1-based line."""
    lines: dict[tuple[str, ...], int] = {}

    def walk(node: yaml.Node, prefix: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                path = (*prefix, str(key.value))
                lines[path] = key.start_mark.line + 1
                walk(value, path)

    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, ())
    return lines


def read_yaml(path: str | Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """Read a YAML mapping; returns it and the line of every key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys to values at the top level")
    return data, _key_lines(text)


def parse_sets(sets: list[str]) -> dict[str, Any]:
    """``["a.b=1", "c=true"]`` → ``{"a": {"b": 1}, "c": True}``; values are parsed as YAML scalars."""
    out: dict[str, Any] = {}
    for item in sets:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {item!r}: expected key=value")
        node = out
        *parents, leaf = key.strip().split(".")
        for depth, part in enumerate(parents, 1):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {item!r}: {'.'.join(parents[:depth])} is already set to a value by an "
                                  "earlier --set")
        if isinstance(node.get(leaf), dict):
            raise ConfigError(f"--set {item!r}: an earlier --set gave {key.strip()}.… keys; set one or the other")
        try:
            node[leaf] = load_yaml(raw) if raw.strip() else ""
        except yaml.YAMLError as exc:
            raise ConfigError(f"--set {item!r}: not a YAML value ({getattr(exc, 'problem', exc)})") from None
    return out


def deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Recursive dict merge; ``top`` wins."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def build(cls: type[T], data: dict[str, Any], source: str = "config", lines: dict | None = None,
          sets: dict[str, Any] | None = None) -> T:
    """Validate ``data`` as ``cls``; the first problem becomes a ``ConfigError`` naming source, line and key.

    ``sets`` (the parsed ``--set`` overrides merged into ``data``) decides the blame: a key they gave is
    reported as ``--set``, not as the file's."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = tuple(str(p) for p in err["loc"])
        line = (lines or {}).get(path)
        where = f"{source}:{line}" if line else source
        if sets and _holds(sets, path):
            where = "--set"
        message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        if err["type"] != "extra_forbidden" and isinstance(err.get("input"), (str, int, float)):
            message += f" (got {err['input']!r})"
        raise ConfigError(f"{where}: key '{'.'.join(path)}': {message}") from None


def _holds(tree: dict[str, Any], path: tuple[str, ...]) -> bool:
    """Whether ``tree`` sets the key at ``path`` (or a key above it)."""
    node: Any = tree
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
        if not isinstance(node, dict):
            return True
    return True


def load(cls: type[T], yaml_path: str | Path | None = None, sets: list[str] | None = None, **given: Any) -> T:
    """``cls`` from an optional YAML file, then ``--set`` overrides, then explicit values (which win)."""
    data, lines, source = {}, {}, "--set"
    if yaml_path is not None:
        data, lines = read_yaml(yaml_path)
        source = str(yaml_path)
    overrides = parse_sets(sets or [])
    data = deep_merge(data, overrides)
    data = deep_merge(data, {k: v for k, v in given.items() if v is not None})
    return build(cls, data, source, lines, overrides)


def fields_help(cls: type[BaseModel]) -> str:
    """A help text listing every field of ``cls`` with its default and description."""
    rows = []
    for name, field in cls.model_fields.items():
        default = "required" if field.is_required() else repr(field.get_default(call_default_factory=True))
        rows.append(f"{name} ({default}): {field.description or ''}")
    return "\n\n".join(rows)
