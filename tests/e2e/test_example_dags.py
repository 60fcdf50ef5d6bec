"""The example DAGs parse, and run green with dag.test() against the simulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

pytestmark = pytest.mark.e2e

EXAMPLES = {
    "campaigns_kill_switch",
    "campaigns_scheduled_stop",
    "campaigns_backfill_cleanup",
    "campaigns_fire_drill",
    "campaigns_kill_switch_by_account",
}
AIRFLOW_3_EXAMPLES = {"campaigns_kill_switch_approved"}


def test_example_dags_parse_without_import_errors(dagbag):
    assert not dagbag.import_errors
    assert set(dagbag.dag_ids) >= EXAMPLES
    from airflow import __version__

    assert (set(dagbag.dag_ids) >= AIRFLOW_3_EXAMPLES) is (not __version__.startswith("2.")), "the approval example needs Airflow 3.3"


def kill_switch_conf(sim):
    bsg = [sim.add_campaign("bsg", status="sending"), sim.add_campaign("bsg", status="done")]
    cellcast = sim.add_campaign("cellcast", status="scheduled", recipients=3, custom_string="promo-x")
    comm = sim.add_campaign("comm", status="in_progress")
    kore = sim.add_campaign("kore", status="Active")
    conf = {
        "bsg": {"campaign_ids": bsg},
        "cellcast": {"custom_string": "promo-x"},
        "comm": {"campaign_sends": [list(comm)]},
        "kore": {"campaign_ids": [kore]},
    }
    return conf, bsg, cellcast, comm, kore


def result_of(dag_run, task_id: str = "stop_campaigns"):
    return dag_run.get_task_instance(task_id).xcom_pull(task_ids=task_id)


def test_kill_switch_stops_everything_in_one_task_and_reports(sim, run_dag, states):
    conf, bsg, cellcast, comm, kore = kill_switch_conf(sim)
    dag_run = run_dag("campaigns_kill_switch", **conf)
    assert states(dag_run) == {"stop_campaigns": "success"}
    assert sim.campaign("bsg", bsg[0])["status"] == "stopped" and sim.stop_count("bsg", bsg[0]) == 1
    assert all(sim.campaign("cellcast", m)["status"] == "canceled" for m in cellcast)
    assert sim.campaign("comm", comm)["status"] == "stopped"
    assert sim.campaign("kore", kore)["status"] == "Stopped"
    result = result_of(dag_run)
    assert result["totals"] == {"stopped": 6, "already_final": 1, "would_stop": 0, "failed": 0, "failed_targets": 0}
    assert {c["vendor"] for c in result["campaigns"]} == {"bsg", "cellcast", "comm", "kore"}


def test_kill_switch_with_only_some_vendors_touches_only_those(sim, run_dag, states):
    campaign = sim.add_campaign("bsg", status="sending")
    kore = sim.add_campaign("kore", status="Active")
    dag_run = run_dag("campaigns_kill_switch", bsg={"campaign_ids": [campaign]})
    assert states(dag_run) == {"stop_campaigns": "success"}
    assert sim.campaign("bsg", campaign)["status"] == "stopped" and sim.campaign("kore", kore)["status"] == "Active"
    assert not sim.requests("kore")


def test_kill_switch_reports_failures_and_fails_the_run(sim, run_dag, states):
    good = sim.add_campaign("bsg", status="sending")
    dag_run = run_dag("e2e_kill_switch_no_retries", bsg={"campaign_ids": [good, 999999]})
    assert states(dag_run) == {"stop_campaigns": "failed"}
    assert sim.campaign("bsg", good)["status"] == "stopped", "every other campaign is still attempted"
    pushed = dag_run.get_task_instance("stop_campaigns").xcom_pull(task_ids="stop_campaigns", key="campaigns_result")
    assert [(c["campaign_id"], c["outcome"]) for c in pushed["campaigns"]] == [(str(good), "stopped"), ("999999", "failed")]


def test_kill_switch_rejects_an_unknown_vendor_before_any_request(sim, run_dag, states):
    campaign = sim.add_campaign("bsg", status="sending")
    dag_run = run_dag("e2e_kill_switch_no_retries", bsg={"campaign_ids": [campaign]}, sms77={"campaign_ids": [1]})
    assert states(dag_run) == {"stop_campaigns": "failed"}
    assert not sim.requests("bsg")


def test_a_dry_run_plan_feeds_the_stop_exactly(sim, run_dag, states, dagbag):
    """A campaign started after the dry run is not stopped by the plan: nobody reviewed it."""
    reviewed = sim.add_campaign("kore", status="Active", name="promo reviewed")
    dag_run = run_dag("e2e_kill_switch_dry_run", kore={"all_active": True})
    plan = result_of(dag_run, "plan")
    assert [(c["campaign_id"], c["outcome"]) for c in plan["campaigns"]] == [(reviewed, "would_stop")] and plan["dry_run"]
    later = sim.add_campaign("kore", status="Active", name="promo started later")
    from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

    result = CampaignKillSwitchOperator(task_id="stop", plan=plan).execute({"ti": None})
    assert [(c["campaign_id"], c["outcome"]) for c in result["campaigns"]] == [(reviewed, "stopped")]
    assert sim.campaign("kore", later)["status"] == "Active" and sim.stop_count("kore", reviewed) == 1


def test_scheduled_stop(sim, run_dag, states):
    campaign = sim.add_campaign("bsg", status="sending")
    dag_run = run_dag("campaigns_scheduled_stop", campaign_id=campaign, channel="sms")
    assert states(dag_run) == {"campaign_named": "success", "stop_promo": "success"}
    assert sim.campaign("bsg", campaign)["status"] == "stopped"


def test_scheduled_stop_stops_nothing_nobody_named(sim, run_dag, states):
    campaign = sim.add_campaign("bsg", status="sending")
    dag_run = run_dag("campaigns_scheduled_stop", campaign_id=None)  # explicit: dag.test() reuses one DAG object across tests
    assert states(dag_run) == {"campaign_named": "success", "stop_promo": "skipped"}
    assert sim.campaign("bsg", campaign)["status"] == "sending" and not sim.requests("bsg")


def test_kill_switch_runs_on_a_fresh_deployment_without_unpausing(dagbag):
    assert dagbag.get_dag("campaigns_kill_switch").is_paused_upon_creation is False


def test_backfill_cleanup_cancels_only_that_date_and_is_idempotent(sim, dagbag, states):
    day, other = "2026-11-02", "2026-11-03"
    bsg_day = sim.add_campaign("bsg", status="scheduled", name=f"promo {day}")
    bsg_other = sim.add_campaign("bsg", status="scheduled", name=f"promo {other}")
    msgs_day = sim.add_campaign("cellcast", status="scheduled", recipients=2, custom_string=f"promo-{day}")
    msgs_other = sim.add_campaign("cellcast", status="scheduled", recipients=2, custom_string=f"promo-{other}")
    rcs_day = sim.add_campaign("bsg", status="scheduled", channel="rcs", name=f"promo {day} rcs")
    mms_day = sim.add_campaign("cellcast", status="scheduled", channel="mms", recipients=2, custom_string=f"promo-{day}")
    dag = dagbag.get_dag("campaigns_backfill_cleanup")
    logical_date = datetime(2026, 11, 2, tzinfo=UTC)
    from airflow import __version__

    key = "execution_date" if __version__.startswith("2.") else "logical_date"
    first = dag.test(**{key: logical_date})
    assert set(states(first).values()) == {"success"}
    assert sim.campaign("bsg", bsg_day)["status"] == "stopped"
    assert sim.campaign("bsg", bsg_other)["status"] == "scheduled"
    assert all(sim.campaign("cellcast", m)["status"] == "canceled" for m in msgs_day)
    assert all(sim.campaign("cellcast", m)["status"] == "scheduled" for m in msgs_other)
    assert sim.campaign("bsg", rcs_day)["status"] == "stopped", "the RCS channel is cleaned too"
    assert all(sim.campaign("cellcast", m)["status"] == "canceled" for m in mms_day), "and MMS messages"
    if key == "logical_date":
        from airflow.utils.db import resetdb  # a second run of the same date needs a fresh run id

        resetdb()
    second = dag.test(**{key: logical_date})
    assert set(states(second).values()) == {"success"}
    assert sim.stop_count("bsg", bsg_day) == 1 and sim.stop_count("cellcast", msgs_day) == 2


@pytest.mark.parametrize(("run_type", "cleans"), [("scheduled", False), ("backfill", True), ("manual", True)])
def test_backfill_cleanup_cancels_nothing_on_its_own_schedule(dagbag, run_type, cleans):
    """Unpausing the clean-up for a backfill starts its daily schedule: those runs must not cancel today's promos."""
    from types import SimpleNamespace

    guard = dagbag.get_dag("campaigns_backfill_cleanup").get_task("only_backfill_or_manual_runs")
    assert guard.python_callable(dag_run=SimpleNamespace(run_type=run_type)) is cleans


