"""Kill switch sharded by account: one mapped kill-switch task per vendor account, then one report.

Each account is its own task instance (a map index): it stops, retries (3 times, 5 s doubling to a
minute, as an unmapped kill switch) and keeps its journal on its own, so one account's outage never
holds back or re-sends another's stops. The report reads every map index's result and keeps the
run red if any account failed in any way. Trigger with the accounts to stop (each one kill-switch
``targets`` dict, usually one vendor connection)::

    {"accounts": [
      {"bsg":  {"all_active": true, "conn_id": "bsg_eu"}},
      {"bsg":  {"all_active": true, "conn_id": "bsg_us"}},
      {"kore": {"all_active": true, "conn_id": "kore_default"}}
    ]}
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.providers.common.compat.sdk import DAG, AirflowFailException, Param, task

from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

ACCOUNTS = Param(
    [{"bsg": {"all_active": True, "conn_id": "bsg_default"}}, {"kore": {"all_active": True, "conn_id": "kore_default"}}],
    type="array",
    description="One kill-switch targets dict per account: each becomes its own mapped task.",
)

with DAG(
    dag_id="campaigns_kill_switch_by_account",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    is_paused_upon_creation=False,
    tags=["campaigns", "kill-switch"],
    doc_md=__doc__,
    params={"accounts": ACCOUNTS},
):

    @task
    def accounts(params: Any = None) -> list[dict[str, Any]]:
        """The accounts to stop, from the trigger's conf (one mapped task each)."""
        return list(params["accounts"])

    targets = accounts()
    stop = CampaignKillSwitchOperator.partial(
        task_id="stop",
        # the grid shows "bsg:bsg_eu" instead of a bare map index
        map_index_template="{% for v, t in task.targets.items() %}{{ v }}:{{ t.get('conn_id', v ~ '_default') }} {% endfor %}",
    ).expand(targets=targets)

    @task(trigger_rule="all_done")
    def report(shards: list[dict[str, Any]], ti: Any = None) -> dict[str, int]:
        """Every account's result (map index i is shards[i]); fails the run if any account failed in any way."""
        failed, totals = [], {"stopped": 0, "already_final": 0, "failed": 0}
        for index, account in enumerate(shards):
            result = ti.xcom_pull(task_ids="stop", map_indexes=index)  # only a successful stop returns one
            stop_failed = result is None
            if stop_failed:
                result = ti.xcom_pull(task_ids="stop", key="campaigns_result", map_indexes=index)
            if result is None:
                failed.append(f"{account}: no result (failed before any request; see map index {index}'s log)")
                continue
            for key in totals:
                totals[key] += result["totals"][key]
            for target in result["failed_targets"]:
                print(f"[{index}] FAILED TARGET {target['target']} {target['conn_id']}: {target['error']}")
            for campaign in result["campaigns"]:
                print(f"[{index}]", campaign["vendor"], campaign["conn_id"], campaign["campaign_id"], campaign["outcome"])
            if stop_failed or result["totals"]["failed"]:
                failed.append(f"{account}: {result['totals']}")
        if failed:
            raise AirflowFailException(f"{len(failed)} of {len(shards)} account(s) failed: " + "; ".join(failed))
        return totals

    stop >> report(targets)
