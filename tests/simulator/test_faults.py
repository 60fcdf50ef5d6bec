"""Injected faults on real sockets: each kind, N times then recovery, before/after the vendor logic."""

from __future__ import annotations

import http.client
import json
import time

import pytest


def test_status_429_with_retry_after_twice_then_recovers(simulator, client):
    cid = simulator.add_campaign("bsg")
    token = client.bsg_login()
    simulator.inject("bsg", fault="status", status=429, retry_after="2", times=2, path=r"/stop$")
    for _ in range(2):
        answer = client.bsg("PATCH", f"/api/campaigns/{cid}/stop", token)
        assert answer.status == 429 and answer.headers["retry-after"] == "2"
        assert answer.json() == {"message": "Too many duplicate request detected"}
        assert simulator.campaign("bsg", cid)["status"] == "sending"
    assert client.bsg("PATCH", f"/api/campaigns/{cid}/stop", token).status == 200
    assert simulator.stop_count("bsg", cid) == 1
    stops = [r for r in simulator.requests("bsg") if r["path"].endswith("/stop")]
    assert [(r["status"], r["fault"]) for r in stops] == [(429, "status"), (429, "status"), (200, None)]


def test_retry_after_may_be_an_http_date(simulator, client):
    simulator.inject("cellcast", status=503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    answer = client.cellcast("GET", "/api/v1/user/token/verify")
    assert answer.status == 503 and answer.headers["retry-after"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert answer.json()["code"] == 503


def test_502_defaults_to_an_html_page(simulator, client):
    simulator.inject("comm", status=502)
    answer = client.comm("GET", "/api/v1/sms/campaigns")
    assert answer.status == 502 and answer.headers["content-type"].startswith("text/html")
    assert b"502 Bad Gateway" in answer.body
    assert client.comm("GET", "/api/v1/sms/campaigns").status == 200


def test_status_fault_with_a_custom_body(simulator, client):
    simulator.inject("kore", status=429, body={"errors": [{"msg": "slow down", "code": 429}]})
    answer = client.kore("POST", "/getAllCampaignDetails", "", {})
    assert answer.status == 429 and answer.json()["errors"][0]["msg"] == "slow down"


def test_kore_429_uses_its_rate_limit_text(simulator, client):
    simulator.inject("kore", status=429)
    answer = client.kore("POST", "/getAllCampaignDetails", "", {})
    assert "Rate limit for this API has been reached" in answer.json()["errors"][0]["msg"]


def test_path_and_method_filters(simulator, client):
    cid = simulator.add_campaign("bsg", channel="rcs")
    token = client.bsg_login()
    simulator.inject("bsg", status=500, path=r"/stop$", method="patch")
    assert client.bsg("GET", f"/api/campaigns/{cid}", token).status == 200
    assert client.bsg("PUT", f"/api/campaigns/{cid}/stop", token).status == 200
    assert client.bsg("PATCH", "/api/campaigns/1/stop", token).status == 500


def test_times_none_lasts_until_cleared(simulator, client):
    simulator.inject("cellcast", status=503, times=None)
    for _ in range(5):
        assert client.cellcast("GET", "/api/v1/user/token/verify").status == 503
    simulator.clear_faults()
    assert client.cellcast("GET", "/api/v1/user/token/verify").status == 200


def test_slow_answers_late_but_runs_the_vendor_logic(simulator, client):
    cid = simulator.add_campaign("kore")
    simulator.inject("kore", fault="slow", delay=0.3)
    started = time.monotonic()
    assert client.kore_stop(cid).status == 200
    assert time.monotonic() - started >= 0.3
    assert simulator.stop_count("kore", cid) == 1


def _raw_stop(simulator, client, campaign, send):
    conn = http.client.HTTPConnection("127.0.0.1", simulator.port, timeout=5)
    try:
        conn.request(
            "POST",
            f"/comm/api/v1/sms/campaigns/{campaign}/stop/{send}",
            body=b"{}",
            headers={"Authorization": f"Bearer {simulator.credentials.comm_token}", "Content-Type": "application/json"},
        )
        resp = conn.getresponse()
        return resp.status, resp.read(), resp.getheader("Content-Type")
    finally:
        conn.close()


def test_drop_closes_the_socket_and_changes_nothing(simulator, client):
    campaign, send = simulator.add_campaign("comm")
    simulator.inject("comm", fault="drop")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        _raw_stop(simulator, client, campaign, send)
    assert simulator.campaign("comm", send)["status"] == "in_progress"
    assert simulator.requests("comm")[-1]["status"] is None and simulator.requests("comm")[-1]["fault"] == "drop"
    assert _raw_stop(simulator, client, campaign, send)[0] == 200


def test_drop_after_applies_the_stop_but_loses_the_answer(simulator, client):
    campaign, send = simulator.add_campaign("comm")
    simulator.inject("comm", fault="drop", when="after")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        _raw_stop(simulator, client, campaign, send)
    assert simulator.campaign("comm", send)["status"] == "stopped"
    assert _raw_stop(simulator, client, campaign, send)[0] == 422
    assert simulator.stop_count("comm", send) == 1


@pytest.mark.parametrize("when", ["before", "after"])
def test_malformed_json(simulator, client, when):
    campaign, send = simulator.add_campaign("comm")
    simulator.inject("comm", fault="malformed", when=when)
    status, body, content_type = _raw_stop(simulator, client, campaign, send)
    assert status == 200 and content_type == "application/json" and body == b'{"data": '
    with pytest.raises(ValueError):
        json.loads(body)
    expected = "stopped" if when == "after" else "in_progress"
    assert simulator.campaign("comm", send)["status"] == expected


def test_empty_body(simulator, client):
    [mid] = simulator.add_campaign("cellcast")
    simulator.inject("cellcast", fault="empty", when="after")
    answer = client.cellcast_cancel(mid)
    assert answer.status == 200 and answer.body == b""
    assert simulator.campaign("cellcast", mid)["status"] == "canceled"


def test_html_content_type(simulator, call):
    simulator.inject("bsg", fault="content_type", path="login")
    answer = call(simulator.base_url("bsg") + "/api/auth/login", "POST", {"api_key": simulator.credentials.bsg_api_key})
    assert answer.status == 200 and answer.headers["content-type"] == "text/html"
    assert answer.body == b"<html>maintenance</html>"


def test_bsg_expire_token_revokes_every_issued_jwt(simulator, client):
    cid = simulator.add_campaign("bsg")
    old = client.bsg_login()
    simulator.inject("bsg", fault="expire_token")
    assert client.bsg("GET", f"/api/campaigns/{cid}", old).status == 401
    assert client.bsg("GET", f"/api/campaigns/{cid}", old).status == 401
    fresh = client.bsg_login()
    assert client.bsg("PATCH", f"/api/campaigns/{cid}/stop", fresh).status == 200


def test_kore_expire_token_rejects_the_next_request_only(simulator, client):
    cid = simulator.add_campaign("kore")
    headers = client.kore_headers()
    simulator.inject("kore", fault="expire_token")
    first = client.kore_stop(cid, headers)
    assert first.status == 401 and first.json()["code"] == 4002
    assert simulator.campaign("kore", cid)["status"] == "Active"
    assert client.kore_stop(cid, headers).status == 200


def test_static_token_vendors_answer_their_401_on_expire_token(simulator, client):
    simulator.inject("cellcast", fault="expire_token")
    assert client.cellcast("GET", "/api/v1/user/token/verify").json()["message"] == "Token expired"


def test_a_fault_for_every_vendor(simulator, client):
    simulator.inject("*", status=504, times=2)
    assert client.cellcast("GET", "/api/v1/user/token/verify").status == 504
    assert client.comm("GET", "/api/v1/sms/campaigns").status == 504
    assert client.comm("GET", "/api/v1/sms/campaigns").status == 200


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fault": "explode"},
        {"fault": "slow", "when": "after"},
        {"fault": "status", "status": 99},
        {"fault": "drop", "times": 0},
        {"fault": "drop", "when": "later"},
    ],
)
def test_invalid_faults_are_refused(simulator, kwargs):
    with pytest.raises(ValueError):
        simulator.inject("bsg", **kwargs)


def test_unknown_vendor_is_refused(simulator):
    with pytest.raises(ValueError):
        simulator.inject("twilio", status=500)


def test_latency_is_added_to_every_vendor_answer(make_client):
    from airflow_provider_campaigns.simulator import Simulator

    with Simulator(latency=0.2) as sim:
        started = time.monotonic()
        assert make_client(sim).cellcast("GET", "/api/v1/user/token/verify").status == 200
        assert time.monotonic() - started >= 0.2
