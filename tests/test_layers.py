"""The layers hold: no import loops, flows free of SQL and Telegram, Telegram in its own package.

The graph counts every import of a project module, function-local ones included.
`python -m tests.test_layers` prints its size and longest chain.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "flows")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts or "bundled" in rel.parts:
                continue
            name = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> list[str]:
    """Every module name an import statement in the file names, at any depth."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _project_module(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (a package's own parents left out)."""
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = {_project_module(n) for n in _imports(path) if n.split(".")[0] in PACKAGES}
        edges[module] = {t for t in targets
                         if t is not None and t != module and not module.startswith(t + ".")}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in edges:
        if node not in index:
            visit(node)
    return groups


def longest_chain(edges: dict[str, set[str]]) -> int:
    """The most modules on one import path (the graph must have no loops)."""

    @cache
    def depth(node: str) -> int:
        return 1 + max((depth(t) for t in edges[node]), default=0)

    return max(depth(node) for node in edges)


def _importers_of(prefix: str) -> set[str]:
    return {module for module, path in MODULES.items()
            if any(n == prefix or n.startswith(prefix + ".") for n in _imports(path))}


def test_no_module_imports_its_way_back_to_itself() -> None:
    assert cycles(graph()) == []


def test_flows_never_touch_sql() -> None:
    for library in ("sqlmodel", "sqlalchemy"):
        offenders = sorted(m for m in _importers_of(library) if m.startswith("flows"))
        assert offenders == [], f"{library} imported in flows: {offenders}"


def test_telegram_types_stay_in_the_transport() -> None:
    allowed = ("assistant.telegram", "assistant.testing")
    offenders = sorted(m for m in _importers_of("telegram") if not m.startswith(allowed))
    assert offenders == [], f"telegram imported outside the transport: {offenders}"


def test_only_the_runtime_wires_in_the_flows() -> None:
    offenders = sorted(m for m in _importers_of("flows") if m.startswith("assistant")
                       and m != "assistant.runtime")
    assert offenders == [], f"the engine's side imports flows: {offenders}"


def test_flows_know_nothing_of_the_transport() -> None:
    offenders = sorted(m for m in _importers_of("assistant.telegram") if m.startswith("flows"))
    assert offenders == []


if __name__ == "__main__":
    edges = graph()
    print(f"modules={len(edges)} imports={sum(map(len, edges.values()))} "
          f"loops={len(cycles(edges))} longest_chain={longest_chain(edges)}")
