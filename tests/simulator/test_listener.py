"""Outage windows over real sockets: connection refused, keep-alive cut, state kept."""

from __future__ import annotations

import http.client
import json
import time

import pytest

from airflow_provider_campaigns.simulator import Simulator


def health(port: int, timeout: float = 2) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/_sim/health")
        return conn.getresponse().status
    finally:
        conn.close()


def test_outage_refuses_connections_cuts_keep_alive_and_keeps_every_campaign(simulator, client):
    cid = simulator.add_campaign("bsg", name="kept")
    assert client.bsg("PATCH", f"/api/campaigns/{cid}/stop").status == 200
    port = simulator.port
    kept_alive = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    kept_alive.request("GET", "/_sim/health")
    kept_alive.getresponse().read()
    simulator.outage(0.4)
    assert simulator.in_outage and simulator.port == port
    with pytest.raises(ConnectionRefusedError):
        health(port)
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        kept_alive.request("GET", "/_sim/health")
        kept_alive.getresponse().read()
    kept_alive.close()
    time.sleep(0.5)
    assert not simulator.in_outage and health(port) == 200
    data = client.bsg("GET", f"/api/campaigns/{cid}").json()["data"]
    assert data["name"] == "kept" and data["status"] == "stopped" and simulator.stop_count("bsg", cid) == 1


def test_control_api_outage_answers_first_then_goes_down(simulator, call):
    port = simulator.port
    answer = call(simulator.url + "/_sim/outage", "POST", {"seconds": 0.3})
    assert answer.status == 200 and answer.json() == {"ok": True, "seconds": 0.3}
    with pytest.raises(ConnectionRefusedError):
        health(port)
    time.sleep(0.4)
    assert health(port) == 200
    assert call(simulator.url + "/_sim/outage", "POST", {"seconds": -1}).status == 400
    assert call(simulator.url + "/_sim/outage", "POST", {}).status == 400


def test_end_outage_listens_again_at_once(simulator):
    simulator.outage(30)
    with pytest.raises(ConnectionRefusedError):
        health(simulator.port)
    simulator.end_outage()
    assert health(simulator.port) == 200 and not simulator.in_outage


def test_stop_during_an_outage_stays_stopped():
    sim = Simulator().start()
    port = sim.port
    sim.outage(0.1)
    sim.stop()
    time.sleep(0.2)
    with pytest.raises(ConnectionRefusedError):
        health(port)
    with pytest.raises(RuntimeError):
        sim.outage(1)


def test_outage_requires_a_valid_duration(simulator):
    with pytest.raises(ValueError):
        simulator.outage(-1)
    with pytest.raises(RuntimeError):
        Simulator().outage(1)


def test_fault_log_and_faults_survive_an_outage(simulator, client, call):
    simulator.inject("cellcast", status=503, times=1)
    client.cellcast("GET", "/api/v1/user/token/verify", key="wrong")
    simulator.outage(0.1)
    time.sleep(0.2)
    assert [r["status"] for r in simulator.requests("cellcast")] == [503]
    assert client.cellcast("GET", "/api/v1/user/token/verify").status == 200
    assert json.loads(json.dumps(call(simulator.url + "/_sim/requests").json()))[0]["fault"] == "status"
