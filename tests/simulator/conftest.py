"""Fixtures for the simulator tests: a running simulator, a plain http.client caller, documented examples."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest

from airflow_provider_campaigns.simulator import Simulator


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def call(url: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None, timeout: float = 5) -> Answer:
    """One request on a fresh connection (``body`` dicts are sent as JSON)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    sent_headers = dict(headers or {})
    data: bytes | None = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent_headers.setdefault("Content-Type", "application/json")
    try:
        conn.request(method, target, body=data, headers=sent_headers)
        resp = conn.getresponse()
        return Answer(resp.status, resp.read(), {k.lower(): v for k, v in resp.getheaders()})
    finally:
        conn.close()


class SimClient:
    """Speaks each vendor's documented auth, nothing from the provider's own code."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.creds = sim.credentials

    # BSG
    def bsg_login(self) -> str:
        answer = call(self.sim.base_url("bsg") + "/api/auth/login", "POST", {"api_key": self.creds.bsg_api_key})
        assert answer.status == 200, answer.body
        token: str = answer.json()["bearer"]
        return token

    def bsg(self, method: str, path: str, token: str | None = None, body: Any = None) -> Answer:
        token = token if token is not None else self.bsg_login()
        return call(self.sim.base_url("bsg") + path, method, body, {"Authorization": f"Bearer {token}"})

    # Cellcast
    def cellcast(self, method: str, path: str, body: Any = None, key: str | None = None) -> Answer:
        headers = {"Authorization": f"Bearer {key if key is not None else self.creds.cellcast_api_key}"}
        return call(self.sim.base_url("cellcast") + path, method, body, headers)

    def cellcast_cancel(self, message_id: str, kind: str = "sms") -> Answer:
        return self.cellcast("POST", "/api/v1/gateway/cancelScheduleQuickMessage", {"messageId": message_id, "type": kind})

    # comm.com
    def comm(self, method: str, path: str, body: Any = None, token: str | None = None) -> Answer:
        headers = {"Authorization": f"Bearer {token if token is not None else self.creds.comm_token}"}
        return call(self.sim.base_url("comm") + path, method, body, headers)

    def comm_stop(self, campaign: str, send: str) -> Answer:
        return self.comm("POST", f"/api/v1/sms/campaigns/{campaign}/stop/{send}")

    # Kore.ai
    def kore_jwt(self, secret: str | None = None, **claims: Any) -> str:
        payload: dict[str, Any] = {
            "sub": "tests",
            "appId": self.creds.kore_client_id,
            "iat": int(time.time()),
            "exp": int(time.time()) + 300,
            "jti": uuid.uuid4().hex,
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(payload, secret or self.creds.kore_client_secret, algorithm="HS256")

    def kore_headers(self, token: str | None = None) -> dict[str, str]:
        return {"auth": token or self.kore_jwt(), "accountid": self.creds.kore_account_id, "iid": self.creds.kore_stream_id}

    def kore(self, method: str, tail: str, query: str = "", body: Any = None, headers: dict[str, str] | None = None) -> Answer:
        base = f"{self.sim.base_url('kore')}/campaign/api/v2/public/{self.creds.kore_stream_id}/campaign"
        sep = "&" if query else ""
        url = f"{base}{tail}?accountId={self.creds.kore_account_id}{sep}{query}"
        return call(url, method, body, headers if headers is not None else self.kore_headers())

    def kore_stop(self, campaign_id: str, headers: dict[str, str] | None = None) -> Answer:
        return self.kore("POST", f"//trigger/{campaign_id}", "campaignType=sms&trigger=stop", {}, headers)


DOCUMENTED = Path(__file__).parent / "documented"


def _merge(a: Any, b: Any, path: str, nullable: set[str]) -> Any:
    """One example holding the keys of both (``None`` on one side makes the path nullable)."""
    if a is None or b is None:
        if a is not None or b is not None:
            nullable.add(path)
        return b if a is None else a
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _merge(a.get(k), b.get(k), _join(path, k), nullable) if k in a and k in b else a.get(k, b.get(k)) for k in {**a, **b}}
    if isinstance(a, list) and isinstance(b, list):
        return [_merge(a[0], b[0], path + "[]", nullable)] if a and b else a or b
    return a


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


@dataclass
class Documented:
    """A vendor's documented example (one or several merged), and how strictly to compare with it.

    ``exact``: paths whose value must equal the example's; ``nullable``: paths that may be ``null``;
    ``open``: objects that may hold keys the example does not show (the page was cut off).
    """

    sources: list[str]
    example: Any
    exact: set[str]
    nullable: set[str]
    open: set[str]

    @classmethod
    def load(cls, *names: str) -> Documented:
        docs = [json.loads((DOCUMENTED / f"{name}.json").read_text()) for name in names]
        nullable: set[str] = set()
        example = docs[0]["example"]
        for doc in docs[1:]:
            example = _merge(example, doc["example"], "", nullable)
        return cls(
            [doc["source"] for doc in docs],
            example,
            {p for doc in docs for p in doc["exact"]},
            nullable | {p for doc in docs for p in doc["nullable"]},
            {p for doc in docs for p in doc["open"]},
        )

    def problems(self, actual: Any) -> list[str]:
        """Where ``actual`` departs from the documented shape (empty when it conforms)."""
        found: list[str] = []
        self._compare(actual, self.example, "", found)
        return found

    def _compare(self, actual: Any, example: Any, path: str, found: list[str]) -> None:
        where = path or "(root)"
        if example is None:
            return
        if actual is None:
            if path not in self.nullable:
                found.append(f"{where}: null, documented as {_kind(example)}")
            return
        if _kind(actual) != _kind(example):
            found.append(f"{where}: {_kind(actual)}, documented as {_kind(example)}")
            return
        if path in self.exact and actual != example:
            found.append(f"{where}: {actual!r}, documented as {example!r}")
        if isinstance(example, dict):
            found.extend(f"{_join(path, k)}: missing" for k in example if k not in actual)
            if path not in self.open:
                found.extend(f"{_join(path, k)}: not documented" for k in actual if k not in example)
            for key in example.keys() & actual.keys():
                self._compare(actual[key], example[key], _join(path, key), found)
        elif isinstance(example, list) and example:
            for item in actual:
                self._compare(item, example[0], path + "[]", found)


@pytest.fixture
def documented() -> Any:
    """``documented("bsg_sms_stop_200", ...)``: the merged documented example(s) from ``documented/``."""
    return Documented.load


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    """A started simulator on a free port, stopped after the test."""
    with Simulator(port=0) as sim:
        yield sim


@pytest.fixture
def client(simulator: Simulator) -> SimClient:
    """A raw HTTP client for the running ``simulator``."""
    return SimClient(simulator)


@pytest.fixture(name="call")
def call_fixture() -> Any:
    """The plain ``call(url, method, body, headers)`` helper."""
    return call


@pytest.fixture
def lenient() -> Iterator[Simulator]:
    """A started simulator in lenient mode (the "alternative reading")."""
    with Simulator(port=0, strict=False) as sim:
        yield sim


@pytest.fixture
def lenient_client(lenient: Simulator) -> SimClient:
    """A raw HTTP client for the running ``lenient`` simulator."""
    return SimClient(lenient)


@pytest.fixture
def make_client() -> Any:
    """Build a :class:`SimClient` for another simulator."""
    return SimClient
