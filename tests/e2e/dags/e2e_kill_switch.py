"""The kill switch without task retries (a failing run ends at once in dag.test()), and its dry run."""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

with DAG("e2e_kill_switch_no_retries", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    CampaignKillSwitchOperator(task_id="stop_campaigns", targets="{{ dag_run.conf | tojson }}", retries=0)

with DAG("e2e_kill_switch_dry_run", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    CampaignKillSwitchOperator(task_id="plan", targets="{{ dag_run.conf | tojson }}", dry_run=True)
