"""The one registry of fake vendors: every fake the simulator serves, one line each.

A fake vendor is one module (``fake_<key>.py``, with helper modules ``<key>_*.py`` of its own if it
needs them) defining a :class:`~.fake_vendor.FakeVendor` subclass. The class declares everything
shared code needs of it: its key (its mount ``/<key>`` and its ``vendor`` in the control API), its
title, its routes and their handlers, the credentials it accepts (:class:`~.credentials.CredentialField`), the
Airflow connection pointing at it, its error and 429 bodies, the keyword holding a campaign's
audience, where drift alters its answers (:class:`~.drift.DriftShape`) and how the control API
names a created campaign. The server, the control API, the settings, the credentials, the rate
limits, drift and the command line derive everything from here; none of them names a vendor.

Another package (or a test) adds a fake with :func:`register`. The built-in fakes are imported on
first use: their modules import the shared ones, which read this registry.
"""

from __future__ import annotations

import re
import threading
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .fake_vendor import FakeVendor

#: the built-in fakes, in the order they are mounted and listed: ``module:class``, one line each
BUILT_IN = (
    "fake_bsg:FakeBsg",
    "fake_cellcast:FakeCellcast",
    "fake_comm:FakeComm",
    "fake_kore:FakeKore",
)
_KEY = re.compile(r"[a-z][a-z0-9_-]*")
_REGISTRY: dict[str, type[FakeVendor]] = {}
_lock = threading.RLock()
_loaded = False


def _load_built_ins() -> None:
    """Register the built-in fakes (once, before anything else is read or registered)."""
    global _loaded
    with _lock:
        if _loaded:
            return
        _loaded = True
        for line in BUILT_IN:
            module, _, name = line.partition(":")
            _add(getattr(import_module(f".{module}", __package__), name))


def _add(fake: type[FakeVendor]) -> None:
    key = fake.name
    if not _KEY.fullmatch(key):
        raise ValueError(f"a fake vendor's key is its mount: lower-case letters, digits, '-' or '_', not {key!r}")
    taken = {field.name for other in _REGISTRY.values() if other.name != key for field in other.credential_fields}
    clash = sorted(taken & {field.name for field in fake.credential_fields})
    if clash:
        raise ValueError(f"fake vendor {key!r}: credential fields {', '.join(clash)} belong to another fake")
    _REGISTRY[key] = fake


def register(fake: type[FakeVendor]) -> type[FakeVendor]:
    """Add (or replace) a fake vendor; it is served by every :class:`~.sim.Simulator` built afterwards."""
    _load_built_ins()
    with _lock:
        _add(fake)
    return fake


def unregister(key: str) -> None:
    """Remove a fake vendor (a test that registered one cleans up with this)."""
    _load_built_ins()
    with _lock:
        _REGISTRY.pop(key, None)


def fakes() -> tuple[type[FakeVendor], ...]:
    """Every registered fake vendor, in registry order."""
    _load_built_ins()
    with _lock:
        return tuple(_REGISTRY.values())


def keys() -> tuple[str, ...]:
    """Every registered fake vendor's key, in registry order."""
    return tuple(fake.name for fake in fakes())


def check_key(vendor: object, setting: str = "") -> str:
    """``vendor`` when a fake has that key, else a ``ValueError`` (prefixed ``setting: ``) naming the known ones."""
    known = keys()
    if vendor not in known:
        prefix = f"{setting}: " if setting else ""
        raise ValueError(f"{prefix}unknown vendor {vendor!r}; expected one of {', '.join(known)}")
    return str(vendor)


def example_key() -> str:
    """A registered key to show in a usage example (the first)."""
    return keys()[0]


def titles_in_prose() -> str:
    """The registered fakes' titles as prose: ``"A, B and C"``."""
    names = [fake.title for fake in fakes()]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)