def mapped_states(dag_run) -> dict[tuple[str, int], str]:
    return {(ti.task_id, ti.map_index): str(getattr(ti.state, "value", ti.state)) for ti in dag_run.get_task_instances()}


def two_bsg_accounts(sim, monkeypatch, eu_password: str | None = None) -> tuple[list[dict], int, int]:
    """bsg_default and bsg_eu (another account: here the same simulator), one running campaign each."""
    conn = sim.connections()["bsg_default"]
    monkeypatch.setenv("AIRFLOW_CONN_BSG_EU", json.dumps({**conn, **({"password": eu_password} if eu_password else {})}))
    first, second = sim.add_campaign("bsg", status="sending"), sim.add_campaign("bsg", status="sending")
    accounts = [{"bsg": {"campaign_ids": [first]}}, {"bsg": {"campaign_ids": [second], "conn_id": "bsg_eu"}}]
    return accounts, first, second


def test_the_mapped_kill_switch_stops_each_account_in_its_own_map_index(sim, campaigns_dag, monkeypatch):
    accounts, first, second = two_bsg_accounts(sim, monkeypatch)
    dag_run = campaigns_dag("campaigns_kill_switch_by_account").test(run_conf={"accounts": accounts})
    assert set(mapped_states(dag_run)) == {("accounts", -1), ("stop", 0), ("stop", 1), ("report", -1)}
    assert set(mapped_states(dag_run).values()) == {"success"}
    assert sim.campaign("bsg", first)["status"] == "stopped" and sim.campaign("bsg", second)["status"] == "stopped"
    ti = dag_run.get_task_instance("report")
    assert ti.xcom_pull(task_ids="report") == {"stopped": 2, "already_final": 0, "failed": 0}
    per_index = [ti.xcom_pull(task_ids="stop", map_indexes=index) for index in (0, 1)]
    assert [[c["conn_id"] for c in result["campaigns"]] for result in per_index] == [["bsg_default"], ["bsg_eu"]]


