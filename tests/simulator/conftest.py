"""Fixtures for the simulator tests: a running simulator and a plain http.client caller."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
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
def make_client() -> Any:
    """Build a :class:`SimClient` for another simulator."""
    return SimClient
