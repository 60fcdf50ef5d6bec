from __future__ import annotations

import time
from unittest.mock import MagicMock

import pytest
import responses
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException, TaskDeferred

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator

HOST = "https://bsg.test"
API_KEY = "live_bsgOPERATORsecret42"


def data(campaign_id: int, status: str, name: str = "promo") -> dict:
    return {
        "id": campaign_id,
        "name": name,
        "status": status,
        "message_type": "sms",
        "created_at": "2026-01-01 09:00:00",
        "finished_at": None,
    }


@pytest.fixture(autouse=True)
def bsg_conn(connection, fast_retry):
    connection("bsg_default", "bsg", host=HOST, password=API_KEY, extra=fast_retry)


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post(f"{HOST}/api/auth/login", json={"bearer": "jwt-token-abc"})
        yield rsps


def run(op: BsgStopCampaignOperator) -> tuple[dict, MagicMock]:
    ti = MagicMock()
    return op.execute({"ti": ti}), ti


def test_single_stop_returns_the_documented_result(mocked):
    mocked.patch(f"{HOST}/api/campaigns/7/stop", json={"data": data(7, "stopped")})
    result, _ = run(BsgStopCampaignOperator(task_id="stop", campaign_id="7"))
    assert result == {
        "vendor": "BSG",
        "campaign_id": "7",
        "state": "stopped",
        "vendor_status": "stopped",
        "name": "promo",
        "timestamps": {"created_at": "2026-01-01 09:00:00"},
        "outcome": "stopped",
    }


def test_retried_task_succeeds_when_first_try_already_stopped(mocked):
    mocked.put(f"{HOST}/api/campaigns/7/stop", status=422, json={"message": "Invalid campaign status", "errors": []})
    mocked.get(f"{HOST}/api/campaigns/7", json={"data": data(7, "stopped")})
    result, _ = run(BsgStopCampaignOperator(task_id="stop", campaign_id=7, channel="rcs"))
    assert result["outcome"] == "already_final"


def test_many_campaigns_every_one_attempted_and_failure_named_at_the_end(mocked):
    for cid in (1, 3):
        mocked.patch(f"{HOST}/api/campaigns/{cid}/stop", json={"data": data(cid, "stopped")})
    mocked.patch(f"{HOST}/api/campaigns/2/stop", status=404, json={"message": "Not found"})
    op = BsgStopCampaignOperator(task_id="stop", campaign_ids=[1, 2, 3, "3"], max_concurrency=2)
    ti = MagicMock()
    with pytest.raises(AirflowFailException, match="1 of 3 stop") as error:
        op.execute({"ti": ti})
    assert "2" in str(error.value)
    pushed = ti.xcom_push.call_args.kwargs
    assert pushed["key"] == "stop_result"
    assert pushed["value"]["totals"] == {"requested": 3, "stopped": 2, "already_final": 0, "failed": 1}
    assert [c["outcome"] for c in pushed["value"]["campaigns"]] == ["stopped", "failed", "stopped"]


def test_transient_failure_in_a_batch_lets_airflow_retry(mocked):
    mocked.patch(f"{HOST}/api/campaigns/1/stop", json={"data": data(1, "stopped")})
    mocked.patch(f"{HOST}/api/campaigns/2/stop", status=503)
    with pytest.raises(AirflowException) as error:
        run(BsgStopCampaignOperator(task_id="stop", campaign_ids=[1, 2]))
    assert not isinstance(error.value, AirflowFailException)


def test_all_active_selects_non_final_campaigns_by_name(mocked):
    listing = [data(1, "sending", "Black Friday"), data(2, "done", "Black Friday"), data(3, "scheduled", "other")]
    mocked.get(f"{HOST}/api/campaigns", json={"data": listing})
    mocked.patch(f"{HOST}/api/campaigns/1/stop", json={"data": data(1, "stopped")})
    result, _ = run(BsgStopCampaignOperator(task_id="stop", all_active=True, name_contains="black"))
    assert [c["campaign_id"] for c in result["campaigns"]] == ["1"]
    assert mocked.calls[1].request.params["search[value]"] == "black"


def test_dry_run_stops_nothing(mocked):
    mocked.get(f"{HOST}/api/campaigns", json={"data": [data(1, "sending"), data(2, "paused")]})
    result, _ = run(BsgStopCampaignOperator(task_id="stop", all_active=True, dry_run=True))
    assert result["would_stop"] == ["1", "2"]
    assert not [c for c in mocked.calls if c.request.method in ("PATCH", "PUT")]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"campaign_id": "abc"},
        {"campaign_id": "{{ params.campaign }}"},
        {"campaign_id": 1, "channel": "mms"},
        {"campaign_ids": []},
        {"campaign_ids": "1,2"},
        {"campaign_ids": [1, "x"]},
        {},
        {"campaign_id": 1, "campaign_ids": [2]},
    ],
)
def test_bad_input_fails_before_any_request(kwargs):
    with responses.RequestsMock() as rsps:
        with pytest.raises(InvalidInputError):
            run(BsgStopCampaignOperator(task_id="stop", **kwargs))
        assert len(rsps.calls) == 0


def test_wait_for_completion_defers_after_stopping_in_the_worker(mocked):
    mocked.patch(f"{HOST}/api/campaigns/7/stop", json={"data": data(7, "sending")})
    mocked.get(f"{HOST}/api/campaigns/7", json={"data": data(7, "sending")})
    op = BsgStopCampaignOperator(task_id="stop", campaign_id=7, wait_for_completion=True, deferrable=True, poll_interval=1, timeout=60)
    with pytest.raises(TaskDeferred) as deferred:
        run(op)
    _, kwargs = deferred.value.trigger.serialize()
    assert kwargs["refs"] == [{"campaign_id": "7", "channel": "sms"}]
    assert API_KEY not in str(kwargs) and "jwt-token-abc" not in str(kwargs)
    assert deferred.value.kwargs["stop_result"]["outcome"] == "stopped"
    assert kwargs["deadline"] == pytest.approx(time.time() + 60, abs=5)
    assert deferred.value.timeout.total_seconds() > 60
    result = op.execute_complete({}, {"status": "success", "vendor": "BSG"}, **deferred.value.kwargs)
    assert result["outcome"] == "stopped"


def test_wait_for_completion_polling_in_the_worker(mocked):
    mocked.patch(f"{HOST}/api/campaigns/7/stop", json={"data": data(7, "sending")})
    mocked.get(f"{HOST}/api/campaigns/7", json={"data": data(7, "sending")})
    mocked.get(f"{HOST}/api/campaigns/7", json={"data": data(7, "stopped")})
    op = BsgStopCampaignOperator(task_id="stop", campaign_id=7, wait_for_completion=True, poll_interval=0.01, timeout=5)
    result, _ = run(op)
    assert result["outcome"] == "stopped"
    assert len([c for c in mocked.calls if c.request.method == "GET"]) == 2


def test_templated_fields():
    assert {"campaign_id", "campaign_ids", "bsg_conn_id"} <= set(BsgStopCampaignOperator.template_fields)


def test_a_wait_that_times_out_after_the_stop_is_retryable_for_the_operator():
    from airflow.providers.common.compat.sdk import AirflowSensorTimeout

    op = BsgStopCampaignOperator(task_id="stop", campaign_id=7, wait_for_completion=True, deferrable=True)
    with pytest.raises(AirflowException) as error:
        op.execute_complete({}, {"status": "timeout", "vendor": "BSG", "message": "late"}, stop_result={"outcome": "stopped"})
    assert not isinstance(error.value, (AirflowFailException, AirflowSensorTimeout))
