"""Guard against an ape 0.8.52 isolation pitfall seen in CI.

When two test modules define a fixture of the same name at different scopes (a module-scoped
`holders` in one file, a function-scoped `holders` in another), ape's isolation manager stops
reverting between the function-scoped tests of the later module, and their state leaks from test
to test. Fixture names must therefore be unique per scope across the whole suite.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _fixture_scope(decorator: ast.expr) -> str | None:
    source = ast.unparse(decorator)
    if "fixture" not in source:
        return None
    if isinstance(decorator, ast.Call):
        for keyword in decorator.keywords:
            if keyword.arg == "scope" and isinstance(keyword.value, ast.Constant):
                return str(keyword.value.value)
    return "function"


def fixture_scopes(root: Path = TESTS) -> dict[str, set[tuple[str, str]]]:
    """{fixture name: {(scope, file)}} for every pytest fixture under `root`."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    scope = _fixture_scope(decorator)
                    if scope:
                        found[node.name].add((scope, str(path.relative_to(root))))
    return found


def test_no_fixture_name_is_used_at_two_scopes():
    clashes = {
        name: sorted(places)
        for name, places in fixture_scopes().items()
        if len({scope for scope, _ in places}) > 1
    }
    assert not clashes, f"fixtures defined at different scopes under one name (rename one): {clashes}"


def test_the_scanner_sees_scopes(tmp_path):
    (tmp_path / "test_a.py").write_text("import pytest\n@pytest.fixture(scope='module')\ndef x(): pass\n")
    (tmp_path / "test_b.py").write_text("import pytest\n@pytest.fixture\ndef x(): pass\n")
    assert fixture_scopes(tmp_path)["x"] == {("module", "test_a.py"), ("function", "test_b.py")}
