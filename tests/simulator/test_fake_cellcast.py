"""The fake Cellcast gateway: Bearer key, per-message cancel, v2 reports."""

from __future__ import annotations

import re
import time

import pytest


def test_token_verify_accepts_the_key_and_rejects_others(client):
    ok = client.cellcast("GET", "/api/v1/user/token/verify")
    assert ok.status == 200 and ok.json()["status"] is True and ok.json()["message"] == "Token is valid"
    bad = client.cellcast("GET", "/api/v1/user/token/verify", key="wrong")
    assert bad.status == 401
    assert bad.json()["code"] == 401 and bad.json()["message"] == "Token expired" and "stack" in bad.json()


def test_add_campaign_returns_one_24_hex_id_per_recipient(simulator):
    ids = simulator.add_campaign("cellcast", status="scheduled", recipients=3, custom_string="promo-1", message_type="sms")
    assert len(ids) == 3 and len(set(ids)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)


def test_cancel_moves_message_to_canceled_with_the_documented_envelope(simulator, client):
    [mid] = simulator.add_campaign("cellcast", recipients=1)
    answer = client.cellcast_cancel(mid)
    assert answer.status == 200
    body = answer.json()
    assert body["status"] is True and body["message"] == "Job Removed successfully"
    assert body["data"] == {"message": "Job Removed successfully"} and body["error"] == {}
    assert {"app_type", "app_version", "maintainence", "invalid_token", "is_enc"} <= set(body)
    assert simulator.campaign("cellcast", mid)["status"] == "canceled"
    again = client.cellcast_cancel(mid)
    assert again.status == 200 and again.json()["status"] is False
    assert again.json()["message"] == "Job not found or already processed"
    assert simulator.stop_count("cellcast", mid) == 1


@pytest.mark.parametrize("status", ["sent", "delivered", "canceled", "failed", "expired"])
def test_cancel_of_a_final_message_is_http_200_status_false(simulator, client, status):
    [mid] = simulator.add_campaign("cellcast", status=status)
    answer = client.cellcast_cancel(mid)
    assert answer.status == 200 and answer.json()["status"] is False
    assert simulator.stop_count("cellcast", mid) == 0


def test_queued_messages_can_be_cancelled(simulator, client):
    [mid] = simulator.add_campaign("cellcast", status="queued")
    assert client.cellcast_cancel(mid).json()["status"] is True


def test_unknown_message_is_http_200_message_not_found(client):
    answer = client.cellcast_cancel("675161d8a000000000000000")
    assert answer.status == 200
    body = answer.json()
    assert body["status"] is False and body["message"] == "message not found"
    assert body["error"] == {"error": "message not found"}


def test_a_type_mismatch_does_not_find_the_message(simulator, client):
    [mid] = simulator.add_campaign("cellcast", message_type="mms")
    assert client.cellcast_cancel(mid, "sms").json()["message"] == "message not found"
    assert client.cellcast_cancel(mid, "mms").json()["status"] is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "sms"}, "messageId is required"),
        ({"messageId": "675161d8a000000000000000"}, "type is required"),
        ({"messageId": "675161d8a000000000000000", "type": "rcs"}, "type must be one of [sms, mms]"),
    ],
)
def test_cancel_validation_errors_are_400(client, body, message):
    answer = client.cellcast("POST", "/api/v1/gateway/cancelScheduleQuickMessage", body)
    assert answer.status == 400
    assert answer.json()["code"] == 400 and answer.json()["message"] == message and "stack" in answer.json()


def test_report_one_message(simulator, client):
    [mid] = simulator.add_campaign("cellcast", custom_string="promo-9", sender="SHOP")
    body = client.cellcast("GET", f"/api/v2/report/message/{mid}").json()
    assert body["status"] is True
    data = body["data"]
    assert data["_id"] == mid and data["status"] == "scheduled" and data["customString"] == "promo-9"
    assert {"message", "sender", "receiver", "createdAt", "updatedAt", "send_time", "scheduleAt"} <= set(data)
    assert data["createdAt"].endswith("Z") and "type" not in data


def test_lenient_messages_carry_their_type(lenient, lenient_client):
    [mid] = lenient.add_campaign("cellcast", message_type="mms")
    assert lenient_client.cellcast("GET", f"/api/v2/report/message/{mid}").json()["data"]["type"] == "mms"


def test_report_unknown_and_ill_formed_ids(client):
    unknown = client.cellcast("GET", "/api/v2/report/message/675161d8a000000000000000")
    assert unknown.status == 200 and unknown.json()["status"] is False and unknown.json()["message"] == "message not found"
    bad = client.cellcast("GET", "/api/v2/report/message/not-an-id")
    assert bad.status == 200
    assert bad.json()["status"] is False and bad.json()["message"] == "internal server error"
    assert bad.json()["error"]["name"] == "CastError"
    assert client.cellcast_cancel("xyz").json()["error"]["name"] == "CastError"


def test_lenient_report_list_filters_by_custom_string_and_scheduled_status_and_pages(lenient, lenient_client):
    simulator, client = lenient, lenient_client
    ids = simulator.add_campaign("cellcast", recipients=5, custom_string="promo-1")
    simulator.add_campaign("cellcast", recipients=2, custom_string="other")
    simulator.add_campaign("cellcast", recipients=1, custom_string="promo-1", message_type="mms")
    client.cellcast_cancel(ids[0])
    query = "/api/v2/report/message?campType=sms&customString=promo-1&status=scheduled&limit=2"
    first = client.cellcast("GET", query + "&page=1").json()["data"]
    assert first["total"] == 4 and first["totalPages"] == 2 and first["hasNextPage"] is True and first["nextPage"] == 2
    assert first["page"] == 1 and first["limit"] == 2 and len(first["items"]) == 2
    last = client.cellcast("GET", query + "&page=2").json()["data"]
    assert last["hasNextPage"] is False and last["nextPage"] is None
    seen = {m["_id"] for m in first["items"] + last["items"]}
    assert seen == set(ids[1:])
    everything = client.cellcast("GET", "/api/v2/report/message?limit=100").json()["data"]
    assert everything["total"] == 8
    assert client.cellcast("GET", "/api/v2/report/message?limit=1000").status == 400
    dated = client.cellcast("GET", "/api/v2/report/message?fromDate=2000-01-01&toDate=2000-12-31").json()["data"]
    assert dated["total"] == 0


def test_messages_go_scheduled_sent_delivered_with_time(simulator, client):
    [mid] = simulator.add_campaign("cellcast", starts_in=0.1, finishes_in=0.45, custom_string="t")
    assert simulator.campaign("cellcast", mid)["send_time"] is None
    time.sleep(0.25)
    data = client.cellcast("GET", f"/api/v2/report/message/{mid}").json()["data"]
    assert data["status"] == "sent" and data["send_time"] is not None
    assert client.cellcast_cancel(mid).json()["status"] is False
    time.sleep(0.3)
    assert simulator.campaign("cellcast", mid)["status"] == "delivered"


def test_a_canceled_message_is_never_sent(simulator, client):
    [mid] = simulator.add_campaign("cellcast", starts_in=0.1)
    client.cellcast_cancel(mid)
    time.sleep(0.15)
    assert simulator.campaign("cellcast", mid)["status"] == "canceled"


def test_stop_count_of_a_list_of_ids_is_the_sum(simulator, client):
    ids = simulator.add_campaign("cellcast", recipients=3)
    for mid in ids[:2]:
        client.cellcast_cancel(mid)
    assert simulator.stop_count("cellcast", ids) == 2