def test_one_account_failing_keeps_the_mapped_run_red_and_the_other_account_stopped(sim, campaigns_dag, monkeypatch):
    accounts, first, second = two_bsg_accounts(sim, monkeypatch, eu_password="not-the-key")
    dag = campaigns_dag("campaigns_kill_switch_by_account")
    stop = dag.get_task("stop")
    assert (stop.retries, stop.retry_delay.total_seconds()) == (3, 5), "mapped: the documented retry defaults"
    stop.retries = 0  # the failure is permanent anyway; no need to wait out three retries here
    dag_run = dag.test(run_conf={"accounts": accounts})
    states = mapped_states(dag_run)
    assert (states[("stop", 0)], states[("stop", 1)], states[("report", -1)]) == ("success", "failed", "failed")
    assert sim.campaign("bsg", first)["status"] == "stopped" and sim.campaign("bsg", second)["status"] == "sending"
    pushed = dag_run.get_task_instance("stop", map_index=1).xcom_pull(task_ids="stop", key="campaigns_result", map_indexes=1)
    assert pushed["totals"]["failed"] == 1 and pushed["campaigns"][0]["conn_id"] == "bsg_eu"


def test_fire_drill_is_green_against_the_simulator_and_stops_nothing(sim, run_dag, states):
    kore = sim.add_campaign("kore", status="Active")
    bsg = sim.add_campaign("bsg", status="sending")
    dag_run = run_dag("campaigns_fire_drill")
    assert states(dag_run) == {"fire_drill": "success"}
    result = result_of(dag_run, "fire_drill")
    assert result["totals"]["contradicted"] == 0
    assert [c["conn_id"] for c in result["connections"]] == ["bsg_default", "cellcast_default", "comm_default", "kore_default"]
    assert sim.campaign("kore", kore)["status"] == "Active" and sim.stop_count("bsg", bsg) == 0


def test_fire_drill_fails_naming_the_drifted_fact(sim, run_dag, states):
    sim.add_campaign("comm", status="in_progress")
    sim.drift("comm", "missing_paging")
    dag_run = run_dag("campaigns_fire_drill", conn_ids=["comm_default"])
    assert states(dag_run) == {"fire_drill": "failed"}
    assert [fact["fact"] for fact in result_of(dag_run, "fire_drill")["contradicted"]] == ["comm.list", "comm.list.paging"]
