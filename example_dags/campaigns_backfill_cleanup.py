"""Backfill clean-up: cancel what each logical date's campaign run scheduled, idempotently.

A campaign pipeline tags what it schedules with the run's date: Cellcast messages carry the
custom string ``promo-<ds>`` and BSG campaigns are named ``promo <ds>``. When a backfill went
wrong, run this DAG over the same dates::

    airflow backfill create --dag-id campaigns_backfill_cleanup --from-date 2026-11-01 --to-date 2026-11-07   # Airflow 3
    airflow dags backfill -s 2026-11-01 -e 2026-11-07 campaigns_backfill_cleanup                              # Airflow 2.11

Each run cancels that date's pending Cellcast messages (SMS and MMS) and stops that date's BSG
campaigns (SMS and RCS) that are not final; re-running a date finds nothing left and succeeds. On Airflow 3 the runs of a
paused DAG stay queued, so unpause it for the backfill: its daily schedule then starts too, but a
scheduled run cancels nothing (``only_backfill_or_manual_runs`` skips it) — only backfill and
manual runs clean up, so unpausing never cancels today's promos.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.providers.common.compat.sdk import DAG, task

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

    @task.short_circuit
    def only_backfill_or_manual_runs(dag_run: Any = None) -> bool:
        """Skip scheduled runs: a clean-up cancels only the dates someone chose to clean."""
        if str(getattr(dag_run.run_type, "value", dag_run.run_type)) == "scheduled":
            print("A scheduled run: nothing to clean up (backfill or trigger this DAG for a date to clean it).")
            return False
        return True

    only_backfill_or_manual_runs() >> CampaignKillSwitchOperator(
        task_id="cancel_that_days_campaigns",
        targets={
            # a list per vendor: one target per message type / channel the pipeline uses
            "cellcast": [{"custom_string": "promo-{{ ds }}"}, {"custom_string": "promo-{{ ds }}", "message_type": "mms"}],
            "bsg": [
                {"all_active": True, "name_contains": "promo {{ ds }}"},
                {"all_active": True, "name_contains": "promo {{ ds }}", "channel": "rcs"},
            ],
        },
    )
