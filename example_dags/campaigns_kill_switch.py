"""Kill switch: stop campaigns at every vendor, now, in one task.

Trigger it from the UI, the CLI or the REST API (an alerting system: ``POST
/api/v2/dags/campaigns_kill_switch/dagRuns`` with ``{"logical_date": null, "conf": {...}}`` on
Airflow 3; the DAG is active as soon as it is deployed, nobody needs to unpause it). The conf names
what to stop per vendor, with the keys of that vendor's stop operator; vendors left out are skipped::

    {
      "bsg":      {"campaign_ids": [1001, 1002], "channel": "sms"},
      "cellcast": {"custom_string": "black-friday"},
      "comm":     {"campaign_sends": ["<campaign uuid>/<send uuid>"]},
      "kore":     {"all_active": true, "name_contains": "black friday"}
    }

Each vendor entry may also carry ``conn_id`` (default ``<vendor>_default``). One task stops all
vendors concurrently, then waits (in the triggerer, no worker held) until every campaign is final:
a vendor may keep sending for a while after it accepted a stop, and the run is green only once
nothing sends. It returns one result: every campaign's outcome (``stopped``, ``already_final``,
``failed``), its final state, and the totals; the run fails naming any campaign not stopped, and
retries within seconds, resuming where it stopped.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

VENDOR_PARAM = Param(None, type=["null", "object"], description="What to stop at this vendor (that vendor's stop operator's keys).")

with DAG(
    dag_id="campaigns_kill_switch",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    is_paused_upon_creation=False,  # an alerting system's REST trigger must run at once, on a fresh deployment too
    tags=["campaigns", "kill-switch"],
    doc_md=__doc__,
    params={vendor: VENDOR_PARAM for vendor in ("bsg", "cellcast", "comm", "kore")},  # documents the conf in the trigger form
):
    CampaignKillSwitchOperator(
        task_id="stop_campaigns",
        targets="{{ dag_run.conf | tojson }}",
        wait_for_completion=True,
        deferrable=True,
        poll_interval=5,
        timeout=1800,
    )
