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

A person fires it from the trigger form instead, without JSON: pick the vendors, then fill in each
vendor's section (campaign ids one per line, or "Every active campaign" with an optional name
filter; the channel; the connection). The form's fields become the same targets
(``airflow_provider_campaigns.trigger_form``); a conf that names vendors as above is used as given.

Each vendor entry may also carry ``conn_id`` (default ``<vendor>_default``). One task stops all
vendors concurrently, then waits (in the triggerer, no worker held) until every campaign is final:
a vendor may keep sending for a while after it accepted a stop, and the run is green only once
nothing sends. It returns one result: every campaign's outcome (``stopped``, ``already_final``,
``failed``), its final state, and the totals; the run fails naming any campaign not stopped, and
retries within seconds, resuming where it stopped.

When the task ends — stopped, or failed — the report (failed first, every campaign, the run) is
mailed to the addresses in the Airflow Variable ``campaigns_report_to`` (comma-separated) through
the ``smtp_default`` connection; without that Variable the report is only logged.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_campaigns.notifications.report import CampaignReportNotifier
from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator
from airflow_provider_campaigns.trigger_form import kill_switch_params, targets_for_run

REPORT = CampaignReportNotifier(task_id="stop_campaigns", to="{{ var.value.get('campaigns_report_to', '') }}")

with DAG(
    dag_id="campaigns_kill_switch",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    is_paused_upon_creation=False,  # an alerting system's REST trigger must run at once, on a fresh deployment too
    tags=["campaigns", "kill-switch"],
    doc_md=__doc__,
    params=kill_switch_params(),  # the trigger form: typed fields per vendor
    user_defined_macros={"campaigns_targets": targets_for_run},
):
    CampaignKillSwitchOperator(
        task_id="stop_campaigns",
        targets="{{ campaigns_targets(params, dag_run.conf) | tojson }}",  # the REST conf as given, else the form's fields
        on_success_callback=REPORT,
        on_failure_callback=REPORT,
        wait_for_completion=True,
        deferrable=True,
        poll_interval=5,
        timeout=1800,
    )
