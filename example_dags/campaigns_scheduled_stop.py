"""Scheduled stop: "stop the promo at 18:00", then wait (in the triggerer) until it is final.

The DAG's schedule is the set time. The stop is sent by the worker; the wait is deferred, so
no worker slot is held while BSG winds the campaign down. Set the campaign in the DAG params
(or trigger with ``{"campaign_id": 1234, "channel": "rcs"}``).
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_campaigns.operators.bsg import BsgStopCampaignOperator

with DAG(
    dag_id="campaigns_scheduled_stop",
    schedule="0 18 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["campaigns", "scheduled"],
    doc_md=__doc__,
    params={"campaign_id": 1001, "channel": "sms"},
):
    BsgStopCampaignOperator(
        task_id="stop_promo",
        campaign_id="{{ params.campaign_id }}",
        channel="{{ params.channel }}",
        wait_for_completion=True,
        deferrable=True,
        poll_interval=30,
        timeout=600,
        retries=2,
    )
