from __future__ import annotations

import json
import time

import httpx
import jwt
import pytest
import responses
import respx
from airflow.providers.common.compat.sdk import TaskDeferred

from airflow_provider_campaigns.exceptions import CampaignNotFoundError, InvalidInputError
from airflow_provider_campaigns.sensors.kore import KoreCampaignStatusSensor
from tests.conftest import first_event
from tests.vendor_accounts import KORE_ACCOUNT, KORE_CLIENT_ID, KORE_HOST, KORE_SECRET, KORE_STREAM, kore_status_body

pytestmark = pytest.mark.usefixtures("kore_conn")

STATUS = f"{KORE_HOST}/campaign/api/v2/public/{KORE_STREAM}/campaign/cd-9/status"


def answer(status: str) -> dict:
    return kore_status_body(status, "cd-9")


@pytest.mark.parametrize(
    ("status", "done"),
    [("Ready", False), ("Scheduled", False), ("Active", False), ("Paused", False), ("Stopped", True), ("COMPLETED", True)],
)
def test_poke(mocked, status, done):
    mocked.post(STATUS, json=answer(status))
    result = KoreCampaignStatusSensor(task_id="s", campaign_id="cd-9").poke({})
    assert result.is_done is done
    if done:
        (entry,) = result.xcom_value["campaigns"]
        assert entry["vendor_status"] == status and entry["campaign_id"] == "cd-9" and entry["ref"]["stream_id"] == KORE_STREAM
    call = mocked.calls[0].request
    assert call.method == "POST" and call.url == f"{STATUS}?accountId={KORE_ACCOUNT}&view=status" and json.loads(call.body) == {}
    assert call.headers["accountid"] == KORE_ACCOUNT and call.headers["iid"] == KORE_STREAM
    assert jwt.decode(call.headers["auth"], KORE_SECRET, algorithms=["HS256"])["appId"] == KORE_CLIENT_ID


def test_a_drifted_status_answer_fails_the_poke_at_once(mocked, kore_conn, clock):
    """Under the default retry policy and the fake clock: one read, no sleep, a ContractError (no task retries)."""
    from airflow_provider_campaigns.exceptions import ContractError

    kore_conn(extra={"account_id": KORE_ACCOUNT, "stream_id": KORE_STREAM})
    mocked.post(STATUS, json={"status": "success", "result": {"id": "cd-9", "status": "Active"}})
    sensor = KoreCampaignStatusSensor(task_id="s", campaign_id="cd-9")
    sensor.hook.clock = clock
    with pytest.raises(ContractError, match=r"no 'data' object.*get-campaign-status-v2\.md"):
        sensor.poke({})
    assert len(mocked.calls) == 1 and clock.sleeps == []


def test_execute_in_poke_mode_returns_the_result(mocked, ti):
    mocked.post(STATUS, json=answer("Active"))
    mocked.post(STATUS, json=answer("Completed"))
    sensor = KoreCampaignStatusSensor(task_id="s", campaign_id="cd-9", poke_interval=0.01, timeout=5)
    result = sensor.execute({"ti": ti})
    assert result["campaigns"][0]["state"] == "completed" and len(mocked.calls) == 2


def test_sensor_stream_id_wins_over_the_extra(mocked):
    mocked.post(f"{KORE_HOST}/campaign/api/v2/public/st-other/campaign/cd-9/status", json=answer("Stopped"))
    assert KoreCampaignStatusSensor(task_id="s", campaign_id="cd-9", stream_id="st-other").poke({}).is_done
    assert mocked.calls[0].request.headers["iid"] == "st-other"


def test_status_failure_for_unknown_campaign_fails_the_task(mocked, leak_check):
    mocked.post(STATUS, json={"status": "failure", "errors": [{"msg": "Campaign not found", "code": 404}]})
    with pytest.raises(CampaignNotFoundError, match="cd-9") as error:
        KoreCampaignStatusSensor(task_id="s", campaign_id="cd-9").poke({})
    leak_check([KORE_SECRET, mocked.calls[0].request.headers["auth"]], error.value)


def test_transient_read_error_is_one_more_poke(mocked):
    mocked.post(STATUS, status=503)
    assert KoreCampaignStatusSensor(task_id="s", campaign_id="cd-9").poke({}).is_done is False


