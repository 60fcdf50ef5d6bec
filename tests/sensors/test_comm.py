"""CommCampaignStatusSensor: poke over the campaign endpoint, fallback, deferral without secrets."""

from __future__ import annotations

import logging
import uuid

import pytest
import responses
from airflow.providers.common.compat.sdk import TaskDeferred

from airflow_provider_campaigns.exceptions import InvalidInputError, UnacceptedStateError
from airflow_provider_campaigns.sensors.comm import CommCampaignStatusSensor
from airflow_provider_campaigns.vendors import comm as comm_vendor
from tests.conftest import first_event
from tests.vendor_accounts import COMM_HOST, COMM_TOKEN

pytestmark = pytest.mark.usefixtures("comm_conn")

C1 = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
S1 = "9f1e2d3c-4b5a-4697-8887-766554433221"
CAMPAIGN_URL = f"{COMM_HOST}/api/v1/sms/campaigns/{C1}"


def campaign(send_status: str | None, campaign_status: str = "in_progress", key: str = "sends") -> dict[str, object]:
    """Documented campaign (status at meta.multistep_status.status); a send list only when given (a lenient reading)."""
    data: dict[str, object] = {"id": C1, "meta": {"multistep_status": {"status": campaign_status}}}
    if send_status is not None:
        data[key] = [{"id": S1, "status": send_status, "updated_at": "2026-03-01T11:00:00Z"}]
    return {"data": data}


def sensor(**kwargs: object) -> CommCampaignStatusSensor:
    values: dict[str, object] = {"task_id": "wait", "campaign_id": C1, "campaign_send_id": S1, "poke_interval": 1, "timeout": 60}
    return CommCampaignStatusSensor(**{**values, **kwargs})


@responses.activate
def test_poke_is_done_when_the_send_is_stopped(leak_check):
    responses.get(CAMPAIGN_URL, json=campaign("stopped"))
    result = sensor(campaign_id=C1.upper()).poke({})
    assert result.is_done
    (entry,) = result.xcom_value["campaigns"]
    assert (entry["campaign_id"], entry["state"], entry["vendor_status"], entry["outcome"]) == (
        f"{C1}/{S1}",
        "stopped",
        "stopped",
        "already_final",
    )
    assert entry["finished_at"] == "2026-03-01T11:00:00Z" and entry["ref"] == {}
    assert responses.calls[0].request.url == CAMPAIGN_URL
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {COMM_TOKEN}"
    leak_check([COMM_TOKEN], result.xcom_value)


@pytest.mark.parametrize("status", ["in_progress", "paused", "something_new"])
@responses.activate
def test_poke_is_not_done_while_the_send_is_not_final(status):
    responses.get(CAMPAIGN_URL, json=campaign(status, campaign_status="completed"))
    assert not sensor().poke({}).is_done


@responses.activate
def test_send_failed_fails_the_task():
    responses.get(CAMPAIGN_URL, json=campaign("failed"))
    with pytest.raises(UnacceptedStateError, match="failed"):
        sensor().poke({})
    responses.get(CAMPAIGN_URL, json=campaign("failed"))
    assert sensor(target_states=["stopped", "failed"]).poke({}).is_done


@responses.activate
def test_reads_the_documented_campaign_status_with_one_warning(caplog, monkeypatch):
    monkeypatch.setattr(comm_vendor, "_campaign_level_reported", set())  # the warning is given once per process
    send_id = str(uuid.uuid4())
    responses.get(CAMPAIGN_URL, json=campaign(None, "in_progress"))
    responses.get(CAMPAIGN_URL, json=campaign(None, "completed"))
    with caplog.at_level(logging.WARNING, logger="airflow_provider_campaigns.vendors.comm"):
        assert not sensor(campaign_send_id=send_id).poke({}).is_done
        done = sensor(campaign_send_id=send_id).poke({})
    assert done.is_done and done.xcom_value["campaigns"][0]["vendor_status"] == "completed"
    assert caplog.text.count("judged by its campaign's status") == 1


