"""The package's layout shows its pipeline: stage subpackages, small modules, imports in one direction."""
from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """Every generator module that `path` imports, wherever the import statement is (TYPE_CHECKING too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "generator":
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "generator")
    return found


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    return {name: {d for d in _imports(path, known) if d in known and d != name} for name, path in paths.items()}


def _stage(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_no_module_imports_itself_through_others():
    try:
        tuple(TopologicalSorter(_graph()).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_stages_import_each_other_in_one_direction():
    stages: dict[str, set[str]] = {}
    for module, deps in _graph().items():
        stages.setdefault(_stage(module), set()).update(_stage(d) for d in deps if _stage(d) != _stage(module))
    try:
        tuple(TopologicalSorter(stages).static_order())
    except CycleError as exc:
        pytest.fail(f"stages import each other in a circle: {' -> '.join(exc.args[1])}")


def test_package_relative_imports_are_not_used():
    relative = [str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
                if any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(ast.parse(p.read_text())))]
    assert relative == []


def test_the_package_root_holds_few_modules_and_every_module_stays_small():
    top_level = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top_level) <= 12, top_level
    too_long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450}
    assert too_long == {}
