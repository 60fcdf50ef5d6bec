from __future__ import annotations

import json
import logging
import re
import time

import httpx
import pytest
import respx

from airflow_provider_campaigns.engine.wait_payload import group
from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger
from airflow_provider_campaigns.vendors import bsg
from tests.conftest import first_event

HOST = "https://bsg.test"
API_KEY = "live_bsgTRIGGERsecret99"
TOKEN = "jwt-trigger-token-123"


@pytest.fixture(autouse=True)
def bsg_conn(connection, fast_retry):
    connection("bsg_default", "bsg", host=HOST, password=API_KEY, extra=fast_retry)


def trigger(deadline_in: float = 5.0, ids=(5,), targets=("stopped", "completed"), conn_id="bsg_default") -> CampaignStatusTrigger:
    refs = [bsg.campaign(i) for i in ids]
    return CampaignStatusTrigger([group("bsg", conn_id, refs)], list(targets), 0.01, time.time() + deadline_in)


def answer(status: str, campaign_id: int = 5) -> httpx.Response:
    return httpx.Response(200, json={"data": {"id": campaign_id, "name": "p", "status": status}})


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
    assert kwargs["groups"] == [
        {"vendor": "bsg", "conn_id": "bsg_default", "refs": [{"id": 5, "channel": "sms"}], "options": {}, "request_timeout": None}
    ]
    assert API_KEY not in repr(kwargs) and TOKEN not in repr(kwargs)


@pytest.mark.parametrize(("status", "event"), [("stopped", "success"), ("done", "success"), ("spam", "failure")])
def test_terminal_states(bsg_api, status, event):
    bsg_api.get("/api/campaigns/5").mock(side_effect=[answer("sending"), answer(status)])
    payload = first_event(trigger())
    assert payload["status"] == event
    (seen,) = payload["statuses"]
    assert (
        seen["vendor"] == "bsg"
        and seen["campaign_id"] == "5"
        and seen["vendor_status"] == status
        and seen["ref"] == {"id": 5, "channel": "sms"}
    )


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


def test_a_drifted_status_answer_ends_the_deferred_wait_at_once(bsg_api, connection, clock):
    """Drift in the triggerer: one read, no back-off, an error event naming the field and the page, under the DEFAULT
    retry policy (before, the read was retried for its whole budget, round after round, until the deadline)."""
    connection("bsg_default", "bsg", host=HOST, password=API_KEY)
    route = bsg_api.get("/api/campaigns/5").mock(return_value=httpx.Response(200, json={"campaign": {"id": 5, "status": "sending"}}))
    t = CampaignStatusTrigger([group("bsg", "bsg_default", [bsg.campaign(5)])], ["stopped"], 60.0, clock.time() + 3600)
    t.clock = clock
    started = time.monotonic()
    payload = first_event(t)
    assert payload["status"] == "error" and route.call_count == 1 and clock.sleeps == []
    assert "contradicts its documentation: no 'data' object" in payload["message"] and "GET /api/campaigns/{id}" in payload["message"]
    assert time.monotonic() - started < 10


def test_execute_complete_of_a_drift_error_event_fails_without_task_retries():
    from airflow.providers.common.compat.sdk import AirflowFailException

    from airflow_provider_campaigns.engine.task_wait import outcome_result

    with pytest.raises(AirflowFailException, match="contradicts its documentation"):
        outcome_result(
            {"status": "error", "message": "BSG answered ... that contradicts its documentation: no 'data'"}, {}, {}, sensor=True
        )


def test_relogin_on_401_inside_the_trigger(bsg_api):
    bsg_api.get("/api/campaigns/5").mock(side_effect=[httpx.Response(401, json={"message": "Unauthenticated."}), answer("stopped")])
    assert first_event(trigger())["status"] == "success"
    assert bsg_api.routes[0].call_count == 2


def test_deadline_gives_a_timeout_event_on_the_injected_clock(bsg_api, clock):
    route = bsg_api.get("/api/campaigns/5").mock(return_value=answer("sending"))
    t = CampaignStatusTrigger([group("bsg", "bsg_default", [bsg.campaign(5)])], ["stopped"], 60.0, clock.time() + 600)
    t.clock = clock
    started = time.monotonic()
    payload = first_event(t)
    assert payload["status"] == "timeout" and "sending" in payload["message"] and "deadline" in payload["message"]
    assert route.call_count == 11 and clock.sleeps == [60.0] * 10, "a read every poll interval until the deadline"
    assert time.monotonic() - started < 3, "no real waiting"


