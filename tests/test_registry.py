"""The registry: one entry per vendor, and no vendor named in shared code (docs/architecture.md)."""

from __future__ import annotations

import ast
import fnmatch
import re
from pathlib import Path

import pytest

from airflow_provider_campaigns import registry

PACKAGE = Path(registry.__file__).parent
#: where a vendor may be named: its facts module and three thin classes, the registry (the simulator has its own scan below)
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


#: the simulator's registry of fakes: the one shared simulator module that names the built-in fakes (one line each)
FAKES_REGISTRY = "simulator/fakes.py"
#: where a fake vendor may be named: its own module and its helper modules
FAKE_PLACES = ("simulator/fake_{key}.py", "simulator/{key}_*.py")


def _identifiers(tree: ast.AST) -> list[tuple[int, str]]:
    """Names a module's code uses: variables, attributes, functions, classes, arguments, keywords and imports."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Name):
            found.append((line, node.id))
        elif isinstance(node, ast.Attribute):
            found.append((line, node.attr))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append((line, node.name))
        elif isinstance(node, (ast.arg, ast.keyword)) and node.arg:
            found.append((line, node.arg))
        elif isinstance(node, ast.ImportFrom):
            found += [(line, node.module or "")] + [(line, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(line, alias.name) for alias in node.names]
    return found


def test_no_shared_simulator_module_names_a_vendor():
    """The simulator's shared modules derive every fake from its registry (``simulator/fakes.py``): no vendor
    key or title in their strings (docstrings aside) or names; a fake is named only in its own modules.
    """
    from airflow_provider_campaigns.simulator import fakes

    keys = fakes.keys()
    words = {key.lower() for key in keys} | {fake.title.lower() for fake in fakes.fakes()}
    in_text = re.compile("|".join(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])" for word in sorted(words)), re.IGNORECASE)
    allowed = [place.format(key=key) for key in keys for place in FAKE_PLACES] + [FAKES_REGISTRY]
    found = []
    for path in sorted((PACKAGE / "simulator").rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if any(fnmatch.fnmatch(where, place) for place in allowed):
            continue
        named = [(line, value) for line, value in _strings_in_code(path) if in_text.search(value)]
        tokens = [(line, name) for line, name in _identifiers(ast.parse(path.read_text())) if _name_tokens(name) & words]
        found += [f"{where}:{line}: {value!r}" for line, value in named + tokens]
    assert found == [], "a vendor named in shared simulator code (declare it on the fake instead):\n" + "\n".join(found)


def _name_tokens(name: str) -> set[str]:
    """``FakeBsg`` / ``kore_stream_id`` / ``fake_comm`` -> their lower-case words."""
    return {token.lower() for token in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)}

