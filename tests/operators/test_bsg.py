from __future__ import annotations

import warnings

import pytest
import responses
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException, TaskDeferred

from airflow_provider_campaigns.engine.results import RESULT_KEY, WAIT_KEY
from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator
from tests.vendor_accounts import BSG_API_KEY, BSG_BEARER, BSG_HOST

pytestmark = pytest.mark.usefixtures("bsg_conn")


def data(campaign_id: int, status: str, name: str = "promo") -> dict:
    return {
        "id": campaign_id,
        "name": name,
        "status": status,
        "message_type": "sms",
        "created_at": "2026-01-01 09:00:00",
        "finished_at": None,
    }


def listing(rows: list[dict]) -> dict:
    return {"data": rows, "meta": {"page": {"total": len(rows), "offset": 0, "limit": 500}}}


def run(op: BsgStopCampaignOperator, ti) -> dict:
    return op.execute({"ti": ti})


def test_single_stop_returns_the_one_result_shape(bsg_mocked, ti):
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/7/stop", json={"data": data(7, "stopped")})
    result = run(BsgStopCampaignOperator(task_id="stop", campaign_id="7"), ti)
    assert result == {
        "campaigns": [
            {
                "vendor": "bsg",
                "conn_id": "bsg_default",
                "campaign_id": "7",
                "name": "promo",
                "outcome": "stopped",
                "state": "stopped",
                "vendor_status": "stopped",
                "error": None,
                "started_at": None,
                "finished_at": None,
                "ref": {},  # the id is the campaign_id, the channel the default
            }
        ],
        "failed_targets": [],
        "totals": {"stopped": 1, "already_final": 0, "would_stop": 0, "failed": 0, "failed_targets": 0},
        "dry_run": False,
    }


def test_retried_task_succeeds_when_first_try_already_stopped(bsg_mocked, ti):
    bsg_mocked.put(f"{BSG_HOST}/api/campaigns/7/stop", status=422, json={"message": "Invalid campaign status", "errors": []})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/7", json={"data": data(7, "stopped")})
    result = run(BsgStopCampaignOperator(task_id="stop", campaign_id=7, channel="rcs"), ti)
    assert result["campaigns"][0]["outcome"] == "already_final"


def test_many_campaigns_every_one_attempted_and_failure_named_at_the_end(bsg_mocked, ti):
    for cid in (1, 3):
        bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/{cid}/stop", json={"data": data(cid, "stopped")})
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/2/stop", status=404, json={"message": "Not found"})
    op = BsgStopCampaignOperator(task_id="stop", campaign_ids=[1, 2, 3, "3"], max_concurrency=2)
    with pytest.raises(AirflowFailException, match="1 of 3 campaign") as error:
        run(op, ti)
    assert "bsg 2" in str(error.value)
    pushed = ti.xcoms[RESULT_KEY]
    assert pushed["totals"] == {"stopped": 2, "already_final": 0, "would_stop": 0, "failed": 1, "failed_targets": 0}
    assert [c["outcome"] for c in pushed["campaigns"]] == ["stopped", "failed", "stopped"]
    assert "HTTP 404" in pushed["campaigns"][1]["error"]


def test_a_single_failed_campaign_fails_with_its_own_error(bsg_mocked, ti):
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/2/stop", status=404, json={"message": "Not found"})
    with pytest.raises(AirflowFailException, match=r"campaign 2 \(stop, PATCH /api/campaigns/2/stop\): HTTP 404"):
        run(BsgStopCampaignOperator(task_id="stop", campaign_id=2), ti)


def test_transient_failure_in_a_batch_lets_airflow_retry(connection, bsg_mocked, ti):
    connection("bsg_default", "bsg", host=BSG_HOST, password=BSG_API_KEY, extra={"backoff_base": 0.001, "max_retries": 1})
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/1/stop", json={"data": data(1, "stopped")})
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/2/stop", status=503)
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/2", json={"data": data(2, "sending")})
    with pytest.raises(AirflowException) as error:
        run(BsgStopCampaignOperator(task_id="stop", campaign_ids=[1, 2]), ti)
    assert not isinstance(error.value, AirflowFailException)