@responses.activate
def test_several_sends_and_result_ids_as_input():
    other = str(uuid.uuid4())
    responses.get(CAMPAIGN_URL, json={"data": {"id": C1, "sends": [{"id": S1, "status": "stopped"}, {"id": other, "status": "completed"}]}})
    result = sensor(campaign_id=None, campaign_send_id=None, campaign_sends=[f"{C1}/{S1}", f"{C1}/{other}"]).poke({})
    assert result.is_done and [e["state"] for e in result.xcom_value["campaigns"]] == ["stopped", "completed"]


@responses.activate
def test_send_status_path_and_final_statuses_are_honoured(connection, fast_retry):
    connection("comm_default", "comm", host=COMM_HOST, password=COMM_TOKEN, extra={**fast_retry, "final_statuses": "archived"})
    responses.get(CAMPAIGN_URL, json={"data": {"status": "in_progress", "items": {"list": [{"id": S1, "status": "archived"}]}}})
    assert sensor(send_status_path="data.items.list").poke({}).is_done


@responses.activate
def test_status_map_parameter_extends_the_mapping():
    responses.get(CAMPAIGN_URL, json=campaign("wrapped_up", key="campaign_sends"))
    assert sensor(status_map={"wrapped_up": "completed"}).poke({}).is_done


@responses.activate
def test_transient_read_error_is_just_another_poke():
    responses.get(CAMPAIGN_URL, status=503, json={"message": "down"})
    assert not sensor().poke({}).is_done
    assert len(responses.calls) == 4, "the connection's max_retries=3 cap"


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"campaign_id": "12"}, "campaign_id"), ({"campaign_send_id": f"{S1} "}, "campaign_send_id")]
)
@responses.activate
def test_bad_ids_fail_before_any_request(kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        sensor(**kwargs).poke({})
    assert len(responses.calls) == 0


@responses.activate
def test_deferrable_checks_once_then_defers_without_secrets(ti):
    responses.get(CAMPAIGN_URL, json=campaign("in_progress"))
    with pytest.raises(TaskDeferred) as deferred:
        sensor(deferrable=True, send_status_path="data.sends", status_map={"wrapped_up": "completed"}).execute({"ti": ti})
    path, kwargs = deferred.value.trigger.serialize()
    assert path == "airflow_provider_campaigns.triggers.status.CampaignStatusTrigger"
    (group,) = kwargs["groups"]
    assert group["vendor"] == "comm" and group["conn_id"] == "comm_default"
    assert group["refs"] == [{"campaign_id": C1, "send_id": S1}]
    assert group["options"] == {"status_map": {"wrapped_up": "completed"}, "send_status_path": "data.sends"}
    assert COMM_TOKEN not in repr(kwargs)
    assert len(responses.calls) == 1


@responses.activate
def test_deferrable_returns_at_once_when_already_final(ti):
    responses.get(CAMPAIGN_URL, json=campaign("stopped"))
    assert sensor(deferrable=True).execute({"ti": ti})["campaigns"][0]["state"] == "stopped"


def test_ids_and_conn_id_are_templated():
    assert set(CommCampaignStatusSensor.template_fields) == {"campaign_id", "campaign_send_id", "campaign_sends", "comm_conn_id"}


def test_the_deferred_wait_reads_the_send_in_the_triggerer():

    import httpx
    import respx

    from airflow_provider_campaigns.engine.wait_payload import group
    from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger
    from airflow_provider_campaigns.vendors.comm import send

    trigger = CampaignStatusTrigger(
        [group("comm", "comm_default", [send(C1, S1)], {"send_status_path": "data.runs"})], ["stopped"], 0.01, 9e9
    )

    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(CAMPAIGN_URL).mock(
            side_effect=[
                httpx.Response(200, json={"data": {"status": "x", "runs": [{"id": S1, "status": status}]}})
                for status in ("sending", "halted")
            ]
        )
        payload = first_event(trigger)
    assert payload["status"] == "success" and payload["statuses"][0]["vendor_status"] == "halted" and route.call_count == 2
    assert route.calls[0].request.headers["Authorization"] == f"Bearer {COMM_TOKEN}"
