"""The secrets the simulator accepts, and the Airflow connections that carry them.

Each fake vendor declares its own credential fields (:class:`CredentialField`: a name and how a
fresh value is made) and its connection (``FakeVendor.connection``); this module puts every
registered fake's together (:mod:`.fakes`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from . import fakes


@dataclass(frozen=True)
class CredentialField:
    """One credential field a fake vendor accepts: its name, a maker of a fresh (random) value, what it is.

    The name is also the attribute of :class:`SimulatorCredentials` and the seed file's key, so it
    starts with the fake's key (``kore_stream_id``) to stay unique across fakes.
    """

    name: str
    default: Callable[[], Any]
    doc: str = ""


def _fields() -> Iterator[CredentialField]:
    """Every registered fake's credential fields, in registry order."""
    return (field for fake in fakes.fakes() for field in fake.credential_fields)


class SimulatorCredentials:
    """Credentials for every registered fake vendor (random unless given), read as attributes.

    ``SimulatorCredentials(bsg_api_key="test_x")`` fixes one field and generates the others; each
    fake vendor's ``credential_fields`` lists its fields and what they are. Immutable; equal when every field is.
    """

    def __init__(self, **given: Any) -> None:
        """Take the ``given`` fields, generate the rest; an unknown field is a ``TypeError``."""
        known = {field.name: field for field in _fields()}
        unknown = set(given) - set(known)
        if unknown:
            raise TypeError(f"unknown credential fields: {', '.join(sorted(unknown))}")
        values = {name: given[name] if name in given else field.default() for name, field in known.items()}
        object.__setattr__(self, "_values", values)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimulatorCredentials:
        """Build from a dict; missing fields are generated, unknown ones rejected (``ValueError``)."""
        try:
            return cls(**data)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def as_dict(self) -> dict[str, Any]:
        """All fields as a plain dict."""
        return dict(self._fields())

    def _fields(self) -> dict[str, Any]:
        values: dict[str, Any] = self.__dict__.get("_values", {})
        return values

    def __getattr__(self, name: str) -> Any:
        """A field's value (``AttributeError`` naming the known fields when there is none)."""
        fields = self._fields()
        if name in fields:
            return fields[name]
        raise AttributeError(f"no credential field {name!r}; known: {', '.join(fields)}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("SimulatorCredentials are immutable; build new ones")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SimulatorCredentials) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._fields().items())))

    def __repr__(self) -> str:
        return f"SimulatorCredentials({', '.join(f'{name}={value!r}' for name, value in self._fields().items())})"


def connections(creds: SimulatorCredentials, base_url: str) -> dict[str, dict[str, Any]]:
    """Airflow connection dicts (``<key>_default`` per fake vendor) pointing at ``base_url``."""
    return {f"{fake.name}_default": fake.connection(creds, f"{base_url}/{fake.name}") for fake in fakes.fakes()}


def connection_env(conns: dict[str, dict[str, Any]]) -> dict[str, str]:
    """``AIRFLOW_CONN_<ID>`` variables holding the connections as JSON."""
    return {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(conn) for conn_id, conn in conns.items()}