def test_a_stop_that_ran_out_of_time_but_is_final_is_never_reported_failed(connection, bsg_mocked, ti):
    connection("bsg_default", "bsg", host=BSG_HOST, password=BSG_API_KEY, extra={"backoff_base": 0.001, "max_retries": 1})
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/2/stop", status=503)
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/2", json={"data": data(2, "stopped")})
    result = run(BsgStopCampaignOperator(task_id="stop", campaign_id=2), ti)
    assert result["campaigns"][0]["outcome"] == "stopped", "a 503 may have been applied: the stopped campaign is ours"


def test_all_active_selects_non_final_campaigns_by_name_client_side(bsg_mocked, ti):
    rows = [data(1, "sending", "Black Friday"), data(2, "done", "Black Friday"), data(3, "scheduled", "other")]
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns", json=listing(rows))
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/1/stop", json={"data": data(1, "stopped")})
    result = run(BsgStopCampaignOperator(task_id="stop", all_active=True, name_contains="black"), ti)
    assert [c["campaign_id"] for c in result["campaigns"]] == ["1"]
    lists = [c.request for c in bsg_mocked.calls if c.request.method == "GET"]
    assert lists and all("search[field]" not in r.params for r in lists), "BSG searches only sender and taskname"
    assert len(lists) == 5, "12 months back and 30 days ahead: five windows of at most 3 months"


def test_dry_run_reads_and_stops_nothing(bsg_mocked, ti):
    """The list's rows carry each campaign's status: a dry run does not read them again (issue 21: at a vendor's pace one
    read per campaign would double the stop)."""
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns", json=listing([data(1, "sending", "a"), data(2, "paused", "b")]))
    result = run(BsgStopCampaignOperator(task_id="stop", all_active=True, dry_run=True), ti)
    assert result["dry_run"] is True
    assert [(c["campaign_id"], c["name"], c["outcome"], c["vendor_status"]) for c in result["campaigns"]] == [
        ("1", "a", "would_stop", "sending"),
        ("2", "b", "would_stop", "paused"),
    ]
    assert not [c for c in bsg_mocked.calls if c.request.method in ("PATCH", "PUT")]
    assert not [c for c in bsg_mocked.calls if c.request.url.split("?")[0].rstrip("/").split("/")[-1].isdigit()], "no campaign read again"
    assert result["eta"]["parts"][0]["campaigns"] == 2


def test_dry_run_of_named_campaigns_reads_each(bsg_mocked, ti):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/1", json={"data": data(1, "sending", "a")})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/2", json={"data": data(2, "done", "b")})
    result = run(BsgStopCampaignOperator(task_id="stop", campaign_ids=[1, 2], dry_run=True), ti)
    assert [(c["campaign_id"], c["outcome"], c["vendor_status"]) for c in result["campaigns"]] == [
        ("1", "would_stop", "sending"),
        ("2", "already_final", "done"),
    ]
    assert not [c for c in bsg_mocked.calls if c.request.method in ("PATCH", "PUT")]


def test_nothing_selected_is_an_empty_success(bsg_mocked, ti):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns", json=listing([]))
    result = run(BsgStopCampaignOperator(task_id="stop", all_active=True), ti)
    assert result == {
        "campaigns": [],
        "failed_targets": [],
        "totals": {"stopped": 0, "already_final": 0, "would_stop": 0, "failed": 0, "failed_targets": 0},
        "dry_run": False,
    }


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
        {"all_active": True, "date_from": "yesterday"},
        {"all_active": True, "lookback_months": 0},
        {"all_active": True, "date_from": "2026-11-02", "date_to": "2026-11-01"},
    ],
)
def test_bad_input_fails_before_any_request(kwargs, ti):
    with responses.RequestsMock() as rsps:
        with pytest.raises(InvalidInputError):
            run(BsgStopCampaignOperator(task_id="stop", **kwargs), ti)
        assert len(rsps.calls) == 0


