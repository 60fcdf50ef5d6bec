"""One DAG per vendor: a stop task and a deferrable sensor on a campaign that finishes while it waits."""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator
from airflow_provider_campaigns.operators.cellcast import CellcastStopCampaignOperator
from airflow_provider_campaigns.operators.comm import CommStopCampaignOperator
from airflow_provider_campaigns.operators.kore import KoreStopCampaignOperator
from airflow_provider_campaigns.sensors.bsg import BsgCampaignStatusSensor
from airflow_provider_campaigns.sensors.cellcast import CellcastCampaignStatusSensor
from airflow_provider_campaigns.sensors.comm import CommCampaignStatusSensor
from airflow_provider_campaigns.sensors.kore import KoreCampaignStatusSensor

WAIT = {"deferrable": True, "poke_interval": 0.2, "timeout": 30}


def dag(vendor: str) -> DAG:
    return DAG(
        f"e2e_{vendor}",
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        render_template_as_native_obj=True,
        params={"stop": None, "wait": None},
    )


with dag("bsg_defer"):
    BsgStopCampaignOperator(task_id="stop", campaign_id="{{ params.stop }}")
    BsgCampaignStatusSensor(task_id="wait", campaign_id="{{ params.wait }}", **WAIT)

with dag("cellcast"):
    CellcastStopCampaignOperator(task_id="stop", message_ids="{{ params.stop }}")
    CellcastCampaignStatusSensor(task_id="wait", message_ids="{{ params.wait }}", **WAIT)

with dag("comm"):
    CommStopCampaignOperator(task_id="stop", campaign_id="{{ params.stop[0] }}", campaign_send_id="{{ params.stop[1] }}")
    CommCampaignStatusSensor(task_id="wait", campaign_id="{{ params.wait[0] }}", campaign_send_id="{{ params.wait[1] }}", **WAIT)

with dag("kore"):
    KoreStopCampaignOperator(task_id="stop", campaign_id="{{ params.stop }}")
    KoreCampaignStatusSensor(task_id="wait", campaign_id="{{ params.wait }}", **WAIT)
