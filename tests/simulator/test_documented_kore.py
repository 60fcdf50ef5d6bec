"""The strict fake Kore.ai against Kore's own pages: the stop answer, the status read, the 401."""

from __future__ import annotations

import pytest

STATUSES = ["Ready", "Preparing", "Scheduled", "Rescheduled", "Active", "Paused", "Stopped", "Completed"]


def test_stop_answer_is_the_documented_one(simulator, client, documented):
    cid = simulator.add_campaign("kore")
    answer = client.kore_stop(cid)
    assert answer.status == 200 and documented("kore_stop_200").problems(answer.json()) == []


@pytest.mark.parametrize("status", STATUSES)
def test_status_read_is_the_documented_shape_for_every_status(simulator, client, documented, status):
    cid = simulator.add_campaign("kore", status=status, name="promo")
    answer = client.kore("POST", f"/{cid}/status", "view=status", {})
    assert documented("kore_status_200").problems(answer.json()) == []
    assert answer.json()["data"] == {"id": cid, "status": status, "name": "promo"}


def test_a_bad_jwt_is_the_documented_401(simulator, client, documented):
    cid = simulator.add_campaign("kore")
    headers = client.kore_headers(client.kore_jwt(secret="not-the-client-secret-at-all-0123"))
    answer = client.kore_stop(cid, headers)
    assert answer.status == 401 and documented("kore_401").problems(answer.json()) == []


def test_only_the_documented_double_slash_path_stops_in_strict_mode(simulator, client):
    cid = simulator.add_campaign("kore")
    assert client.kore("POST", f"/trigger/{cid}", "campaignType=sms&trigger=stop", {}).status == 404
    assert simulator.campaign("kore", cid)["status"] == "Active"


def test_lenient_also_stops_on_the_single_slash_sibling_path(lenient, lenient_client):
    cid = lenient.add_campaign("kore")
    assert lenient_client.kore("POST", f"/trigger/{cid}", "campaignType=sms&trigger=stop", {}).status == 200
    assert lenient.campaign("kore", cid)["status"] == "Stopped"


def test_list_paging_signals_walk_every_campaign(simulator, client):
    ids = {simulator.add_campaign("kore") for _ in range(5)}
    seen, skip, more = [], 0, True
    while more:
        body = client.kore("POST", "/getAllCampaignDetails", "", {"type": "sms", "limit": 2, "skip": skip}).json()
        assert body["total"] == 5
        seen += [c["id"] for c in body["data"]]
        skip, more = skip + len(body["data"]), body["moreAvailable"]
    assert set(seen) == ids and len(seen) == 5
