"""The package's layers, enforced: every import of our own modules (at the top, inside a function, anywhere) points
down or sideways, never up, and no files import each other in a circle. docs/architecture.md says why.

Why our own test rather than import-linter's ``layers`` contract: the cycle rule is per file, also between files
of one layer (a contract between layers does not see those), and it needs no new tool in three lock files.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Lowest first. A module's room is its top-level name under specs/; every ``<room>/cli.py`` is in "cli".
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("foundation", frozenset({"errors", "atomic", "paths", "config", "console", "distributed", "device_memory",
                              "fresh_process", "builtin", "layout"})),
    ("core", frozenset({"", "grading", "data", "rewards", "pairs", "metrics", "toyworld", "benchmarks"})),
    ("engines", frozenset({"models", "generation", "judge"})),
    ("stages", frozenset({"stages"})),
    ("apps", frozenset({"toybase", "recipe", "study", "report", "lmms"})),
    ("cli", frozenset({"cli", "__main__"})),
)
MAX_INNER = 40  # imports of our own modules inside functions (each with a reason beside it)


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__"): p
            for p in sorted((SRC / "specs").rglob("*.py"))}


def _layer(module: str) -> int:
    parts = module.split(".")
    room = "cli" if parts[-1] == "cli" and len(parts) > 1 else (parts[1] if len(parts) > 1 else "")
    for number, (_, rooms) in enumerate(LAYERS):
        if room in rooms:
            return number
    raise AssertionError(f"{module}: room {room!r} is in no layer of tests/test_layers.py")


def _imports(modules: dict[str, Path]) -> list[tuple[str, str, int, bool]]:
    """(importer, imported, line, inside a function) for every import of our own modules; TYPE_CHECKING blocks
    never run, so they are left out."""
    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    found = []
    for me, path in modules.items():
        package = me if path.name == "__init__.py" else me.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = {id(x) for n in ast.walk(tree) if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)
                for x in ast.walk(n)}
        inner = {id(x) for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for x in ast.walk(n) if x is not n}
        for node in ast.walk(tree):
            if id(node) in skip or not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for target in targets:
                if target != "specs" and (hit := resolve(target)) and hit != me and hit.startswith("specs"):
                    found.append((me, hit, node.lineno, id(node) in inner))
                    break
    return found


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan), less a package and its own child."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(edges):
        if v not in index:
            visit(v)
    return [c for c in found if not (len(c) == 2 and c[1].startswith(c[0] + "."))]


def test_no_import_points_up_a_layer():
    imports = _imports(_modules())
    upward = [f"{a}:{line} imports {b} ({LAYERS[_layer(a)][0]} → {LAYERS[_layer(b)][0]})"
              for a, b, line, _ in imports if _layer(b) > _layer(a)]
    assert not upward, "imports up a layer:\n" + "\n".join(upward)


def test_no_import_cycle():
    edges: dict[str, set[str]] = {}
    for a, b, _, _ in _imports(_modules()):
        edges.setdefault(a, set()).add(b)
    assert not (cycles := _cycles(edges)), "import cycles:\n" + "\n".join(" ".join(c) for c in cycles)


def test_few_imports_of_our_own_modules_inside_functions():
    inner = [f"{a}:{line} {b}" for a, b, line, inside in _imports(_modules()) if inside]
    assert len(inner) <= MAX_INNER, f"{len(inner)} in-function imports of our modules (> {MAX_INNER}):\n" + "\n".join(
        inner)
