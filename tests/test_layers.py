"""The floors of docs/architecture.md hold: every import goes to the module's own floor or a lower one.

Imports under ``TYPE_CHECKING`` are types only and are not counted; imports inside functions are (a lazy
import is still a dependency). The simulator stands apart: it imports nothing from the client.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "airflow_provider_campaigns"
NAME = PACKAGE.name

#: floor of each module or package (the longest matching prefix wins), as docs/architecture.md draws them
FLOORS = {
    "version": 0,
    "exceptions": 0,
    "status": 0,
    "activity": 0,
    "core": 1,
    "protocol": 2,
    "vendors": 2,
    "drill": 2,
    "registry": 3,
    "connection_forms": 3,
    "trigger_form_sections": 3,
    "engine": 4,
    "drill.runner": 4,
    "trigger_form": 4,
    "queue_messages": 4,
    "hooks": 5,
    "operators": 5,
    "sensors": 5,
    "triggers": 5,
    "notifications": 5,
    "pytest_plugin": 5,
    "task_params": 5,
    "provider_info": 5,
    "__init__": 5,
    "simulator": 5,
}



def floor_of(module: str) -> int:
    """The floor of a dotted module path inside the package."""
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        floor = FLOORS.get(".".join(parts[:size]))
        if floor is not None:
            return floor
    raise AssertionError(f"{module} is on no floor: add it to FLOORS and to docs/architecture.md")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imported(module: str, name: str) -> str:
    """The module (inside the package, without its name) that ``from module import name`` depends on."""
    inner = f"{module}.{name}"[len(NAME) + 1 :]
    path = PACKAGE / inner.replace(".", "/")
    return inner if path.is_dir() or path.with_suffix(".py").exists() else module[len(NAME) + 1 :]


def runtime_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, module inside the package)`` of every import not under ``if TYPE_CHECKING:``."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == NAME:
            found.extend((node.lineno, imported(node.module, alias.name)) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name[len(NAME) + 1 :]) for alias in node.names if alias.name.startswith(NAME + "."))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


CLIENT_MODULES = sorted(path for path in PACKAGE.rglob("*.py") if "simulator" not in path.relative_to(PACKAGE).parts)


@pytest.mark.parametrize("path", CLIENT_MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_go_down_the_floors(path):
    module = module_name(path)
    mine = floor_of(module)
    upward = [
        f"line {line}: {target} (floor {floor_of(target)})"
        for line, target in runtime_imports(ast.parse(path.read_text()))
        if target and floor_of(target) > mine
    ]
    assert not upward, f"{module} (floor {mine}) imports upward: {upward}"


def test_the_simulator_imports_nothing_from_the_client():
    for path in (PACKAGE / "simulator").rglob("*.py"):
        targets = [target for _, target in runtime_imports(ast.parse(path.read_text())) if not target.startswith("simulator")]
        assert not targets, f"{path.name} imports {targets}"


def test_every_module_is_on_a_floor():
    for path in CLIENT_MODULES:
        floor_of(module_name(path))
