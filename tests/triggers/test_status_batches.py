"""One trigger over a large batch: reads bounded in flight, the event loop free between reads, the deadline ending a slow round."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx
import pytest
import respx

from airflow_provider_campaigns.engine.wait_payload import DEADLINE_GRACE, group
from airflow_provider_campaigns.triggers.status import READS_IN_FLIGHT, CampaignStatusTrigger
from airflow_provider_campaigns.vendors import bsg
from tests.conftest import first_event, next_event

HOST = "https://bsg.test"
STATUS = r"/api/campaigns/(?P<campaign_id>\d+)$"
BATCH = 600


@pytest.fixture(autouse=True)
def bsg_conn(connection, fast_retry):
    connection("bsg_default", "bsg", host=HOST, password="live_bsgBATCHsecret42", extra=fast_retry)


@pytest.fixture
def bsg_api():
    with respx.mock(base_url=HOST, assert_all_called=False) as mock:
        mock.post("/api/auth/login").mock(return_value=httpx.Response(200, json={"bearer": "jwt-batch-token-123"}))
        yield mock


def answer(campaign_id: str, status: str) -> httpx.Response:
    return httpx.Response(200, json={"data": {"id": int(campaign_id), "name": "p", "status": status}})


def batch_trigger(count: int = BATCH, deadline: float | None = None, poll_interval: float = 0.01) -> CampaignStatusTrigger:
    refs = [bsg.campaign(i) for i in range(1, count + 1)]
    return CampaignStatusTrigger([group("bsg", "bsg_default", refs)], ["stopped"], poll_interval, deadline or time.time() + 20)


def test_a_large_batch_lets_other_coroutines_run_between_reads(bsg_api):
    """A coroutine beside the trigger (any other trigger of the triggerer) runs between every few reads; before, a
    round started every read at once and quick answers let hundreds through in one turn of the loop (the first
    round is staggered by the login; the second, with the token known, is the one that was not)."""
    ticks = 0
    seen: list[int] = []  # the ticks each read saw

    def stopped_on_second_read(_request: httpx.Request, campaign_id: str) -> httpx.Response:
        seen.append(ticks)
        return answer(campaign_id, "stopped" if len(seen) > BATCH else "sending")

    bsg_api.get(url__regex=STATUS).mock(side_effect=stopped_on_second_read)

    async def beside_the_trigger() -> dict:
        async def beat() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        heartbeat = asyncio.ensure_future(beat())
        try:
            return await next_event(batch_trigger())
        finally:
            heartbeat.cancel()

    payload = asyncio.run(asyncio.wait_for(beside_the_trigger(), 60))
    assert payload["status"] == "success" and len(payload["statuses"]) == BATCH and len(seen) == 2 * BATCH
    assert max(Counter(seen).values()) <= READS_IN_FLIGHT, "reads between two turns of another coroutine (the second round's above all)"


def test_reads_in_flight_are_bounded(bsg_api):
    in_flight = peak = 0

    async def slow(_request: httpx.Request, campaign_id: str) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return answer(campaign_id, "stopped")

    bsg_api.get(url__regex=STATUS).mock(side_effect=slow)
    assert first_event(batch_trigger(200), 60)["status"] == "success"
    assert READS_IN_FLIGHT // 2 <= peak <= READS_IN_FLIGHT, "concurrent, within the bound (before: all 200 at once)"


def test_the_deadline_ends_a_slow_round(bsg_api, clock):
    """Each read takes a (fake) second: a 30 s deadline ends the first round after ~35 reads (the grace a round
    has past the deadline included), not 600, as a timeout naming how far the round got."""

    def slow(_request: httpx.Request, campaign_id: str) -> httpx.Response:
        clock.advance(1.0)
        return answer(campaign_id, "sending")

    route = bsg_api.get(url__regex=STATUS).mock(side_effect=slow)
    trigger = batch_trigger(deadline=clock.time() + 30, poll_interval=10)
    trigger.clock = clock
    started = time.monotonic()
    payload = first_event(trigger, 60)
    assert payload["status"] == "timeout" and payload["statuses"] == []
    reads_by_the_grace = 31 + int(DEADLINE_GRACE)
    assert reads_by_the_grace <= route.call_count <= reads_by_the_grace + READS_IN_FLIGHT, "the reads in flight finish; no new one starts"
    assert "grace) passed during a poll round" in payload["message"] and f"of {BATCH} statuses read" in payload["message"]
    assert time.monotonic() - started < 30, "no real waiting"


def test_a_round_cut_by_the_deadline_reports_the_last_complete_round(bsg_api, clock):
    """The second round is cut by the deadline: the event keeps every status of the first, and its verdict."""
    rounds = Counter[str]()

    def sending(_request: httpx.Request, campaign_id: str) -> httpx.Response:
        rounds[campaign_id] += 1
        if rounds[campaign_id] > 1:
            clock.advance(1.0)  # the second round is slow
        return answer(campaign_id, "sending")

    bsg_api.get(url__regex=STATUS).mock(side_effect=sending)
    trigger = batch_trigger(count=100, deadline=clock.time() + 30, poll_interval=10)
    trigger.clock = clock
    payload = first_event(trigger, 60)
    assert payload["status"] == "timeout" and len(payload["statuses"]) == 100
    assert {s["vendor_status"] for s in payload["statuses"]} == {"sending"}
    assert "last seen: 0 of 100 final, waiting on BSG 1 (sending)" in payload["message"]
    assert "the read after it: BSG (bsg_default): the deadline (and 5 s of grace) passed during a poll round" in payload["message"]


def test_a_permanent_error_stops_the_round_at_once(bsg_api):
    """One campaign the vendor does not know ends the wait without reading the rest of the batch."""

    reads = 0

    def unknown_in_the_second_round(_request: httpx.Request, campaign_id: str) -> httpx.Response:
        nonlocal reads
        reads += 1
        if campaign_id == "5" and reads > BATCH:
            return httpx.Response(404, json={"message": "Not found"})
        return answer(campaign_id, "sending")

    route = bsg_api.get(url__regex=STATUS).mock(side_effect=unknown_in_the_second_round)
    payload = first_event(batch_trigger(), 60)
    assert payload["status"] == "error" and "HTTP 404" in payload["message"]
    assert route.call_count == reads <= BATCH + 5 + READS_IN_FLIGHT, "the rest of the second round is not read"


def test_a_batch_at_the_connections_pace_is_read_in_one_round(bsg_api, connection, fast_retry):
    """150 reads at 100/s take 1.5 s, longer than one read's 0.5 s budget: only the reads in flight reserve a slot
    of the pace (before, all 150 did at once, and those past their budget failed the round, round after round)."""
    connection(
        "bsg_default",
        "bsg",
        host=HOST,
        password="live_bsgBATCHsecret42",
        extra={**fast_retry, "requests_per_second": 100, "retry_total_timeout": 0.5},
    )
    sent: list[float] = []

    def stopped(_request: httpx.Request, campaign_id: str) -> httpx.Response:
        sent.append(time.monotonic())
        return answer(campaign_id, "stopped")

    route = bsg_api.get(url__regex=STATUS).mock(side_effect=stopped)
    payload = first_event(batch_trigger(150), 60)
    assert payload["status"] == "success" and route.call_count == 150, "one round, no read failed or repeated"
    assert sent[-1] - sent[0] >= 149 / 100 * 0.9, "at the connection's pace, never faster"


def test_a_read_that_wakes_late_past_the_deadline_still_counts(bsg_api, clock):
    """A busy triggerer wakes the trigger 2 s after its deadline: the round at the deadline still reads (within
    the grace), and a campaign that stopped meanwhile is a success, not a timeout."""

    async def late(seconds: float) -> None:
        clock.sleeps.append(seconds)
        clock.advance(seconds + 2.0)

    clock.asleep = late  # type: ignore[method-assign]
    route = bsg_api.get(url__regex=STATUS).mock(side_effect=[answer("1", "sending"), answer("1", "stopped")])
    trigger = batch_trigger(count=1, deadline=clock.time() + 10, poll_interval=10)
    trigger.clock = clock
    payload = first_event(trigger, 60)
    assert payload["status"] == "success" and route.call_count == 2 and clock.sleeps == [10.0]


def test_a_trigger_resumed_long_after_its_deadline_still_reads_once(bsg_api, clock):
    """A triggerer restarted 30 s after the wait's deadline re-creates the trigger: its one round still reads
    (the grace counts from the round's start), so a campaign that stopped meanwhile is a success, not a timeout."""
    route = bsg_api.get(url__regex=STATUS).mock(side_effect=[answer("1", "stopped")])
    trigger = batch_trigger(count=1, deadline=clock.time() - 30, poll_interval=10)
    trigger.clock = clock
    payload = first_event(trigger, 60)
    assert payload["status"] == "success" and route.call_count == 1
