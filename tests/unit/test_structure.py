"""The package's shape: no import cycles between modules, no module too long to read."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "simulator"
MAX_LINES = 450
"""A module longer than this is split along its seams (the aim is about 400)."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_time_imports(name: str) -> set[str]:
    """Modules of the package that `name` imports when it is imported: module level only
    (imports inside functions run later; `if TYPE_CHECKING:` blocks never run)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.If):
                if not _type_checking(node):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    found.add(submodule if submodule in MODULES else node.module)

    visit(tree.body)
    # A submodule needs its parent package first, but never imports it in a cycle that
    # matters: the package is initialised before any of its submodules runs.
    return {m for m in found if m in MODULES and not name.startswith(f"{m}.")}


def _cycles(imports: Callable[[str], set[str]] = _import_time_imports) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    graph = {name: imports(name) for name in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for name in graph:
        if name not in index:
            connect(name)
    return found


def test_no_import_cycles() -> None:
    """No module imports, at import time, a module that (indirectly) imports it back."""
    assert _cycles() == []


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check itself works: a made-up edge back from config to app is reported."""

    def with_back_edge(name: str) -> set[str]:
        back = {"simulator.app"} if name == "simulator.config" else set()
        return _import_time_imports(name) | back

    cycles = _cycles(with_back_edge)
    assert any("simulator.config" in cycle and "simulator.app" in cycle for cycle in cycles)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_short_enough_to_read(name: str) -> None:
    """Every module stays under MAX_LINES lines."""
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name]} has {lines} lines; split it along its seams"


def test_top_level_names_only_features_stages_and_plumbing() -> None:
    """`ls simulator/` names the features, the stages and the shared plumbing, nothing else."""
    names = {p.name for p in PACKAGE.iterdir() if not p.name.startswith(("_", "."))
             or p.name in ("__init__.py", "__main__.py")}
    assert names == {
        "__init__.py", "__main__.py", "prepare.py", "app.py", "cli", "config.py", "errors.py",
        "ports.py", "data.py", "records", "text", "audio", "speech", "listen", "delivery",
        "scoring", "feedback.py", "bank", "practice", "call", "screen",
        "history", "report", "exports", "schemas",
    }
