"""The status trigger for every vendor, against the simulator on loopback (real sockets)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from typing import Any

import pytest

from airflow_provider_campaigns.simulator import Simulator
from airflow_provider_campaigns.vendors import bsg, cellcast, comm, kore
from tests.conftest import next_event, run_trigger, status_trigger

FAST = {"backoff_base": 0.001, "backoff_max": 0.01, "max_retries": 3, "timeout": 2}
VENDORS = ["bsg", "cellcast", "comm", "kore"]
RUNNING = {"bsg": "sending", "cellcast": "scheduled", "comm": "in_progress", "kore": "Active"}
STOPPED = {"bsg": "stopped", "cellcast": "canceled", "comm": "stopped", "kore": "Stopped"}
FAILED = {"bsg": "spam", "cellcast": "failed", "comm": "failed"}
STATUS_PATH = {"bsg": r"/api/campaigns/\d+$", "cellcast": r"/report/message/", "comm": r"/sms/campaigns/[^/]+$", "kore": r"/status$"}


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch):
    with Simulator(port=0) as simulator:
        for conn_id, conn in simulator.connections().items():
            conn = {**conn, "extra": {**conn["extra"], **FAST}}
            monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
        yield simulator


def ref_of(sim: Simulator, vendor: str, created: Any) -> Any:
    if vendor == "bsg":
        return bsg.campaign(created)
    if vendor == "cellcast":
        return cellcast.message(created[0])
    if vendor == "comm":
        return comm.send(*created)
    return kore.KoreCampaign(created, sim.credentials.kore_stream_id)


def unknown_ref(sim: Simulator, vendor: str) -> Any:
    return {
        "bsg": lambda: bsg.campaign(987654),
        "cellcast": lambda: cellcast.message("f" * 24),
        "comm": lambda: comm.send(str(uuid.uuid4()), str(uuid.uuid4())),
        "kore": lambda: kore.KoreCampaign("cd-unknown", sim.credentials.kore_stream_id),
    }[vendor]()


@pytest.mark.parametrize("vendor", VENDORS)
def test_campaign_finishing_while_waiting_is_a_success(sim, vendor):
    created = sim.add_campaign(vendor, status=RUNNING[vendor], finishes_in=0.3)
    payload = run_trigger(vendor, [ref_of(sim, vendor, created)])
    assert payload["status"] == "success", payload
    assert payload["statuses"][0]["state"] == "completed"


@pytest.mark.parametrize("vendor", VENDORS)
def test_stopped_campaign_is_a_success(sim, vendor):
    created = sim.add_campaign(vendor, status=STOPPED[vendor])
    payload = run_trigger(vendor, [ref_of(sim, vendor, created)])
    assert (payload["status"], payload["statuses"][0]["state"]) == ("success", "stopped")


@pytest.mark.parametrize("vendor", sorted(FAILED))
def test_failed_campaign_is_a_failure(sim, vendor):
    created = sim.add_campaign(vendor, status=FAILED[vendor])
    payload = run_trigger(vendor, [ref_of(sim, vendor, created)])
    assert (payload["status"], payload["statuses"][0]["state"]) == ("failure", "failed")


@pytest.mark.parametrize("vendor", VENDORS)
def test_transient_faults_are_retried_then_success(sim, vendor):
    created = sim.add_campaign(vendor, status=STOPPED[vendor])
    sim.inject(vendor, fault="status", status=503, times=2, path=STATUS_PATH[vendor])
    sim.inject(vendor, fault="drop", times=1, path=STATUS_PATH[vendor])
    sim.inject(vendor, fault="status", status=429, retry_after="0", times=1, path=STATUS_PATH[vendor])
    payload = run_trigger(vendor, [ref_of(sim, vendor, created)])
    assert payload["status"] == "success", payload
    faults = [r for r in sim.requests(vendor) if r["fault"]]
    assert len(faults) == 4


@pytest.mark.parametrize("vendor", VENDORS)
def test_unknown_campaign_is_an_error_at_once(sim, vendor):
    started = time.monotonic()
    payload = run_trigger(vendor, [unknown_ref(sim, vendor)], deadline_in=20)
    assert payload["status"] == "error", payload
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("vendor", VENDORS)
def test_never_final_ends_with_timeout_at_the_deadline(sim, vendor):
    created = sim.add_campaign(vendor, status=RUNNING[vendor])
    started = time.monotonic()
    payload = run_trigger(vendor, [ref_of(sim, vendor, created)], deadline_in=0.5)
    assert payload["status"] == "timeout"
    assert 0.4 < time.monotonic() - started < 3


@pytest.mark.parametrize("vendor", VENDORS)
def test_wrong_credentials_are_an_error(sim, vendor, monkeypatch):
    conn = sim.connections()[f"{vendor}_default"]
    monkeypatch.setenv(f"AIRFLOW_CONN_{vendor.upper()}_DEFAULT", json.dumps({**conn, "password": "wrong-secret-value-123"}))
    created = sim.add_campaign(vendor, status=RUNNING[vendor])
    payload = run_trigger(vendor, [ref_of(sim, vendor, created)])
    assert payload["status"] == "error" and "401" in payload["message"]


@pytest.mark.parametrize("vendor", ["bsg", "kore"])
def test_expired_token_inside_the_trigger_is_renewed(sim, vendor):
    created = sim.add_campaign(vendor, status=RUNNING[vendor], finishes_in=0.4)
    sim.inject(vendor, fault="expire_token", times=1, path=STATUS_PATH[vendor])
    payload = run_trigger(vendor, [ref_of(sim, vendor, created)])
    assert payload["status"] == "success", payload


@pytest.mark.parametrize("vendor", VENDORS)
def test_serialized_kwargs_and_events_hold_no_secret(sim, vendor):
    created = sim.add_campaign(vendor, status=STOPPED[vendor])
    refs = [ref_of(sim, vendor, created)]
    trigger = status_trigger(vendor, refs, interval=1.0, deadline_in=5)
    payload = run_trigger(vendor, refs)
    creds = sim.credentials
    secrets = [creds.bsg_api_key, creds.cellcast_api_key, creds.comm_token, creds.kore_client_secret]
    tokens = [r["headers"].get("authorization", "") or r["headers"].get("auth", "") for r in sim.requests(vendor)]
    secrets += [t.split()[-1] for t in tokens if t]
    text = repr(trigger.serialize()) + json.dumps(payload)
    for secret in secrets:
        assert secret not in text and base64.b64encode(secret.encode()).decode() not in text


@pytest.mark.parametrize("vendor", ["bsg", "kore"])
def test_triggers_in_one_event_loop_share_one_token_per_connection(sim, vendor):
    refs = [ref_of(sim, vendor, sim.add_campaign(vendor, status=STOPPED[vendor])) for _ in range(20)]

    async def wait_all() -> list[dict[str, Any]]:
        triggers = [status_trigger(vendor, [ref]) for ref in refs]
        return await asyncio.gather(*(next_event(t) for t in triggers))

    payloads = asyncio.run(asyncio.wait_for(wait_all(), 30))
    assert {p["status"] for p in payloads} == {"success"}
    if vendor == "bsg":
        assert len([r for r in sim.requests("bsg") if r["path"] == "/api/auth/login"]) == 1
    else:
        assert len({r["headers"]["auth"] for r in sim.requests("kore")}) == 1


def test_triggers_with_different_credentials_do_not_share_tokens(sim, monkeypatch):
    conn = sim.connections()["bsg_default"]
    monkeypatch.setenv("AIRFLOW_CONN_BSG_OTHER", json.dumps({**conn, "password": "wrong-key-for-this-test"}))
    created = sim.add_campaign("bsg", status="stopped")

    async def both() -> list[dict[str, Any]]:
        results = []
        for conn_id in ("bsg_default", "bsg_other"):
            results.append(await next_event(status_trigger("bsg", [bsg.campaign(created)], conn_id, deadline_in=5)))
        return results

    good, bad = asyncio.run(both())
    assert good["status"] == "success" and bad["status"] == "error"
