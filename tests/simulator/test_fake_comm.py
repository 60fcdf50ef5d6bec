"""The fake comm.com API: Bearer token, stop a campaign send, campaign reads."""

from __future__ import annotations

import time
import uuid

import pytest


def test_stop_moves_the_send_to_stopped_and_second_stop_is_422(simulator, client):
    campaign, send = simulator.add_campaign("comm", status="in_progress", name="promo")
    answer = client.comm_stop(campaign, send)
    assert answer.status == 200
    data = answer.json()["data"]
    assert data["id"] == send and data["sms_campaign_id"] == campaign and data["status"] == "stopped"
    assert data["meta"]["multistep_status"]["status"] == "stopped"
    assert {"send_type", "multistep_status", "manual_data"} <= set(data["meta"])
    assert {"next_step_timestamp", "created_at", "updated_at", "logs"} <= set(data)
    assert data["logs"][-1]["text"] == "Send stopped via API"
    again = client.comm_stop(campaign, send)
    assert again.status == 422 and again.json() == {"message": "Campaign send is not running."}
    assert simulator.stop_count("comm", send) == 1
    assert simulator.stop_count("comm", (campaign, send)) == 1


@pytest.mark.parametrize("status", ["pending", "scheduled", "in_progress"])
def test_running_sends_can_be_stopped(simulator, client, status):
    campaign, send = simulator.add_campaign("comm", status=status)
    assert client.comm_stop(campaign, send).status == 200


@pytest.mark.parametrize("status", ["stopped", "completed", "cancelled", "failed"])
def test_final_sends_answer_422(simulator, client, status):
    campaign, send = simulator.add_campaign("comm", status=status)
    assert client.comm_stop(campaign, send).status == 422


def test_wrong_token_is_401(simulator, client):
    campaign, send = simulator.add_campaign("comm")
    answer = client.comm("POST", f"/api/v1/sms/campaigns/{campaign}/stop/{send}", token="nope")
    assert answer.status == 401 and answer.json() == {"message": "Unauthenticated."}
    assert simulator.campaign("comm", send)["status"] == "in_progress"


def test_unknown_or_malformed_ids_are_404(simulator, client):
    campaign, send = simulator.add_campaign("comm")
    other, _ = simulator.add_campaign("comm")
    for path in (
        f"{campaign}/stop/{uuid.uuid4()}",
        f"{uuid.uuid4()}/stop/{send}",
        f"{other}/stop/{send}",
        f"{campaign}/stop/123",
        f"abc/stop/{send}",
    ):
        answer = client.comm("POST", f"/api/v1/sms/campaigns/{path}")
        assert answer.status == 404, path
        assert answer.json() == {"message": "Not found"}


def test_stop_must_be_a_post(simulator, client):
    campaign, send = simulator.add_campaign("comm")
    assert client.comm("GET", f"/api/v1/sms/campaigns/{campaign}/stop/{send}").status == 405


def test_campaign_read_reports_its_status_in_multistep_status(simulator, client):
    campaign, send = simulator.add_campaign("comm", name="promo")
    simulator.add_campaign("comm", campaign_id=campaign, status="completed")
    data = client.comm("GET", f"/api/v1/sms/campaigns/{campaign}").json()["data"]
    assert data["id"] == campaign and data["name"] == "promo" and "status" not in data and "sends" not in data
    assert data["meta"]["multistep_status"]["status"] == "in_progress"
    client.comm_stop(campaign, send)
    data = client.comm("GET", f"/api/v1/sms/campaigns/{campaign}").json()["data"]
    assert data["meta"]["multistep_status"]["status"] == "completed"


def test_lenient_campaign_read_holds_its_sends(lenient, lenient_client):
    simulator, client = lenient, lenient_client
    campaign, send = simulator.add_campaign("comm", name="promo")
    _, second = simulator.add_campaign("comm", campaign_id=campaign, status="completed")
    data = client.comm("GET", f"/api/v1/sms/campaigns/{campaign}").json()["data"]
    assert data["id"] == campaign and data["name"] == "promo" and data["status"] == "in_progress"
    assert [s["id"] for s in data["sends"]] == [send, second]
    client.comm_stop(campaign, send)
    assert client.comm("GET", f"/api/v1/sms/campaigns/{campaign}").json()["data"]["status"] == "completed"
    assert client.comm("GET", f"/api/v1/sms/campaigns/{uuid.uuid4()}").status == 404


def test_campaign_list_is_paged(simulator, client):
    made = [simulator.add_campaign("comm", name=f"c{i}")[0] for i in range(5)]
    first = client.comm("GET", "/api/v1/sms/campaigns?per_page=2").json()
    assert [c["id"] for c in first["data"]] == made[:2]
    meta = first["meta"]
    assert meta["total"] == 5 and meta["last_page"] == 3 and meta["current_page"] == 1 and meta["per_page"] == 2
    last = client.comm("GET", "/api/v1/sms/campaigns?per_page=2&page=3").json()
    assert [c["id"] for c in last["data"]] == made[4:] and last["links"]["next"] is None
    assert client.comm("GET", "/api/v1/sms/campaigns").json()["meta"]["per_page"] == 15
    assert client.comm("GET", "/api/v1/sms/campaigns?per_page=500").status == 422


def test_send_completes_with_time_unless_stopped(simulator, client):
    campaign, done = simulator.add_campaign("comm", finishes_in=0.1)
    campaign2, stopped = simulator.add_campaign("comm", finishes_in=0.1)
    client.comm_stop(campaign2, stopped)
    time.sleep(0.15)
    assert simulator.campaign("comm", done)["status"] == "completed"
    assert simulator.campaign("comm", done)["next_step_timestamp"] is None
    assert simulator.campaign("comm", stopped)["status"] == "stopped"
    assert client.comm_stop(campaign, done).status == 422


def test_scheduled_send_starts_with_time(simulator):
    _, send = simulator.add_campaign("comm", status="scheduled", starts_in=0.05)
    time.sleep(0.1)
    assert simulator.campaign("comm", send)["status"] == "in_progress"
