from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator
from airflow_provider_campaigns.sensors.bsg import BsgCampaignStatusSensor

with DAG("e2e_bsg_stop", schedule=None, start_date=datetime(2026, 1, 1), catchup=False, params={"campaign_id": 0, "channel": "sms"}):
    stop = BsgStopCampaignOperator(task_id="stop", campaign_id="{{ params.campaign_id }}", channel="{{ params.channel }}")
    confirm = BsgCampaignStatusSensor(task_id="confirm", campaign_id="{{ params.campaign_id }}", poke_interval=0.2, timeout=30)
    stop >> confirm

with DAG("e2e_bsg_wait", schedule=None, start_date=datetime(2026, 1, 1), catchup=False, params={"campaign_id": 0}):
    BsgCampaignStatusSensor(task_id="wait", campaign_id="{{ params.campaign_id }}", deferrable=True, poke_interval=0.2, timeout=30)
