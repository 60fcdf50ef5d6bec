"""SimRequest/response values and a tiny router shared by the vendor modules."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json"


@dataclass(frozen=True)
class SimRequest:
    """One HTTP request as a vendor module sees it.

    ``path`` is relative to the vendor's mount point (``/bsg/api/x`` -> ``/api/x``);
    ``raw_path`` is the path as received. Header names are lower-case.
    """

    method: str
    path: str
    raw_path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    json: Any = None


@dataclass
class SimResponse:
    """An answer; ``drop=True`` means close the socket without answering.

    ``outage`` (seconds) takes the server down before this answer is written, sparing only
    the connection that carries it (closed right after).
    """

    status: int = 200
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    outage: float | None = None


def dumps(obj: Any) -> bytes:
    """Compact JSON encoding."""
    return json.dumps(obj, separators=(",", ":")).encode()


def json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> SimResponse:
    """A JSON answer."""
    return SimResponse(status=status, body=dumps(obj), headers=dict(headers or {}))


def parse_json(body: bytes) -> Any:
    """Parse a request body as JSON; ``None`` when empty or not JSON."""
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


Handler = Callable[[SimRequest, "re.Match[str]"], SimResponse]


class Router:
    """Routes ``(method, regex)`` to handlers; tells 404 from 405 apart."""

    def __init__(self) -> None:
        """Create an empty routing table."""
        self._routes: list[tuple[frozenset[str], re.Pattern[str], Handler]] = []

    def add(self, methods: str, pattern: str, handler: Handler) -> None:
        """Register ``handler`` for space-separated ``methods`` on a full-match ``pattern``."""
        self._routes.append((frozenset(methods.split()), re.compile(pattern), handler))

    def match(self, req: SimRequest) -> tuple[Handler, re.Match[str]] | list[str] | None:
        """The handler and match, or the allowed methods (405), or ``None`` (404)."""
        allowed: list[str] = []
        for methods, pattern, handler in self._routes:
            found = pattern.fullmatch(req.path)
            if found is None:
                continue
            if req.method in methods:
                return handler, found
            allowed.extend(sorted(methods))
        return allowed or None


def int_param(value: str | None, default: int, minimum: int = 0) -> int:
    """Parse an integer query parameter; ``ValueError`` when not an integer."""
    if value is None or value == "":
        return default
    number = int(value)
    if number < minimum:
        raise ValueError(value)
    return number
