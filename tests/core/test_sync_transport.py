"""What the sync transport puts on the wire: the session's headers and cookies, the call's own, in one prepared request."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from airflow_provider_campaigns.core.bearer_auth import StaticBearerAuth
from airflow_provider_campaigns.core.retry import RetryPolicy
from airflow_provider_campaigns.core.settings import TransportSettings
from airflow_provider_campaigns.core.sync_transport import SyncTransport
from airflow_provider_campaigns.core.wire import ApiRequest, Reply

BASE = "https://vendor.test/api"
KEY = "sync-transport-test-key-0123456789"


def transport() -> SyncTransport:
    settings = TransportSettings("X", "x_default", BASE, (0.5, 0.5), RetryPolicy(max_retries=0), True)
    return SyncTransport(settings, StaticBearerAuth("X", KEY))


def call(method: str = "GET", path: str = "/things/1", **fields: object) -> ApiRequest[int]:
    def status_of(reply: Reply) -> int:
        return reply.status

    return ApiRequest(method, path, status_of, "read", "1", **fields)  # type: ignore[arg-type]


def test_the_wire_request_carries_the_session_headers_the_call_and_its_credentials():
    with responses.RequestsMock() as rsps:
        rsps.add("PATCH", f"{BASE}/things/1", json={})
        transport().request(call("PATCH", params={"page": "2"}, json={"a": 1}, headers={"X-Trace": "t-1"}))
        sent = rsps.calls[0].request
    assert sent.url == f"{BASE}/things/1?page=2"
    assert json.loads(sent.body) == {"a": 1}
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["X-Trace"] == "t-1"
    assert sent.headers["Authorization"] == f"Bearer {KEY}"
    assert sent.headers["User-Agent"].startswith("airflow-provider-campaigns/")
    assert sent.headers["Accept"] == "application/json"
    assert "gzip" in sent.headers["Accept-Encoding"]


def test_a_call_header_replaces_the_session_header_of_the_same_name_in_any_case():
    with responses.RequestsMock() as rsps:
        rsps.add("GET", f"{BASE}/things/1", json={})
        transport().request(call(headers={"accept": "text/csv"}))
        sent = rsps.calls[0].request
    assert [name for name in sent.headers if name.lower() == "accept"] == ["accept"]
    assert sent.headers["Accept"] == "text/csv"


def test_a_cookie_the_vendor_set_goes_back_with_the_next_request():
    with responses.RequestsMock() as rsps:
        rsps.add("GET", f"{BASE}/things/1", json={}, headers={"Set-Cookie": "route=b2; Path=/"})
        rsps.add("GET", f"{BASE}/things/1", json={})
        sync = transport()
        sync.request(call())
        sync.request(call())
        first, second = (c.request for c in rsps.calls)
    assert "Cookie" not in first.headers
    assert second.headers["Cookie"] == "route=b2"


def test_no_request_merges_the_session_settings_again(monkeypatch: pytest.MonkeyPatch):
    """``Session.request`` merges headers, parameters and proxies per call: ~0.2 ms of CPU with ``requests`` 2.34 on
    Python 3.11 (`python -m benchmarks.run overhead`). The transport prepares from the session's settings directly."""
    merges: list[tuple[object, ...]] = []
    original = requests.sessions.merge_setting

    def counted(*args: object, **kwargs: object) -> object:
        merges.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(requests.sessions, "merge_setting", counted)
    with responses.RequestsMock() as rsps:
        rsps.add("GET", f"{BASE}/things/1", json={})
        assert transport().request(call()) == 200
    assert merges == []
