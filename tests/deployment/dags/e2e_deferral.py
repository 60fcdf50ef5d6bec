"""e2e: deferred waits that must survive triggerer restarts.

Per vendor named in the conf: a deferrable status sensor on a campaign that finishes by itself,
and a stop-and-wait (``wait_for_completion=True, deferrable=True``) on a campaign that keeps
running for a while after the stop is accepted. Conf: ``{"<vendor>": {"sensor": {...kwargs},
"stop": {...kwargs}}}``.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.common.compat.sdk import DAG, task
from e2e_dag_defaults import E2E_DAG_ARGS

from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator
from airflow_provider_campaigns.operators.cellcast import CellcastStopCampaignOperator
from airflow_provider_campaigns.operators.comm import CommStopCampaignOperator
from airflow_provider_campaigns.operators.kore import KoreStopCampaignOperator
from airflow_provider_campaigns.sensors.bsg import BsgCampaignStatusSensor
from airflow_provider_campaigns.sensors.cellcast import CellcastCampaignStatusSensor
from airflow_provider_campaigns.sensors.comm import CommCampaignStatusSensor
from airflow_provider_campaigns.sensors.kore import KoreCampaignStatusSensor

PAIRS = {
    "bsg": (BsgCampaignStatusSensor, BsgStopCampaignOperator),
    "cellcast": (CellcastCampaignStatusSensor, CellcastStopCampaignOperator),
    "comm": (CommCampaignStatusSensor, CommStopCampaignOperator),
    "kore": (KoreCampaignStatusSensor, KoreStopCampaignOperator),
}

with DAG(dag_id="e2e_deferral", **E2E_DAG_ARGS):

    @task
    def plan(vendor: str, kind: str, dag_run: Any = None) -> list[dict[str, Any]]:
        kwargs = ((dag_run.conf or {}).get(vendor) or {}).get(kind)
        return [dict(kwargs)] if kwargs else []

    for vendor, (sensor, operator) in PAIRS.items():
        sensor.partial(task_id=f"wait_{vendor}", deferrable=True, poke_interval=2, timeout=600).expand_kwargs(
            plan.override(task_id=f"plan_wait_{vendor}")(vendor, "sensor")
        )
        operator.partial(
            task_id=f"stop_and_wait_{vendor}", wait_for_completion=True, deferrable=True, poll_interval=2, timeout=600
        ).expand_kwargs(plan.override(task_id=f"plan_stop_{vendor}")(vendor, "stop"))