def test_progress_is_logged_at_a_steady_rhythm(bsg_api, clock, caplog, capfd):
    bsg_api.get("/api/campaigns/5").mock(return_value=answer("sending"))
    t = CampaignStatusTrigger([group("bsg", "bsg_default", [bsg.campaign(5)])], ["stopped"], 10.0, clock.time() + 300)
    t.clock = clock
    with caplog.at_level(logging.INFO):
        first_event(t)
    lines = [*(r.getMessage() for r in caplog.records), *capfd.readouterr().out.splitlines()]  # Airflow 3 logs through structlog
    # a line may reach both caplog and stdout (Airflow 2.11 logs to both): each message counts once
    progress = [line for line in lines if "0 of 1 final, waiting on BSG 5 (sending)" in line]
    seconds_left = sorted({int(m) for line in progress for m in re.findall(r"(\d+) s left before the timeout", line)}, reverse=True)
    assert seconds_left == [300, 240, 180, 120, 60, 0], "every 60 s of polling every 10 s, not every poll"


def test_several_campaigns_wait_for_all(bsg_api):
    bsg_api.get("/api/campaigns/5").mock(return_value=answer("stopped"))
    bsg_api.get("/api/campaigns/6").mock(side_effect=[answer("sending", 6), answer("done", 6)])
    payload = first_event(trigger(ids=(5, 6)))
    assert payload["status"] == "success"
    assert [(s["campaign_id"], s["state"]) for s in payload["statuses"]] == [("5", "stopped"), ("6", "completed")]


def test_several_vendors_in_one_trigger(bsg_api, connection, fast_retry):
    connection(
        "kore_default", "kore", host="https://kore.test", login="cs-1", password="kore-secret", extra={"account_id": "acc", **fast_retry}
    )
    bsg_api.get("/api/campaigns/5").mock(return_value=answer("stopped"))
    with respx.mock(base_url="https://kore.test", assert_all_called=True) as kore:
        kore.post("/campaign/api/v2/public/st-1/campaign/cd-1/status").mock(
            return_value=httpx.Response(200, json={"status": "success", "data": {"id": "cd-1", "status": "Stopped", "name": "k"}})
        )
        from airflow_provider_campaigns.vendors.kore import KoreCampaign

        t = CampaignStatusTrigger(
            [group("bsg", "bsg_default", [bsg.campaign(5)]), group("kore", "kore_default", [KoreCampaign("cd-1", "st-1")])],
            ["stopped"],
            0.01,
            time.time() + 5,
        )
        payload = first_event(t)
    assert payload["status"] == "success"
    assert [(s["vendor"], s["campaign_id"]) for s in payload["statuses"]] == [("bsg", "5"), ("kore", "cd-1")]


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
    payload = first_event(trigger(conn_id="no_such_connection"))
    assert payload["status"] == "error" and "no_such_connection" in payload["message"]


def test_a_contract_error_in_the_triggerer_fails_the_task_as_the_same_contract_error(bsg_api, connection, clock):
    """The class and its details cross the deferral: the task fails with a ContractError naming endpoint, field and page."""
    from airflow_provider_campaigns.engine.task_wait import outcome_result
    from airflow_provider_campaigns.exceptions import ContractError

    connection("bsg_default", "bsg", host=HOST, password=API_KEY)
    bsg_api.get("/api/campaigns/5").mock(return_value=httpx.Response(200, json={"campaign": {"id": 5, "status": "sending"}}))
    t = CampaignStatusTrigger([group("bsg", "bsg_default", [bsg.campaign(5)])], ["stopped"], 60.0, clock.time() + 3600)
    t.clock = clock
    payload = json.loads(json.dumps(first_event(t)))  # as the metadata database carries it
    assert API_KEY not in json.dumps(payload)
    with pytest.raises(ContractError) as raised:
        outcome_result(payload, {}, {}, sensor=False)
    error = raised.value
    assert (error.vendor, error.endpoint, error.missing) == ("BSG", "GET /api/campaigns/5", payload["error"]["missing"])
    assert error.missing and error.doc and str(error) == payload["message"]


def test_an_error_event_without_details_or_with_a_foreign_class_name_stays_a_permanent_error():
    from airflow_provider_campaigns.engine.task_wait import outcome_result
    from airflow_provider_campaigns.exceptions import ContractError, PermanentError

    for carried in (None, {"type": "SystemExit"}, {"type": "Exception"}, "ContractError"):
        with pytest.raises(PermanentError) as raised:
            outcome_result({"status": "error", "message": "boom", "error": carried}, {}, {}, sensor=True)
        assert type(raised.value) is PermanentError and not isinstance(raised.value, ContractError)
