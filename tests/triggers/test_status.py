from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import respx

from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger

HOST = "https://bsg.test"
API_KEY = "live_bsgTRIGGERsecret99"
TOKEN = "jwt-trigger-token-123"


@pytest.fixture(autouse=True)
def bsg_conn(connection, fast_retry):
    connection("bsg_default", "bsg", host=HOST, password=API_KEY, extra=fast_retry)


def trigger(deadline_in: float = 5.0, refs=None, targets=("stopped", "completed")) -> CampaignStatusTrigger:
    return CampaignStatusTrigger(
        vendor_key="bsg",
        conn_id="bsg_default",
        refs=refs or [{"campaign_id": "5", "channel": "sms"}],
        target_states=list(targets),
        poll_interval=0.01,
        deadline=time.time() + deadline_in,
    )


def first_event(t: CampaignStatusTrigger) -> dict:
    async def go() -> dict:
        agen = t.run()
        event = await agen.__anext__()
        await agen.aclose()
        return event.payload

    return asyncio.run(asyncio.wait_for(go(), 10))


def answer(status: str) -> httpx.Response:
    return httpx.Response(200, json={"data": {"id": 5, "name": "p", "status": status}})


@pytest.fixture
def bsg_api():
    with respx.mock(base_url=HOST, assert_all_called=False) as mock:
        mock.post("/api/auth/login").mock(return_value=httpx.Response(200, json={"bearer": TOKEN}))
        yield mock


def test_serialize_round_trip_continues_the_same_wait():
    original = trigger()
    classpath, kwargs = original.serialize()
    assert classpath == "airflow_provider_campaigns.triggers.status.CampaignStatusTrigger"
    again = CampaignStatusTrigger(**kwargs)
    assert again.serialize() == (classpath, kwargs)
    assert kwargs["deadline"] == original.deadline
    assert API_KEY not in repr(kwargs) and TOKEN not in repr(kwargs)


@pytest.mark.parametrize(("status", "event"), [("stopped", "success"), ("done", "success"), ("spam", "failure")])
def test_terminal_states(bsg_api, status, event):
    bsg_api.get("/api/campaigns/5").mock(side_effect=[answer("sending"), answer(status)])
    payload = first_event(trigger())
    assert payload["status"] == event
    assert payload["vendor"] == "BSG" and payload["campaign_id"] == "5" and payload["vendor_status"] == status


def test_transient_errors_are_retried_until_success(bsg_api):
    bsg_api.get("/api/campaigns/5").mock(
        side_effect=[httpx.Response(503), httpx.ConnectError("boom"), httpx.Response(429, headers={"Retry-After": "0"}), answer("stopped")]
    )
    assert first_event(trigger())["status"] == "success"


def test_transient_errors_past_the_call_retries_keep_polling(bsg_api):
    bsg_api.get("/api/campaigns/5").mock(side_effect=[httpx.Response(502)] * 4 + [answer("done")])
    assert first_event(trigger())["status"] == "success"


def test_permanent_error_ends_at_once(bsg_api):
    route = bsg_api.get("/api/campaigns/5").mock(return_value=httpx.Response(404, json={"message": "Not found"}))
    payload = first_event(trigger())
    assert payload["status"] == "error" and "HTTP 404" in payload["message"]
    assert route.call_count == 1


def test_relogin_on_401_inside_the_trigger(bsg_api):
    bsg_api.get("/api/campaigns/5").mock(side_effect=[httpx.Response(401, json={"message": "Unauthenticated."}), answer("stopped")])
    assert first_event(trigger())["status"] == "success"
    assert bsg_api.routes[0].call_count == 2


def test_deadline_gives_a_timeout_event(bsg_api):
    bsg_api.get("/api/campaigns/5").mock(return_value=answer("sending"))
    started = time.monotonic()
    payload = first_event(trigger(deadline_in=0.2))
    assert payload["status"] == "timeout" and "sending" in payload["message"]
    assert time.monotonic() - started < 3


def test_several_campaigns_wait_for_all(bsg_api):
    bsg_api.get("/api/campaigns/5").mock(return_value=answer("stopped"))
    bsg_api.get("/api/campaigns/6").mock(side_effect=[answer("sending"), answer("done")])
    payload = first_event(trigger(refs=[{"campaign_id": "5"}, {"campaign_id": "6"}]))
    assert payload["status"] == "success"
    assert payload["result"]["totals"] == {"stopped": 1, "completed": 1}


def test_bad_connection_is_an_error_event(connection):
    connection("bsg_default", "bsg", host="http://plain.example", password=API_KEY)
    payload = first_event(trigger())
    assert payload["status"] == "error" and "allow_insecure" in payload["message"]


def test_connection_lookup_never_blocks_the_event_loop(monkeypatch, bsg_api):
    """Any sync connection read (Airflow 2 wraps it in sync_to_async) must happen off the loop's thread."""
    import threading

    from airflow.providers.common.compat.sdk import BaseHook

    original = BaseHook.get_connection.__func__
    loop_thread = threading.get_ident()
    threads: list[int] = []

    def recording(cls, conn_id):
        threads.append(threading.get_ident())
        return original(cls, conn_id)

    monkeypatch.setattr(BaseHook, "get_connection", classmethod(recording))
    bsg_api.get("/api/campaigns/5").mock(return_value=answer("stopped"))
    assert first_event(trigger())["status"] == "success"
    assert loop_thread not in threads


def test_a_connection_deleted_while_deferred_is_an_error_event_not_a_crash():
    t = CampaignStatusTrigger(
        vendor_key="bsg",
        conn_id="no_such_connection",
        refs=[{"campaign_id": "5"}],
        target_states=["stopped"],
        poll_interval=0.01,
        deadline=time.time() + 5,
    )
    payload = first_event(t)
    assert payload["status"] == "error" and "no_such_connection" in payload["message"]
