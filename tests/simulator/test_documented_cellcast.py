"""The strict fake Cellcast against Cellcast's own pages: cancel, message detail, list enum and paging."""

from __future__ import annotations

import pytest

DOCUMENTED_STATUSES = ["blocked", "delievered", "failed", "received", "expired", "queued", "sent", "rejected", "canceled"]


def report(client, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return client.cellcast("GET", f"/api/v2/report/message?{query}")


def test_cancel_answer_is_the_documented_200(simulator, client, documented):
    [mid] = simulator.add_campaign("cellcast")
    answer = client.cellcast_cancel(mid)
    assert answer.status == 200 and documented("cellcast_cancel_200").problems(answer.json()) == []


def test_cancel_without_message_id_is_the_documented_400(client, documented):
    answer = client.cellcast("POST", "/api/v1/gateway/cancelScheduleQuickMessage", {"type": "sms"})
    assert answer.status == 400 and documented("cellcast_cancel_400").problems(answer.json()) == []


def test_a_wrong_key_is_the_documented_401(client, documented):
    answer = client.cellcast("GET", "/api/v1/user/token/verify", key="nope")
    assert answer.status == 401 and documented("cellcast_401").problems(answer.json()) == []


def test_message_detail_has_the_documented_fields_and_nothing_else(simulator, client, documented):
    [mid] = simulator.add_campaign("cellcast", custom_string="promo")
    answer = client.cellcast("GET", f"/api/v2/report/message/{mid}")
    assert documented("cellcast_message_200").problems(answer.json()) == []
    assert answer.json()["data"]["status"] == "scheduled"


def test_list_has_the_documented_fields_and_paging_signals(simulator, client, documented):
    simulator.add_campaign("cellcast", recipients=2, custom_string="promo")
    answer = report(client, customString="promo")
    assert documented("cellcast_list_200").problems(answer.json()) == []


@pytest.mark.parametrize("status", DOCUMENTED_STATUSES)
def test_every_documented_status_filter_is_accepted(client, status):
    answer = report(client, status=status)
    assert answer.status == 200 and answer.json()["status"] is True


@pytest.mark.parametrize("status", ["scheduled", "delivered", "cancelled", "pending"])
def test_status_filters_outside_the_documented_enum_are_400(client, documented, status):
    answer = report(client, status=status)
    assert answer.status == 400
    body = answer.json()
    assert documented("cellcast_cancel_400").problems({**body, "message": "messageId is required"}) == []
    assert all(s in body["message"] for s in DOCUMENTED_STATUSES)


def test_the_documented_misspelling_selects_delivered_messages(simulator, client):
    [delivered] = simulator.add_campaign("cellcast", status="delivered")
    simulator.add_campaign("cellcast", status="scheduled")
    assert [m["_id"] for m in report(client, status="delievered").json()["data"]["items"]] == [delivered]


def test_pending_messages_are_queued_or_scheduled_and_both_cancel(simulator, client):
    [queued] = simulator.add_campaign("cellcast", status="queued", custom_string="c1")
    [scheduled] = simulator.add_campaign("cellcast", status="scheduled", custom_string="c1")
    assert [m["_id"] for m in report(client, status="queued").json()["data"]["items"]] == [queued]
    assert {m["status"] for m in report(client, customString="c1").json()["data"]["items"]} == {"queued", "scheduled"}
    assert all(client.cellcast_cancel(mid).json()["status"] is True for mid in (queued, scheduled))


def test_paging_signals_walk_every_page(simulator, client):
    ids = set(simulator.add_campaign("cellcast", recipients=5, custom_string="p"))
    seen, page = [], 1
    while page is not None:
        data = report(client, customString="p", limit=2, page=page).json()["data"]
        assert data["total"] == 5 and data["totalPages"] == 3 and data["hasNextPage"] is (page < 3)
        seen += [m["_id"] for m in data["items"]]
        page = data["nextPage"]
    assert set(seen) == ids and len(seen) == 5


@pytest.mark.parametrize(("request_from", "count"), [("API", 2), ("APP", 0), ("EMAIL", 0)])
def test_request_from_filter(simulator, client, request_from, count):
    simulator.add_campaign("cellcast", recipients=2)
    assert report(client, requestFrom=request_from).json()["data"]["total"] == count


def test_an_undocumented_request_from_is_400(client):
    assert report(client, requestFrom="WEB").status == 400
