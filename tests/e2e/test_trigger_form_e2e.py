"""The kill switch example fired as its trigger form submits it (typed fields, no JSON), with dag.test()."""

from __future__ import annotations

import pytest

from airflow_provider_campaigns.trigger_form import kill_switch_params

pytestmark = pytest.mark.e2e


def submitted(**filled):
    """Every param's default plus what a person filled in: the conf Airflow's trigger form sends."""
    values = {name: param.value for name, param in kill_switch_params().items()}
    values.update(filled)
    return values


def test_the_form_fires_the_kill_switch_for_two_vendors(sim, run_dag, states, monkeypatch):
    bsg = [sim.add_campaign("bsg", status="sending"), sim.add_campaign("bsg", status="sending")]
    kore = [sim.add_campaign("kore", status="Active", name="Black Friday blast"), sim.add_campaign("kore", status="Active", name="Other")]
    comm = sim.add_campaign("comm", status="in_progress")
    monkeypatch.setenv("AIRFLOW_VAR_CAMPAIGNS_REPORT_TO", "")  # no recipients: the report is logged, nothing is mailed
    dag_run = run_dag(
        "campaigns_kill_switch",
        **submitted(
            vendors=["bsg", "kore"], bsg_campaign_ids=[str(b) for b in bsg], kore_all_active=True, kore_name_contains="black friday"
        ),
    )
    assert states(dag_run) == {"stop_campaigns": "success"}
    assert all(sim.campaign("bsg", b)["status"] == "stopped" for b in bsg)
    assert sim.campaign("kore", kore[0])["status"] == "Stopped" and sim.campaign("kore", kore[1])["status"] == "Active"
    assert sim.campaign("comm", comm)["status"] == "in_progress" and not sim.requests("comm")


def test_an_unclear_form_fails_before_any_request(sim, run_dag, states):
    campaign = sim.add_campaign("bsg", status="sending")
    dag_run = run_dag("e2e_trigger_form_no_retries", **submitted(bsg_campaign_ids=[str(campaign)]))  # BSG not picked
    assert states(dag_run) == {"stop_campaigns": "failed"}
    assert not sim.requests("bsg")
