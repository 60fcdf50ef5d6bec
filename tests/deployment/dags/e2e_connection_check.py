"""e2e: stop one campaign through a named connection (created in the UI form), from the run conf.

Conf: ``{"vendor": "bsg", "conn_id": "form_bsg", "kwargs": {"campaign_id": 1001}}``. Only the named
vendor's task runs; the others are skipped.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.common.compat.sdk import DAG, task
from e2e_dag_defaults import E2E_DAG_ARGS

from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator
from airflow_provider_campaigns.operators.cellcast import CellcastStopCampaignOperator
from airflow_provider_campaigns.operators.comm import CommStopCampaignOperator
from airflow_provider_campaigns.operators.kore import KoreStopCampaignOperator

OPERATORS = {
    "bsg": BsgStopCampaignOperator,
    "cellcast": CellcastStopCampaignOperator,
    "comm": CommStopCampaignOperator,
    "kore": KoreStopCampaignOperator,
}

with DAG(dag_id="e2e_connection_check", **E2E_DAG_ARGS):

    @task
    def plan(vendor: str, dag_run: Any = None) -> list[dict[str, Any]]:
        conf = dag_run.conf or {}
        if conf.get("vendor") != vendor:
            return []
        kwargs = dict(conf["kwargs"])
        if "campaign_sends" in kwargs:
            kwargs["campaign_sends"] = [tuple(pair) for pair in kwargs["campaign_sends"]]
        return [{f"{vendor}_conn_id": conf["conn_id"], **kwargs}]

    for vendor, operator in OPERATORS.items():
        operator.partial(task_id=f"stop_{vendor}", fail_if_already_final=True).expand_kwargs(
            plan.override(task_id=f"plan_{vendor}")(vendor)
        )
