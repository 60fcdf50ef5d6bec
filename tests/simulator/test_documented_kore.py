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


def test_list_answer_is_the_documented_shape(simulator, client, documented):
    """get-all-campaigns-v2.md: ``{"status", "message", "data": {"results", "skip", "limit", "hasMore", "totalPages",
    "totalResults"}}``, SMS rows with ``id`` (``cd-…``)."""
    for status in STATUSES:
        simulator.add_campaign("kore", status=status)
    answer = client.kore("POST", "/getAllCampaignDetails", "", {"type": "sms", "limit": 50, "skip": 0, "page": 1})
    assert answer.status == 200 and documented("kore_list_200").problems(answer.json()) == []
    data = answer.json()["data"]
    assert (data["skip"], data["limit"], data["hasMore"], data["totalPages"], data["totalResults"]) == (0, 50, False, 1, 8)
    assert all(row["id"].startswith("cd-") for row in data["results"])


def test_list_paging_signals_walk_every_campaign(simulator, client):
    ids = {simulator.add_campaign("kore") for _ in range(5)}
    seen, skip, more = [], 0, True
    while more:
        data = client.kore("POST", "/getAllCampaignDetails", "", {"type": "sms", "limit": 2, "skip": skip}).json()["data"]
        assert data["totalResults"] == 5 and data["totalPages"] == 3 and data["skip"] == skip
        seen += [c["id"] for c in data["results"]]
        skip, more = skip + len(data["results"]), data["hasMore"]
    assert set(seen) == ids and len(seen) == 5


@pytest.mark.parametrize("body", [{"limit": 2}, {"type": "SMS"}, {"type": "mms"}, {"type": None}])
def test_strict_refuses_a_list_body_without_the_required_type(simulator, client, body):
    simulator.add_campaign("kore")
    answer = client.kore("POST", "/getAllCampaignDetails", "", body)
    assert answer.status == 400 and answer.json() == {"errors": [{"msg": "type is required and must be one of sms, voice", "code": 400}]}


def test_lenient_lists_without_type(lenient, lenient_client):
    lenient.add_campaign("kore")
    assert lenient_client.kore("POST", "/getAllCampaignDetails", "", {}).json()["data"]["totalResults"] == 1


def test_voice_lists_nothing_here(simulator, client):
    simulator.add_campaign("kore")
    data = client.kore("POST", "/getAllCampaignDetails", "", {"type": "voice"}).json()["data"]
    assert data["results"] == [] and data["hasMore"] is False and data["totalResults"] == 0


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        ({"type": "sms", "filters": {"status": ["active"]}}, "filters.status must be among"),
        ({"type": "sms", "sortBy": {"createdAt": "up"}}, "sortBy takes"),
        ({"type": "sms", "sortBy": {"priority": "asc"}}, "sortBy takes"),
    ],
)
def test_strict_refuses_undocumented_filter_and_sort_values(simulator, client, body, msg):
    answer = client.kore("POST", "/getAllCampaignDetails", "", body)
    assert answer.status == 400 and answer.json()["errors"][0]["msg"].startswith(msg)


def test_sort_by_created_at_ascending_lists_oldest_first(simulator, client):
    ids = [simulator.add_campaign("kore") for _ in range(3)]
    sort = {"createdAt": "asc"}
    rows = client.kore("POST", "/getAllCampaignDetails", "", {"type": "sms", "sortBy": sort}).json()["data"]["results"]
    assert [row["id"] for row in rows] == ids
    newest = client.kore("POST", "/getAllCampaignDetails", "", {"type": "sms"}).json()["data"]["results"]
    assert [row["id"] for row in newest] == ids[::-1]
