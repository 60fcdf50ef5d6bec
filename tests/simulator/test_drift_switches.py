"""Drift on purpose: each vendor's switch alters its successful answers (id renamed, status moved, paging
signals gone), from Python, the control API and the command line; errors and the control API never drift.
"""

from __future__ import annotations

import pytest

from airflow_provider_campaigns.simulator import Simulator
from airflow_provider_campaigns.simulator.__main__ import parse_args
from airflow_provider_campaigns.simulator.config import SimConfig
from airflow_provider_campaigns.simulator.drift import KINDS


def list_answer(client, vendor: str, sim: Simulator) -> dict:
    """The first list page as the vendor answers it."""
    if vendor == "bsg":
        return client.bsg("GET", "/api/campaigns").json()
    if vendor == "cellcast":
        return client.cellcast("GET", "/api/v2/report/message").json()
    if vendor == "comm":
        return client.comm("GET", "/api/v1/sms/campaigns").json()
    return client.kore("POST", "/getAllCampaignDetails", body={"type": "sms", "limit": 10, "skip": 0, "page": 1}).json()


def rows(body: dict) -> list[dict]:
    data = body["data"]
    if isinstance(data, dict):
        return data.get("results", data.get("items"))
    return data


SEEDS = {"bsg": "sending", "cellcast": "scheduled", "comm": "in_progress", "kore": "Active"}
IDS = {"bsg": ("id", "campaign_id"), "cellcast": ("_id", "message_id"), "comm": ("id", "uuid"), "kore": ("id", "campaignId")}
PAGING = {
    "bsg": lambda body: body["meta"]["page"].get("total"),
    "cellcast": lambda body: [body["data"].get(key) for key in ("hasNextPage", "nextPage", "totalPages", "total") if key in body["data"]],
    "comm": lambda body: [body.get("links"), body["meta"].get("last_page"), body["meta"].get("total")],
    "kore": lambda body: [
        place.get(key)
        for place in (body, body["data"] if isinstance(body["data"], dict) else {})
        for key in ("hasMore", "moreAvailable", "total", "totalResults", "totalPages")
        if key in place
    ],
}


@pytest.mark.parametrize("vendor", SEEDS)
def test_renamed_field_renames_the_id_of_every_listed_resource(simulator, client, vendor):
    simulator.add_campaign(vendor, status=SEEDS[vendor])
    old, new = IDS[vendor]
    assert all(old in row or "_id" in row for row in rows(list_answer(client, vendor, simulator)))
    simulator.drift(vendor, "renamed_field")
    drifted = rows(list_answer(client, vendor, simulator))
    assert drifted and all(new in row and old not in row for row in drifted)


@pytest.mark.parametrize("vendor", SEEDS)
def test_missing_paging_removes_every_paging_signal(simulator, client, vendor):
    simulator.add_campaign(vendor, status=SEEDS[vendor])
    assert PAGING[vendor](list_answer(client, vendor, simulator)) not in (None, [])
    simulator.drift(vendor, "missing_paging")
    body = list_answer(client, vendor, simulator)
    assert PAGING[vendor](body) in (None, [], [None, None, None])
    assert rows(body), "the rows themselves are still there"


def test_moved_status_moves_each_vendors_status(simulator, client):
    bsg = simulator.add_campaign("bsg", status="sending")
    kore = simulator.add_campaign("kore", status="Active")
    campaign, _ = simulator.add_campaign("comm", status="in_progress")
    for vendor in ("bsg", "kore", "comm"):
        simulator.drift(vendor, "moved_status")
    read = client.bsg("GET", f"/api/campaigns/{bsg}").json()["data"]
    assert "status" not in read and read["state"] == {"status": "sending"}
    status = client.kore("POST", f"/{kore}/status", query="view=status", body={}).json()
    assert status["status"] == "success" and status["data"]["state"] == {"status": "Active"} and "status" not in status["data"]
    meta = client.comm("GET", f"/api/v1/sms/campaigns/{campaign}").json()["data"]["meta"]
    assert meta["status"] == "in_progress" and "status" not in meta["multistep_status"]


def test_a_drifted_stop_still_stops(simulator, client):
    kore = simulator.add_campaign("kore", status="Active")
    simulator.drift("kore", "moved_status")
    answer = client.kore_stop(kore)
    assert answer.status == 200 and "status" not in answer.json() and answer.json()["state"]["status"] == "Stopped"
    assert simulator.campaign("kore", kore)["status"] == "Stopped"


def test_errors_and_other_vendors_do_not_drift(simulator, client):
    simulator.drift("bsg", "moved_status")
    assert client.bsg("GET", "/api/campaigns/999999").json() == {"message": "Not found"}
    comm, _ = simulator.add_campaign("comm", status="in_progress")
    assert "status" in client.comm("GET", f"/api/v1/sms/campaigns/{comm}").json()["data"]["meta"]["multistep_status"]
    simulator.drift("bsg", None)
    assert simulator.config.drift == {}


def test_control_api_switches_drift(simulator, client, call):
    base = simulator.url + "/_sim/config"
    simulator.add_campaign("bsg", status="sending")
    assert call(base, "POST", {"drift": {"bsg": "missing_paging"}}).json()["drift"] == {"bsg": "missing_paging"}
    assert "total" not in client.bsg("GET", "/api/campaigns").json()["meta"]["page"]
    assert call(base, "POST", {"drift": {"bsg": "sideways"}}).status == 400
    assert call(base, "POST", {"drift": {"bsg": None}}).json()["drift"] == {}
    assert "total" in client.bsg("GET", "/api/campaigns").json()["meta"]["page"]


@pytest.mark.parametrize("changes", [{"drift": {"twilio": "moved_status"}}, {"drift": {"kore": "renamed"}}, {"drift": ["kore"]}])
def test_invalid_drift_changes_nothing(changes):
    config = SimConfig(drift={"kore": "moved_status"})
    with pytest.raises(ValueError):
        config.update(**changes)
    assert config.drift == {"kore": "moved_status"}


def test_python_and_cli_switches():
    assert Simulator(drift={"comm": "renamed_field"}).config.drift == {"comm": "renamed_field"}
    args = parse_args(["--drift", "kore=missing_paging", "--drift", "bsg=moved_status"])
    assert dict(args.drift) == {"kore": "missing_paging", "bsg": "moved_status"}
    assert parse_args([]).drift == []


@pytest.mark.parametrize("bad", ["kore", "kore=sideways", "twilio=moved_status"])
def test_cli_refuses_bad_drift(bad):
    with pytest.raises(SystemExit):
        parse_args(["--drift", bad])


def test_every_kind_is_documented():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text()
    assert all(f"`{kind}`" in page for kind in KINDS)