@pytest.mark.parametrize(
    ("kwargs", "parameter"), [({"campaign_id": "cp/9"}, "campaign_id"), ({"campaign_id": "cd-9", "stream_id": "{{ x }}"}, "stream_id")]
)
def test_bad_ids_fail_before_any_request(kwargs, parameter):
    with responses.RequestsMock() as rsps, pytest.raises(InvalidInputError, match=parameter):
        KoreCampaignStatusSensor(task_id="s", **kwargs).poke({})
    assert len(rsps.calls) == 0


def test_ids_are_checked_before_the_connection_is_read():
    with pytest.raises(InvalidInputError, match="campaign_id"):
        KoreCampaignStatusSensor(task_id="s", campaign_id="cp/9", kore_conn_id="kore_missing").poke({})


def test_missing_stream_everywhere_fails_before_any_request(kore_conn, kore_extra):
    kore_conn(extra={**kore_extra, "stream_id": ""})
    with responses.RequestsMock() as rsps, pytest.raises(InvalidInputError, match="stream_id"):
        KoreCampaignStatusSensor(task_id="s", campaign_id="cd-9").poke({})
    assert len(rsps.calls) == 0


def test_deferrable_checks_once_then_defers_with_safe_kwargs(mocked, ti):
    mocked.post(STATUS, json=answer("Active"))
    sensor = KoreCampaignStatusSensor(task_id="s", campaign_id="cd-9", deferrable=True, poke_interval=7, timeout=120)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({"ti": ti})
    _, kwargs = deferred.value.trigger.serialize()
    (group,) = kwargs["groups"]
    assert group["vendor"] == "kore" and group["conn_id"] == "kore_default" and kwargs["poll_interval"] == 7
    assert group["refs"] == [{"id": "cd-9", "stream_id": KORE_STREAM, "campaign_type": "sms"}]  # the extra's stream, made explicit
    assert group["options"] == {"status_map": None, "stream_id": None}
    text = json.dumps(kwargs)
    assert KORE_SECRET not in text and mocked.calls[0].request.headers["auth"] not in text


def test_deferrable_finishes_at_once_when_already_final(mocked, ti):
    mocked.post(STATUS, json=answer("Stopped"))
    result = KoreCampaignStatusSensor(task_id="s", campaign_id="cd-9", deferrable=True).execute({"ti": ti})
    assert result["campaigns"][0]["state"] == "stopped"


def test_trigger_reads_status_asynchronously_with_a_minted_jwt(mocked, leak_check, ti):
    mocked.post(STATUS, json=answer("Active"))
    sensor = KoreCampaignStatusSensor(
        task_id="s", campaign_id="cd-9", stream_id=KORE_STREAM, deferrable=True, poke_interval=0.01, timeout=30
    )
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({"ti": ti})
    trigger = deferred.value.trigger
    assert trigger.serialize()[1]["groups"][0]["options"]["stream_id"] == KORE_STREAM

    with respx.mock(assert_all_called=True) as router:
        route = router.post(STATUS).mock(
            side_effect=[
                httpx.Response(401, json={"msg": "Invalid SDK credentials", "code": 4002}),
                httpx.Response(200, json=answer("Active")),
                httpx.Response(200, json=answer("Completed")),
            ]
        )
        payload = first_event(trigger)
    assert payload["status"] == "success" and payload["statuses"][0]["vendor_status"] == "Completed"
    sent = [call.request for call in route.calls]
    assert all(r.url.params["accountId"] == KORE_ACCOUNT and r.url.params["view"] == "status" for r in sent)
    assert all(r.headers["accountid"] == KORE_ACCOUNT and r.headers["iid"] == KORE_STREAM and r.content == b"{}" for r in sent)
    jwts = [r.headers["auth"] for r in sent]
    assert jwts[0] != jwts[1] == jwts[2]  # re-minted once after the 401, then reused
    assert all(jwt.decode(t, KORE_SECRET, algorithms=["HS256"])["exp"] > time.time() for t in jwts)
    leak_check([KORE_SECRET, *jwts], json.dumps(payload))
