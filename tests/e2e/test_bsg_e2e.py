from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("channel", ["sms", "rcs"])
def test_stop_then_confirm_in_a_real_dag(sim, run_dag, states, channel):
    campaign_id = sim.add_campaign("bsg", status="sending", channel=channel)
    dag_run = run_dag("e2e_bsg_stop", campaign_id=campaign_id, channel=channel)
    assert states(dag_run) == {"stop": "success", "confirm": "success"}
    assert sim.campaign("bsg", campaign_id)["status"] == "stopped"
    assert sim.stop_count("bsg", campaign_id) == 1
    logins = [r for r in sim.requests("bsg") if r["path"].endswith("/auth/login")]
    assert len(logins) == 2  # one per task: each task has its own hook


def test_deferrable_sensor_is_completed_by_the_trigger(sim, run_dag, states):
    campaign_id = sim.add_campaign("bsg", status="sending", finishes_in=5.0)  # past the first task's start, also on a busy machine
    dag_run = run_dag("e2e_bsg_wait", campaign_id=campaign_id)
    assert states(dag_run) == {"wait": "success"}
    reads = [r for r in sim.requests("bsg") if r["method"] == "GET"]
    assert len(reads) >= 2, "the worker checked once, then the trigger polled"
