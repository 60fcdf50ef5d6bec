"""CampaignFireDrillOperator against the simulator (real sockets): green when strict, red naming the drift,
and never a stop request.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException

from airflow_provider_campaigns.drill.runner import all_facts, facts_of
from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.operators.drill import CampaignFireDrillOperator
from airflow_provider_campaigns.simulator import Simulator
from airflow_provider_campaigns.simulator.drift import KINDS
from tests.conftest import SIM_EXTRA

VENDORS = ("bsg", "cellcast", "comm", "kore")
CONN_IDS = [f"{vendor}_default" for vendor in VENDORS]
#: the fact each drift contradicts first: the one the kill switch's own reads rest on
DRIFTED_FACT = {"renamed_field": "list", "moved_status": "list", "missing_paging": "list"}


@pytest.fixture
def sim(simulated):
    simulator = simulated(extra={**SIM_EXTRA, "retry_total_timeout": 1})
    for vendor, status in (("bsg", "sending"), ("cellcast", "scheduled"), ("comm", "in_progress"), ("kore", "Active")):
        for _ in range(2):
            simulator.add_campaign(vendor, status=status)
    return simulator


def stop_requests(sim: Simulator) -> list[dict[str, Any]]:
    """Every request that could stop, cancel or trigger something."""
    markers = ("/stop", "cancelScheduleQuickMessage", "/trigger/")
    return [r for r in sim.requests() if any(marker in r["path"] for marker in markers) or r["query"].get("trigger")]


def outcomes(result: dict[str, Any], vendor: str) -> dict[str, str]:
    (conn,) = [conn for conn in result["connections"] if conn["vendor"] == vendor]
    return {fact["fact"]: fact["outcome"] for fact in conn["facts"]}


def test_green_against_the_strict_simulator_and_sends_no_stop(sim, ti):
    result = CampaignFireDrillOperator(task_id="drill", conn_ids=CONN_IDS).execute({"ti": ti})
    assert result["totals"]["contradicted"] == 0, result["contradicted"]
    for vendor in VENDORS:
        seen = outcomes(result, vendor)
        assert [seen[f"{vendor}.{core}"] for core in ("credentials", "list", "status")] == ["confirmed"] * 3
        assert list(seen) == [fact.key for fact in facts_of(vendor)], "every fact of the table is reported, in order"
    assert not stop_requests(sim)
    assert {state["status"] for state in sim.campaigns("kore")} == {"Active"}
    json.dumps(result)  # XCom-safe


def test_each_guess_probe_reaches_a_verdict_against_the_simulator(sim, ti):
    """Every probe the table has runs to confirmed against the strict simulator (none silently skipped)."""
    result = CampaignFireDrillOperator(task_id="drill", conn_ids=CONN_IDS).execute({"ti": ti})
    probed = {fact.key for fact in all_facts() if fact.probe is not None}
    reached = {fact["fact"]: fact for conn in result["connections"] for fact in conn["facts"]}
    assert {key for key in probed if reached[key]["outcome"] != "confirmed"} == set(), [reached[k] for k in probed]
    unprobed = [fact for fact in reached.values() if fact["outcome"] == "not probed"]
    assert all(fact["detail"] for fact in unprobed), "a fact not probed says why"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("vendor", VENDORS)
def test_red_against_each_drift_naming_the_fact_and_the_doc(sim, ti, vendor, kind):
    sim.drift(vendor, kind)
    started = time.monotonic()
    with pytest.raises(AirflowFailException) as failed:
        CampaignFireDrillOperator(task_id="drill", conn_ids=CONN_IDS).execute({"ti": ti})
    assert time.monotonic() - started < 10
    message = str(failed.value)
    assert f"{vendor}.{DRIFTED_FACT[kind]}" in message
    assert "docs/vendor-contracts.md, section" in message
    result = ti.xcoms["return_value"]
    assert {fact["conn_id"] for fact in result["contradicted"]} == {f"{vendor}_default"}
    for other in set(VENDORS) - {vendor}:
        assert "contradicted" not in outcomes(result, other).values()
    assert not stop_requests(sim)


def test_refused_credentials_fail_the_drill(sim, ti, monkeypatch):
    conn = {**sim.connections()["comm_default"], "password": "wrong-token"}
    monkeypatch.setenv("AIRFLOW_CONN_COMM_DEFAULT", json.dumps(conn))
    with pytest.raises(AirflowFailException, match=r"comm\.credentials"):
        CampaignFireDrillOperator(task_id="drill", conn_ids=["comm_default"]).execute({"ti": ti})
    assert not stop_requests(sim)


def test_an_unreachable_vendor_fails_retryably_not_as_a_contradiction(sim, ti):
    sim.inject("cellcast", "status", times=None, status=503)
    with pytest.raises(AirflowException) as failed:
        CampaignFireDrillOperator(task_id="drill", conn_ids=["cellcast_default"]).execute({"ti": ti})
    assert not isinstance(failed.value, AirflowFailException)
    assert "could not vouch" in str(failed.value)
    assert ti.xcoms["return_value"]["totals"]["contradicted"] == 0


def test_an_empty_account_is_not_probed_where_a_campaign_is_needed(sim, ti):
    sim.reset()
    result = CampaignFireDrillOperator(task_id="drill", conn_ids=["kore_default"]).execute({"ti": ti})
    seen = outcomes(result, "kore")
    assert seen["kore.list"] == "confirmed"
    assert seen["kore.status"] == "not probed"


@pytest.mark.parametrize(
    ("conn_ids", "match"),
    [([], "non-empty list"), (["nope"], "does not exist"), (["fs_default"], "not one of")],
)
def test_bad_input_fails_before_any_request(sim, ti, monkeypatch, conn_ids, match):
    monkeypatch.setenv("AIRFLOW_CONN_FS_DEFAULT", json.dumps({"conn_type": "fs"}))
    with pytest.raises(InvalidInputError, match=match):
        CampaignFireDrillOperator(task_id="drill", conn_ids=conn_ids).execute({"ti": ti})
    assert sim.requests() == []


def test_a_kore_connection_without_a_stream_fails_before_any_request(sim, ti, monkeypatch):
    conn = sim.connections()["kore_default"]
    conn = {**conn, "extra": {key: value for key, value in conn["extra"].items() if key != "stream_id"}}
    monkeypatch.setenv("AIRFLOW_CONN_KORE_DEFAULT", json.dumps(conn))
    with pytest.raises(InvalidInputError, match="stream"):
        CampaignFireDrillOperator(task_id="drill", conn_ids=CONN_IDS).execute({"ti": ti})
    assert sim.requests() == []
