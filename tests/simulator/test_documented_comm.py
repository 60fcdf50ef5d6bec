"""The strict fake comm.com against comm.com's own pages: the stop answer and the campaign resource."""

from __future__ import annotations


def campaign_read(client, campaign):
    return client.comm("GET", f"/api/v1/sms/campaigns/{campaign}")


def test_stop_answer_is_the_documented_send_resource(simulator, client, documented):
    campaign, send = simulator.add_campaign("comm")
    answer = client.comm_stop(campaign, send)
    assert answer.status == 200 and documented("comm_stop_200").problems(answer.json()) == []
    data = answer.json()["data"]
    assert data["id"] == send and data["sms_campaign_id"] == campaign
    assert data["status"] == data["meta"]["multistep_status"]["status"] == "stopped"


def test_campaign_resource_is_documentation_shaped(simulator, client, documented):
    campaign, _ = simulator.add_campaign("comm", name="promo")
    answer = campaign_read(client, campaign)
    assert answer.status == 200 and documented("comm_campaign_200").problems(answer.json()) == []
    data = answer.json()["data"]
    assert "status" not in data and "sends" not in data
    assert data["meta"]["multistep_status"]["status"] == "in_progress"


def test_campaign_status_follows_its_sends(simulator, client):
    campaign, send = simulator.add_campaign("comm")
    simulator.add_campaign("comm", campaign_id=campaign, status="scheduled")
    assert campaign_read(client, campaign).json()["data"]["meta"]["multistep_status"]["status"] == "in_progress"
    client.comm_stop(campaign, send)
    assert campaign_read(client, campaign).json()["data"]["meta"]["multistep_status"]["status"] == "scheduled"
    done_campaign, done_send = simulator.add_campaign("comm")
    client.comm_stop(done_campaign, done_send)
    status = campaign_read(client, done_campaign).json()["data"]["meta"]["multistep_status"]
    assert status["status"] == "stopped" and status["status_reason"] == "Stopped via API"


def test_list_items_are_campaign_resources(simulator, client, documented):
    for _ in range(2):
        simulator.add_campaign("comm")
    body = client.comm("GET", "/api/v1/sms/campaigns").json()
    assert len(body["data"]) == 2
    assert all(documented("comm_campaign_200").problems({"data": item}) == [] for item in body["data"])


def test_lenient_campaign_resource_adds_status_and_sends(lenient, lenient_client, documented):
    campaign, send = lenient.add_campaign("comm")
    data = campaign_read(lenient_client, campaign).json()["data"]
    assert data["status"] == "in_progress" and [s["id"] for s in data["sends"]] == [send]
    assert all(documented("comm_stop_200").problems({"data": s}) == [] for s in data["sends"])
