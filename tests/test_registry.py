"""The registry: one entry per vendor, and no vendor named in shared code (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from airflow_provider_campaigns import registry

PACKAGE = Path(registry.__file__).parent
#: where a vendor may be named: its facts module and three thin classes, the registry, the simulator (independent)
VENDOR_PLACES = ("vendors/{key}.py", "hooks/{key}.py", "operators/{key}.py", "sensors/{key}.py")


def test_the_four_vendors_are_registered_in_order_with_their_modules():
    assert registry.vendor_keys() == ("bsg", "cellcast", "comm", "kore")
    for entry in registry.entries():
        assert entry.form.conn_type == entry.trigger_form.vendor == entry.key
        assert entry.spec().key == entry.key and entry.spec().name == entry.name
        assert entry.hook_class().conn_type == entry.key
        assert entry.form.hook_class == f"{entry.hook_class().__module__}.{entry.hook_class().__qualname__}"
    assert registry.key_of("Kore.ai") == "kore" == registry.key_of("kore") and registry.key_of("Sinch") is None


def test_an_unknown_vendor_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown vendor 'sinch'; known: bsg, cellcast, comm, kore"):
        registry.vendor("sinch")


def test_a_registry_entry_must_agree_with_its_forms():
    from dataclasses import replace

    bsg = registry.vendor("bsg")
    with pytest.raises(ValueError, match="must be for 'other'"):
        registry.register(replace(bsg, key="other"))
    assert "other" not in registry.vendor_keys()


def _strings_in_code(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings (a docstring may name a vendor as an example)."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_shared_code_names_a_vendor():
    names = {entry.key for entry in registry.entries()} | {entry.name for entry in registry.entries()}
    allowed = {place.format(key=key) for key in registry.vendor_keys() for place in VENDOR_PLACES} | {"registry.py"}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where in allowed or where.startswith("simulator/"):
            continue
        found += [f"{where}:{line}: {value!r}" for line, value in _strings_in_code(path) if value in names]
    assert found == [], "a vendor named outside its own modules and the registry:\n" + "\n".join(found)
