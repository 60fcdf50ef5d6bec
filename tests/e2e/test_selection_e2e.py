"""Selection mode in a real DAG run: the kill switch with ``all_active`` stops what runs, once, and nothing else.

comm.com's documented campaign answer does not list a campaign's sends, so against the strict
simulator its ``all_active`` fails naming the campaigns; the lenient simulator (campaign answers
that do list their sends, an alternative reading) exercises the selection itself.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("sim", [False], ids=["lenient"], indirect=True)
def test_kill_switch_all_active_stops_only_running_campaigns_once(sim, run_dag, states):
    comm_running = [sim.add_campaign("comm", status="in_progress", name="promo a"), sim.add_campaign("comm", status="scheduled")]
    comm_done = sim.add_campaign("comm", status="completed")
    # a campaign with a running and a finished send: only the running send is stopped
    mixed_campaign, mixed_done = sim.add_campaign("comm", status="completed", name="mixed")
    mixed_running = sim.add_campaign("comm", status="in_progress", campaign_id=mixed_campaign)
    kore_running = [sim.add_campaign("kore", status="Active"), sim.add_campaign("kore", status="Scheduled", starts_in=3600)]
    kore_done = sim.add_campaign("kore", status="Completed")

    dag_run = run_dag("campaigns_kill_switch", comm={"all_active": True}, kore={"all_active": True})

    assert states(dag_run) == {"stop_campaigns": "success"}
    for send in [*comm_running, mixed_running]:
        assert sim.campaign("comm", send)["status"] == "stopped" and sim.stop_count("comm", send) == 1
    for send in (comm_done, (mixed_campaign, mixed_done)):
        assert sim.campaign("comm", send)["status"] == "completed" and sim.stop_count("comm", send) == 0
    for campaign in kore_running:
        assert sim.campaign("kore", campaign)["status"] == "Stopped" and sim.stop_count("kore", campaign) == 1
    assert sim.campaign("kore", kore_done)["status"] == "Completed" and sim.stop_count("kore", kore_done) == 0

    comm_stops = [r["path"] for r in sim.requests("comm") if r["method"] == "POST"]
    assert sorted(comm_stops) == sorted(f"/api/v1/sms/campaigns/{c}/stop/{s}" for c, s in [*comm_running, mixed_running])
    kore_stops = [r["path"] for r in sim.requests("kore") if "//trigger/" in r["path"]]
    assert sorted(path.rsplit("/", 1)[-1] for path in kore_stops) == sorted(kore_running)
    result = dag_run.get_task_instance("stop_campaigns").xcom_pull(task_ids="stop_campaigns")
    assert result["totals"] == {"stopped": 5, "already_final": 0, "would_stop": 0, "failed": 0, "failed_targets": 0}


@pytest.mark.parametrize("sim", [False], ids=["lenient"], indirect=True)
def test_kill_switch_all_active_dry_run_stops_nothing(sim, run_dag, states):
    comm_send = sim.add_campaign("comm", status="in_progress")
    kore_campaign = sim.add_campaign("kore", status="Active")
    dag_run = run_dag("e2e_kill_switch_dry_run", comm={"all_active": True}, kore={"all_active": True})
    assert states(dag_run) == {"plan": "success"}
    assert sim.stop_count("comm", comm_send) == 0 and sim.stop_count("kore", kore_campaign) == 0
    assert not [r for r in sim.requests("comm") if r["method"] == "POST"]
    assert not [r for r in sim.requests("kore") if "//trigger/" in r["path"]]
    result = dag_run.get_task_instance("plan").xcom_pull(task_ids="plan")
    assert (
        result["totals"] == {"stopped": 0, "already_final": 0, "would_stop": 2, "failed": 0, "failed_targets": 0}
        and result["dry_run"] is True
    )


def test_documented_comm_answers_make_all_active_fail_naming_the_campaigns_and_kore_still_stops(sim, run_dag, states, dagbag):
    running = sim.add_campaign("comm", status="in_progress", name="promo with sends")
    kore = sim.add_campaign("kore", status="Active")
    dag_run = run_dag("e2e_kill_switch_no_retries", comm={"all_active": True}, kore={"all_active": True})
    assert states(dag_run) == {"stop_campaigns": "failed"}
    pushed = dag_run.get_task_instance("stop_campaigns").xcom_pull(task_ids="stop_campaigns", key="campaigns_result")
    assert [(c["vendor"], c["outcome"]) for c in pushed["campaigns"]] == [("kore", "stopped")]
    assert sim.campaign("comm", running)["meta"]["multistep_status"]["status"] == "in_progress"
    assert sim.campaign("kore", kore)["status"] == "Stopped"
