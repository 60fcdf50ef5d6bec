"""What each vendor's list rows say about a campaign's sending, read from the vendors' own documented answers
(``documented/``, verbatim) and only from documented fields."""

from __future__ import annotations

import json
from typing import Any

from airflow_provider_campaigns.activity import Activity, epoch
from airflow_provider_campaigns.core.wire import ApiRequest, Reply
from airflow_provider_campaigns.vendors import bsg, cellcast, comm, kore
from tests.conftest import vendor_reply


def reply(vendor: str, content: bytes) -> Reply:
    request: ApiRequest[Any] = ApiRequest("GET", "/list", lambda reply: None, action="campaign list")
    return vendor_reply(vendor, request, 200, content)


def test_bsg_list_rows_statistics_and_start_times(documented):
    """The spec's list example: a ``creation`` campaign (not sending, not scheduled) that sent 6 since ``real_start_at``."""
    page = bsg.BsgApi("k").parse_page(reply("BSG", documented("bsg/list-200.json")), 0)
    (row, *_) = page.items
    assert row.activity == Activity(sent=6, starts_at=epoch("2000-01-23T04:56:07.000+00:00"), sending_since=epoch("2000-01-23T04:56:07Z"))
    sending = bsg.activity_of({"status": "sending", "statistics": {"sent": 40, "delivered": 1}, "real_start_at": "2026-01-01 09:00:00"})
    assert (sending.sending, sending.sent, sending.sending_since) == (True, 40, 1767258000.0)
    scheduled = bsg.activity_of({"status": "scheduled", "start_at": "2026-01-01 10:00:00", "statistics": {"sent": 0}})
    assert (scheduled.sending, scheduled.starting, scheduled.starts_at) == (False, True, 1767261600.0)
    assert bsg.activity_of({"status": "planned"}).starting and bsg.activity_of({"status": "sending", "statistics": None}).sent is None


def test_kore_list_rows_total_messages_sent(documented):
    """Kore's documented SMS list: six ``Ready`` rows and one ``Stopped``, each with ``totalMessagesSent: 0``."""
    page = kore.KoreApi(kore.KoreAuth("c", "s"), "acc").parse_page(reply("Kore.ai", documented("kore/list-sms-200-v2.json")), 0)
    assert [status.activity for status in page.items] == [Activity(sent=0)] * 7
    assert kore.activity_of({"status": "Active", "totalMessagesSent": 12}) == Activity(sending=True, sent=12)
    assert [kore.activity_of({"status": raw}).starting for raw in ("Scheduled", "rescheduled", "Preparing", "Paused")] == [
        True,
        True,
        True,
        False,
    ]


def test_comm_multistep_status_contacts_left_and_sent(documented):
    """The seed's send resource (its own ``status`` is the docs' placeholder): ``multistep_status`` ``in_progress``,
    ``total_available_contacts`` 0, ``total_sent`` 0."""
    data = json.loads(documented("comm/stop-200.json"))["data"]
    assert comm.activity_of(data, comm.campaign_status(data)) == Activity(sending=True, remaining=0, sent=0, sending_since=123.0)
    progress = {"meta": {"multistep_status": {"status": "in_progress", "total_available_contacts": 500, "total_sent": 120}}}
    assert comm.activity_of(progress, "in_progress").remaining == 380
    assert comm.activity_of({"meta": {}}, "scheduled") == Activity(starting=True)


def test_comm_listed_campaigns_carry_their_progress():
    """A campaign list row (the documented campaign resource: status at ``meta.multistep_status.status``)."""
    row = {
        "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "name": "promo",
        "meta": {"multistep_status": {"status": "in_progress", "total_available_contacts": 90, "total_sent": 30}},
    }
    body = json.dumps({"data": [row], "meta": {"current_page": 1, "last_page": 1}}).encode()
    (status,) = comm.CommApi("t").parse_page(reply("comm.com", body), 1).items
    assert status.activity == Activity(sending=True, remaining=60, sent=30)


def test_cellcast_listed_messages_queued_now_or_scheduled_at():
    """Built from VENDORS.md's field list of a message (no verbatim list body is published): ``status``, ``scheduleAt``."""
    items = [
        {"_id": "675161d8a000000000000001", "status": "scheduled", "scheduleAt": "2026-01-01T10:00:00.000Z"},
        {"_id": "675161d8a000000000000002", "status": "queued", "scheduleAt": "2026-01-01T09:00:00.000Z"},
        {"_id": "675161d8a000000000000003", "status": "sent"},
    ]
    body = json.dumps({"status": True, "data": {"items": items, "hasNextPage": False}}).encode()
    activities = [status.activity for status in cellcast.CellcastApi("k").parse_page(reply("Cellcast", body), 1).items]
    assert activities == [
        Activity(starting=True, starts_at=1767261600.0),
        Activity(sending=True, starts_at=1767258000.0),
        Activity(),
    ]
