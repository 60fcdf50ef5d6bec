"""The loudest first (simulator on 127.0.0.1 and the vendors' documented answers): a batch stops what is sending now,
then what starts soonest, then the rest; reports every campaign in the order given; named campaigns that take long
at the pace are ordered from ONE list read, never a status read each."""

from __future__ import annotations

import json
import time

import pytest
import responses

from airflow_provider_campaigns.engine import stop_batch as stopping
from airflow_provider_campaigns.engine.journal import Journal
from airflow_provider_campaigns.engine.stop_batch import stop_campaigns
from airflow_provider_campaigns.hooks.bsg import BsgHook
from airflow_provider_campaigns.hooks.kore import KoreHook
from airflow_provider_campaigns.simulator import Simulator
from airflow_provider_campaigns.vendors import bsg, kore
from tests.conftest import FakeClock, MemoryStore, pace_connections


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at the real wall time (Kore.ai's JWT carries it, and the simulator checks it)."""
    return FakeClock(time.time())


@pytest.fixture
def one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """One thread per request slot, so the order of requests on the wire is the order of the queue exactly."""
    monkeypatch.setattr(stopping, "THREADS_PER_SLOT", 1)


def deadline() -> float:
    return time.monotonic() + 60


def stop_order(sim: Simulator, vendor: str) -> list[str]:
    if vendor == "bsg":
        return [r["path"].split("/")[-2] for r in sim.requests("bsg") if r["method"] == "PATCH"]
    return [r["path"].split("/")[-1] for r in sim.requests(vendor) if "trigger" in r["path"]]


def test_a_listed_selection_stops_sending_then_soonest_start_then_the_rest(sim, monkeypatch, one_at_a_time):
    pace_connections(sim, monkeypatch)
    paused = sim.add_campaign("bsg", status="paused")
    late = sim.add_campaign("bsg", status="scheduled", starts_in=600)
    small = sim.add_campaign("bsg", status="sending", recipients=10)
    soon = sim.add_campaign("bsg", status="scheduled", starts_in=60)
    big = sim.add_campaign("bsg", status="sending", recipients=1000)
    creation = sim.add_campaign("bsg", status="creation")
    hook = BsgHook(pool_size=1)
    refs = hook.select(hook.selection("Op", all_active=True), deadline())
    report = stop_campaigns(hook, refs, deadline())
    assert stop_order(sim, "bsg") == [str(i) for i in (big, small, soon, late, paused, creation)]
    assert [e["campaign_id"] for e in report.entries] == [str(i) for i in (paused, late, small, soon, big, creation)], "listed order"
    assert {e["outcome"] for e in report.entries} == {"stopped"}
    assert not [r for r in sim.requests("bsg") if r["method"] == "GET" and r["path"].rstrip("/").split("/")[-1].isdigit()]


def test_a_resumed_batch_orders_what_is_left_and_reports_everything_in_the_given_order(sim, monkeypatch, one_at_a_time):
    pace_connections(sim, monkeypatch)
    first = sim.add_campaign("bsg", status="sending", recipients=10)
    quiet = sim.add_campaign("bsg", status="paused")
    loud = sim.add_campaign("bsg", status="sending", recipients=1000)
    store = MemoryStore()
    hook = BsgHook(pool_size=1)
    refs = hook.select(hook.selection("Op", all_active=True), deadline())
    stop_campaigns(hook, refs[:1], deadline(), journal=Journal("k", store, flush_every=0))  # the first try stopped one, then died
    planned = store.load("k")
    planned["bsg:bsg_default"]["planned"] = [ref.label for ref in refs]  # it had planned all three
    store.save("k", planned)
    hook = BsgHook(pool_size=1)
    refs = hook.select(hook.selection("Op", all_active=True), deadline())  # the retry lists again: the stopped one is final
    report = stop_campaigns(hook, [bsg.campaign(first), *refs], deadline(), journal=Journal("k", store, flush_every=0))
    assert [e["campaign_id"] for e in report.entries] == [str(first), str(quiet), str(loud)]
    assert [e["outcome"] for e in report.entries] == ["stopped"] * 3, "the first try's stop is reported as this run's"
    assert stop_order(sim, "bsg") == [str(first), str(loud), str(quiet)], "the resumed one is not sent again; loud before quiet"


def kore_campaigns(sim: Simulator) -> dict[str, str]:
    return {
        "paused": sim.add_campaign("kore", status="Paused"),
        "scheduled": sim.add_campaign("kore", status="Scheduled", starts_in=600),
        "active": sim.add_campaign("kore", status="Active"),
        "ready": sim.add_campaign("kore", status="Ready"),
    }


def test_named_campaigns_slow_at_the_pace_are_ordered_from_one_list_read(sim, monkeypatch, one_at_a_time, clock):
    """At 1 request a second, 8 stops take 8 s (more than ORDER_AFTER): one list page orders them; no status reads.
    The pace waits on the fake clock, so the test does not wait for real."""
    pace_connections(sim, monkeypatch, rate=1)
    made = [kore_campaigns(sim) for _ in range(2)]
    named = [created[kind] for created in made for kind in ("paused", "scheduled", "active", "ready")]
    hook = KoreHook(pool_size=1, clock=clock)
    report = stop_campaigns(hook, [kore.KoreCampaign(cid, sim.credentials.kore_stream_id) for cid in named], clock.monotonic() + 600)
    paths = [r["path"] for r in sim.requests("kore")]
    assert sum("getAllCampaignDetails" in path for path in paths) == 1 and paths[0].endswith("getAllCampaignDetails")
    assert not [path for path in paths if path.endswith("/status")]
    expected = [created[kind] for kind in ("active", "scheduled") for created in made] + [
        created[kind] for created in made for kind in ("paused", "ready")
    ]
    assert stop_order(sim, "kore") == expected
    assert [e["campaign_id"] for e in report.entries] == named and {e["outcome"] for e in report.entries} == {"stopped"}


def test_named_campaigns_quick_at_the_pace_keep_the_given_order_without_a_list(sim, monkeypatch, one_at_a_time, clock):
    pace_connections(sim, monkeypatch, rate=0)
    named = list(kore_campaigns(sim).values())
    hook = KoreHook(pool_size=1, clock=clock)
    stop_campaigns(hook, [kore.KoreCampaign(cid, sim.credentials.kore_stream_id) for cid in named], clock.monotonic() + 600)
    assert not [r for r in sim.requests("kore") if "getAllCampaignDetails" in r["path"]]
    assert stop_order(sim, "kore") == named


def test_an_order_list_that_fails_leaves_the_given_order_and_every_stop_goes_out(sim, monkeypatch, one_at_a_time, clock, caplog):
    pace_connections(sim, monkeypatch, rate=1)
    named = [created[kind] for created in [kore_campaigns(sim) for _ in range(2)] for kind in ("paused", "active", "ready", "scheduled")]
    sim.inject("kore", "status", status=400, path=r".*getAllCampaignDetails", times=None)
    hook = KoreHook(pool_size=1, clock=clock)
    report = stop_campaigns(hook, [kore.KoreCampaign(cid, sim.credentials.kore_stream_id) for cid in named], clock.monotonic() + 600)
    assert stop_order(sim, "kore") == named and {e["outcome"] for e in report.entries} == {"stopped"}
    assert "stopping them in the order given" in caplog.text


# -- the vendors' documented answers (responses) -------------------------------------------------------------
HOST = "https://kore.test"
STREAM = "st-0603182c-7ffb-53c3-b307-47ca14b12345"
BASE = f"{HOST}/campaign/api/v2/public/{STREAM}/campaign"


def test_kore_orders_named_campaigns_by_the_documented_list_rows(connection, fast_retry, documented, clock):
    """Kore's documented SMS list, verbatim but for each row's ``status`` and ``totalMessagesSent`` (its example has
    every campaign ``Ready`` with 0 sent): Active rows by messages sent, then Scheduled, then the rest."""
    body = json.loads(documented("kore/list-sms-200-v2.json"))
    rows = body["data"]["results"]
    for row, (status, sent) in zip(
        rows, [("Ready", 0), ("Active", 5), ("Scheduled", 0), ("Active", 90), ("Stopped", 0), ("Paused", 0), ("Active", 40)], strict=True
    ):
        row.update(status=status, totalMessagesSent=sent)
    ids = [row["id"] for row in rows]
    connection(
        "kore_default",
        "kore",
        host=HOST,
        login="cs-1",
        password="kore-ORDER-secret-5c3a1e9d7b2f4a6c8e0d1b3f5a7c9e2d",
        extra={"account_id": "acc1", "stream_id": STREAM, **fast_retry, "requests_per_second": 1},
    )
    hook = KoreHook(clock=clock)
    with responses.RequestsMock() as mocked:
        mocked.post(f"{BASE}/getAllCampaignDetails", json=body)
        ordered = hook.loudest_first([kore.KoreCampaign(cid, STREAM) for cid in ids], clock.monotonic() + 60)
        (call,) = mocked.calls
    asked = json.loads(call.request.body)
    assert asked["type"] == "sms" and "Stopped" not in asked["filters"]["status"] and "Active" in asked["filters"]["status"]
    assert [ref.id for ref in ordered] == [ids[3], ids[6], ids[1], ids[2], ids[0], ids[4], ids[5]]


def test_bsg_orders_named_campaigns_from_the_list_windows(connection, fast_retry, documented, clock):
    """BSG's documented list row (the spec's example), one row made ``sending`` with more ``statistics.sent``."""
    row = json.loads(documented("bsg/list-200.json"))["data"][0]
    rows = [
        {**row, "id": 1, "status": "paused"},
        {**row, "id": 2, "status": "sending", "statistics": {"delivered": 0, "sent": 10}},
        {**row, "id": 3, "status": "sending", "statistics": {"delivered": 0, "sent": 600}},
    ]
    connection("bsg_default", "bsg", host="https://bsg.test", password="live_key", extra={**fast_retry, "requests_per_second": 0.5})
    hook = BsgHook(clock=clock)
    with responses.RequestsMock() as mocked:
        mocked.post("https://bsg.test/api/auth/login", json={"bearer": "jwt"})
        mocked.get("https://bsg.test/api/campaigns", json={"data": rows, "meta": {"page": {"total": 3, "offset": 0, "limit": 500}}})
        ordered = hook.loudest_first([bsg.campaign(i) for i in (1, 2, 3, 4)], clock.monotonic() + 60)
        lists = [call for call in mocked.calls if call.request.method == "GET"]
    assert [ref.id for ref in ordered] == [3, 2, 1, 4]
    assert 1 <= len(lists) <= 5, "one list read: one page per 3-month window"


def test_order_as_given_stops_named_campaigns_in_the_order_given_without_a_list_read(sim, monkeypatch, one_at_a_time, clock):
    """The same slow named campaigns as above (8 s at 1/s), ``order="as_given"``: no list read, the given order exactly."""
    from airflow_provider_campaigns.engine.loudest_first import AS_GIVEN

    pace_connections(sim, monkeypatch, rate=1)
    named = [created[kind] for created in [kore_campaigns(sim) for _ in range(2)] for kind in ("paused", "scheduled", "active", "ready")]
    hook = KoreHook(pool_size=1, clock=clock)
    refs = [kore.KoreCampaign(cid, sim.credentials.kore_stream_id) for cid in named]
    report = stop_campaigns(hook, refs, clock.monotonic() + 600, order=AS_GIVEN)
    assert not [r for r in sim.requests("kore") if "getAllCampaignDetails" in r["path"]]
    assert stop_order(sim, "kore") == named
    assert [e["campaign_id"] for e in report.entries] == named and {e["outcome"] for e in report.entries} == {"stopped"}


def test_order_as_given_keeps_a_listed_selection_in_the_vendors_list_order(sim, monkeypatch, one_at_a_time):
    pace_connections(sim, monkeypatch)
    made = [sim.add_campaign("bsg", status=status, recipients=10) for status in ("paused", "sending", "scheduled")]
    hook = BsgHook(pool_size=1)
    refs = hook.select(hook.selection("Op", all_active=True), deadline())
    stop_campaigns(hook, refs, deadline(), order="as_given")
    assert stop_order(sim, "bsg") == [ref.label for ref in refs] and sorted(stop_order(sim, "bsg")) == sorted(map(str, made))
