"""The shape of engine/: no import cycles (function-level imports included), and the core — definitions, runtime,
worklist, cases — imports no procedure; procedures register what they add (engine/registry.py)."""
from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
CORE = ("engine.definitions", "engine.runtime", "engine.worklist", "engine.cases")


def _modules() -> dict[str, Path]:
    found = {}
    for path in ENGINE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(ENGINE.parent).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def graph() -> dict[str, set[str]]:
    """Module → the engine modules it imports anywhere in its body (a package counts as its __init__)."""
    modules = _modules()
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                if target in modules and target != name:
                    edges[name].add(target)
                    break  # `from a.b import c`: c is a module (first) or a name of a.b
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each import cycle once, found by a depth-first walk (Tarjan's strongly connected components)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_engine_has_no_import_cycles():
    assert cycles(graph()) == []


def test_the_core_imports_no_procedure():
    wrong = sorted(f"{name} → {target}" for name, targets in graph().items() if name.startswith(CORE)
                   for target in targets if target.startswith("engine.procedures"))
    assert wrong == []


def test_the_graph_sees_function_level_imports_and_cycles():
    """The test itself: a cycle through an import inside a function is found."""
    edges = {"engine.a": {"engine.b"}, "engine.b": {"engine.c"}, "engine.c": {"engine.a"}, "engine.d": set()}
    assert cycles(edges) == [["engine.a", "engine.b", "engine.c"]]
    source = "def f():\n    from engine.runtime import verbs\n"
    assert any(isinstance(n, ast.ImportFrom) and n.module == "engine.runtime" for n in ast.walk(ast.parse(source)))


def test_engine_imports_no_flask():
    for path in _modules().values():
        text = path.read_text(encoding="utf-8")
        assert "import flask" not in text and "from flask" not in text, path
