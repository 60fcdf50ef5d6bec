from __future__ import annotations

import re
import time

import pytest
import responses
from airflow.providers.common.compat.sdk import AirflowFailException, TaskDeferred

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.sensors.bsg import BsgCampaignStatusSensor
from tests.vendor_accounts import BSG_API_KEY, BSG_BEARER, BSG_HOST

pytestmark = pytest.mark.usefixtures("bsg_conn")


def answer(status: str, campaign_id: int = 5) -> dict:
    return {"data": {"id": campaign_id, "name": "p", "status": status}}


@pytest.mark.parametrize(("status", "done"), [("sending", False), ("paused", False), ("stopped", True), ("done", True)])
def test_poke(bsg_mocked, status, done):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/5", json=answer(status))
    result = BsgCampaignStatusSensor(task_id="s", campaign_id=5).poke({})
    assert result.is_done is done
    if done:
        (entry,) = result.xcom_value["campaigns"]
        assert (entry["campaign_id"], entry["vendor_status"], entry["outcome"]) == ("5", status, "already_final")


def test_several_campaigns_are_done_when_all_are_final(bsg_mocked):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/5", json=answer("stopped"))
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/6", json=answer("sending", 6))
    sensor = BsgCampaignStatusSensor(task_id="s", campaign_ids=[5, 6])
    assert sensor.poke({}).is_done is False
    bsg_mocked.replace(responses.GET, f"{BSG_HOST}/api/campaigns/6", json=answer("done", 6))
    result = sensor.poke({})
    assert result.is_done and [(e["campaign_id"], e["state"]) for e in result.xcom_value["campaigns"]] == [
        ("5", "stopped"),
        ("6", "completed"),
    ]
    assert len([c for c in bsg_mocked.calls if c.request.url.endswith("/api/auth/login")]) == 1, "one login across pokes"


def test_spam_is_final_but_not_accepted(bsg_mocked, ti):
    from airflow_provider_campaigns.engine.results import RESULT_KEY

    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/5", json=answer("spam"))
    with pytest.raises(AirflowFailException, match="'spam'"):
        BsgCampaignStatusSensor(task_id="s", campaign_id=5).poke({"ti": ti})
    (entry,) = ti.xcoms[RESULT_KEY]["campaigns"]
    assert entry["outcome"] == "failed" and "spam" in entry["error"]


def test_target_states_can_accept_failed(bsg_mocked):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/5", json=answer("spam"))
    assert BsgCampaignStatusSensor(task_id="s", campaign_id=5, target_states=["failed", "stopped"]).poke({}).is_done


def test_transient_read_error_is_one_more_poke(bsg_mocked):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/5", status=503)
    assert BsgCampaignStatusSensor(task_id="s", campaign_id=5).poke({}).is_done is False


def test_deferrable_checks_once_then_defers_with_safe_kwargs(bsg_mocked, ti):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/5", json=answer("sending"))
    sensor = BsgCampaignStatusSensor(task_id="s", campaign_id=5, deferrable=True, poke_interval=7, timeout=120)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({"ti": ti})
    _, kwargs = deferred.value.trigger.serialize()
    assert kwargs["poll_interval"] == 7 and kwargs["groups"][0]["conn_id"] == "bsg_default"
    assert kwargs["target_states"] == ["completed", "stopped"]
    # the trigger's own deadline ends the wait; Airflow's defer timeout is only a later backstop
    assert kwargs["deadline"] == pytest.approx(time.time() + 120, abs=5)
    assert deferred.value.timeout.total_seconds() > 120
    assert BSG_API_KEY not in repr(kwargs) and BSG_BEARER not in repr(kwargs)


def test_deferrable_finishes_at_once_when_already_final(bsg_mocked, ti):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/5", json=answer("done"))
    result = BsgCampaignStatusSensor(task_id="s", campaign_id=5, deferrable=True).execute({"ti": ti})
    assert result["campaigns"][0]["state"] == "completed"


def test_execute_complete_maps_events():
    from airflow.providers.common.compat.sdk import AirflowSensorTimeout

    sensor = BsgCampaignStatusSensor(task_id="s", campaign_id=5)
    seen = {"vendor": "bsg", "conn_id": "bsg_default", "campaign_id": "5", "state": "stopped", "vendor_status": "stopped", "ref": {"id": 5}}
    result = sensor.execute_complete({}, {"status": "success", "message": "ok", "statuses": [seen]})
    assert [(e["campaign_id"], e["outcome"], e["state"]) for e in result["campaigns"]] == [("5", "already_final", "stopped")]
    with pytest.raises(AirflowFailException):
        sensor.execute_complete({}, {"status": "failure", "vendor": "BSG", "message": "spam"})
    with pytest.raises(AirflowSensorTimeout):
        sensor.execute_complete({}, {"status": "timeout", "vendor": "BSG", "message": "late"})
    with pytest.raises(AirflowFailException):
        sensor.execute_complete({}, {"status": "error", "vendor": "BSG", "message": "401"})


def test_bad_id_fails_before_request():
    with responses.RequestsMock() as rsps, pytest.raises(InvalidInputError, match="campaign_id"):
        BsgCampaignStatusSensor(task_id="s", campaign_id="1/2").poke({})
    assert len(rsps.calls) == 0


def test_deferrable_first_check_failing_transiently_defers_anyway(bsg_mocked, ti):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/5", status=503)
    sensor = BsgCampaignStatusSensor(task_id="s", campaign_id=5, deferrable=True, poke_interval=7, timeout=120)
    with pytest.raises(TaskDeferred):
        sensor.execute({"ti": ti})


def test_each_poke_counts_down_the_time_left(bsg_mocked, clock, caplog, capfd):
    bsg_mocked.get(f"{BSG_HOST}/api/campaigns/5", json=answer("sending"))
    sensor = BsgCampaignStatusSensor(task_id="s", campaign_id=5, poke_interval=60, timeout=600)
    sensor.hook.clock = clock
    with caplog.at_level("INFO"):
        for _ in range(3):
            assert sensor.poke({}).is_done is False
            clock.advance(60)
    lines = [*(r.getMessage() for r in caplog.records), *capfd.readouterr().out.splitlines()]
    left = [int(m) for line in lines for m in re.findall(r"(\d+) s left before the timeout", line)]
    assert sorted(set(left), reverse=True) == [600, 540, 480], "the timeout counts from the sensor's start, not from each poke"
