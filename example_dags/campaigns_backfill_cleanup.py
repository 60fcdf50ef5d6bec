"""Backfill clean-up: cancel what each logical date's campaign run scheduled, idempotently.

A campaign pipeline tags what it schedules with the run's date: Cellcast messages carry the
custom string ``promo-<ds>`` and BSG campaigns are named ``promo <ds>``. When a backfill went
wrong, run this DAG over the same dates: each run cancels that date's pending Cellcast messages
and stops that date's BSG campaigns that are not final. Re-running a date finds nothing left and
succeeds.

- Airflow 3: ``airflow backfill create --dag-id campaigns_backfill_cleanup --from-date 2026-11-01 --to-date 2026-11-07``.
  The DAG starts paused and a backfill's runs wait until it is unpaused
  (``airflow dags unpause campaigns_backfill_cleanup``; that also starts its daily schedule).
- Airflow 2.11: ``airflow dags backfill campaigns_backfill_cleanup -s 2026-11-01 -e 2026-11-07``.
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
