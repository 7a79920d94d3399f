"""The suite's own rules: test modules share helpers through support modules only, and
every test module's file name is unique (pytest imports them by that name alone)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _modules() -> list[Path]:
    return sorted(TESTS.rglob("*.py"))


def _imported(path: Path) -> set[str]:
    """The ``tests.…`` modules ``path`` imports, anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return {n for n in names if n.startswith("tests.")}


def _is_test_module_or_conftest(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def test_no_module_imports_from_a_test_module_or_a_conftest() -> None:
    offending = {
        str(path.relative_to(TESTS)): sorted(bad)
        for path in _modules()
        if (bad := {n for n in _imported(path) if _is_test_module_or_conftest(n)})
    }

    assert offending == {}, "move the shared helpers into tests/support or a *_support module"


def test_test_module_names_are_unique_across_the_suite() -> None:
    names = Counter(p.name for p in _modules() if p.name.startswith("test_"))

    assert [name for name, count in names.items() if count > 1] == []


def test_the_shared_support_modules_import_from_no_tier() -> None:
    imports_by_module = {
        str(path.relative_to(TESTS)): sorted(
            n for n in _imported(path) if not n.startswith("tests.support")
        )
        for path in (TESTS / "support").rglob("*.py")
    }

    assert {module: names for module, names in imports_by_module.items() if names} == {}
