"""CommStopCampaignOperator: validation before any request, single and batch stops, XCom result."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
import responses

from airflow_provider_campaigns.exceptions import CampaignNotStoppableError, InvalidInputError, PermanentError, TransientError
from airflow_provider_campaigns.operators.comm import CommStopCampaignOperator

TOKEN = "comm-op-secret-Vb81Qw"
HOST = "https://api.comm.test"
C1 = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
C2 = "7d2b9c41-1111-4a2b-9c3d-0123456789ab"
S1 = "9f1e2d3c-4b5a-4697-8887-766554433221"
S2 = "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"
S3 = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"


def stop_url(campaign: str, send: str) -> str:
    return f"{HOST}/api/v1/sms/campaigns/{campaign}/stop/{send}"


def send_body(send: str, status: str = "stopped") -> dict[str, object]:
    return {"data": {"id": send, "status": status, "updated_at": "2026-03-01T11:00:00Z"}}


@pytest.fixture(autouse=True)
def comm_conn(connection, fast_retry):
    return connection("comm_default", "comm", host=HOST, password=TOKEN, extra={**fast_retry})


def run(**kwargs: object) -> tuple[dict[str, object], MagicMock]:
    ti = MagicMock()
    result = CommStopCampaignOperator(task_id="stop", **kwargs).execute({"ti": ti})
    return result, ti


@responses.activate
def test_single_send_is_stopped_and_reported(leak_check):
    responses.post(stop_url(C1, S1), json=send_body(S1))
    result, _ = run(campaign_id=C1.upper(), campaign_send_id=S1.upper())
    assert responses.calls[0].request.url == stop_url(C1, S1)
    assert result == {
        "vendor": "comm.com",
        "campaign_id": f"{C1}/{S1}",
        "state": "stopped",
        "vendor_status": "stopped",
        "timestamps": {"updated_at": "2026-03-01T11:00:00Z"},
        "outcome": "stopped",
    }
    leak_check([TOKEN], result)


@responses.activate
def test_already_stopped_send_succeeds_as_already_final():
    responses.post(stop_url(C1, S1), status=422, json={"message": "Campaign send is not running."})
    responses.get(f"{HOST}/api/v1/sms/campaigns/{C1}", json={"data": {"status": "completed", "sends": [{"id": S1, "status": "cancelled"}]}})
    result, _ = run(campaign_id=C1, campaign_send_id=S1)
    assert (result["outcome"], result["vendor_status"], result["state"]) == ("already_final", "cancelled", "stopped")


@responses.activate
def test_fail_if_already_final_fails_the_task_and_pushes_the_result():
    responses.post(stop_url(C1, S1), status=422, json={"message": "Campaign send is not running."})
    responses.get(f"{HOST}/api/v1/sms/campaigns/{C1}", json={"data": {"status": "completed", "sends": [{"id": S1, "status": "completed"}]}})
    ti = MagicMock()
    op = CommStopCampaignOperator(task_id="stop", campaign_id=C1, campaign_send_id=S1, fail_if_already_final=True)
    with pytest.raises(CampaignNotStoppableError, match="fail_if_already_final"):
        op.execute({"ti": ti})
    ti.xcom_push.assert_called_once()
    assert ti.xcom_push.call_args.kwargs["value"]["outcome"] == "failed"


@responses.activate
def test_operator_status_map_decides_what_is_final():
    responses.post(stop_url(C1, S1), status=409, json={"message": "Not running."})
    responses.get(f"{HOST}/api/v1/sms/campaigns/{C1}", json={"data": {"status": "x", "sends": [{"id": S1, "status": "archived"}]}})
    with pytest.raises(CampaignNotStoppableError, match="'archived' \\(unknown\\)"):
        run(campaign_id=C1, campaign_send_id=S1)
    result, _ = run(campaign_id=C1, campaign_send_id=S1, status_map={"archived": "completed"})
    assert (result["outcome"], result["state"]) == ("already_final", "completed")


@responses.activate
def test_many_sends_all_attempted_and_the_failure_named_at_the_end():
    responses.post(stop_url(C1, S1), json=send_body(S1))
    responses.post(stop_url(C1, S2), status=404, json={"message": "Not found"})
    responses.post(stop_url(C2, S3), json=send_body(S3))
    ti = MagicMock()
    op = CommStopCampaignOperator(task_id="stop", campaign_sends=[(C1, S1), [C1, S2], {"campaign_id": C2, "campaign_send_id": S3}])
    with pytest.raises(PermanentError) as caught:
        op.execute({"ti": ti})
    assert len(responses.calls) == 3
    assert f"1 of 3 stop(s) failed: {C1}/{S2}" in str(caught.value)
    ti.xcom_push.assert_called_once()
    assert ti.xcom_push.call_args.kwargs["key"] == "stop_result"
    pushed = ti.xcom_push.call_args.kwargs["value"]
    assert pushed["failed_ids"] == [f"{C1}/{S2}"]
    assert [e["outcome"] for e in pushed["campaigns"]] == ["stopped", "failed", "stopped"]
    assert pushed["totals"] == {"requested": 3, "stopped": 2, "already_final": 0, "failed": 1}


@responses.activate
def test_a_transient_failure_in_a_batch_leaves_the_task_retryable():
    responses.post(stop_url(C1, S1), json=send_body(S1))
    responses.post(stop_url(C1, S2), status=503, json={"message": "down"})
    with pytest.raises(TransientError) as caught:
        run(campaign_sends=[(C1, S1), (C1, S2)])
    assert not isinstance(caught.value, PermanentError)


@responses.activate
def test_one_element_campaign_sends_gives_the_batch_shape():
    responses.post(stop_url(C1, S1), json=send_body(S1))
    result, _ = run(campaign_sends=[[C1, S1]])
    assert result["totals"]["stopped"] == 1 and result["campaigns"][0]["campaign_id"] == f"{C1}/{S1}"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "either campaign_id with campaign_send_id, or campaign_sends"),
        ({"campaign_id": C1, "campaign_send_id": S1, "campaign_sends": [(C1, S2)]}, "not both"),
        ({"campaign_id": C1}, "campaign_send_id"),
        ({"campaign_send_id": S1}, "campaign_id"),
        ({"campaign_id": C1, "campaign_send_id": f" {S1}"}, "campaign_send_id"),
        ({"campaign_id": f"{C1}/stop", "campaign_send_id": S1}, "campaign_id"),
        ({"campaign_id": 42, "campaign_send_id": S1}, "not int"),
        ({"campaign_id": "{{ params.c }}", "campaign_send_id": S1}, "unrendered"),
        ({"campaign_sends": [(C1, S1), (C1, "nope")]}, r"campaign_sends\[1\]\.campaign_send_id"),
        ({"campaign_sends": []}, "non-empty"),
    ],
)
@responses.activate
def test_invalid_input_fails_before_any_request(kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        run(**kwargs)
    assert len(responses.calls) == 0


def test_ids_and_conn_id_are_templated():
    assert set(CommStopCampaignOperator.template_fields) == {"campaign_id", "campaign_send_id", "campaign_sends", "comm_conn_id"}
