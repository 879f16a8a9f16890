"""The layering of docs/architecture.md, checked on the source: no import cycle between packages or
subpackages, `valuation/` free of the chain and of our other packages, readers free of the operator.

Imports are read from the syntax tree (those inside functions included), so a lazy import cannot
hide a cycle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("dao", "valuation", "governance", "demo")
CHAIN_LIBRARIES = ("ape", "web3", "eth_utils", "eth_abi", "ipfshttpclient", "boa")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> set[str]:
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    """{module: modules of our packages it imports}."""
    modules = {
        _module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
    }
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        graph[module] = {name for name in _imports(path, module) if name in modules and name != module}
    return graph


def unit_of(module: str) -> str:
    """The unit a cycle is forbidden between: a subpackage of `dao`, a top-level module of `dao`,
    or a whole other package."""
    parts = module.split(".")
    if parts[0] != "dao" or len(parts) == 1:
        return parts[0]
    return ".".join(parts[:2])


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def unit_graph(level) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for module, imported in import_graph().items():
        for name in imported:
            if level(module) != level(name):
                edges[level(module)].add(level(name))
    return edges


def test_no_cycle_between_subpackages():
    assert _cycles(unit_graph(unit_of)) == []


def test_no_cycle_between_top_level_packages():
    assert _cycles(unit_graph(lambda module: module.split(".")[0])) == []


def test_cycle_detection_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_valuation_imports_no_chain_and_none_of_our_other_packages():
    offending = []
    for path in sorted((ROOT / "valuation").rglob("*.py")):
        module = _module_name(path)
        for name in _imports(path, module):
            top = name.split(".")[0]
            if top in ("dao", "governance", "demo", *CHAIN_LIBRARIES):
                offending.append(f"{module} imports {name}")
    assert offending == []


def test_readers_of_chain_state_never_import_the_operator_pipeline():
    readers = (
        "dao.holders",
        "dao.market",
        "dao.chain",
        "governance",
        "dao.epoch.verify",
        "dao.epoch.history",
    )
    offending = [
        f"{module} imports {name}"
        for module, imported in import_graph().items()
        if module.startswith(readers)
        for name in imported
        if name.startswith("dao.epoch.pipeline")
    ]
    assert offending == []


def test_dao_keeps_a_handful_of_modules_at_its_top():
    top = sorted(path.name for path in (ROOT / "dao").glob("*.py"))
    assert len(top) <= 6, top