def test_wait_for_completion_defers_after_stopping_in_the_worker(bsg_mocked, ti, clock):
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/7/stop", json={"data": data(7, "sending")})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/7", json={"data": data(7, "sending")})
    op = BsgStopCampaignOperator(task_id="stop", campaign_id=7, wait_for_completion=True, deferrable=True, poll_interval=1, timeout=60)
    with pytest.raises(TaskDeferred) as deferred:
        run(op, ti)
    _, kwargs = deferred.value.trigger.serialize()
    assert kwargs["groups"][0]["refs"] == [{"id": 7, "channel": "sms"}]
    assert BSG_API_KEY not in str(kwargs) and BSG_BEARER not in str(kwargs)
    assert ti.xcoms[WAIT_KEY]["campaigns"][0]["outcome"] == "stopped", "the result is kept for execute_complete"
    assert RESULT_KEY not in ti.xcoms, "campaigns_result exists only when the task failed"
    assert deferred.value.timeout.total_seconds() > 60
    event = {
        "status": "success",
        "message": "done",
        "statuses": [{"vendor": "bsg", "conn_id": "bsg_default", "campaign_id": "7", "state": "stopped", "vendor_status": "stopped"}],
    }
    result = op.execute_complete({"ti": ti}, event)
    (entry,) = result["campaigns"]
    assert (entry["outcome"], entry["state"], entry["vendor_status"]) == ("stopped", "stopped", "stopped"), "after a wait: the final states"
    assert RESULT_KEY not in ti.xcoms and ti.xcoms[WAIT_KEY] is None, "a successful deferred stop leaves no stale result"


def test_wait_for_completion_polling_in_the_worker_reports_final_states(bsg_mocked, ti):
    bsg_mocked.patch(f"{BSG_HOST}/api/campaigns/7/stop", json={"data": data(7, "sending")})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/7", json={"data": data(7, "sending")})
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/7", json={"data": data(7, "stopped")})
    op = BsgStopCampaignOperator(task_id="stop", campaign_id=7, wait_for_completion=True, poll_interval=0.01, timeout=5)
    (entry,) = run(op, ti)["campaigns"]
    assert (entry["outcome"], entry["vendor_status"]) == ("stopped", "stopped")
    assert len([c for c in bsg_mocked.calls if c.request.method == "GET"]) == 2


def test_deferrable_without_wait_for_completion_warns_at_the_dag_file():
    with pytest.warns(UserWarning, match="wait_for_completion") as caught:
        BsgStopCampaignOperator(task_id="stop", campaign_id=7, deferrable=True)
    assert caught[0].filename == __file__


def test_a_deployment_wide_default_deferrable_does_not_warn_on_plain_stops(monkeypatch):
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", "True")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        plain = BsgStopCampaignOperator(task_id="stop", campaign_id=7)
        waiting = BsgStopCampaignOperator(task_id="stop_and_wait", campaign_id=7, wait_for_completion=True)
    assert plain.deferrable is True and waiting.deferrable is True


def test_templated_fields():
    assert {"campaign_id", "campaign_ids", "bsg_conn_id", "name_contains"} <= set(BsgStopCampaignOperator.template_fields)


def test_fast_task_retries_unless_the_dag_sets_its_own():
    op = BsgStopCampaignOperator(task_id="stop", campaign_id=7)
    assert op.retries == 3 and op.retry_delay.total_seconds() == 5 and op.max_retry_delay.total_seconds() == 60
    assert BsgStopCampaignOperator(task_id="stop2", campaign_id=7, retries=0).retries == 0


def test_a_wait_that_times_out_after_the_stop_is_retryable_for_the_operator(ti):
    from airflow.providers.common.compat.sdk import AirflowSensorTimeout

    op = BsgStopCampaignOperator(task_id="stop", campaign_id=7, wait_for_completion=True, deferrable=True)
    ti.xcom_push(WAIT_KEY, {"campaigns": []})
    with pytest.raises(AirflowException) as error:
        op.execute_complete({"ti": ti}, {"status": "timeout", "message": "late", "statuses": []})
    assert not isinstance(error.value, (AirflowFailException, AirflowSensorTimeout))
