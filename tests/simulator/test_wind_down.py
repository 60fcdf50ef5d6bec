"""Wind-down: an accepted stop answers at once, the campaign reports its running status a while longer."""

from __future__ import annotations

import time

import pytest

from airflow_provider_campaigns.simulator import Simulator
from airflow_provider_campaigns.simulator.__main__ import parse_args

WIND_DOWN = 0.3


def stop(client, vendor, campaign):
    """One stop request as each vendor documents it; returns the HTTP answer."""
    if vendor == "bsg":
        return client.bsg("PATCH", f"/api/campaigns/{campaign}/stop")
    if vendor == "cellcast":
        return client.cellcast_cancel(campaign[0])
    if vendor == "comm":
        return client.comm_stop(*campaign)
    return client.kore_stop(campaign)


def key(vendor, campaign):
    """The id ``Simulator.campaign`` takes."""
    return campaign[0] if vendor == "cellcast" else campaign[1] if vendor == "comm" else campaign


@pytest.fixture
def slow_stops(make_client):
    with Simulator(wind_down=WIND_DOWN) as sim:
        yield sim, make_client(sim)


@pytest.mark.parametrize(
    ("vendor", "running", "stopped"),
    [
        ("bsg", "sending", "stopped"),
        ("cellcast", "scheduled", "canceled"),
        ("comm", "in_progress", "stopped"),
        ("kore", "Active", "Stopped"),
    ],
)
def test_accepted_stop_keeps_reporting_the_running_status_until_the_wind_down_ends(slow_stops, vendor, running, stopped):
    sim, client = slow_stops
    campaign = sim.add_campaign(vendor)
    started = time.monotonic()
    answer = stop(client, vendor, campaign)
    assert answer.status == 200 and time.monotonic() - started < WIND_DOWN
    assert sim.campaign(vendor, key(vendor, campaign))["status"] == running
    assert sim.stop_count(vendor, key(vendor, campaign)) == 1
    assert 0 < sim.wind_down_left(vendor, key(vendor, campaign)) <= WIND_DOWN
    time.sleep(WIND_DOWN + 0.05)
    assert sim.campaign(vendor, key(vendor, campaign))["status"] == stopped
    assert sim.wind_down_left(vendor, key(vendor, campaign)) is None
    assert sim.stop_count(vendor, key(vendor, campaign)) == 1


@pytest.mark.parametrize("vendor", ["bsg", "cellcast", "comm", "kore"])
def test_a_repeated_stop_during_the_wind_down_succeeds_and_changes_nothing(slow_stops, vendor):
    sim, client = slow_stops
    campaign = sim.add_campaign(vendor)
    assert stop(client, vendor, campaign).status == 200
    left = sim.wind_down_left(vendor, key(vendor, campaign))
    again = stop(client, vendor, campaign)
    assert again.status == 200
    if vendor == "cellcast":
        assert again.json()["status"] is True
    assert sim.stop_count(vendor, key(vendor, campaign)) == 1
    assert sim.wind_down_left(vendor, key(vendor, campaign)) <= left


def test_bsg_stop_answer_and_reads_show_sending_then_stopped_with_finished_at(slow_stops):
    sim, client = slow_stops
    cid = sim.add_campaign("bsg", status="sending")
    token = client.bsg_login()
    answer = client.bsg("PATCH", f"/api/campaigns/{cid}/stop", token).json()["data"]
    assert answer["status"] == "sending" and answer["finished_at"] is None
    time.sleep(WIND_DOWN + 0.05)
    data = client.bsg("GET", f"/api/campaigns/{cid}", token).json()["data"]
    assert data["status"] == "stopped" and data["finished_at"] is not None
    assert client.bsg("PATCH", f"/api/campaigns/{cid}/stop", token).status == 422


def test_comm_logs_the_stop_once(slow_stops):
    sim, client = slow_stops
    campaign, send = sim.add_campaign("comm")
    client.comm_stop(campaign, send)
    client.comm_stop(campaign, send)
    texts = [log["text"] for log in sim.campaign("comm", send)["logs"]]
    assert texts.count("Send stopped via API") == 1


def test_kore_stop_answer_reports_the_running_status_during_the_wind_down(slow_stops):
    sim, client = slow_stops
    answer = client.kore_stop(sim.add_campaign("kore")).json()
    assert answer["status"] == "Active" and answer["message"] == "Campaign Stopped"


def test_kore_play_during_the_wind_down_is_refused(slow_stops):
    sim, client = slow_stops
    cid = sim.add_campaign("kore", status="Paused")
    assert client.kore_stop(cid).status == 200
    assert client.kore("POST", f"//trigger/{cid}", "campaignType=sms&trigger=play", {}).status == 400
    assert sim.campaign("kore", cid)["status"] == "Paused"


def test_the_timeline_is_frozen_once_a_stop_is_accepted(slow_stops):
    sim, client = slow_stops
    cid = sim.add_campaign("bsg", finishes_in=0.1)
    client.bsg("PATCH", f"/api/campaigns/{cid}/stop")
    time.sleep(0.15)
    assert sim.campaign("bsg", cid)["status"] == "sending"
    time.sleep(WIND_DOWN)
    assert sim.campaign("bsg", cid)["status"] == "stopped"


def test_per_campaign_wind_down_overrides_the_default(slow_stops, simulator, client):
    sim, slow_client = slow_stops
    at_once = sim.add_campaign("bsg", wind_down=0)
    slow_client.bsg("PATCH", f"/api/campaigns/{at_once}/stop")
    assert sim.campaign("bsg", at_once)["status"] == "stopped"
    later = simulator.add_campaign("kore", wind_down=0.2)
    client.kore_stop(later)
    assert simulator.campaign("kore", later)["status"] == "Active"
    time.sleep(0.25)
    assert simulator.campaign("kore", later)["status"] == "Stopped"


def test_control_api_takes_wind_down_and_reports_what_is_left(simulator, client, call):
    base = simulator.url + "/_sim"
    cid = call(base + "/campaigns", "POST", {"vendor": "bsg", "wind_down": 0.2}).json()["id"]
    assert call(f"{base}/campaigns/bsg/{cid}").json()["wind_down_left"] is None
    client.bsg("PATCH", f"/api/campaigns/{cid}/stop")
    state = call(f"{base}/campaigns/bsg/{cid}").json()
    assert state["state"]["status"] == "sending" and state["stop_count"] == 1 and 0 < state["wind_down_left"] <= 0.2
    assert call(base + "/campaigns", "POST", {"vendor": "bsg", "wind_down": -1}).status == 400


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "5", True])
def test_invalid_wind_downs_are_refused(simulator, bad):
    with pytest.raises(ValueError):
        Simulator(wind_down=bad)
    with pytest.raises(ValueError):
        simulator.add_campaign("bsg", wind_down=bad)


def test_cli_takes_wind_down():
    assert parse_args(["--wind-down", "2.5"]).wind_down == 2.5
    assert parse_args([]).wind_down == 0.0
