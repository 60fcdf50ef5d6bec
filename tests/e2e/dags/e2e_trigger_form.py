"""The kill switch's trigger form without task retries (a failing run ends at once in dag.test())."""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator
from airflow_provider_campaigns.trigger_form import kill_switch_params, targets_for_run

with DAG(
    "e2e_trigger_form_no_retries",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params=kill_switch_params(),
    user_defined_macros={"campaigns_targets": targets_for_run},
):
    CampaignKillSwitchOperator(task_id="stop_campaigns", targets="{{ campaigns_targets(params, dag_run.conf) | tojson }}", retries=0)
