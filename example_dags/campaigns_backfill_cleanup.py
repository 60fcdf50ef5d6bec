"""Backfill clean-up: cancel what each logical date's campaign run scheduled, idempotently.

A campaign pipeline tags what it schedules with the run's date: Cellcast messages carry the
custom string ``promo-<ds>`` and BSG campaigns are named ``promo <ds>``. When a backfill went
wrong, run this DAG over the same dates (``airflow dags backfill campaigns_backfill_cleanup
-s 2026-11-01 -e 2026-11-07``): each run cancels that date's pending Cellcast messages and stops
that date's BSG campaigns that are not final. Re-running a date finds nothing left and succeeds.
"""

from __future__ import annotations

from datetime import datetime

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_campaigns.operators.kill_switch import CampaignKillSwitchOperator

with DAG(
    dag_id="campaigns_backfill_cleanup",
    schedule="@daily",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=4,
    tags=["campaigns", "backfill"],
    doc_md=__doc__,
):
    CampaignKillSwitchOperator(
        task_id="cancel_that_days_campaigns",
        targets={
            "cellcast": {"custom_string": "promo-{{ ds }}"},
            "bsg": {"all_active": True, "name_contains": "promo {{ ds }}"},
        },
    )
