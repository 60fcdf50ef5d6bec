"""Scheduled stop: "stop the promo at 18:00", then wait (in the triggerer) until it is final.

The DAG's schedule is the set time. The stop is sent by the worker; the wait is deferred, so
no worker slot is held while BSG winds the campaign down. Name the campaign in the DAG's
``campaign_id`` param (edit the default below, or trigger with ``{"campaign_id": 1234,
"channel": "rcs"}``): a run with no campaign named stops nothing and is skipped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.providers.common.compat.sdk import DAG, Param, task

from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator

with DAG(
    dag_id="campaigns_scheduled_stop",
    schedule="0 18 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["campaigns", "scheduled"],
    doc_md=__doc__,
    params={
        "campaign_id": Param(None, type=["null", "integer"], description="The BSG campaign to stop (nothing is stopped without one)."),
        "channel": Param("sms", enum=["sms", "rcs"]),
    },
):

    @task.short_circuit
    def campaign_named(params: Any = None) -> bool:
        """Skip the stop when no campaign is named: the example never stops a campaign nobody chose."""
        if params["campaign_id"] is None:
            print("No campaign named (params.campaign_id is empty): nothing to stop.")
            return False
        return True

    campaign_named() >> BsgStopCampaignOperator(
        task_id="stop_promo",
        campaign_id="{{ params.campaign_id }}",
        channel="{{ params.channel }}",
        wait_for_completion=True,
        deferrable=True,
        poll_interval=30,
        timeout=600,
        retries=2,
    )
